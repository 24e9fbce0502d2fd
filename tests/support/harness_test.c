/*
 * harness_test.c - checks the integration-test harness itself against the
 * real server: start on a free port, data survives a clean restart on the
 * same port and directory, SIGKILL and restart, clean SIGTERM exit status,
 * and a bad command line reported as a startup failure with its message.
 *
 * argv[1] names the config to use ("-" for none), so the harness can also be
 * checked against a stock redis-server (DBLITE_SERVER=redis-server, no
 * DBLITE_MODULE_PATH, config "-").
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "reply_checks.h"
#include "server_process.h"

static const char *config_name = "minimal.ini";

static int start_server(void **state)
{
    server_process *server = server_start(config_name, NULL);
    *state = server;
    return server != NULL ? 0 : -1;
}

static int stop_server(void **state)
{
    return server_stop(*state) == 0 ? 0 : -1;
}

static void two_servers_get_distinct_ports_and_dirs(void **state)
{
    server_process *first = *state;
    server_process *second = server_start(config_name, NULL);
    assert_non_null(second);
    assert_int_not_equal(server_port(first), server_port(second));
    assert_string_not_equal(server_dir(first), server_dir(second));
    redisContext *context = server_connect(second);
    assert_non_null(context);
    reply_expect_status(context, "PONG", "PING");
    redisFree(context);
    assert_int_equal(server_stop(second), 0);
}

static void restart_keeps_port_and_directory(void **state)
{
    server_process *server = *state;
    int port = server_port(server);
    char dir[4096];
    strncpy(dir, server_dir(server), sizeof dir - 1);
    dir[sizeof dir - 1] = '\0';

    assert_int_equal(server_shutdown(server), 0);
    assert_int_equal(server_pid(server), 0);
    assert_ptr_equal(server_restart(server), server);
    assert_int_equal(server_port(server), port);
    assert_string_equal(server_dir(server), dir);
    assert_int_not_equal(server_pid(server), 0);

    /* Restarting a running server shuts it down first. */
    assert_ptr_equal(server_restart(server), server);
    redisContext *context = server_connect(server);
    assert_non_null(context);
    reply_expect_status(context, "OK", "SET harness:key value");
    reply_expect_bulk(context, "value", "GET harness:key");
    redisFree(context);
}

static void kill_then_restart(void **state)
{
    server_process *server = *state;
    server_kill(server);
    assert_int_equal(server_shutdown(server), 128 + 9);
    assert_null(server_connect(server));
    assert_ptr_equal(server_restart(server), server);
    redisContext *context = server_connect(server);
    assert_non_null(context);
    reply_expect_status(context, "PONG", "PING");
    redisFree(context);
}

static void bad_option_fails_startup_with_a_message(void **state)
{
    (void)state;
    char output[4096];
    const char *const args[] = {"--port", "not-a-port", NULL};
    int status = server_start_expect_failure(config_name, args, output, sizeof output);
    assert_true(status > 0);
    assert_true(strlen(output) > 0);
}

int main(int argc, char **argv)
{
    if (argc > 1)
        config_name = strcmp(argv[1], "-") == 0 ? NULL : argv[1];
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(two_servers_get_distinct_ports_and_dirs, start_server,
                                        stop_server),
        cmocka_unit_test_setup_teardown(restart_keeps_port_and_directory, start_server,
                                        stop_server),
        cmocka_unit_test_setup_teardown(kill_then_restart, start_server, stop_server),
        cmocka_unit_test(bad_option_fails_startup_with_a_message),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
