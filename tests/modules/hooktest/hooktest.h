/*
 * hooktest.h - shared state of hooktest.so, the test module that subscribes
 * to every hook the core offers and exposes what it saw through commands
 * (HOOKTEST.*) and INFO, so integration tests can assert on it over the wire.
 *
 * Command handlers receive no module pointer or private data, and modules
 * keep no global mutable state, so the state is exported as a service
 * (HOOKTEST_STATE_SERVICE) and handlers find it with dblite_service_lookup.
 */
#ifndef HOOKTEST_H
#define HOOKTEST_H

#include <stddef.h>

#include "dblite_provider.h"
#include "hooktest_service.h"

#define HOOKTEST_STATE_SERVICE "hooktest.state/1"

/* An append-only list of text lines that a command hands out and clears. */
typedef struct hooktest_log {
    char **lines;
    size_t count, capacity;
    int lost; /* an append failed for lack of memory */
} hooktest_log;

void hooktest_log_append(hooktest_log *log, const char *format, ...)
    __attribute__((format(printf, 2, 3)));
/* Replies the lines as an array of bulk strings and empties the log; an
 * error reply instead when lines were lost. */
void hooktest_log_reply_and_clear(dblite_ctx *ctx, hooktest_log *log);
void hooktest_log_clear(hooktest_log *log);

/* The settings, as the module sees them (the server writes into these). */
typedef struct hooktest_settings {
    long long int_setting; /* mutable, 0..1000, default 10 */
    long long fixed_int;   /* immutable, default 5 */
    int log_lookups;       /* mutable boolean, default yes */
    char *greeting;        /* mutable string, default "hello" */
    int mode;              /* mutable enum fast|safe|paranoid, default safe */
    char *label;           /* immutable string, default "none" */
    int keyspace_info;     /* immutable boolean, default no: provide INFO keyspace figures */
} hooktest_settings;

struct hooktest_timer;

typedef struct hooktest_state {
    dblite_module *module;
    const dblite_type *queue_type;
    hooktest_settings settings;
    hooktest_log events;            /* keyspace events */
    hooktest_log propagated;        /* commands handed to the propagation hook */
    hooktest_log timer_fires;       /* one line per timer run */
    struct hooktest_timer **timers; /* live timers, to free on cancel/shutdown */
    size_t timer_count, timer_capacity;
    hooktest_counter_service counter_service;
    long long counter;
    /* counters shown in INFO hooktest */
    long long started_events;
    long long before_sleep_calls;
    long long event_context_mismatches;
    long long copies;
    long long blocks, block_frees, served, timeouts;
    long long stats_info_calls;
    int keyspace_info_registered;
} hooktest_state;

/* The state, from a command handler or type method; never NULL once init
 * succeeded (the service lives until shutdown). */
hooktest_state *hooktest_state_get(void);

/* Each file registers its part; all return DBLITE_OK or an error after
 * dblite_module_fail() said why. */
int hooktest_register_events(hooktest_state *state);
int hooktest_register_propagation(hooktest_state *state);
int hooktest_register_timers(hooktest_state *state);
int hooktest_register_config(hooktest_state *state);
int hooktest_register_queue_type(hooktest_state *state);
int hooktest_register_queue_commands(hooktest_state *state);
int hooktest_register_blocking(hooktest_state *state);
int hooktest_register_loading(hooktest_state *state);
int hooktest_register_info(hooktest_state *state);
/* From the STARTED event, once settings are applied. */
void hooktest_info_started(hooktest_state *state);

/* Release what the parts own at shutdown. */
void hooktest_timers_free(hooktest_state *state);
void hooktest_config_free(hooktest_state *state);

/* Shorthand for a command spec of this module. */
int hooktest_command(dblite_module *module, const char *name, int arity, const char *flags,
                     int first_key, int last_key, int key_step, dblite_command_fn handler,
                     const char *summary);

/* The queue type shared by the queue and blocking commands. */
typedef struct hooktest_queue {
    dblite_bytes *items; /* each ptr is dblite_alloc'd */
    size_t head, count, capacity;
} hooktest_queue;

hooktest_queue *hooktest_queue_create(void);
/* Appends a copy of value; DBLITE_OK or DBLITE_ERR_NOMEM. */
int hooktest_queue_push(hooktest_queue *queue, dblite_bytes value);
/* Removes the oldest item into *value (caller frees value->ptr). */
int hooktest_queue_pop(hooktest_queue *queue, dblite_bytes *value);
void hooktest_queue_free(void *value);

/* Parses a timeout in (possibly fractional) seconds like BLPOP does. */
int hooktest_parse_timeout(dblite_ctx *ctx, dblite_bytes arg, long long *timeout_ms);

#endif
