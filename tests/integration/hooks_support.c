/*
 * hooks_support.c - helpers shared by test_hooks.c and test_config_errors.c
 * (see hooks_support.h).
 */
#define _GNU_SOURCE
#include "hooks_support.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "reply_checks.h"

static void join_path(char *out, size_t size, const char *dir, const char *name, const char *suffix)
{
    int written = snprintf(out, size, "%s/%s%s", dir, name, suffix);
    assert_true(written > 0 && (size_t)written < size);
}

void test_module_file(char *out, size_t size, const char *name)
{
    const char *dir = getenv("DBLITE_TEST_MODULE_PATH");
    if (dir != NULL && *dir != '\0') {
        join_path(out, size, dir, name, ".so");
        return;
    }
    const char *binary_dir = getenv("DBLITE_BINARY_DIR");
    assert_non_null(binary_dir);
    char modules[4096];
    join_path(modules, sizeof(modules), binary_dir, "test-modules", "");
    join_path(out, size, modules, name, ".so");
}

void test_config_file(char *out, size_t size, const char *name)
{
    const char *dir = getenv("DBLITE_TEST_CONFIG_DIR");
    if (dir != NULL && *dir != '\0') {
        join_path(out, size, dir, name, "");
        return;
    }
    const char *source_dir = getenv("DBLITE_SOURCE_DIR");
    assert_non_null(source_dir);
    char configs[4096];
    join_path(configs, sizeof(configs), source_dir, "tests/configs", "");
    join_path(out, size, configs, name, "");
}

server_process *start_with_modules(const char *config, const char *const *modules,
                                   const char *const *extra_args)
{
    enum { MAX_ARGS = 64 };
    const char *args[MAX_ARGS + 1];
    char paths[16][4096];
    size_t used = 0, module_count = 0;
    for (size_t i = 0; modules != NULL && modules[i] != NULL; i++) {
        assert_true(module_count < 16 && used + 2 <= MAX_ARGS);
        test_module_file(paths[module_count], sizeof(paths[0]), modules[i]);
        args[used++] = "--load-module";
        args[used++] = paths[module_count++];
    }
    for (size_t i = 0; extra_args != NULL && extra_args[i] != NULL; i++) {
        assert_true(used < MAX_ARGS);
        args[used++] = extra_args[i];
    }
    args[used] = NULL;
    return server_start(config, args);
}

int wait_for_info(redisContext *context, const char *section, const char *field, long long expected,
                  int timeout_ms)
{
    long long deadline = now_ms() + timeout_ms;
    for (;;) {
        if (reply_info_number(context, section, field) == expected)
            return 1;
        if (now_ms() > deadline)
            return 0;
        sleep_ms(5);
    }
}

char *read_server_log(const server_process *server)
{
    FILE *file = fopen(server_log_path(server), "r");
    assert_non_null(file);
    char *text = NULL;
    size_t size = 0;
    FILE *out = open_memstream(&text, &size);
    assert_non_null(out);
    char buffer[4096];
    size_t got;
    while ((got = fread(buffer, 1, sizeof(buffer), file)) > 0)
        fwrite(buffer, 1, got, out);
    fclose(file);
    fclose(out);
    return text;
}

int line_containing(const char *path, const char *needle)
{
    FILE *file = fopen(path, "r");
    if (file == NULL)
        return -1;
    char *line = NULL;
    size_t capacity = 0;
    int number = 0, found = -1;
    while (found < 0 && getline(&line, &capacity, file) != -1) {
        number++;
        if (strstr(line, needle) != NULL)
            found = number;
    }
    free(line);
    fclose(file);
    return found;
}

long long now_ms(void)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (long long)now.tv_sec * 1000 + now.tv_nsec / 1000000;
}

void sleep_ms(int milliseconds)
{
    struct timespec delay = {milliseconds / 1000, (long)(milliseconds % 1000) * 1000000L};
    while (nanosleep(&delay, &delay) != 0) {
    }
}
