/*
 * expiry_module.c - time-to-live for every key type, as a module.
 *
 * Lazy expiry: the key-lookup hook deletes a key whose deadline passed
 * before any command sees it (during CLIENT PAUSE it only hides it, and
 * the active cycle waits, so the dataset stays as the pause found it).  Active expiry: a frequent timer removes keys
 * nobody touches, earliest deadline first, within a small CPU budget per run
 * so a million keys dying at once never stalls clients for long.  Key
 * counts (DBSIZE, INFO keyspace) leave out keys already dead but not yet
 * removed.  The index holds the core's key handles, not copies of keys.  The
 * keyspace hooks keep the TTL index exact across DEL, overwrite, RENAME,
 * MOVE, COPY, FLUSH and SWAPDB; other modules reach TTLs through the
 * "expiry.ttl/1" service.
 */
#include <stdlib.h>
#include <string.h>

#include "expiry.h"

DBLITE_MODULE_DECLARE();

/* Deletes the key a live handle names, as expired: counted in expired_keys,
 * announced as "expired" (class x) and propagated as DEL.  The delete hook
 * drops the TTL record. */
void expiry_expire_handle(expiry_module *state, dblite_ctx *ctx, const dblite_key_handle *handle)
{
    dblite_bytes name = dblite_key_handle_name(handle);
    /* The name lives in the entry the delete frees: copy it first. */
    char stack[256];
    char *copy = name.len <= sizeof(stack) ? stack : dblite_alloc(name.len);
    if (!copy)
        return; /* stays until the next attempt */
    memcpy(copy, name.ptr, name.len);
    dblite_bytes key = {copy, name.len};
    if (dblite_key_delete(ctx, key) == 0)
        ttl_index_remove(expiry_index(state, ctx), handle);
    else
        dblite_notify_keyspace_event(ctx, DBLITE_NOTIFY_EXPIRED, "expired", key);
    state->expired_keys++;
    dblite_bytes del[2] = {{"DEL", 3}, key};
    dblite_propagate_extra(ctx, 2, del);
    if (copy != stack)
        dblite_free(copy);
}

/* ---- hooks ---- */

/* The core hands over the key's handle, so a lookup costs one probe of the
 * index by pointer, and nothing at all while the database has no TTL. */
static void on_lookup(dblite_ctx *ctx, const dblite_event *event, void *privdata)
{
    expiry_module *state = privdata;
    ttl_index *index = &state->databases[event->db];
    if (!event->handle || ttl_index_count(index) == 0 || state->loading)
        return;
    long long deadline = ttl_index_get(index, event->handle);
    if (deadline < 0 || deadline >= dblite_time_ms())
        return;
    /* CLIENT PAUSE: dead to the reader, deleted once the pause is over. */
    if (dblite_server_paused_writes())
        dblite_key_lookup_hide(ctx);
    else
        expiry_expire_handle(state, ctx, event->handle);
}

static void on_key_gone(dblite_ctx *ctx, const dblite_event *event, void *privdata)
{
    (void)ctx;
    expiry_module *state = privdata;
    ttl_index *index = &state->databases[event->db];
    if (event->handle && ttl_index_count(index) > 0)
        ttl_index_remove(index, event->handle);
}

/* RENAMED, MOVED and COPIED: the deadline follows the key. */
static void on_key_relocated(dblite_ctx *ctx, const dblite_event *event, void *privdata)
{
    (void)ctx;
    expiry_module *state = privdata;
    ttl_index *from = &state->databases[event->db];
    ttl_index *to = &state->databases[event->target_db];
    if (!event->handle || !event->target_handle || ttl_index_count(from) == 0)
        return;
    long long deadline = ttl_index_get(from, event->handle);
    if (event->kind != DBLITE_EVENT_KEY_COPIED)
        ttl_index_remove(from, event->handle);
    if (deadline < 0)
        return;
    if (ttl_index_set(to, event->target_handle, deadline) != 0)
        dblite_log(state->module, "warning",
                   "out of memory keeping a TTL; the key became persistent");
}

static void on_flushed(dblite_ctx *ctx, const dblite_event *event, void *privdata)
{
    (void)ctx;
    expiry_module *state = privdata;
    for (int db = 0; db < state->database_count; db++)
        if (event->db < 0 || event->db == db)
            ttl_index_clear(&state->databases[db]);
}

