/*
 * test_context.c - unit tests of the execution contexts (core/commands/
 * context.c): what a command run in a context of its own propagates and in
 * which order (extras, then its own command or its replacement, only when
 * the dataset changed), and what nesting does with it - the path MULTI/EXEC
 * and scripts will take: commands run inside another context hand their
 * propagation to it, and it goes out in one ordered run when the outermost
 * ends; a replay context drops it; a context without a command (a timer)
 * sends at once.  Nested contexts cannot block, keep the
 * outer clock and the client's in-call flag.  server_alloc and
 * server_strndup are wrapped (--wrap) so a nested hand-over can run out of
 * memory.
 *
 * The fake commands below are run directly: no server, no sockets.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "commands/context.h"

/* ---- Allocator interposition ------------------------------------------------ */

void *__real_server_alloc(size_t size);
void *__wrap_server_alloc(size_t size);
char *__real_server_strndup(const char *text, size_t length);
char *__wrap_server_strndup(const char *text, size_t length);

/* Allocations left before they start failing; -1: never. */
static long allocations_before_failure = -1;

static int allocation_allowed(void)
{
    if (allocations_before_failure == 0)
        return 0;
    if (allocations_before_failure > 0)
        allocations_before_failure--;
    return 1;
}

void *__wrap_server_alloc(size_t size)
{
    return allocation_allowed() ? __real_server_alloc(size) : NULL;
}

/* context.c copies arguments with it; inside alloc.c it calls
 * server_alloc directly, out of the wrapper's reach. */
char *__wrap_server_strndup(const char *text, size_t length)
{
    return allocation_allowed() ? __real_server_strndup(text, length) : NULL;
}

/* ---- What the subscriber saw ------------------------------------------------ */

#define SEEN_MAX 32
static char seen[SEEN_MAX][128];
static size_t seen_count;

/* Records "db arg arg..." as the append-only log would receive it. */
static void on_propagate(int db, int argc, const dblite_bytes *argv, void *privdata)
{
    (void)privdata;
    assert_true(seen_count < SEEN_MAX);
    char *line = seen[seen_count++];
    size_t used = (size_t)snprintf(line, 128, "%d", db);
    for (int i = 0; i < argc && used < 128; i++)
        used += (size_t)snprintf(line + used, 128 - used, " %.*s", (int)argv[i].len, argv[i].ptr);
}

static void expect_seen(size_t count, ...)
{
    va_list lines;
    va_start(lines, count);
    for (size_t i = 0; i < count && i < seen_count; i++)
        assert_string_equal(seen[i], va_arg(lines, const char *));
    va_end(lines);
    assert_int_equal(seen_count, count);
    seen_count = 0;
}

/* ---- Fake commands ---------------------------------------------------------- */

static database databases[4];

static dblite_bytes text(const char *value)
{
    return (dblite_bytes){value, strlen(value)};
}

static void propagate_note(dblite_ctx *ctx, const char *word)
{
    const dblite_bytes note[] = {text("note"), text(word)};
    assert_int_equal(dblite_propagate_extra(ctx, 2, note), DBLITE_OK);
}

/* "set key": changes the dataset, and notes it first (as expiry's DEL). */
static void handler_set(dblite_ctx *ctx, int argc, const dblite_bytes *argv)
{
    (void)argc;
    char word[64];
    snprintf(word, sizeof(word), "before-%.*s", (int)argv[1].len, argv[1].ptr);
    propagate_note(ctx, word);
    server.dirty++;
}

/* "pop key": a write propagated as its effect. */
static void handler_pop(dblite_ctx *ctx, int argc, const dblite_bytes *argv)
{
    (void)argc;
    const dblite_bytes effect[] = {text("lpop"), argv[1]};
    assert_int_equal(dblite_propagate_replace(ctx, 2, effect), DBLITE_OK);
    server.dirty++;
}

/* "noop": a write that changes nothing. */
static void handler_noop(dblite_ctx *ctx, int argc, const dblite_bytes *argv)
{
    (void)ctx, (void)argc, (void)argv;
}

static command command_set = {.name = "set", .flags = COMMAND_WRITE, .handler = handler_set};
static command command_pop = {.name = "pop", .flags = COMMAND_WRITE, .handler = handler_pop};
static command command_noop = {.name = "noop", .flags = COMMAND_WRITE, .handler = handler_noop};
static command command_read = {.name = "read", .flags = COMMAND_READONLY, .handler = handler_set};

/* What a nested run sees of its parent, recorded by handler_exec. */
static int nested_could_block;
static long long nested_clock;
static unsigned nested_client_flags;

/* Runs one nested command from inside a running context, as EXEC will run
 * each queued command. */
