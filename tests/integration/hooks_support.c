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
#include <poll.h>

#include <cmocka.h>

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

server_process *start_with_modules(const char *config, const char *const *modules, const char *const *extra_args)
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

static redisReply *run_v(redisContext *context, const char *format, va_list args)
{
    redisReply *reply = redisvCommand(context, format, args);
    if (reply == NULL)
        fail_msg("no reply to '%s': %s", format, context->errstr);
    return reply;
}

redisReply *run(redisContext *context, const char *format, ...)
{
    va_list args;
    va_start(args, format);
    redisReply *reply = run_v(context, format, args);
    va_end(args);
    return reply;
}

static const char *type_name(int type)
{
    switch (type) {
    case REDIS_REPLY_STRING: return "bulk";
    case REDIS_REPLY_ARRAY: return "array";
    case REDIS_REPLY_INTEGER: return "integer";
    case REDIS_REPLY_NIL: return "nil";
    case REDIS_REPLY_STATUS: return "status";
    case REDIS_REPLY_ERROR: return "error";
    default: return "other";
    }
}

static void expect_type(const redisReply *reply, int type, const char *format)
{
    if (reply->type != type)
        fail_msg("'%s' answered %s '%s', expected %s", format, type_name(reply->type),
                 reply->str != NULL ? reply->str : "", type_name(type));
}

#define WITH_REPLY(reply, context, format)            \
    va_list args_;                                    \
    va_start(args_, format);                          \
    redisReply *reply = run_v(context, format, args_); \
    va_end(args_)

void expect_status(redisContext *context, const char *expected, const char *format, ...)
{
    WITH_REPLY(reply, context, format);
    expect_type(reply, REDIS_REPLY_STATUS, format);
    assert_string_equal(reply->str, expected);
    freeReplyObject(reply);
}

void expect_integer(redisContext *context, long long expected, const char *format, ...)
{
    WITH_REPLY(reply, context, format);
    expect_type(reply, REDIS_REPLY_INTEGER, format);
    if (reply->integer != expected)
        fail_msg("'%s' answered %lld, expected %lld", format, reply->integer, expected);
    freeReplyObject(reply);
}

void expect_bulk(redisContext *context, const char *expected, const char *format, ...)
{
    WITH_REPLY(reply, context, format);
    expect_type(reply, REDIS_REPLY_STRING, format);
    assert_string_equal(reply->str, expected);
    freeReplyObject(reply);
}

void expect_nil(redisContext *context, const char *format, ...)
{
    WITH_REPLY(reply, context, format);
    expect_type(reply, REDIS_REPLY_NIL, format);
    freeReplyObject(reply);
}

void expect_error(redisContext *context, const char *expected, const char *format, ...)
{
    WITH_REPLY(reply, context, format);
    expect_type(reply, REDIS_REPLY_ERROR, format);
    assert_string_equal(reply->str, expected);
    freeReplyObject(reply);
}

void expect_strings(redisContext *context, const char *const *expected, size_t count, const char *format, ...)
{
    WITH_REPLY(reply, context, format);
    expect_type(reply, REDIS_REPLY_ARRAY, format);
    int same = reply->elements == count;
    for (size_t i = 0; same && i < count; i++)
        same = reply->element[i]->str != NULL && strcmp(reply->element[i]->str, expected[i]) == 0;
    if (!same) {
        char got[4096] = "";
        size_t used = 0;
        for (size_t i = 0; i < reply->elements && used < sizeof(got); i++)
            used += (size_t)snprintf(got + used, sizeof(got) - used, "[%s] ",
                                     reply->element[i]->str != NULL ? reply->element[i]->str : "(not a string)");
        char want[4096] = "";
        used = 0;
        for (size_t i = 0; i < count && used < sizeof(want); i++)
            used += (size_t)snprintf(want + used, sizeof(want) - used, "[%s] ", expected[i]);
        fail_msg("'%s' answered %s\nexpected %s", format, got, want);
    }
    freeReplyObject(reply);
}

void send_only(redisContext *context, const char *format, ...)
{
    va_list args;
    va_start(args, format);
    int status = redisvAppendCommand(context, format, args);
    va_end(args);
    assert_int_equal(status, REDIS_OK);
    int done = 0;
    while (!done)
        assert_int_equal(redisBufferWrite(context, &done), REDIS_OK);
}

redisReply *read_reply(redisContext *context)
{
    void *reply = NULL;
    if (redisGetReply(context, &reply) != REDIS_OK || reply == NULL)
        fail_msg("no reply: %s", context->errstr);
    return reply;
}

int reply_arrives_within(redisContext *context, int wait_ms)
{
    struct pollfd descriptor = {.fd = context->fd, .events = POLLIN};
    return poll(&descriptor, 1, wait_ms) > 0;
}

char *info_text(redisContext *context, const char *section)
{
    redisReply *reply = run(context, "INFO %s", section);
    if (reply->type != REDIS_REPLY_STRING)
        fail_msg("INFO %s answered type %d", section, reply->type);
    char *text = strdup(reply->str);
    assert_non_null(text);
    freeReplyObject(reply);
    return text;
}

/* Value of "field:" at the start of a line of text, or NULL. */
static const char *find_field(const char *text, const char *field)
{
    size_t length = strlen(field);
    for (const char *line = text; line != NULL && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL)
        if (strncmp(line, field, length) == 0 && line[length] == ':')
            return line + length + 1;
    return NULL;
}

long long info_number(redisContext *context, const char *section, const char *field)
{
    char *text = info_text(context, section);
    const char *value = find_field(text, field);
    if (value == NULL) {
        fail_msg("INFO %s has no field %s:\n%s", section, field, text);
    }
    long long number = strtoll(value, NULL, 10);
    free(text);
    return number;
}

int wait_for_info(redisContext *context, const char *section, const char *field, long long expected, int timeout_ms)
{
    long long deadline = now_ms() + timeout_ms;
    for (;;) {
        if (info_number(context, section, field) == expected)
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
