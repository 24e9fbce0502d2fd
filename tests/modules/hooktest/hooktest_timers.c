/*
 * hooktest_timers.c - module timers:
 *
 *   HOOKTEST.TIMER name delay-ms runs [key | SELFCANCEL]
 *       starts a timer that runs `runs` times, delay-ms apart, logging
 *       "name:N" on run N; with a key, each run also pushes name onto that
 *       hookqueue in db 0 and propagates HOOKTEST.PUSH key name (a write
 *       from outside any command); SELFCANCEL makes the first run cancel
 *       its own id and stop.  Replies the timer id.
 *   HOOKTEST.TIMER.CANCEL id   1 if a live timer was cancelled, else 0
 *   HOOKTEST.FIRED             returns and clears the run log
 *
 * The module tracks its live timers: cancelling through the server does
 * not hand back privdata, and shutdown must free what never ran out.
 */
#include <stdio.h>
#include <string.h>

#include "hooktest.h"

typedef struct hooktest_timer {
    hooktest_state *state;
    dblite_timer_id id;
    char name[64];
    long long delay_ms;
    long long runs_left, runs_done;
    int self_cancel;
    char *key; /* NULL or dblite_alloc'd */
    size_t key_length;
} hooktest_timer;

static int track(hooktest_state *state, hooktest_timer *timer)
{
    if (state->timer_count == state->timer_capacity) {
        size_t capacity = state->timer_capacity ? state->timer_capacity * 2 : 8;
        hooktest_timer **timers = dblite_realloc(state->timers, capacity * sizeof(*timers));
        if (timers == NULL)
            return DBLITE_ERR_NOMEM;
        state->timers = timers;
        state->timer_capacity = capacity;
    }
    state->timers[state->timer_count++] = timer;
    return DBLITE_OK;
}

static hooktest_timer *untrack(hooktest_state *state, dblite_timer_id id)
{
    for (size_t i = 0; i < state->timer_count; i++) {
        hooktest_timer *timer = state->timers[i];
        if (timer->id != id)
            continue;
        state->timers[i] = state->timers[--state->timer_count];
        return timer;
    }
    return NULL;
}

static void timer_free(hooktest_timer *timer)
{
    dblite_free(timer->key);
    dblite_free(timer);
}

static void push_from_timer(dblite_ctx *ctx, hooktest_timer *timer)
{
    hooktest_state *state = timer->state;
    dblite_bytes key = {timer->key, timer->key_length};
    dblite_bytes name = {timer->name, strlen(timer->name)};
    void *value;
    if (dblite_key_lookup(ctx, key, state->queue_type, DBLITE_LOOKUP_WRITE, &value) != DBLITE_OK) {
        hooktest_log_append(&state->timer_fires, "%s:wrongtype", timer->name);
        return;
    }
    hooktest_queue *queue = value;
    int created = queue == NULL;
    if (created && (queue = hooktest_queue_create()) == NULL) {
        hooktest_log_append(&state->timer_fires, "%s:oom", timer->name);
        return;
    }
    if (hooktest_queue_push(queue, name) != DBLITE_OK) {
        if (created)
            hooktest_queue_free(queue);
        hooktest_log_append(&state->timer_fires, "%s:oom", timer->name);
        return;
    }
    if (created)
        (void)dblite_key_set(ctx, key, state->queue_type, queue, DBLITE_SET_DEFAULT);
    else
        dblite_key_modified(ctx, key);
    const dblite_bytes command[] = {{"hooktest.push", 13}, key, name};
    (void)dblite_propagate_extra(ctx, 3, command);
}

static long long timer_run(dblite_ctx *ctx, void *privdata)
{
    hooktest_timer *timer = privdata;
    hooktest_state *state = timer->state;
    timer->runs_done++;
    timer->runs_left--;
    hooktest_log_append(&state->timer_fires, "%s:%lld", timer->name, timer->runs_done);
    if (timer->key != NULL)
        push_from_timer(ctx, timer);
    if (timer->self_cancel) {
        int status = dblite_timer_cancel(timer->id);
        hooktest_log_append(&state->timer_fires, "%s:selfcancel:%d", timer->name, status);
        untrack(state, timer->id);
        timer_free(timer);
        return -1;
    }
    if (timer->runs_left > 0)
        return timer->delay_ms;
    untrack(state, timer->id);
    timer_free(timer);
    return -1;
}

