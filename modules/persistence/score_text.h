/*
 * score_text.h - sorted-set scores as text, the two ways RDB files hold
 * them outside the binary double of type 5: the form listpack entries
 * (type 17, and DUMP payloads of packed sets) carry, and
 * the strict reading of such text back into a double, for listpack and
 * ziplist entries and the string scores of the old type 3.
 */
#ifndef PERSISTENCE_SCORE_TEXT_H
#define PERSISTENCE_SCORE_TEXT_H

#include <stddef.h>

/* Room for any score as score_text_format writes it, with its NUL. */
#define SCORE_TEXT_SIZE 32

/* The text of value as Redis 7.0's zzlInsertAt stores a score in a
 * listpack: an integral value within +-2^62 as an integer (double2ll, so
 * -0 is "0"), "inf", "-inf", "nan", anything else as "%.17g" (d2string).
 * Appended with listpack_builder_append, integers become integer entries
 * as lpAppendInteger makes them.  Returns the length (NUL-terminated). */
size_t score_text_format(char *buffer, double value);

/* The whole of ptr[0..length) as a double: what strtod reads ("1.5",
 * "-3", "1e-300", "inf", "-inf"), with no leading space, nothing after the
 * number and no NaN; values that underflow to a denormal or zero are kept
 * as strtod gives them, as Redis's listpack reader does.  0, or -1 when
 * the text is not such a number. */
int score_text_parse(const char *ptr, size_t length, double *value);

#endif
