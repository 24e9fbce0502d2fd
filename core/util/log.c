/*
 * log.c - the server log: leveled lines to stderr (or the logfile setting),
 * in Redis's layout "pid:role date time.ms <mark> message".
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "server.h"

static const char *const level_names[] = {"debug", "verbose", "notice", "warning"};

int log_level_from_name(const char *name) {
    for (int i = 0; i < 4; i++)
        if (strcasecmp(name, level_names[i]) == 0) return i;
    return -1;
}

static void log_write(int level, const char *prefix, const char *format, va_list args) {
    if (level < server.settings.log_level) return;
    static const char marks[] = ".-*#";
    char message[2048];
    vsnprintf(message, sizeof(message), format, args);
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
        if (opened) out = opened;
    }
    fprintf(out, "%d:M %s %c %s%s\n", (int)getpid(), when, marks[level], prefix, message);
    if (opened) fclose(opened);
    else fflush(out);
}

void server_log(int level, const char *format, ...) {
    va_list args;
    va_start(args, format);
    log_write(level, "", format, args);
    va_end(args);
}

void dblite_log(const dblite_module *module, const char *level, const char *format, ...) {
    int numeric = log_level_from_name(level);
    if (numeric < 0) numeric = LOG_NOTICE;
    char prefix[128];
    snprintf(prefix, sizeof(prefix), "<%s> ", module ? module->name : "?");
    va_list args;
    va_start(args, format);
    log_write(numeric, prefix, format, args);
    va_end(args);
}
