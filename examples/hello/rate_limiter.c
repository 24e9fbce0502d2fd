/*
 * rate_limiter.c - GCRA arithmetic (see rate_limiter.h for the idea).
 *
 * Times are Unix microseconds from the wall clock rather than a monotonic
 * clock because the TAT is stored in the keyspace and must mean the same
 * thing after a restart or on a replica.
 */
#include "rate_limiter.h"

void rate_limit_decide(const rate_limit_request *request, int has_state,
                       long long stored_arrival_us, long long now_us,
                       rate_limit_decision *decision)
{
    long long interval = request->period_us / request->max_requests;
    /* interval * max_requests rather than period_us, so that a full burst
     * lands exactly on the tolerance despite the division's rounding. */
    long long tolerance = interval * request->max_requests;
    /* A TAT in the past is an idle limiter: the same as a new one. */
    long long arrival = has_state && stored_arrival_us > now_us ? stored_arrival_us : now_us;

    decision->changed = 0;
    decision->arrival_time_us = arrival;
    long long ahead = arrival - now_us;
    if (request->cost > request->max_requests) {
        /* More than a whole burst can never be admitted; waiting won't help. */
        decision->allowed = 0;
        decision->retry_after_us = -1;
    } else {
        /* cost <= max_requests, so the increment is at most one period. */
        long long next_arrival = arrival + interval * request->cost;
        long long allowed_from = next_arrival - tolerance;
        if (now_us < allowed_from) {
            decision->allowed = 0;
            decision->retry_after_us = allowed_from - now_us;
        } else {
            decision->allowed = 1;
            decision->retry_after_us = -1;
            decision->changed = request->cost > 0;
            decision->arrival_time_us = next_arrival;
            ahead = next_arrival - now_us;
        }
    }
    /* A TAT set from outside (restore) may lie further ahead than one period. */
    decision->remaining = ahead < tolerance ? (tolerance - ahead) / interval : 0;
    decision->reset_after_us = ahead;
}