static void on_swapped(dblite_ctx *ctx, const dblite_event *event, void *privdata)
{
    (void)ctx;
    expiry_module *state = privdata;
    ttl_index_swap(&state->databases[event->db], &state->databases[event->target_db]);
}

/* Dead keys are counted, not reclaimed, when clients count keys: a DBSIZE
 * in the middle of a million-key wave costs a walk over the due part of the
 * heap instead of deleting them all at once. */
static long long count_dead_keys(int db, void *privdata)
{
    const expiry_module *state = privdata;
    if (db < 0 || db >= state->database_count)
        return 0;
    return (long long)ttl_index_count_due(&state->databases[db], dblite_time_ms());
}

/* The clock is read every few keys: a deletion takes about a microsecond,
 * so the budget is overrun by a few at most. */
#define KEYS_PER_CLOCK_CHECK 4

/* Removes the keys of the context's database whose deadline passed, until
 * budget_us elapsed since started_us.  Returns 1 if some remain. */
static int expire_due_keys(expiry_module *state, dblite_ctx *ctx, long long started_us,
                           long long budget_us)
{
    ttl_index *index = expiry_index(state, ctx);
    long long now = dblite_time_ms();
    const void *earliest;
    long long deadline;
    for (int done = 1; ttl_index_earliest(index, &earliest, &deadline) && deadline < now; done++) {
        size_t before = ttl_index_count(index);
        expiry_expire_handle(state, ctx, earliest);
        if (ttl_index_count(index) == before)
            return 1; /* out of memory: try later */
        if (done % KEYS_PER_CLOCK_CHECK == 0 && dblite_monotonic_us() - started_us >= budget_us)
            return 1;
    }
    return 0;
}

/* Buckets of an index resize one cycle moves besides the moves each
 * operation makes, so a table whose keys stopped changing still finishes. */
#define IDLE_REHASH_BUCKETS 256

#define EXPIRY_IDLE_INTERVAL_MS 20

static long long active_cycle_run(expiry_module *state, dblite_ctx *ctx, long long started)
{
    if (dblite_server_paused_writes())
        return state->active_interval_ms; /* CLIENT PAUSE: nothing is deleted */
    int count = state->database_count;
    for (int step = 0; step < count; step++) {
        int db = (state->active_cursor_db + step) % count;
        ttl_index *index = &state->databases[db];
        if (ttl_index_count(index) == 0)
            continue;
        dblite_ctx_select(ctx, db);
        if (expire_due_keys(state, ctx, started, state->active_budget_us)) {
            if (dblite_monotonic_us() - started >= state->active_budget_us)
                state->time_cap_reached++;
            state->active_cursor_db = db; /* resume here next time */
            return state->active_interval_ms;
        }
    }
    state->active_cursor_db = 0;
    /* Nothing is due: finish resizes, then sleep until the earliest
     * deadline, at most the idle interval, instead of waking the event loop
     * every interval for nothing (that wake-up costs every client a little
     * CPU per request). */
    long long now = dblite_time_ms(), sleep_ms = EXPIRY_IDLE_INTERVAL_MS;
    for (int db = 0; db < count; db++) {
        ttl_index *index = &state->databases[db];
        if (ttl_index_rehash_step(index, IDLE_REHASH_BUCKETS))
            sleep_ms = state->active_interval_ms;
        const void *earliest;
        long long deadline;
        if (ttl_index_earliest(index, &earliest, &deadline) && deadline - now < sleep_ms)
            sleep_ms = deadline - now;
    }
    return sleep_ms < state->active_interval_ms ? state->active_interval_ms : sleep_ms;
}

/* Redis's figures of the cycle: its total time and how often the budget
 * cut it short (expire_cycle_cpu_milliseconds, expired_time_cap_reached_count). */
static long long active_cycle(dblite_ctx *ctx, void *privdata)
{
    expiry_module *state = privdata;
    /* Loading serves timers from its progress reports: wait until it ends. */
    if (state->loading)
        return state->active_interval_ms;
    long long started = dblite_monotonic_us();
    long long next_run_ms = active_cycle_run(state, ctx, started);
    state->cycle_time_us += dblite_monotonic_us() - started;
    return next_run_ms;
}

