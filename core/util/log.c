/*
 * log.c - the server log: leveled lines to stderr (or the logfile setting),
 * in Redis's layout "pid:role date time.ms <mark> message".
 *
 * A line identical to the previous one and written within
 * LOG_REPEAT_WINDOW_US of it is not written but counted, as syslog does: a
 * failure repeating in a loop (a client whose output cannot grow, say)
 * must not write 100k lines a second and fill the disk.  The count comes
 * out as "last message repeated N times" before the next different line,
 * or from the cron once the window has passed, so at most two lines per
 * window reach the file for any storm of one message.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "server.h"
#include "event/event_loop.h"

#define LOG_REPEAT_WINDOW_US (5 * 1000000LL)

static const char *const level_names[] = {"debug", "verbose", "notice", "warning"};

int log_level_from_name(const char *name)
{
    for (int i = 0; i < 4; i++)
        if (strcasecmp(name, level_names[i]) == 0)
            return i;
    return -1;
}

static void write_line(int level, const char *text)
{
    static const char marks[] = ".-*#";
    struct timeval tv;
    gettimeofday(&tv, NULL);
    struct tm tm;
    localtime_r(&tv.tv_sec, &tm);
    char when[64];
    size_t used = strftime(when, sizeof(when), "%d %b %Y %H:%M:%S", &tm);
    snprintf(when + used, sizeof(when) - used, ".%03d", (int)(tv.tv_usec / 1000));
    FILE *out = stderr;
    FILE *opened = NULL;
    if (server.settings.logfile && server.settings.logfile[0]) {
        opened = fopen(server.settings.logfile, "a");
        if (opened)
            out = opened;
    }
    fprintf(out, "%d:M %s %c %s\n", (int)getpid(), when, marks[level], text);
    if (opened)
        fclose(opened);
    else
        fflush(out);
}

/* Writes the count of dropped repeats, if any. */
static void write_repeats(void)
{
    log_repeat_state *repeat = &server.log_repeat;
    if (repeat->suppressed == 0)
        return;
    char text[64];
    snprintf(text, sizeof(text), "last message repeated %lld times", repeat->suppressed);
    repeat->suppressed = 0;
    write_line(repeat->last_level, text);
}

void log_flush_repeats(void)
{
    log_repeat_state *repeat = &server.log_repeat;
    if (repeat->suppressed > 0 &&
        monotonic_us() - repeat->last_written_us >= LOG_REPEAT_WINDOW_US) {
        write_repeats();
        repeat->last_written_us = monotonic_us();
    }
}

static void log_write(int level, const char *prefix, const char *format, va_list args)
{
    if (level < server.settings.log_level)
        return;
    char text[LOG_LINE_MAX];
    size_t prefix_length = strlen(prefix);
    if (prefix_length >= sizeof(text))
        prefix_length = sizeof(text) - 1;
    memcpy(text, prefix, prefix_length);
    vsnprintf(text + prefix_length, sizeof(text) - prefix_length, format, args);
    log_repeat_state *repeat = &server.log_repeat;
    int64_t now = monotonic_us();
    if (level == repeat->last_level && strcmp(text, repeat->last) == 0 &&
        now - repeat->last_written_us < LOG_REPEAT_WINDOW_US) {
        repeat->suppressed++;
        return;
    }
    write_repeats();
    write_line(level, text);
    memcpy(repeat->last, text, sizeof(text));
    repeat->last_level = level;
    repeat->last_written_us = now;
}

void server_log(int level, const char *format, ...)
{
    va_list args;
    va_start(args, format);
    log_write(level, "", format, args);
    va_end(args);
}

void dblite_log(const dblite_module *module, const char *level, const char *format, ...)
{
    int numeric = log_level_from_name(level);
    if (numeric < 0)
        numeric = LOG_NOTICE;
    char prefix[128];
    snprintf(prefix, sizeof(prefix), "<%s> ", module ? module->name : "?");
    va_list args;
    va_start(args, format);
    log_write(numeric, prefix, format, args);
    va_end(args);
}
