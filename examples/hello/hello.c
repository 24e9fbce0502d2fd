/*
 * hello.c - hello.so, the example dblite plugin, whole in one file: a
 * greeting command, and a rate limiter stored under keys as its own value
 * type (saved in snapshots, rebuilt in the append-only log).  It shows the
 * conveniences of module API version 5: a command table of DBLITE_COMMAND
 * rows registered at once, state kept as module data that the server frees
 * at exit, and key lookups that answer WRONGTYPE themselves.
 *
 *   HELLO.GREET [name]                  "<greeting>, <name>!"
 *   HELLO.RATELIMIT key max-requests [period-seconds [cost]]
 *                                       counts a request, answers a map
 *   HELLO.RATELIMIT.RESTORE key arrival-time-us
 *                                       sets a limiter (what is replayed)
 *
 * The limiter is the generic cell rate algorithm (GCRA, as redis-cell's
 * CL.THROTTLE): a limiter is one number, the "theoretical arrival time"
 * (TAT) at which it is idle again.  Each admitted request pushes it forward
 * by period / max-requests per unit of cost; a request is refused while
 * that would put the TAT more than one period ahead of now.  So a client
 * gets a burst of max-requests, then one request per period / max-requests,
 * with no log of requests and no timer.  Times are Unix microseconds of the
 * wall clock: the TAT is stored and must mean the same after a restart.
 */
#include <stdio.h>
#include <string.h>

#include "dblite_module.h"

DBLITE_MODULE_DECLARE();

#define RESTORE_COMMAND "hello.ratelimit.restore"
/* Bounds that keep every product in 64 bits and period / max-requests (in
 * microseconds) at least 1; the latest TAT accepted from outside is the
 * year 9999, so adding a period to it cannot overflow either. */
#define MAX_REQUESTS 1000000LL
#define MAX_PERIOD_SECONDS (366LL * 24 * 3600)
#define MAX_ARRIVAL_US 253402300799999999LL

/* Everything the plugin keeps, as its module data. */
typedef struct hello_state {
    const dblite_type *limiter_type;
    long long default_period_seconds; /* [hello] default-period */
    char *greeting;                   /* [hello] greeting (the server's copy) */
} hello_state;

static hello_state *state_of(dblite_ctx *ctx)
{
    return dblite_module_get_data(dblite_ctx_module(ctx));
}

/* ---- the "ratelimit" type: one TAT per key ---- */

typedef struct limiter {
    long long arrival_us;
} limiter;

static limiter *limiter_create(long long arrival_us)
{
    limiter *value = dblite_alloc(sizeof(*value));
    if (value != NULL)
        value->arrival_us = arrival_us;
    return value;
}

static void limiter_free(void *value)
{
    dblite_free(value);
}
static size_t limiter_memory(const void *value)
{
    return dblite_alloc_size(value);
}

static void *limiter_copy(const void *value)
{
    return limiter_create(((const limiter *)value)->arrival_us);
}

static int limiter_save(dblite_io *io, const void *value)
{
    return dblite_io_write_signed(io, ((const limiter *)value)->arrival_us);
}

static void *limiter_load(dblite_io *io, int encoding_version)
{
    int64_t arrival_us;
    if (encoding_version != 0) {
        dblite_io_fail(io, "hello: unknown ratelimit encoding version");
        return NULL;
    }
    if (dblite_io_read_signed(io, &arrival_us) != DBLITE_OK) {
        dblite_io_fail(io, "hello: could not read a ratelimit value");
        return NULL;
    }
    limiter *value = limiter_create(arrival_us);
    if (value == NULL)
        dblite_io_fail(io, "hello: out of memory loading a ratelimit value");
    return value;
}

/* HELLO.RATELIMIT.RESTORE key TAT: what rebuilds (and replicates) a limiter.
 * Replaying HELLO.RATELIMIT itself would read another clock and could decide
 * otherwise.  text must hold 32 bytes. */
static void restore_command(dblite_bytes key, long long arrival_us, char *text,
                            dblite_bytes command[3])
{
    command[0] = (dblite_bytes){RESTORE_COMMAND, sizeof(RESTORE_COMMAND) - 1};
    command[1] = key;
    command[2] = (dblite_bytes){text, (size_t)snprintf(text, 32, "%lld", arrival_us)};
}

static int limiter_rewrite(dblite_rewriter *rewriter, dblite_bytes key, const void *value)
{
    char text[32];
    dblite_bytes command[3];
    restore_command(key, ((const limiter *)value)->arrival_us, text, command);
    return dblite_rewriter_emit(rewriter, 3, command);
}

static const dblite_type_methods limiter_methods = {
    .api_version = DBLITE_API_VERSION,
    .free = limiter_free,
    .memory_usage = limiter_memory,
    .copy = limiter_copy,
    .save = limiter_save,
    .load = limiter_load,
    .rewrite = limiter_rewrite,
};

