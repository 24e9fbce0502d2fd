/*
 * test_module_api_v5.c - the calls of module API version 5, through the
 * apiv5.so and apiv5peer.so test plugins (tests/modules/apiv5) loaded into
 * the real server beside strings.so: lookups that reply WRONGTYPE, command
 * privdata and tables, service data, typed settings, dblite_module_loaded,
 * and module data freed by the server at exit in reverse load order.  Also
 * the loader's refusals: a table row that fails names its command, and a
 * plugin of a newer API is refused by version before its symbols bind.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "dblite_module.h"
#include "hooks_support.h"
#include "server_process.h"

typedef struct fixture {
    server_process *server;
    redisContext *client;
} fixture;

static int start_server(void **state)
{
    static const char *const modules[] = {"apiv5", "apiv5peer", NULL};
    char strings[4096];
    const char *dir = getenv("DBLITE_MODULE_PATH");
    assert_non_null(dir);
    snprintf(strings, sizeof(strings), "%s/strings.so", dir);
    const char *const extra[] = {"--load-module", strings, "--proto-max-bulk-len", "2mb", NULL};
    fixture *f = calloc(1, sizeof(*f));
    assert_non_null(f);
    f->server = start_with_modules(NULL, modules, extra);
    assert_non_null(f->server);
    f->client = server_connect(f->server);
    assert_non_null(f->client);
    *state = f;
    return 0;
}

static int stop_server(void **state)
{
    fixture *f = *state;
    if (f->client)
        redisFree(f->client);
    server_stop(f->server);
    free(f);
    return 0;
}

static redisReply *run(fixture *f, const char *format, ...)
{
    va_list args;
    va_start(args, format);
    redisReply *reply = redisvCommand(f->client, format, args);
    va_end(args);
    assert_non_null(reply);
    return reply;
}

static void expect_integer(fixture *f, long long expected, const char *format, ...)
{
    va_list args;
    va_start(args, format);
    redisReply *reply = redisvCommand(f->client, format, args);
    va_end(args);
    assert_non_null(reply);
    if (reply->type != REDIS_REPLY_INTEGER)
        fprintf(stderr, "expected %lld, got type %d '%s'\n", expected, reply->type,
                reply->str ? reply->str : "");
    assert_int_equal(reply->type, REDIS_REPLY_INTEGER);
    assert_int_equal(reply->integer, expected);
    freeReplyObject(reply);
}

static void expect_status(redisReply *reply, int type, const char *text)
{
    if (reply->type != type || (text && strcmp(reply->str, text) != 0))
        fprintf(stderr, "expected type %d '%s', got type %d '%s'\n", type, text ? text : "",
                reply->type, reply->str ? reply->str : "");
    assert_int_equal(reply->type, type);
    if (text)
        assert_string_equal(reply->str, text);
    freeReplyObject(reply);
}

static const char wrongtype[] = "WRONGTYPE Operation against a key holding the wrong kind of value";

/* dblite_key_lookup_or_reply and the slot form: a value of the type, a
 * missing key, and a key of another type answered WRONGTYPE exactly once
 * (a second reply would show up as an extra reply on the connection). */
static void lookups_reply_wrongtype_themselves(void **state)
{
    fixture *f = *state;
    expect_status(run(f, "apiv5.set box hello"), REDIS_REPLY_STATUS, "OK");
    expect_status(run(f, "apiv5.get box"), REDIS_REPLY_STRING, "hello");
    expect_status(run(f, "apiv5.get missing"), REDIS_REPLY_NIL, NULL);
    expect_status(run(f, "SET text abc"), REDIS_REPLY_STATUS, "OK");
    expect_status(run(f, "apiv5.get text"), REDIS_REPLY_ERROR, wrongtype);
    expect_integer(f, 1, "apiv5.truncate box");
    expect_status(run(f, "apiv5.get box"), REDIS_REPLY_STRING, "h");
    expect_integer(f, 0, "apiv5.truncate missing");
    expect_status(run(f, "apiv5.truncate text"), REDIS_REPLY_ERROR, wrongtype);
    /* One reply each: the next command's answer is its own. */
    expect_status(run(f, "PING"), REDIS_REPLY_STATUS, "PONG");
    expect_status(run(f, "GET text"), REDIS_REPLY_STRING, "abc");
}

