/*
 * hooktest_log.c - the text logs hooks append to and HOOKTEST.* commands
 * hand out.  A hook cannot reply, so an allocation failure is remembered
 * and reported by the next command that reads the log.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "hooktest.h"

void hooktest_log_append(hooktest_log *log, const char *format, ...)
{
    char text[512];
    va_list args;
    va_start(args, format);
    int length = vsnprintf(text, sizeof(text), format, args);
    va_end(args);
    if (length < 0) {
        log->lost = 1;
        return;
    }
    if (log->count == log->capacity) {
        size_t capacity = log->capacity ? log->capacity * 2 : 16;
        char **lines = dblite_realloc(log->lines, capacity * sizeof(*lines));
        if (lines == NULL) {
            log->lost = 1;
            return;
        }
        log->lines = lines;
        log->capacity = capacity;
    }
    size_t size = strlen(text) + 1;
    char *line = dblite_alloc(size);
    if (line == NULL) {
        log->lost = 1;
        return;
    }
    memcpy(line, text, size);
    log->lines[log->count++] = line;
}

void hooktest_log_clear(hooktest_log *log)
{
    for (size_t i = 0; i < log->count; i++)
        dblite_free(log->lines[i]);
    dblite_free(log->lines);
    log->lines = NULL;
    log->count = log->capacity = 0;
    log->lost = 0;
}

void hooktest_log_reply_and_clear(dblite_ctx *ctx, hooktest_log *log)
{
    if (log->lost)
        dblite_reply_error(ctx, "ERR hooktest log lost entries (out of memory)");
    else {
        dblite_reply_array(ctx, (long long)log->count);
        for (size_t i = 0; i < log->count; i++)
            dblite_reply_bulk_cstring(ctx, log->lines[i]);
    }
    hooktest_log_clear(log);
}