/* ---- the GCRA decision ---- */

typedef struct decision {
    int allowed;
    long long remaining;      /* requests of cost 1 still admitted now */
    long long retry_after_us; /* -1 when allowed, or when cost exceeds max */
    long long reset_after_us; /* until the limiter is idle again */
    int changed;              /* the TAT moved: store arrival_us */
    long long arrival_us;
} decision;

static void decide(long long max_requests, long long period_us, long long cost,
                   const limiter *stored, long long now_us, decision *out)
{
    long long interval = period_us / max_requests;
    /* interval * max_requests, so a full burst lands exactly on it despite
     * the division's rounding. */
    long long tolerance = interval * max_requests;
    /* A TAT in the past is an idle limiter: the same as a new one. */
    long long arrival = stored != NULL && stored->arrival_us > now_us ? stored->arrival_us : now_us;
    out->allowed = 0;
    out->changed = 0;
    out->retry_after_us = -1; /* more than a whole burst never passes */
    out->arrival_us = arrival;
    if (cost <= max_requests) {
        long long next = arrival + interval * cost; /* at most one period more */
        if (now_us < next - tolerance) {
            out->retry_after_us = next - tolerance - now_us;
        } else {
            out->allowed = 1;
            out->changed = cost > 0;
            out->arrival_us = next;
        }
    }
    long long ahead = out->arrival_us - now_us;
    /* A restored TAT may lie further ahead than one period. */
    out->remaining = ahead < tolerance ? (tolerance - ahead) / interval : 0;
    out->reset_after_us = ahead;
}

/* ---- commands ---- */

/* An integer argument in [min, max], or 0 after replying an error naming it. */
static int parse_bounded(dblite_ctx *ctx, dblite_bytes argument, const char *what, long long min,
                         long long max, long long *value)
{
    if (dblite_parse_long_long(argument, value) != DBLITE_OK || *value < min || *value > max) {
        dblite_reply_error_format(ctx, "ERR %s must be an integer between %lld and %lld", what, min,
                                  max);
        return 0;
    }
    return 1;
}

/* Stores a TAT under key: in place in an existing limiter, else a new one.
 * 1, or 0 after replying an error. */
static int store(dblite_ctx *ctx, dblite_bytes key, limiter *existing, long long arrival_us)
{
    if (existing != NULL) {
        existing->arrival_us = arrival_us;
        dblite_key_modified(ctx, key);
        return 1;
    }
    limiter *value = limiter_create(arrival_us);
    if (value == NULL) {
        dblite_reply_error(ctx, "OOM out of memory creating the rate limiter");
        return 0;
    }
    /* The server owns value from here on, also when this fails. */
    if (dblite_key_set(ctx, key, state_of(ctx)->limiter_type, value, DBLITE_SET_DEFAULT) !=
        DBLITE_OK) {
        dblite_reply_error(ctx, "ERR could not store the rate limiter");
        return 0;
    }
    return 1;
}

/* Whole milliseconds, rounded up so "retry after" is never a moment early;
 * -1 stays -1. */
static long long ceiling_ms(long long microseconds)
{
    return microseconds < 0 ? -1 : (microseconds + 999) / 1000;
}

static void ratelimit_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv)
{
    long long max_requests, period_seconds = state_of(ctx)->default_period_seconds, cost = 1;
    if (argc > 5) {
        dblite_reply_syntax_error(ctx);
        return;
    }
    if (!parse_bounded(ctx, argv[2], "max-requests", 1, MAX_REQUESTS, &max_requests) ||
        (argc > 3 &&
         !parse_bounded(ctx, argv[3], "period-seconds", 1, MAX_PERIOD_SECONDS, &period_seconds)) ||
        (argc > 4 && !parse_bounded(ctx, argv[4], "cost", 0, MAX_REQUESTS, &cost)))
        return;
    void *found;
    if (dblite_key_lookup_or_reply(ctx, argv[1], state_of(ctx)->limiter_type, DBLITE_LOOKUP_WRITE,
                                   &found) != DBLITE_OK)
        return;
    decision d;
    decide(max_requests, period_seconds * 1000000, cost, found, dblite_time_ms() * 1000, &d);
    if (d.changed) {
        char text[32];
        dblite_bytes replay[3];
        restore_command(argv[1], d.arrival_us, text, replay);
        if (dblite_propagate_replace(ctx, 3, replay) != DBLITE_OK) {
            dblite_reply_error(ctx, "OOM out of memory recording the rate limiter change");
            return;
        }
        if (!store(ctx, argv[1], found, d.arrival_us))
            return;
    }
    /* A map: '%' in RESP3, a flat name/value array in RESP2. */
    dblite_reply_map(ctx, 5);
    dblite_reply_bulk_cstring(ctx, "allowed");
    dblite_reply_bool(ctx, d.allowed);
    dblite_reply_bulk_cstring(ctx, "limit");
    dblite_reply_integer(ctx, max_requests);
    dblite_reply_bulk_cstring(ctx, "remaining");
    dblite_reply_integer(ctx, d.remaining);
    dblite_reply_bulk_cstring(ctx, "retry-after-ms");
    dblite_reply_integer(ctx, ceiling_ms(d.retry_after_us));
    dblite_reply_bulk_cstring(ctx, "reset-after-ms");
    dblite_reply_integer(ctx, ceiling_ms(d.reset_after_us));
}

