/*
 * reply_budget.h - the bound on replies whose size a client chooses with a
 * number, as SRANDMEMBER and HRANDFIELD with a negative count do (|count|
 * picks with repeats, from a set of any size).
 *
 * Rule: one such reply may not exceed proto-max-bulk-len bytes, the largest
 * value the server accepts or builds.  The check is made before any work,
 * against the fewest bytes each element can take on the wire, so it refuses
 * only counts whose reply certainly exceeds the bound (with the default
 * 512 MB, more than about 89 million picks); such a request is answered
 * with an error instead of growing the output until memory runs out.
 * Redis 7.0 has no bound here and grows its output without limit.
 */
#ifndef DBLITE_COMMON_REPLY_BUDGET_H
#define DBLITE_COMMON_REPLY_BUDGET_H

#include <stddef.h>

#include "dblite_module.h"

/* The least bytes of one bulk string in a reply ("$0\r\n\r\n"). */
#define REPLY_BUDGET_MIN_BULK 6
/* The least bytes of a RESP3 pair header ("*2\r\n"). */
#define REPLY_BUDGET_MIN_PAIR_HEADER 4

/* DBLITE_OK when elements replies of at least element_bytes each fit the
 * bound; otherwise DBLITE_ERR after replying the error. */
int reply_budget_check_or_reply(dblite_ctx *ctx, unsigned long long elements, size_t element_bytes);

#endif
