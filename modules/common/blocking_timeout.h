/*
 * blocking_timeout.h - the timeout argument of the blocking commands
 * (BLPOP, BLMOVE, BZPOPMIN, BZMPOP...), read exactly as Redis 7.0 reads it,
 * so every family that blocks answers the same errors.
 */
#ifndef DBLITE_COMMON_BLOCKING_TIMEOUT_H
#define DBLITE_COMMON_BLOCKING_TIMEOUT_H

#include "dblite_module.h"

/* Seconds as a long double, times 1000, rounded up to whole milliseconds
 * (so 0.0001 is 1 ms, and -0.0001 is 0: forever); products too large for
 * 64 bits come out negative, as they do in Redis on the platforms it runs
 * on.  Timeouts beyond ~31,000 years become 0 (forever: adding them to a
 * clock in microseconds would overflow).  DBLITE_OK with *timeout_ms set
 * (0 = forever), or DBLITE_ERR_INVALID after replying Redis's "ERR timeout
 * is not a float or out of range" / "ERR timeout is negative". */
int blocking_parse_timeout_or_reply(dblite_ctx *ctx, dblite_bytes argument, long long *timeout_ms);

#endif
