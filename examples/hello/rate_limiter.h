/*
 * rate_limiter.h - the rate-limiting rule of HELLO.RATELIMIT, free of any
 * server call so it can be reasoned about (and tested) on its own.
 *
 * It is the generic cell rate algorithm (GCRA) that redis-cell's CL.THROTTLE
 * popularised: a limiter is one number, the "theoretical arrival time" (TAT)
 * at which it would be back to an idle state.  Each admitted request pushes
 * it forward by period / max-requests per unit of cost; a request is refused
 * while that would put the TAT more than one period ahead of now.  So a
 * client gets a burst of max-requests, then one request per
 * period / max-requests, and the limiter is idle again one period after a
 * burst, without keeping a log of requests or running any timer.
 */
#ifndef HELLO_RATE_LIMITER_H
#define HELLO_RATE_LIMITER_H

/* Bounds that keep every product below in 64 bits and the emission interval
 * (period / max-requests, in microseconds) at least 1. */
#define RATE_LIMIT_MAX_REQUESTS 1000000LL
#define RATE_LIMIT_MAX_PERIOD_SECONDS (366LL * 24 * 3600)
#define RATE_LIMIT_MICROSECONDS_PER_SECOND 1000000LL
/* Latest TAT accepted from outside (year 9999): far below the 64-bit limit,
 * so adding a period to it cannot overflow. */
#define RATE_LIMIT_MAX_ARRIVAL_US 253402300799999999LL

typedef struct rate_limit_request {
    long long max_requests; /* 1..RATE_LIMIT_MAX_REQUESTS per period */
    long long period_us;    /* 1 s .. RATE_LIMIT_MAX_PERIOD_SECONDS, in microseconds */
    long long cost;         /* units this request takes; 0 only asks */
} rate_limit_request;

typedef struct rate_limit_decision {
    int allowed;
    long long remaining;         /* requests of cost 1 still admitted right now */
    long long retry_after_us;    /* -1 when allowed, or when cost exceeds max-requests */
    long long reset_after_us;    /* until the limiter is idle (full burst again) */
    int changed;                 /* the TAT moved: store arrival_time_us */
    long long arrival_time_us;   /* the TAT after this request */
} rate_limit_decision;

/* Decide on request at now_us.  has_state is 0 for a limiter never used
 * (stored_arrival_us is then ignored). */
void rate_limit_decide(const rate_limit_request *request, int has_state,
                       long long stored_arrival_us, long long now_us,
                       rate_limit_decision *decision);

#endif