static void restore_limiter_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv)
{
    (void)argc;
    long long arrival_us;
    void *found;
    if (!parse_bounded(ctx, argv[2], "arrival-time-us", 0, MAX_ARRIVAL_US, &arrival_us) ||
        dblite_key_lookup_or_reply(ctx, argv[1], state_of(ctx)->limiter_type, DBLITE_LOOKUP_WRITE,
                                   &found) != DBLITE_OK)
        return;
    if (store(ctx, argv[1], found, arrival_us))
        dblite_reply_ok(ctx);
}

static void greet_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv)
{
    if (argc > 2) {
        dblite_reply_syntax_error(ctx);
        return;
    }
    const char *greeting = state_of(ctx)->greeting ? state_of(ctx)->greeting : "";
    dblite_bytes name = argc == 2 ? argv[1] : (dblite_bytes){"world", 5};
    size_t greeting_length = strlen(greeting);
    size_t length = greeting_length + 2 + name.len + 1; /* ", " and "!" */
    char *text = dblite_alloc(length);
    if (text == NULL) {
        dblite_reply_error(ctx, "OOM out of memory building the greeting");
        return;
    }
    memcpy(text, greeting, greeting_length);
    memcpy(text + greeting_length, ", ", 2);
    memcpy(text + greeting_length + 2, name.ptr, name.len);
    text[length - 1] = '!';
    dblite_reply_bulk(ctx, text, length);
    dblite_free(text);
}

/* Flags and key positions are what COMMAND INFO shows: clients and proxies
 * read them to route keys and to know what may run under memory pressure. */
static const dblite_command_spec commands[] = {
    DBLITE_COMMAND(.name = "hello.greet", .arity = -1, .flags = "fast", .handler = greet_command,
                   .summary = "Greets the caller with the configured greeting", .since = "0.1.0",
                   .group = "hello", .arguments = "[name]"),
    DBLITE_COMMAND(.name = "hello.ratelimit", .arity = -3, .flags = "write deny-oom fast",
                   .first_key = 1, .last_key = 1, .key_step = 1, .handler = ratelimit_command,
                   .summary =
                       "Counts a request against a rate limit and says whether it is allowed",
                   .since = "0.1.0", .group = "hello",
                   .arguments = "key max-requests [period-seconds [cost]]"),
    DBLITE_COMMAND(
            .name = RESTORE_COMMAND, .arity = 3, .flags = "write deny-oom fast", .first_key = 1,
            .last_key = 1, .key_step = 1, .handler = restore_limiter_command,
            .summary =
                "Sets the state of a rate limiter (what replicas and the append-only log replay)",
            .since = "0.1.0", .group = "hello", .arguments = "key arrival-time-us"),
};

/* Runs once at exit, after the keyspace (and so every limiter) is freed. */
static void state_free(void *data)
{
    hello_state *state = data;
    dblite_free(state->greeting);
    dblite_free(state);
}

__attribute__((visibility("default"))) int dblite_module_init(dblite_module *module)
{
    hello_state *state = dblite_calloc(sizeof(*state));
    if (state == NULL) {
        dblite_module_fail(module, "out of memory");
        return DBLITE_ERR_NOMEM;
    }
    dblite_module_set_data_free(module, state, state_free);
    /* Settings before returning: the server applies the [hello] section
     * right after init, and a key there nobody registered stops startup. */
    if (dblite_config_integer(module, "default-period", &state->default_period_seconds, 60, 1,
                              MAX_PERIOD_SECONDS, DBLITE_CONFIG_MUTABLE) != DBLITE_OK ||
        dblite_config_string(module, "greeting", &state->greeting, "Hello",
                             DBLITE_CONFIG_MUTABLE) != DBLITE_OK)
        return DBLITE_ERR;
    /* "hello-gcr": the 9-character name inside snapshots; -1: not one of
     * Redis's native encodings, saved as a module type. */
    state->limiter_type =
        dblite_type_register(module, "ratelimit", "hello-gcr", 0, -1, &limiter_methods);
    if (state->limiter_type == NULL)
        return DBLITE_ERR;
    return dblite_command_register_table(module, commands, DBLITE_ARRAY_LENGTH(commands));
}
