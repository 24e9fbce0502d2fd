/*
 * hooktest_loading.c - HOOKTEST.LOAD duration-ms total-bytes pretends to
 * load a dataset: it reports progress for duration-ms, during which the
 * server must keep answering other clients (-LOADING for data commands,
 * INFO persistence with loading:1).  Replies the number of progress calls.
 * HOOKTEST.SLEEP ms is the opposite: it holds the command thread without
 * serving anyone, so a test can line up several clients' events for one
 * turn of the event loop.
 */
#include <time.h>

#include "hooktest.h"

static void sleep_ms(long milliseconds)
{
    struct timespec delay = {milliseconds / 1000, (milliseconds % 1000) * 1000000L};
    while (nanosleep(&delay, &delay) != 0) {
    }
}

static long long now_ms(void)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (long long)now.tv_sec * 1000 + now.tv_nsec / 1000000;
}

static void command_load(dblite_ctx *ctx, int argc, const dblite_bytes *argv)
{
    (void)argc;
    long long duration_ms, total;
    if (dblite_parse_long_long(argv[1], &duration_ms) != DBLITE_OK ||
        dblite_parse_long_long(argv[2], &total) != DBLITE_OK || duration_ms < 0 ||
        duration_ms > 60000 || total < 0) {
        dblite_reply_error(ctx, "ERR duration must be 0..60000 ms and total-bytes >= 0");
        return;
    }
    dblite_module *module = hooktest_state_get()->module;
    long long started = now_ms();
    long long calls = 0;
    dblite_loading_start(module, (uint64_t)total);
    for (;;) {
        long long elapsed = now_ms() - started;
        if (elapsed >= duration_ms)
            break;
        dblite_loading_progress(module,
                                (uint64_t)((double)total * (double)elapsed / (double)duration_ms));
        calls++;
        sleep_ms(5);
    }
    dblite_loading_progress(module, (uint64_t)total);
    dblite_loading_end(module);
    dblite_reply_integer(ctx, calls + 1);
}

static void command_sleep(dblite_ctx *ctx, int argc, const dblite_bytes *argv)
{
    (void)argc;
    long long milliseconds;
    if (dblite_parse_long_long(argv[1], &milliseconds) != DBLITE_OK || milliseconds < 0 ||
        milliseconds > 60000) {
        dblite_reply_error(ctx, "ERR milliseconds must be 0..60000");
        return;
    }
    sleep_ms((long)milliseconds);
    dblite_reply_ok(ctx);
}

int hooktest_register_loading(hooktest_state *state)
{
    int status = hooktest_command(state->module, "hooktest.load", 3, "admin", 0, 0, 0, command_load,
                                  "Reports loading progress for a while, as a dataset load would.");
    if (status == DBLITE_OK)
        status = hooktest_command(state->module, "hooktest.sleep", 2, "admin", 0, 0, 0,
                                  command_sleep, "Holds the server busy for a while.");
    return status;
}
