/*
 * test_api_v3_plugin.c - a plugin built against the frozen API version 3
 * header (bloom.so in $DBLITE_MODULE_PATH, see api_compat.cmake) loads into
 * this server beside a plugin of the current version: the server records
 * version 3 for it, its shorter command specs register with their fields,
 * and its commands and type work.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "dblite_module.h"
#include "server_process.h"

static int start_server(void **state)
{
    const char *binary_dir = getenv("DBLITE_BINARY_DIR");
    assert_non_null(binary_dir);
    char current[4096];
    snprintf(current, sizeof(current), "%s/test-modules/apiv5.so", binary_dir);
    const char *const args[] = {
        "--load-module", "strings", "--load-module", "bloom", "--load-module", current, NULL};
    server_process *server = server_start(NULL, args);
    assert_non_null(server);
    *state = server;
    return 0;
}

static int stop_server(void **state)
{
    server_stop(*state);
    return 0;
}

static redisReply *run(redisContext *client, const char *command)
{
    redisReply *reply = redisCommand(client, command);
    assert_non_null(reply);
    return reply;
}

/* The version each loaded module was built for, from MODULE LIST. */
static long long module_version(redisContext *client, const char *name)
{
    redisReply *list = run(client, "MODULE LIST");
    assert_int_equal(list->type, REDIS_REPLY_ARRAY);
    long long version = -1;
    for (size_t i = 0; i < list->elements; i++) {
        const redisReply *entry = list->element[i];
        assert_int_equal(entry->elements, 8);
        if (strcmp(entry->element[1]->str, name) == 0)
            version = entry->element[3]->integer;
    }
    freeReplyObject(list);
    return version;
}

static void v3_plugin_loads_beside_a_current_one(void **state)
{
    redisContext *client = server_connect(*state);
    assert_non_null(client);
    assert_int_equal(module_version(client, "bloom"), 3);
    assert_int_equal(module_version(client, "apiv5"), DBLITE_API_VERSION);

    redisReply *reply = run(client, "BF.ADD filter apple");
    assert_int_equal(reply->type, REDIS_REPLY_INTEGER);
    assert_int_equal(reply->integer, 1);
    freeReplyObject(reply);
    reply = run(client, "BF.EXISTS filter apple");
    assert_int_equal(reply->integer, 1);
    freeReplyObject(reply);
    reply = run(client, "TYPE filter");
    assert_string_equal(reply->str, "bloom");
    freeReplyObject(reply);

    /* A version 3 spec ends before privdata; its fields are all read. */
    reply = run(client, "COMMAND INFO bf.add");
    assert_int_equal(reply->type, REDIS_REPLY_ARRAY);
    const redisReply *info = reply->element[0];
    assert_string_equal(info->element[0]->str, "bf.add");
    assert_int_equal(info->element[1]->integer, 3);
    assert_int_equal(info->element[3]->integer, 1);
    freeReplyObject(reply);

    /* And the current plugin's spec still gets its privdata. */
    reply = run(client, "apiv5.privdata");
    assert_int_equal(reply->type, REDIS_REPLY_STATUS);
    assert_string_equal(reply->str, "privdata reached the handler");
    freeReplyObject(reply);
    redisFree(client);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(v3_plugin_loads_beside_a_current_one, start_server,
                                        stop_server),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
