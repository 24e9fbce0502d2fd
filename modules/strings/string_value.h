/*
 * string_value.h - the in-memory representation of a string value.
 *
 * The core sees a string value only as an opaque, never-NULL pointer that it
 * hands back to the type methods.  Everything that needs the bytes, the
 * length or the number behind a value goes through these functions, so the
 * encoding (see string_value.c) stays private to one file.
 */
#ifndef STRINGS_STRING_VALUE_H
#define STRINGS_STRING_VALUE_H

#include <stddef.h>

#include "dblite_module.h"

/* Scratch space a caller lends to string_value_bytes(): values kept inside
 * the pointer have no bytes in memory, so they are spelled out there (an
 * integer's text with its NUL is the longest). */
#define STRING_VALUE_SCRATCH_SIZE DBLITE_LONG_LONG_TEXT_SIZE

/* A value holding a copy of ptr[0..len).  Text that Redis would store as an
 * integer (canonical decimal, as string2ll accepts) is kept as a number.
 * Returns NULL when memory runs out. */
void *string_value_create(const char *ptr, size_t len);

/* A value holding the decimal text of number; NULL when memory runs out. */
void *string_value_from_integer(long long number);

/* A value holding ptr[0..len), the canonical decimal text of an integer
 * that a dialect client sent as a RESP integer (':123'), marked so that it
 * can be answered to such clients as an integer again.  Any edit of the
 * value drops the mark; copies keep it.  NULL when memory runs out. */
void *string_value_create_sent_as_integer(const char *ptr, size_t len);

/* 1 when the value carries the mark above, 0 otherwise. */
int string_value_sent_as_integer(const void *value);

/* The value's bytes.  They live in scratch or in the value itself, and stay
 * valid until the value changes or scratch goes out of scope. */
dblite_bytes string_value_bytes(const void *value, char scratch[STRING_VALUE_SCRATCH_SIZE]);

size_t string_value_length(const void *value);

/* The value as a 64-bit integer, as Redis's getLongLongFromObject: DBLITE_OK,
 * or DBLITE_ERR_INVALID when the text is not a canonical integer in range. */
int string_value_to_integer(const void *value, long long *number);

/* The value as a long double, as Redis's getLongDoubleFromObject: DBLITE_OK or
 * DBLITE_ERR_INVALID. */
int string_value_to_long_double(const void *value, long double *number);

/* Write ptr[0..len) at offset, zero-filling any gap past the current end
 * (SETRANGE; APPEND is a write at the end).  value may be NULL for a missing
 * key.  As realloc, the call consumes value: it returns the value to keep
 * under the key (value itself when edited in place, or a grown or new
 * value, value then being released), or NULL when memory runs out, value
 * then being left as it was.  The caller has checked offset + len against
 * the size limit.  A value that keeps being edited gets spare room that
 * grows geometrically, so a run of appends is amortised O(1) per byte. */
void *string_value_splice(void *value, size_t offset, const char *ptr, size_t len);

/* Makes value (NULL for a missing key) a value of at least length bytes
 * whose bytes may be written in place, zero-filling past its old end, and
 * sets *bytes to them: writable until the value next changes.  For the
 * commands that rewrite bytes of a value in place (BITFIELD, BITOP's
 * result).  Consumes value as string_value_splice does: returns the value
 * to keep, or NULL when memory runs out (value then left as it was).  Spare
 * room grows geometrically as for the splice; a value held in the pointer
 * or marked as sent as an integer becomes a plain heap value, whatever its
 * length. */
void *string_value_make_writable(void *value, size_t length, char **bytes);

/* Type methods. */
void string_value_free(void *value);
void *string_value_copy(const void *value);
size_t string_value_memory_usage(const void *value);
const char *string_value_encoding(const void *value);

#endif
