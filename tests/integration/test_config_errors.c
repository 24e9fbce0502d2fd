/*
 * test_config_errors.c - startup errors of the real server binary: bad ini
 * files, bad command lines and modules the loader must refuse.  Every case
 * must exit with status 1 (not a crash, not a sanitizer's exit code) and
 * print a message naming where the problem is (file:line, "command line",
 * the module) and why.  Line numbers are looked up in the config files, so
 * editing a file's comments does not break the tests.
 *
 * Also the cases that must start: --port overriding the file, and a section
 * for a module that is not loaded (a warning only).
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "dblite_module.h"
#include "hooks_support.h"
#include "reply_checks.h"

#define OUTPUT_SIZE 65536

/* Runs `$DBLITE_SERVER [config] args...` exactly as given, expecting it to
 * refuse to start; its output lands in output (OUTPUT_SIZE bytes). */
static void run_expecting_failure(char *output, const char *config_path, const char *const *args)
{
    int status = server_start_expect_failure(config_path, args, output, OUTPUT_SIZE);
    if (status != 1)
        fail_msg("expected exit status 1, got %d; output:\n%s", status, output);
}

/* As run_expecting_failure, with --port 0 (an accidental start takes no
 * known port) and the module path before the extra arguments. */
static void expect_startup_failure(char *output, const char *config_path, const char *const *extra)
{
    const char *args[64];
    size_t used = 0;
    const char *module_path = getenv("DBLITE_MODULE_PATH");
    args[used++] = "--port";
    args[used++] = "0";
    if (module_path != NULL && *module_path != '\0') {
        args[used++] = "--module-path";
        args[used++] = module_path;
    }
    for (size_t i = 0; extra != NULL && extra[i] != NULL; i++) {
        assert_true(used < 63);
        args[used++] = extra[i];
    }
    args[used] = NULL;
    run_expecting_failure(output, config_path, args);
}

static void expect_output_contains(const char *output, const char *format, ...)
{
    char expected[8192];
    va_list args;
    va_start(args, format);
    vsnprintf(expected, sizeof(expected), format, args);
    va_end(args);
    if (strstr(output, expected) == NULL)
        fail_msg("server output lacks\n  %s\noutput:\n%s", expected, output);
}

/* Path of a config in tests/configs and the line holding needle. */
static int config_line(char *path, size_t size, const char *name, const char *needle)
{
    test_config_file(path, size, name);
    int line = line_containing(path, needle);
    if (line < 0)
        fail_msg("%s has no line containing '%s'", path, needle);
    return line;
}

static void module_file(char *path, size_t size, const char *name)
{
    test_module_file(path, size, name);
}

/* ---- the ini file ------------------------------------------------------ */

static void unknown_server_key(void **state)
{
    (void)state;
    char path[4096];
    int line = config_line(path, sizeof(path), "bad_server_key.ini", "no-such-server-key");
    char output[OUTPUT_SIZE];
    expect_startup_failure(output, path, NULL);
    expect_output_contains(output, "%s:%d: unknown key 'no-such-server-key' in section [server]",
                           path, line);
}

static void bad_server_value(void **state)
{
    (void)state;
    char path[4096];
    int line = config_line(path, sizeof(path), "bad_server_value.ini", "databases");
    char output[OUTPUT_SIZE];
    expect_startup_failure(output, path, NULL);
    expect_output_contains(
        output, "%s:%d: bad value '0' for 'databases': argument must be between 1 and 100000", path,
        line);
}

static void syntax_error_line(void **state)
{
    (void)state;
    char path[4096];
    int line = config_line(path, sizeof(path), "bad_syntax.ini", "no equals sign");
    char output[OUTPUT_SIZE];
    expect_startup_failure(output, path, NULL);
    expect_output_contains(output, "%s:%d: syntax error", path, line);
}

static void first_of_two_errors_is_reported(void **state)
{
    (void)state;
    char path[4096];
    int line = config_line(path, sizeof(path), "two_errors.ini", "first bad line");
    char output[OUTPUT_SIZE];
    expect_startup_failure(output, path, NULL);
    expect_output_contains(output, "%s:%d: syntax error", path, line);
}