static int run_nested(dblite_ctx *parent, const command *cmd, int flags, const char *key,
                      database *db)
{
    const dblite_bytes argv[] = {text(cmd->name), text(key)};
    dblite_ctx inner;
    context_begin(&inner, parent, parent->client, db, cmd, flags);
    nested_could_block = !(inner.flags & CTX_CANNOT_BLOCK);
    int status = context_run_command(&inner, 2, argv);
    nested_clock = server.cached_time_ms;
    nested_client_flags = parent->client ? parent->client->flags : 0;
    int end_status = context_end(&inner);
    return status != DBLITE_OK ? status : end_status;
}

/* "exec": not a write itself; runs set a, pop q in db 2, noop, read r,
 * with a note of its own in between. */
static void handler_exec(dblite_ctx *ctx, int argc, const dblite_bytes *argv)
{
    (void)argc, (void)argv;
    server.cached_time_ms = 12345; /* the nested runs must not read the clock */
    assert_int_equal(run_nested(ctx, &command_set, 0, "a", ctx->db), DBLITE_OK);
    propagate_note(ctx, "between");
    assert_int_equal(run_nested(ctx, &command_pop, 0, "q", &databases[2]), DBLITE_OK);
    assert_int_equal(run_nested(ctx, &command_noop, 0, "n", ctx->db), DBLITE_OK);
    assert_int_equal(run_nested(ctx, &command_read, 0, "r", ctx->db), DBLITE_OK);
}
static command command_exec = {.name = "exec", .flags = 0, .handler = handler_exec};

/* "load": replays two commands, as the append-only file loader does. */
static void handler_load(dblite_ctx *ctx, int argc, const dblite_bytes *argv)
{
    (void)argc, (void)argv;
    assert_int_equal(run_nested(ctx, &command_set, CTX_REPLAY, "x", ctx->db), DBLITE_OK);
    assert_int_equal(run_nested(ctx, &command_pop, CTX_REPLAY, "y", ctx->db), DBLITE_OK);
}
static command command_load = {.name = "load", .flags = COMMAND_WRITE, .handler = handler_load};

static void run_top_level(client *c, database *db, command *cmd, const char *key)
{
    const dblite_bytes argv[] = {text(cmd->name), text(key)};
    dblite_ctx ctx;
    context_begin(&ctx, NULL, c, db, cmd, 0);
    assert_int_equal(context_run_command(&ctx, 2, argv), DBLITE_OK);
    assert_int_equal(context_end(&ctx), DBLITE_OK);
}

static int setup(void **state)
{
    (void)state;
    for (int i = 0; i < 4; i++)
        databases[i].id = i;
    server.databases = databases;
    server.database_count = 4;
    propagation_subscriber subscriber = {on_propagate, NULL};
    if (server.propagation_subscribers.length == 0 &&
        ARRAY_PUSH(server.propagation_subscribers, subscriber) != 0)
        return -1;
    seen_count = 0;
    allocations_before_failure = -1;
    return 0;
}

/* ---- Tests ------------------------------------------------------------------- */

static void own_context_sends_extras_then_the_command(void **state)
{
    (void)state;
    run_top_level(NULL, &databases[1], &command_set, "k");
    expect_seen(2, "1 note before-k", "1 set k");
    run_top_level(NULL, &databases[0], &command_pop, "q");
    expect_seen(1, "0 lpop q");
    /* Nothing changed: nothing of its own goes out. */
    run_top_level(NULL, &databases[0], &command_noop, "n");
    expect_seen(0);
    /* Not a write: only its extras. */
    run_top_level(NULL, &databases[0], &command_read, "r");
    expect_seen(1, "0 note before-r");
}

static void nested_commands_go_out_with_the_outermost_in_order(void **state)
{
    (void)state;
    client c;
    memset(&c, 0, sizeof(c));
    long long calls_before = command_set.calls;
    run_top_level(&c, &databases[3], &command_exec, "unused");
    expect_seen(5, "3 note before-a", "3 set a", "3 note between", "2 lpop q", "3 note before-r");
    assert_false(nested_could_block);
    assert_int_equal(nested_clock, 12345);
    assert_true(nested_client_flags & CLIENT_IN_CALL); /* still the outer command's */
    assert_false(c.flags & CLIENT_IN_CALL);
    assert_int_equal(command_set.calls, calls_before + 1);
    assert_ptr_equal(c.last_command, &command_exec);
}

/* EXEC's context (CTX_WRAPS_MULTI): more than one command out goes
 * between MULTI and EXEC, in the databases of the first and last. */
