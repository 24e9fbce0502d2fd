/*
 * numbers.c - conversions between text and numbers, matching Redis's
 * acceptance rules exactly: commands must reject what Redis rejects.
 */
#include "util/numbers.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "dblite_module.h"

#define MAX_LONG_DOUBLE_CHARS (5 * 1024)

/* Integers are spelled two digits at a time from this table, right to left
 * into their final place: the length is known first, so nothing is written
 * reversed and copied.  Every integer reply, bulk header and integer member
 * goes through here. */
static const char DIGIT_PAIRS[] =
    "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
    "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
    "8081828384858687888990919293949596979899";

static size_t decimal_digits(unsigned long long magnitude)
{
    size_t digits = 1;
    for (;;) {
        if (magnitude < 10)
            return digits;
        if (magnitude < 100)
            return digits + 1;
        if (magnitude < 1000)
            return digits + 2;
        if (magnitude < 10000)
            return digits + 3;
        magnitude /= 10000;
        digits += 4;
    }
}

static inline unsigned long long magnitude_of(long long value)
{
    /* Unsigned negation, so LLONG_MIN has a magnitude too. */
    return value < 0 ? 0ULL - (unsigned long long)value : (unsigned long long)value;
}

/* Writes the length characters of value's text (a sign, then magnitude's
 * digits) and a NUL at buffer. */
static inline void write_decimal(char *buffer, size_t length, long long value)
{
    unsigned long long magnitude = magnitude_of(value);
    char *at = buffer + length;
    *at = '\0';
    while (magnitude >= 100) {
        size_t pair = (size_t)(magnitude % 100) * 2;
        magnitude /= 100;
        *--at = DIGIT_PAIRS[pair + 1];
        *--at = DIGIT_PAIRS[pair];
    }
    if (magnitude >= 10) {
        size_t pair = (size_t)magnitude * 2;
        *--at = DIGIT_PAIRS[pair + 1];
        *--at = DIGIT_PAIRS[pair];
    } else {
        *--at = (char)('0' + magnitude);
    }
    if (value < 0)
        buffer[0] = '-';
}

size_t format_long_long(char *buffer, long long value)
{
    size_t length = (value < 0) + decimal_digits(magnitude_of(value));
    write_decimal(buffer, length, value);
    return length;
}

/* Redis reads SCAN cursors with strtoul and refuses text that starts with
 * a space or leaves anything after the digits: so an optional sign, digits
 * (a negative value wraps, "-1" is the largest cursor), nothing after them
 * up to the end or a NUL byte, where strtoul stops; an empty text is 0. */
int parse_scan_cursor(const char *text, size_t length, unsigned long long *cursor)
{
    size_t at = 0;
    int negative = 0;
    if (length == 0 || text[0] == '\0') {
        *cursor = 0;
        return 1;
    }
    if (text[0] == '+' || text[0] == '-') {
        negative = text[0] == '-';
        at = 1;
    }
    size_t digits = at;
    unsigned long long value = 0;
    for (; at < length && text[at] >= '0' && text[at] <= '9'; at++) {
        unsigned digit = (unsigned)(text[at] - '0');
        if (value > (ULLONG_MAX - digit) / 10)
            return 0; /* strtoul's ERANGE */
        value = value * 10 + digit;
    }
    if (at == digits || (at < length && text[at] != '\0'))
        return 0;
    *cursor = negative ? 0ULL - value : value;
    return 1;
}

int parse_long_long(const char *text, size_t length, long long *value)
{
    if (length == 0 || length > 20)
        return 0;
    size_t i = 0;
    int negative = 0;
    if (length == 1 && text[0] == '0') {
        *value = 0;
        return 1;
    }
    if (text[0] == '-') {
        negative = 1;
        i = 1;
        if (length == 1)
            return 0;
    }
    if (text[i] < '1' || text[i] > '9')
        return 0;
    unsigned long long magnitude = 0;
    for (; i < length; i++) {
        unsigned digit = (unsigned)(unsigned char)text[i] - '0';
        if (digit > 9)
            return 0;
        /* The overflow builtins rather than a division per digit: every
         * count and length of every request is read here. */
        if (__builtin_mul_overflow(magnitude, 10ULL, &magnitude) ||
            __builtin_add_overflow(magnitude, digit, &magnitude))
            return 0;
    }
    if (negative) {
        if (magnitude > (unsigned long long)LLONG_MAX + 1)
            return 0;
        *value = (long long)(0ULL - magnitude);
    } else {
        if (magnitude > (unsigned long long)LLONG_MAX)
            return 0;
        *value = (long long)magnitude;
    }
    return 1;
}

int parse_long_double(const char *text, size_t length, long double *value)
{
    char buffer[MAX_LONG_DOUBLE_CHARS];
    if (length == 0 || length >= sizeof(buffer))
        return 0;
    memcpy(buffer, text, length);
    buffer[length] = '\0';
    if (isspace((unsigned char)buffer[0]))
        return 0;
    errno = 0;
    char *end;
    long double parsed = strtold(buffer, &end);
    if ((size_t)(end - buffer) != length || errno == ERANGE || isnan(parsed))
        return 0;
    *value = parsed;
    return 1;
}