static void line_too_long(void **state)
{
    (void)state;
    char path[4096];
    int line = config_line(path, sizeof(path), "bad_long_line.ini", "bind = xxx");
    char output[OUTPUT_SIZE];
    expect_startup_failure(output, path, NULL);
    expect_output_contains(output, "%s:%d: line too long", path, line);
}

static void key_outside_any_section(void **state)
{
    (void)state;
    char path[4096];
    int line = config_line(path, sizeof(path), "key_outside_section.ini", "orphan");
    char output[OUTPUT_SIZE];
    expect_startup_failure(output, path, NULL);
    expect_output_contains(output, "%s:%d: key 'orphan' outside any section", path, line);
}

static void missing_config_file(void **state)
{
    (void)state;
    /* Given as an argument: the harness itself refuses a missing config. */
    char output[OUTPUT_SIZE];
    const char *args[] = {"/nonexistent/dblite-test.ini", "--port", "0", NULL};
    run_expecting_failure(output, NULL, args);
    expect_output_contains(output, "cannot open config file '/nonexistent/dblite-test.ini'");
}

static void unknown_key_in_module_section(void **state)
{
    (void)state;
    char path[4096];
    int line = config_line(path, sizeof(path), "bad_module_key.ini", "no-such-strings-key");
    char output[OUTPUT_SIZE];
    expect_startup_failure(output, path, NULL);
    expect_output_contains(
        output,
        "%s:%d: unknown key 'no-such-strings-key' in section [strings] (module 'strings' has no "
        "such setting)",
        path, line);
}

static void bad_value_in_module_section(void **state)
{
    (void)state;
    char path[4096], hooktest[4096];
    int line = config_line(path, sizeof(path), "bad_module_value.ini", "int-setting");
    module_file(hooktest, sizeof(hooktest), "hooktest");
    const char *const extra[] = {"--load-module", hooktest, NULL};
    char output[OUTPUT_SIZE];
    expect_startup_failure(output, path, extra);
    expect_output_contains(
        output,
        "%s:%d: bad value '5000' for 'hooktest.int-setting': argument must be between 0 and 1000 "
        "inclusive",
        path, line);
}

/* ---- the module loader ------------------------------------------------- */

static void missing_module_file(void **state)
{
    (void)state;
    char path[4096];
    int line = config_line(path, sizeof(path), "missing_module.ini", "no-such-module");
    const char *module_path = getenv("DBLITE_MODULE_PATH");
    assert_non_null(module_path);
    char output[OUTPUT_SIZE];
    expect_startup_failure(output, path, NULL);
    expect_output_contains(output,
                           "%s:%d: module 'no-such-module': file %s/no-such-module.so not found",
                           path, line, module_path);
}

/* Modules given on the command line, expecting this reason; the whole
 * output lands in output. */
static void expect_module_refused(char *output, const char *const *module_names,
                                  const char *reason_format, ...)
{
    char paths[4][4096];
    const char *extra[16];
    size_t used = 0;
    for (size_t i = 0; module_names[i] != NULL; i++) {
        assert_true(i < 4);
        if (module_names[i][0] == '/')
            snprintf(paths[i], sizeof(paths[i]), "%s", module_names[i]);
        else
            module_file(paths[i], sizeof(paths[i]), module_names[i]);
        extra[used++] = "--load-module";
        extra[used++] = paths[i];
    }
    extra[used] = NULL;
    expect_startup_failure(output, NULL, extra);
    char reason[8192];
    va_list args;
    va_start(args, reason_format);
    vsnprintf(reason, sizeof(reason), reason_format, args);
    va_end(args);
    expect_output_contains(output, "command line: %s", reason);
}

static void shared_object_that_is_not_a_module(void **state)
{
    (void)state;
    static const char *const names[] = {"notmodule", NULL};
    char file[4096];
    module_file(file, sizeof(file), "notmodule");
    char output[OUTPUT_SIZE];
    expect_module_refused(output, names,
                          "module 'notmodule' (%s) is not a dblite module: it does not export "
                          "dblite_module_api_version",
                          file);
}