/* ---- service ----
 *
 * Other modules call these directly with their own ctx (dblite_ctx_module
 * names the caller), so each finds expiry's state as the data of the
 * service's exporter. */

static expiry_module *service_state(void)
{
    return dblite_service_data(DBLITE_EXPIRY_SERVICE);
}

static int service_set_deadline(dblite_ctx *ctx, dblite_bytes key, long long deadline_ms)
{
    expiry_module *state = service_state();
    const dblite_key_handle *handle =
        dblite_key_find_handle(ctx, key, DBLITE_LOOKUP_WRITE | DBLITE_LOOKUP_NO_HOOK);
    if (!handle)
        return DBLITE_ERR_NOTFOUND;
    if (deadline_ms <= dblite_time_ms() && !state->loading) {
        dblite_key_delete(ctx, key);
        return DBLITE_OK;
    }
    if (ttl_index_set(expiry_index(state, ctx), handle, deadline_ms) != 0)
        return DBLITE_ERR_NOMEM;
    dblite_key_modified(ctx, key);
    return DBLITE_OK;
}

static long long service_get_deadline(dblite_ctx *ctx, dblite_bytes key)
{
    expiry_module *state = service_state();
    const dblite_key_handle *handle =
        dblite_key_find_handle(ctx, key, DBLITE_LOOKUP_READ | DBLITE_LOOKUP_NO_HOOK);
    if (!handle)
        return -2;
    return ttl_index_get(expiry_index(state, ctx), handle);
}

static int service_remove_deadline(dblite_ctx *ctx, dblite_bytes key)
{
    expiry_module *state = service_state();
    const dblite_key_handle *handle =
        dblite_key_find_handle(ctx, key, DBLITE_LOOKUP_WRITE | DBLITE_LOOKUP_NO_HOOK);
    if (!handle)
        return 0;
    int removed = ttl_index_remove(expiry_index(state, ctx), handle);
    if (removed)
        dblite_key_modified(ctx, key);
    return removed;
}

static int service_expire_now(dblite_ctx *ctx, dblite_bytes key)
{
    expiry_module *state = service_state();
    const dblite_key_handle *handle =
        dblite_key_find_handle(ctx, key, DBLITE_LOOKUP_WRITE | DBLITE_LOOKUP_NO_HOOK);
    if (!handle)
        return 0;
    if (state->loading) {
        /* Kept, already dead, until loading completes (see set_loading). */
        if (ttl_index_set(expiry_index(state, ctx), handle, dblite_time_ms() - 1) != 0)
            return 0;
        dblite_key_modified(ctx, key);
        return 1;
    }
    expiry_expire_handle(state, ctx, handle);
    return 1;
}

static void service_set_loading(int loading)
{
    service_state()->loading = loading != 0;
}

/* ---- INFO ---- */

static void info_stats(dblite_info *info, void *privdata)
{
    const expiry_module *state = privdata;
    /* Redis estimates the share of keys with a TTL that are dead but not
     * reclaimed by sampling; the index counts it exactly (O(dead keys), as
     * INFO keyspace already pays). */
    size_t dead = 0, with_ttl = 0;
    long long now = dblite_time_ms();
    for (int db = 0; db < state->database_count; db++) {
        dead += ttl_index_count_due(&state->databases[db], now);
        with_ttl += ttl_index_count(&state->databases[db]);
    }
    dblite_info_field(info, "expired_keys", "%lld", state->expired_keys);
    dblite_info_field(info, "expired_stale_perc", "%.2f",
                      with_ttl ? 100.0 * (double)dead / (double)with_ttl : 0.0);
    dblite_info_field(info, "expired_time_cap_reached_count", "%lld", state->time_cap_reached);
    dblite_info_field(info, "expire_cycle_cpu_milliseconds", "%lld", state->cycle_time_us / 1000);
}

static void info_expiry(dblite_info *info, void *privdata)
{
    const expiry_module *state = privdata;
    size_t bytes = 0, keys = 0;
    for (int db = 0; db < state->database_count; db++) {
        bytes += ttl_index_memory(&state->databases[db]);
        keys += ttl_index_count(&state->databases[db]);
    }
    dblite_info_field(info, "expiry_keys_with_ttl", "%zu", keys);
    dblite_info_field(info, "expiry_bookkeeping_bytes", "%zu", bytes);
}

