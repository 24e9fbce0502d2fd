/*
 * score_text.c - see score_text.h.
 */
#include "score_text.h"

#include <ctype.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dblite_module.h"

/* Longer text cannot be a score Redis wrote ("%.17g" needs at most 24
 * bytes); the limit keeps the copy below on the stack. */
#define SCORE_TEXT_MAX_INPUT 128

size_t score_text_format(char *buffer, double value)
{
    int length;
    if (isnan(value)) {
        length = snprintf(buffer, SCORE_TEXT_SIZE, "nan");
    } else if (isinf(value)) {
        length = snprintf(buffer, SCORE_TEXT_SIZE, "%s", value < 0 ? "-inf" : "inf");
    } else if (value >= (double)(-LLONG_MAX / 2) && value <= (double)(LLONG_MAX / 2) &&
               value == (double)(long long)value) {
        return dblite_format_long_long(buffer, SCORE_TEXT_SIZE, (long long)value);
    } else {
        length = snprintf(buffer, SCORE_TEXT_SIZE, "%.17g", value);
    }
    return length > 0 ? (size_t)length : 0;
}

int score_text_parse(const char *ptr, size_t length, double *value)
{
    char text[SCORE_TEXT_MAX_INPUT + 1];
    if (length == 0 || length > SCORE_TEXT_MAX_INPUT || isspace((unsigned char)ptr[0]))
        return -1;
    /* Integral scores (listpack integer entries) without strtod: exact up
     * to 2^53, where every integer is a double. */
    long long integer;
    if (length <= 16 &&
        dblite_parse_long_long((dblite_bytes){ptr, length}, &integer) == DBLITE_OK &&
        integer >= -(1LL << 53) && integer <= (1LL << 53)) {
        *value = (double)integer;
        return 0;
    }
    memcpy(text, ptr, length);
    text[length] = '\0';
    char *end;
    double parsed = strtod(text, &end);
    if (end != text + length || isnan(parsed))
        return -1;
    *value = parsed;
    return 0;
}