/* A DBLITE_COMMAND row's privdata reaches its handler; a row without one
 * gives NULL. */
static void command_privdata_reaches_the_handler(void **state)
{
    fixture *f = *state;
    expect_status(run(f, "apiv5.privdata"), REDIS_REPLY_STATUS, "privdata reached the handler");
    expect_status(run(f, "apiv5.noprivdata"), REDIS_REPLY_NIL, NULL);
}

/* The table registered every row with its fields (arity, flags, keys). */
static void command_table_rows_are_registered(void **state)
{
    fixture *f = *state;
    redisReply *reply = run(f, "COMMAND INFO apiv5.set apiv5.service");
    assert_int_equal(reply->type, REDIS_REPLY_ARRAY);
    assert_int_equal(reply->elements, 2);
    const redisReply *set = reply->element[0];
    assert_int_equal(set->type, REDIS_REPLY_ARRAY);
    assert_string_equal(set->element[0]->str, "apiv5.set");
    assert_int_equal(set->element[1]->integer, 3);
    assert_int_equal(set->element[3]->integer, 1); /* first key */
    assert_int_equal(reply->element[1]->type, REDIS_REPLY_ARRAY);
    freeReplyObject(reply);
    expect_status(run(f, "apiv5.set onlykey"), REDIS_REPLY_ERROR,
                  "ERR wrong number of arguments for 'apiv5.set' command");
}

/* A service function finds its exporter's state with dblite_service_data. */
static void service_reaches_exporter_data(void **state)
{
    fixture *f = *state;
    expect_integer(f, 1, "apiv5.service");
    expect_integer(f, 2, "apiv5.service");
}

/* Typed getters: integers, memory sizes in bytes, booleans; an unknown
 * name and a setting of another kind leave the value alone. */
static void typed_setting_getters(void **state)
{
    fixture *f = *state;
    expect_integer(f, 16, "apiv5.setting integer databases");
    expect_integer(f, 2LL * 1024 * 1024, "apiv5.setting memory proto-max-bulk-len");
    expect_integer(f, 1, "apiv5.setting boolean protected-mode");
    expect_status(run(f, "CONFIG SET proto-max-bulk-len 3mb"), REDIS_REPLY_STATUS, "OK");
    expect_integer(f, 3LL * 1024 * 1024, "apiv5.setting memory proto-max-bulk-len");
    expect_status(run(f, "CONFIG SET protected-mode no"), REDIS_REPLY_STATUS, "OK");
    expect_integer(f, 0, "apiv5.setting boolean protected-mode");
    expect_status(run(f, "CONFIG SET hz 42"), REDIS_REPLY_STATUS, "OK");
    expect_integer(f, 42, "apiv5.setting integer hz");

    char text[128];
    snprintf(text, sizeof(text), "ERR status %d value -12345", DBLITE_ERR_NOTFOUND);
    expect_status(run(f, "apiv5.setting integer no-such-setting"), REDIS_REPLY_ERROR, text);
    snprintf(text, sizeof(text), "ERR status %d value -12345", DBLITE_ERR_INVALID);
    expect_status(run(f, "apiv5.setting integer proto-max-bulk-len"), REDIS_REPLY_ERROR, text);
    expect_status(run(f, "apiv5.setting memory databases"), REDIS_REPLY_ERROR, text);
    expect_status(run(f, "apiv5.setting boolean dir"), REDIS_REPLY_ERROR, text);
}

static void module_loaded_by_name(void **state)
{
    fixture *f = *state;
    expect_integer(f, 1, "apiv5.loaded apiv5");
    expect_integer(f, 1, "apiv5.loaded apiv5peer");
    expect_integer(f, 1, "apiv5.loaded strings");
    expect_integer(f, 0, "apiv5.loaded persistence");
    expect_integer(f, 0, "apiv5.loaded apiv");
}