static void file_that_is_not_a_shared_object(void **state)
{
    (void)state;
    char path[] = "/tmp/dblite-garbage-XXXXXX.so";
    int fd = mkstemps(path, 3);
    assert_true(fd >= 0);
    static const char text[] = "this is not an ELF file\n";
    ssize_t written = write(fd, text, sizeof(text) - 1);
    close(fd);
    char output[OUTPUT_SIZE] = "";
    const char *const args[] = {"--port", "0", "--load-module", path, NULL};
    int status = written == (ssize_t)(sizeof(text) - 1)
                     ? server_start_expect_failure(NULL, args, output, sizeof(output))
                     : -1;
    unlink(path); /* before any assertion can end the test */
    if (status != 1)
        fail_msg("expected exit status 1, got %d; output:\n%s", status, output);
    char name[64];
    snprintf(name, sizeof(name), "%.*s", (int)(strlen(path) - strlen("/tmp/") - 3),
             path + strlen("/tmp/"));
    expect_output_contains(output, "command line: module '%s': cannot load %s", name, path);
}

static void module_without_entry_point(void **state)
{
    (void)state;
    static const char *const names[] = {"noentry", NULL};
    char file[4096];
    module_file(file, sizeof(file), "noentry");
    char output[OUTPUT_SIZE];
    expect_module_refused(output, names,
                          "module 'noentry' (%s) has no entry point dblite_module_init", file);
}

static void module_built_for_a_newer_api(void **state)
{
    (void)state;
    static const char *const names[] = {"futureapi", NULL};
    char output[OUTPUT_SIZE];
    /* futureapi declares DBLITE_API_VERSION + 41. */
    expect_module_refused(
        output, names,
        "module 'futureapi' was built for module API version %d, but this server provides "
        "versions 1 to %d",
        DBLITE_API_VERSION + 41, DBLITE_API_VERSION);
    /* Refused before its entry point could run. */
    assert_null(strstr(output, "must never run"));
}

static void two_modules_claim_one_command(void **state)
{
    (void)state;
    static const char *const names[] = {"hooktest", "clash", NULL};
    char output[OUTPUT_SIZE];
    expect_module_refused(
        output, names,
        "module 'clash' failed to initialise: command 'hooktest.events' is already "
        "registered by module hooktest");
}

static void module_init_fails_with_a_reason(void **state)
{
    (void)state;
    static const char *const names[] = {"initfail", NULL};
    char output[OUTPUT_SIZE];
    expect_module_refused(output, names,
                          "module 'initfail' failed to initialise: initfail refuses to start: the "
                          "frobnicator is missing");
}

static void module_init_fails_without_a_reason(void **state)
{
    (void)state;
    static const char *const names[] = {"silentfail", NULL};
    char output[OUTPUT_SIZE];
    expect_module_refused(
        output, names,
        "module 'silentfail' failed to initialise: its init returned an error without a "
        "reason");
}

static void module_loaded_twice(void **state)
{
    (void)state;
    static const char *const names[] = {"hookpeer", "hookpeer", NULL};
    char output[OUTPUT_SIZE];
    expect_module_refused(output, names, "module 'hookpeer' is loaded twice");
}

/* ---- the command line -------------------------------------------------- */

static void unknown_command_line_option(void **state)
{
    (void)state;
    static const char *const extra[] = {"--no-such-option", "1", NULL};
    char output[OUTPUT_SIZE];
    expect_startup_failure(output, NULL, extra);
    expect_output_contains(output, "command line: unknown option '--no-such-option'");
}

static void bad_command_line_value(void **state)
{
    (void)state;
    static const char *const extra[] = {"--databases", "many", NULL};
    char output[OUTPUT_SIZE];
    expect_startup_failure(output, NULL, extra);
    expect_output_contains(
        output, "command line: bad value 'many' for '--databases': argument couldn't be parsed "
                "into an integer");
}

static void unexpected_command_line_argument(void **state)
{
    (void)state;
    char path[4096];
    test_config_file(path, sizeof(path), "port_override.ini");
    /* A second bare word after the config file: expect_startup_failure
     * would put it after an option, where it counts as that option's value. */
    char output[OUTPUT_SIZE];
    const char *args[] = {"stray-second-argument", "--port", "0", NULL};
    run_expecting_failure(output, path, args);
    expect_output_contains(output, "unexpected argument 'stray-second-argument'");
}