int parse_double(const char *text, size_t length, double *value)
{
    char buffer[MAX_LONG_DOUBLE_CHARS];
    if (length == 0 || length >= sizeof(buffer))
        return 0;
    memcpy(buffer, text, length);
    buffer[length] = '\0';
    if (isspace((unsigned char)buffer[0]))
        return 0;
    errno = 0;
    char *end;
    double parsed = strtod(buffer, &end);
    if ((size_t)(end - buffer) != length)
        return 0;
    if (errno == ERANGE &&
        (parsed == HUGE_VAL || parsed == -HUGE_VAL || fpclassify(parsed) == FP_ZERO))
        return 0;
    if (isnan(parsed))
        return 0;
    *value = parsed;
    return 1;
}

int parse_memory_size(const char *text, long long *value)
{
    static const struct {
        const char *suffix;
        long long multiplier;
    } units[] = {{"", 1},           {"b", 1},
                 {"k", 1000},       {"kb", 1024},
                 {"m", 1000000},    {"mb", 1024 * 1024},
                 {"g", 1000000000}, {"gb", 1024LL * 1024 * 1024}};
    size_t length = strlen(text);
    size_t digits = 0;
    while (digits < length && isdigit((unsigned char)text[digits]))
        digits++;
    if (digits == 0) {
        /* allow a negative plain number for settings like -1 */
        long long plain;
        if (parse_long_long(text, length, &plain)) {
            *value = plain;
            return 1;
        }
        return 0;
    }
    for (size_t u = 0; u < sizeof(units) / sizeof(units[0]); u++) {
        if (strcasecmp(text + digits, units[u].suffix) != 0)
            continue;
        long long number;
        if (!parse_long_long(text, digits, &number)) {
            /* leading zeros: fall back to strtoll semantics for "0..." */
            char *end;
            errno = 0;
            number = strtoll(text, &end, 10);
            if (errno || end != text + digits)
                return 0;
        }
        if (number > LLONG_MAX / units[u].multiplier)
            return 0;
        *value = number * units[u].multiplier;
        return 1;
    }
    return 0;
}

/* ---- the public helpers ---- */

int dblite_parse_long_long(dblite_bytes arg, long long *value)
{
    return parse_long_long(arg.ptr, arg.len, value) ? DBLITE_OK : DBLITE_ERR_INVALID;
}

int dblite_parse_long_double(dblite_bytes arg, long double *value)
{
    return parse_long_double(arg.ptr, arg.len, value) ? DBLITE_OK : DBLITE_ERR_INVALID;
}

int dblite_parse_double(dblite_bytes arg, double *value)
{
    return parse_double(arg.ptr, arg.len, value) ? DBLITE_OK : DBLITE_ERR_INVALID;
}

int dblite_parse_scan_cursor(dblite_bytes arg, unsigned long long *cursor)
{
    return parse_scan_cursor(arg.ptr, arg.len, cursor) ? DBLITE_OK : DBLITE_ERR_INVALID;
}

int dblite_parse_memory_size(const char *text, long long *bytes)
{
    return parse_memory_size(text, bytes) ? DBLITE_OK : DBLITE_ERR_INVALID;
}

int dblite_bytes_equal_nocase(dblite_bytes arg, const char *word)
{
    size_t length = strlen(word);
    return arg.len == length && strncasecmp(arg.ptr, word, length) == 0;
}

size_t dblite_format_long_double(char *buffer, size_t size, long double value)
{
    if (size == 0)
        return 0;
    if (isinf(value)) {
        const char *text = value > 0 ? "inf" : "-inf";
        size_t length = strlen(text);
        if (length + 1 > size)
            return 0;
        memcpy(buffer, text, length + 1);
        return length;
    }
    int printed = snprintf(buffer, size, "%.17Lf", value);
    if (printed < 0 || (size_t)printed + 1 > size)
        return 0;
    size_t length = (size_t)printed;
    /* Trim trailing zeros after the point, then a bare point: 3.50 -> 3.5. */
    if (memchr(buffer, '.', length)) {
        while (length > 0 && buffer[length - 1] == '0')
            length--;
        if (length > 0 && buffer[length - 1] == '.')
            length--;
    }
    if (length == 2 && buffer[0] == '-' && buffer[1] == '0') {
        buffer[0] = '0';
        length = 1;
    }
    buffer[length] = '\0';
    return length;
}

size_t dblite_format_long_long(char *buffer, size_t size, long long value)
{
    size_t length = (value < 0) + decimal_digits(magnitude_of(value));
    if (length + 1 > size) {
        if (size > 0)
            buffer[0] = '\0';
        return 0;
    }
    write_decimal(buffer, length, value);
    return length;
}

size_t dblite_format_double(char *buffer, size_t size, double value)
{
    /* Infinities are spelled out rather than left to printf, as Redis does,
     * because C libraries disagree on their text ("inf", "Infinity"). */
    int printed = isinf(value) ? snprintf(buffer, size, "%s", value > 0 ? "inf" : "-inf")
                               : snprintf(buffer, size, "%.17g", value);
    if (printed < 0 || (size_t)printed + 1 > size) {
        if (size > 0)
            buffer[0] = '\0';
        return 0;
    }
    return (size_t)printed;
}