/* dblite_module_set_data_free: each destructor runs once at exit, after
 * the keyspace was freed (no box is alive any more) and the timers stopped
 * (cancelling one answers NOTFOUND instead of touching the freed loop), the
 * later module's first. */
static void module_data_freed_at_exit_in_reverse_order(void **state)
{
    fixture *f = *state;
    expect_status(run(f, "apiv5.set kept-until-exit value"), REDIS_REPLY_STATUS, "OK");
    redisFree(f->client);
    f->client = NULL;
    assert_int_equal(server_shutdown(f->server), 0);
    char *log = read_server_log(f->server);
    char expected_mine[128], expected_peer[128];
    /* No box alive any more, and the pending timer already gone. */
    snprintf(expected_mine, sizeof(expected_mine),
             "apiv5 data freed with 0 live boxes (timer cancel %d)", DBLITE_ERR_NOTFOUND);
    snprintf(expected_peer, sizeof(expected_peer),
             "apiv5peer data freed with 0 live boxes (timer cancel %d)", DBLITE_ERR_NOTFOUND);
    const char *mine = strstr(log, expected_mine);
    const char *peer = strstr(log, expected_peer);
    if (!mine || !peer)
        fprintf(stderr, "server log:\n%s\n", log);
    assert_non_null(mine);
    assert_non_null(peer);
    assert_true(peer < mine);
    assert_null(strstr(mine + 1, "apiv5 data freed"));
    free(log);
}

/* A table whose second row has an unknown flag: startup stops with the
 * reason naming that command. */
static void table_row_failure_names_the_command(void **state)
{
    (void)state;
    char module[4096];
    test_module_file(module, sizeof(module), "badtable");
    const char *const args[] = {"--port", "0", "--load-module", module, NULL};
    char output[16384] = "";
    int status = server_start_expect_failure(NULL, args, output, sizeof(output));
    if (status <= 0 || !strstr(output, "command 'badtable.second' has unknown flag 'sparkly'"))
        fprintf(stderr, "output:\n%s\n", output);
    assert_true(status > 0);
    assert_non_null(strstr(output,
                           "module 'badtable' failed to initialise: command 'badtable.second' has "
                           "unknown flag 'sparkly'"));
}

/* A plugin built for API 99 that calls a function this server lacks gets
 * the version message, not "undefined symbol" from dlopen, whether it
 * binds lazily or was linked with -z now. */
static void newer_api_refused_before_binding(void **state)
{
    (void)state;
    static const char *const names[] = {"futuresymbol", "futuresymbolnow"};
    for (size_t i = 0; i < 2; i++) {
        char module[4096];
        test_module_file(module, sizeof(module), names[i]);
        const char *const args[] = {"--port", "0", "--load-module", module, NULL};
        char output[16384] = "";
        int status = server_start_expect_failure(NULL, args, output, sizeof(output));
        char expected[512];
        snprintf(
            expected, sizeof(expected),
            "module '%s' was built for module API version 99, but this server provides versions 1 to %d",
            names[i], DBLITE_API_VERSION);
        if (status <= 0 || !strstr(output, expected))
            fprintf(stderr, "output:\n%s\n", output);
        assert_true(status > 0);
        assert_non_null(strstr(output, expected));
        assert_null(strstr(output, "undefined symbol"));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(lookups_reply_wrongtype_themselves, start_server,
                                        stop_server),
        cmocka_unit_test_setup_teardown(command_privdata_reaches_the_handler, start_server,
                                        stop_server),
        cmocka_unit_test_setup_teardown(command_table_rows_are_registered, start_server,
                                        stop_server),
        cmocka_unit_test_setup_teardown(service_reaches_exporter_data, start_server, stop_server),
        cmocka_unit_test_setup_teardown(typed_setting_getters, start_server, stop_server),
        cmocka_unit_test_setup_teardown(module_loaded_by_name, start_server, stop_server),
        cmocka_unit_test_setup_teardown(module_data_freed_at_exit_in_reverse_order, start_server,
                                        stop_server),
        cmocka_unit_test(table_row_failure_names_the_command),
        cmocka_unit_test(newer_api_refused_before_binding),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
