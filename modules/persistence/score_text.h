/*
 * score_text.h - sorted-set scores as text, the two ways RDB files hold
 * them outside the binary double of type 5: Redis's d2string form, which
 * listpack entries (type 17, and DUMP payloads of packed sets) carry, and
 * the strict reading of such text back into a double, for listpack and
 * ziplist entries and the string scores of the old type 3.
 */
#ifndef PERSISTENCE_SCORE_TEXT_H
#define PERSISTENCE_SCORE_TEXT_H

#include <stddef.h>

/* Room for any score as score_text_format writes it, with its NUL. */
#define SCORE_TEXT_SIZE 32

/* Redis 7.0's d2string: "nan", "inf", "-inf", "0" or "-0" for the zeros,
 * an integral value below 2^52 in magnitude as an integer, anything else
 * as "%.17g".  Returns the length (the text is NUL-terminated). */
size_t score_text_format(char *buffer, double value);

/* The whole of ptr[0..length) as a double: what strtod reads ("1.5",
 * "-3", "1e-300", "inf", "-inf"), with no leading space, nothing after the
 * number and no NaN; values that underflow to a denormal or zero are kept
 * as strtod gives them, as Redis's listpack reader does.  0, or -1 when
 * the text is not such a number. */
int score_text_parse(const char *ptr, size_t length, double *value);

#endif