static void command_timer(dblite_ctx *ctx, int argc, const dblite_bytes *argv)
{
    hooktest_state *state = hooktest_state_get();
    long long delay_ms, runs;
    if (argc > 5) {
        dblite_reply_syntax_error(ctx);
        return;
    }
    if (dblite_parse_long_long(argv[2], &delay_ms) != DBLITE_OK ||
        dblite_parse_long_long(argv[3], &runs) != DBLITE_OK || delay_ms < 0 || runs < 1) {
        dblite_reply_error(ctx, "ERR delay must be >= 0 and runs >= 1");
        return;
    }
    if (argv[1].len >= sizeof(((hooktest_timer *)0)->name)) {
        dblite_reply_error(ctx, "ERR timer name too long");
        return;
    }
    hooktest_timer *timer = dblite_alloc(sizeof(*timer));
    if (timer == NULL) {
        dblite_reply_error(ctx, "ERR out of memory");
        return;
    }
    memset(timer, 0, sizeof(*timer));
    timer->state = state;
    memcpy(timer->name, argv[1].ptr, argv[1].len);
    timer->name[argv[1].len] = '\0';
    timer->delay_ms = delay_ms;
    timer->runs_left = runs;
    if (argc == 5 && dblite_bytes_equal_nocase(argv[4], "SELFCANCEL")) {
        timer->self_cancel = 1;
    } else if (argc == 5) {
        timer->key = dblite_alloc(argv[4].len ? argv[4].len : 1);
        if (timer->key == NULL) {
            timer_free(timer);
            dblite_reply_error(ctx, "ERR out of memory");
            return;
        }
        memcpy(timer->key, argv[4].ptr, argv[4].len);
        timer->key_length = argv[4].len;
    }
    if (track(state, timer) != DBLITE_OK) {
        timer_free(timer);
        dblite_reply_error(ctx, "ERR out of memory");
        return;
    }
    timer->id = dblite_timer_create(state->module, delay_ms, timer_run, timer);
    if (timer->id == 0) {
        untrack(state, 0);
        timer_free(timer);
        dblite_reply_error(ctx, "ERR cannot create timer");
        return;
    }
    dblite_reply_integer(ctx, (long long)timer->id);
}

static void command_timer_cancel(dblite_ctx *ctx, int argc, const dblite_bytes *argv)
{
    (void)argc;
    long long id;
    if (dblite_parse_long_long(argv[1], &id) != DBLITE_OK || id < 0) {
        dblite_reply_not_integer(ctx);
        return;
    }
    int status = dblite_timer_cancel((dblite_timer_id)id);
    if (status == DBLITE_OK) {
        hooktest_timer *timer = untrack(hooktest_state_get(), (dblite_timer_id)id);
        if (timer != NULL)
            timer_free(timer);
        dblite_reply_integer(ctx, 1);
    } else if (status == DBLITE_ERR_NOTFOUND) {
        dblite_reply_integer(ctx, 0);
    } else {
        dblite_reply_error_format(ctx, "ERR cancel failed with status %d", status);
    }
}

static void command_fired(dblite_ctx *ctx, int argc, const dblite_bytes *argv)
{
    (void)argc, (void)argv;
    hooktest_log_reply_and_clear(ctx, &hooktest_state_get()->timer_fires);
}

void hooktest_timers_free(hooktest_state *state)
{
    for (size_t i = 0; i < state->timer_count; i++)
        timer_free(state->timers[i]);
    dblite_free(state->timers);
    state->timers = NULL;
    state->timer_count = state->timer_capacity = 0;
}

int hooktest_register_timers(hooktest_state *state)
{
    dblite_module *module = state->module;
    int status;
    if ((status = hooktest_command(module, "hooktest.timer", -4, "", 0, 0, 0, command_timer,
                                   "Starts a (repeating) module timer.")) != DBLITE_OK ||
        (status = hooktest_command(module, "hooktest.timer.cancel", 2, "fast", 0, 0, 0,
                                   command_timer_cancel, "Cancels a module timer.")) != DBLITE_OK ||
        (status = hooktest_command(module, "hooktest.fired", 1, "readonly fast", 0, 0, 0,
                                   command_fired, "Returns and clears the timer run log.")) !=
            DBLITE_OK)
        return status;
    return DBLITE_OK;
}