static void exec_context_wraps_more_than_one_command(void **state)
{
    (void)state;
    const dblite_bytes argv[] = {text("exec")};
    dblite_ctx ctx;
    context_begin(&ctx, NULL, NULL, &databases[3], &command_exec, CTX_WRAPS_MULTI);
    assert_int_equal(context_run_command(&ctx, 1, argv), DBLITE_OK);
    assert_int_equal(context_end(&ctx), DBLITE_OK);
    expect_seen(7, "3 MULTI", "3 note before-a", "3 set a", "3 note between", "2 lpop q",
                "3 note before-r", "3 EXEC");
}

/* "exec1": runs one write; "exec0": only a read that propagates nothing. */
static void handler_exec_one(dblite_ctx *ctx, int argc, const dblite_bytes *argv)
{
    (void)argc, (void)argv;
    assert_int_equal(run_nested(ctx, &command_pop, 0, "q", &databases[1]), DBLITE_OK);
    assert_int_equal(run_nested(ctx, &command_noop, 0, "n", ctx->db), DBLITE_OK);
}
static void handler_exec_none(dblite_ctx *ctx, int argc, const dblite_bytes *argv)
{
    (void)argc, (void)argv;
    assert_int_equal(run_nested(ctx, &command_noop, 0, "n", ctx->db), DBLITE_OK);
}
static command command_exec_one = {.name = "exec", .flags = 0, .handler = handler_exec_one};
static command command_exec_none = {.name = "exec", .flags = 0, .handler = handler_exec_none};

static void exec_context_sends_one_command_unwrapped(void **state)
{
    (void)state;
    const dblite_bytes argv[] = {text("exec")};
    dblite_ctx ctx;
    context_begin(&ctx, NULL, NULL, &databases[0], &command_exec_one, CTX_WRAPS_MULTI);
    assert_int_equal(context_run_command(&ctx, 1, argv), DBLITE_OK);
    assert_int_equal(context_end(&ctx), DBLITE_OK);
    expect_seen(1, "1 lpop q");
    context_begin(&ctx, NULL, NULL, &databases[0], &command_exec_none, CTX_WRAPS_MULTI);
    assert_int_equal(context_run_command(&ctx, 1, argv), DBLITE_OK);
    assert_int_equal(context_end(&ctx), DBLITE_OK);
    expect_seen(0);
}

static void replayed_commands_propagate_nothing(void **state)
{
    (void)state;
    long long calls_before = command_set.calls;
    run_top_level(NULL, &databases[0], &command_load, "unused");
    /* Only the loading command's own (it changed the dataset). */
    expect_seen(1, "0 load unused");
    assert_int_equal(command_set.calls, calls_before); /* replay is not counted */
}

/* A timer's context: no command of its own to follow its extras, so each
 * goes out at once, and a command nested in it at its end. */
static void commandless_context_sends_at_once(void **state)
{
    (void)state;
    dblite_ctx timer;
    context_begin(&timer, NULL, NULL, &databases[2], NULL, 0);
    propagate_note(&timer, "first");
    expect_seen(1, "2 note first");
    assert_int_equal(run_nested(&timer, &command_set, 0, "k", &databases[2]), DBLITE_OK);
    expect_seen(2, "2 note before-k", "2 set k");
    propagate_note(&timer, "last");
    expect_seen(1, "2 note last");
    assert_int_equal(context_end(&timer), DBLITE_OK);
    expect_seen(0);
}

static void nested_hand_over_out_of_memory(void **state)
{
    (void)state;
    dblite_ctx outer;
    context_begin(&outer, NULL, NULL, &databases[0], &command_exec, 0);
    propagate_note(&outer, "first");
    /* The nested set's note copies its two arguments and the array (3
     * allocations); copying its own command for the parent then fails. */
    allocations_before_failure = 3;
    assert_int_equal(run_nested(&outer, &command_set, 0, "lost", &databases[0]), DBLITE_ERR_NOMEM);
    allocations_before_failure = -1;
    propagate_note(&outer, "last");
    assert_int_equal(context_end(&outer), DBLITE_OK);
    /* What was handed over before the failure still goes out, in order. */
    expect_seen(3, "0 note first", "0 note before-lost", "0 note last");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(own_context_sends_extras_then_the_command, setup),
        cmocka_unit_test_setup(nested_commands_go_out_with_the_outermost_in_order, setup),
        cmocka_unit_test_setup(exec_context_wraps_more_than_one_command, setup),
        cmocka_unit_test_setup(exec_context_sends_one_command_unwrapped, setup),
        cmocka_unit_test_setup(replayed_commands_propagate_nothing, setup),
        cmocka_unit_test_setup(commandless_context_sends_at_once, setup),
        cmocka_unit_test_setup(nested_hand_over_out_of_memory, setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