static void unknown_module_setting_on_command_line(void **state)
{
    (void)state;
    static const char *const extra[] = {"--load-module", "strings", "--strings.no-such-setting",
                                        "1", NULL};
    char output[OUTPUT_SIZE];
    expect_startup_failure(output, NULL, extra);
    expect_output_contains(
        output, "command line: unknown key 'no-such-setting' in section [strings] (module "
                "'strings' has no such setting)");
}

static void command_line_setting_for_a_module_not_loaded(void **state)
{
    (void)state;
    static const char *const extra[] = {"--load-module", "strings", "--nomodule.key", "1", NULL};
    char output[OUTPUT_SIZE];
    expect_startup_failure(output, NULL, extra);
    expect_output_contains(output, "command line: '--nomodule.key' names no loaded module");
}

/* ---- cases that must start --------------------------------------------- */

static void command_line_port_overrides_the_file(void **state)
{
    (void)state;
    char path[4096];
    test_config_file(path, sizeof(path), "port_override.ini");
    server_process *server = server_start(path, NULL); /* the harness adds --port */
    assert_non_null(server);
    redisContext *c = server_connect(server);
    assert_non_null(c);
    char port[16];
    snprintf(port, sizeof(port), "%d", server_port(server));
    redisReply *reply = reply_command(c, "CONFIG GET port");
    assert_int_equal(reply->elements, 2);
    assert_string_equal(reply->element[1]->str, port);
    freeReplyObject(reply);
    reply_expect_status(c, "OK", "SET k v"); /* strings loaded from the file */
    redisFree(c);
    assert_int_equal(server_stop(server), 0);
}

static void section_of_a_module_not_loaded_only_warns(void **state)
{
    (void)state;
    char path[4096];
    int line = config_line(path, sizeof(path), "unknown_module_section.ini", "some-key");
    server_process *server = server_start(path, NULL);
    assert_non_null(server);
    redisContext *c = server_connect(server);
    assert_non_null(c);
    reply_expect_status(c, "PONG", "PING");
    redisFree(c);
    char *log = read_server_log(server);
    char expected[8192];
    snprintf(expected, sizeof(expected),
             "%s:%d: section [not-loaded-module] matches no loaded module; ignored", path, line);
    int found = strstr(log, expected) != NULL;
    if (!found)
        fprintf(stderr, "log lacks '%s':\n%s\n", expected, log);
    free(log);
    assert_int_equal(server_stop(server), 0);
    assert_true(found);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(unknown_server_key),
        cmocka_unit_test(bad_server_value),
        cmocka_unit_test(syntax_error_line),
        cmocka_unit_test(first_of_two_errors_is_reported),
        cmocka_unit_test(line_too_long),
        cmocka_unit_test(key_outside_any_section),
        cmocka_unit_test(missing_config_file),
        cmocka_unit_test(unknown_key_in_module_section),
        cmocka_unit_test(bad_value_in_module_section),
        cmocka_unit_test(missing_module_file),
        cmocka_unit_test(shared_object_that_is_not_a_module),
        cmocka_unit_test(file_that_is_not_a_shared_object),
        cmocka_unit_test(module_without_entry_point),
        cmocka_unit_test(module_built_for_a_newer_api),
        cmocka_unit_test(two_modules_claim_one_command),
        cmocka_unit_test(module_init_fails_with_a_reason),
        cmocka_unit_test(module_init_fails_without_a_reason),
        cmocka_unit_test(module_loaded_twice),
        cmocka_unit_test(unknown_command_line_option),
        cmocka_unit_test(bad_command_line_value),
        cmocka_unit_test(unexpected_command_line_argument),
        cmocka_unit_test(unknown_module_setting_on_command_line),
        cmocka_unit_test(command_line_setting_for_a_module_not_loaded),
        cmocka_unit_test(command_line_port_overrides_the_file),
        cmocka_unit_test(section_of_a_module_not_loaded_only_warns),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