static void info_keyspace(int db, long long *expires, long long *avg_ttl_ms, void *privdata)
{
    const expiry_module *state = privdata;
    if (db < 0 || db >= state->database_count)
        return;
    ttl_index *index = &state->databases[db];
    *expires = (long long)(ttl_index_count(index) - ttl_index_count_due(index, dblite_time_ms()));
    *avg_ttl_ms = ttl_index_average_ttl(&state->databases[db], dblite_time_ms());
}

/* The module data's destructor: after the keyspace is gone the indexes
 * hold no live handle, so they are cleared and freed. */
static void expiry_state_free(void *data)
{
    expiry_module *state = data;
    for (int db = 0; db < state->database_count; db++)
        ttl_index_clear(&state->databases[db]);
    dblite_free(state->databases);
    dblite_free(state);
}

int dblite_module_init(dblite_module *module)
{
    expiry_module *state = dblite_calloc(sizeof(*state));
    int database_count = dblite_database_count();
    ttl_index *databases = dblite_alloc(sizeof(ttl_index) * (size_t)database_count);
    if (!state || !databases) {
        dblite_free(state);
        dblite_free(databases);
        dblite_module_fail(module, "out of memory");
        return DBLITE_ERR_NOMEM;
    }
    state->module = module;
    state->database_count = database_count;
    state->databases = databases;
    uint64_t seed =
        (uint64_t)dblite_monotonic_us() * 0x9E3779B97F4A7C15ULL ^ (uint64_t)(uintptr_t)state;
    for (int db = 0; db < state->database_count; db++)
        ttl_index_init(&state->databases[db], seed);
    /* Hooks, the timer and INFO get the state as privdata, commands and the
     * service's functions as module data; the server frees it at exit. */
    dblite_module_set_data_free(module, state, expiry_state_free);

    state->service.version = 3;
    state->service.set_deadline = service_set_deadline;
    state->service.get_deadline = service_get_deadline;
    state->service.remove_deadline = service_remove_deadline;
    state->service.expire_now = service_expire_now;
    state->service.set_loading = service_set_loading;

    int status = DBLITE_OK;
    status |= dblite_config_integer(module, "active-expire-interval-ms", &state->active_interval_ms,
                                    1, 1, 1000, DBLITE_CONFIG_MUTABLE);
    status |= dblite_config_integer(module, "active-expire-budget-us", &state->active_budget_us,
                                    250, 10, 1000000, DBLITE_CONFIG_MUTABLE);
    status |= dblite_event_subscribe(module, DBLITE_EVENT_KEY_LOOKUP, on_lookup, state);
    status |= dblite_event_subscribe(module, DBLITE_EVENT_KEY_DELETED, on_key_gone, state);
    status |= dblite_event_subscribe(module, DBLITE_EVENT_KEY_OVERWRITTEN, on_key_gone, state);
    status |= dblite_event_subscribe(module, DBLITE_EVENT_KEY_RENAMED, on_key_relocated, state);
    status |= dblite_event_subscribe(module, DBLITE_EVENT_KEY_MOVED, on_key_relocated, state);
    status |= dblite_event_subscribe(module, DBLITE_EVENT_KEY_COPIED, on_key_relocated, state);
    status |= dblite_event_subscribe(module, DBLITE_EVENT_DB_FLUSHED, on_flushed, state);
    status |= dblite_event_subscribe(module, DBLITE_EVENT_DB_SWAPPED, on_swapped, state);
    status |= dblite_keyspace_dead_counter_register(module, count_dead_keys, state);
    status |= dblite_service_export(module, DBLITE_EXPIRY_SERVICE, &state->service);
    status |= dblite_info_register(module, "stats", info_stats, state);
    status |= dblite_info_register(module, "expiry", info_expiry, state);
    status |= dblite_info_keyspace_register(module, info_keyspace, state);
    status |= expiry_register_commands(module);
    if (status != DBLITE_OK)
        return DBLITE_ERR;
    if (!dblite_timer_create(module, state->active_interval_ms, active_cycle, state)) {
        dblite_module_fail(module, "cannot create the active expiry timer");
        return DBLITE_ERR;
    }
    return DBLITE_OK;
}
