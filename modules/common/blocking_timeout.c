/*
 * blocking_timeout.c - see blocking_timeout.h.
 */
#include "blocking_timeout.h"

#include <limits.h>

#define LONGEST_TIMEOUT_MS 1000000000000000LL

int blocking_parse_timeout_or_reply(dblite_ctx *ctx, dblite_bytes argument, long long *timeout_ms)
{
    long double seconds;
    if (dblite_parse_long_double(argument, &seconds) != DBLITE_OK) {
        dblite_reply_error(ctx, "ERR timeout is not a float or out of range");
        return DBLITE_ERR_INVALID;
    }
    long double milliseconds = seconds * 1000.0;
    long long value = LLONG_MIN;
    if (milliseconds < 9223372036854775808.0L && milliseconds > -9223372036854775807.0L) {
        value = (long long)milliseconds; /* towards zero, then up */
        if ((long double)value < milliseconds)
            value = value == LLONG_MAX ? LLONG_MIN : value + 1;
    }
    if (value < 0) {
        dblite_reply_error(ctx, "ERR timeout is negative");
        return DBLITE_ERR_INVALID;
    }
    *timeout_ms = value > LONGEST_TIMEOUT_MS ? 0 : value;
    return DBLITE_OK;
}
