/*
 * history.c - plain-text command history (see history.h).
 */
#define _GNU_SOURCE
#include "modes/history.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <fcntl.h>
#include <unistd.h>

#include <editline/readline.h>

/* History can hold keys and values: readable by its owner only. */
static FILE *open_private(const char *path, int flags, const char *mode)
{
    int fd = open(path, flags | O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0)
        return NULL;
    FILE *file = fdopen(fd, mode);
    if (!file)
        close(fd);
    return file;
}

char *history_path(void)
{
    const char *override = getenv("DBLITE_CLI_HISTFILE");
    if (override) {
        if (override[0] == '\0' || strcmp(override, "/dev/null") == 0)
            return NULL;
        if (override[0] == '~' && override[1] == '/') {
            const char *home = getenv("HOME");
            if (home) {
                char *path;
                return asprintf(&path, "%s%s", home, override + 1) < 0 ? NULL : path;
            }
        }
        return strdup(override);
    }
    const char *home = getenv("HOME");
    if (!home || home[0] == '\0')
        return NULL;
    char *path;
    return asprintf(&path, "%s/.dblite_cli_history", home) < 0 ? NULL : path;
}

/* Rewrites the file with only its newest lines. */
static void trim_file(const char *path, char **lines, size_t first, size_t count)
{
    char temporary[4096];
    if (snprintf(temporary, sizeof(temporary), "%s.tmp", path) >= (int)sizeof(temporary))
        return;
    FILE *file = open_private(temporary, O_TRUNC, "w");
    if (!file)
        return;
    int failed = 0;
    for (size_t index = first; index < count && !failed; index++)
        failed = fprintf(file, "%s\n", lines[index]) < 0;
    if (fclose(file) != 0 || failed || rename(temporary, path) != 0)
        remove(temporary);
}

int history_load(const char *path)
{
    FILE *file = fopen(path, "r");
    if (!file)
        return 0;
    char **lines = NULL;
    size_t count = 0, capacity = 0;
    char *line = NULL;
    size_t line_capacity = 0;
    ssize_t length;
    int status = 0;
    while ((length = getline(&line, &line_capacity, file)) >= 0) {
        while (length > 0 && (line[length - 1] == '\n' || line[length - 1] == '\r'))
            line[--length] = '\0';
        if (length == 0)
            continue;
        if (count == capacity) {
            size_t grown = capacity ? capacity * 2 : 256;
            char **bigger = realloc(lines, grown * sizeof(*bigger));
            if (!bigger) {
                status = -1;
                break;
            }
            lines = bigger;
            capacity = grown;
        }
        lines[count] = strdup(line);
        if (!lines[count]) {
            status = -1;
            break;
        }
        count++;
    }
    if (ferror(file))
        status = -1;
    free(line);
    fclose(file);
    size_t first = count > HISTORY_MAX_LINES ? count - HISTORY_MAX_LINES : 0;
    for (size_t index = first; index < count; index++)
        add_history(lines[index]);
    if (status == 0 && count > 2 * HISTORY_MAX_LINES)
        trim_file(path, lines, first, count);
    for (size_t index = 0; index < count; index++)
        free(lines[index]);
    free(lines);
    return status;
}

int history_record(const char *path, const char *line)
{
    add_history(line);
    if (!path)
        return 0;
    FILE *file = open_private(path, O_APPEND, "a");
    if (!file)
        return -1;
    int failed = fprintf(file, "%s\n", line) < 0;
    return fclose(file) != 0 || failed ? -1 : 0;
}

int history_is_sensitive(int argc, char *const *argv)
{
    if (argc == 0)
        return 0;
    if (!strcasecmp(argv[0], "auth"))
        return 1;
    if (!strcasecmp(argv[0], "acl") && argc > 1 && !strcasecmp(argv[1], "setuser"))
        return 1;
    if (!strcasecmp(argv[0], "hello") || !strcasecmp(argv[0], "migrate")) {
        for (int index = 1; index < argc; index++) {
            if (!strcasecmp(argv[index], "auth") || !strcasecmp(argv[index], "auth2"))
                return 1;
        }
    }
    return 0;
}
