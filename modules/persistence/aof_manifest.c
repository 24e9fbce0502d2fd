/*
 * aof_manifest.c - see aof_manifest.h.
 */
#include "aof_manifest.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <limits.h>
#include <unistd.h>

#include "dblite_module.h"
#include "durable_file.h"

#define MANIFEST_MAX_LINE 1024
#define MANIFEST_MAX_ARGS 32

static int hex_value(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    return tolower(c) - 'a' + 10;
}

/* Redis's sdssplitargs over line, in place: words separated by blanks,
 * "double quoted" with \n \r \t \b \a \\ \" \xHH escapes, 'single quoted'
 * with \'.  A closing quote must be followed by a blank or the end.
 * Returns the count, or -1 for unbalanced quotes or too many words. */
static int split_arguments(char *line, char **words, int capacity)
{
    int count = 0;
    char *p = line;
    for (;;) {
        while (*p && isspace((unsigned char)*p))
            p++;
        if (*p == '\0')
            return count;
        if (count == capacity)
            return -1;
        char *out = p;
        words[count++] = out;
        int in_double = 0, in_single = 0, done = 0;
        while (!done) {
            if (in_double) {
                if (p[0] == '\\' && p[1] == 'x' && isxdigit((unsigned char)p[2]) &&
                    isxdigit((unsigned char)p[3])) {
                    *out++ = (char)(hex_value(p[2]) * 16 + hex_value(p[3]));
                    p += 3;
                } else if (p[0] == '\\' && p[1]) {
                    p++;
                    char c = *p;
                    *out++ = c == 'n'   ? '\n'
                             : c == 'r' ? '\r'
                             : c == 't' ? '\t'
                             : c == 'b' ? '\b'
                             : c == 'a' ? '\a'
                                        : c;
                } else if (*p == '"') {
                    if (p[1] && !isspace((unsigned char)p[1]))
                        return -1;
                    done = 1;
                } else if (*p == '\0') {
                    return -1;
                } else {
                    *out++ = *p;
                }
            } else if (in_single) {
                if (p[0] == '\\' && p[1] == '\'') {
                    p++;
                    *out++ = '\'';
                } else if (*p == '\'') {
                    if (p[1] && !isspace((unsigned char)p[1]))
                        return -1;
                    done = 1;
                } else if (*p == '\0') {
                    return -1;
                } else {
                    *out++ = *p;
                }
            } else if (*p == '\0' || isspace((unsigned char)*p)) {
                done = 1;
                if (*p == '\0') {
                    *out = '\0';
                    return count;
                }
            } else if (*p == '"') {
                in_double = 1;
            } else if (*p == '\'') {
                in_single = 1;
            } else {
                *out++ = *p;
            }
            if (*p)
                p++;
        }
        *out = '\0';
    }
}

static int write_all(int fd, const char *data, size_t length)
{
    while (length > 0) {
        ssize_t written = write(fd, data, length);
        if (written < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        data += written;
        length -= (size_t)written;
    }
    return 0;
}

static char *copy_string(const char *text)
{
    size_t length = strlen(text);
    char *copy = dblite_alloc(length + 1);
    if (copy != NULL)
        memcpy(copy, text, length + 1);
    return copy;
}

void aof_manifest_release(aof_manifest *manifest)
{
    dblite_free(manifest->base.name);
    for (size_t i = 0; i < manifest->incr_count; i++)
        dblite_free(manifest->incr[i].name);
    dblite_free(manifest->incr);
    for (size_t i = 0; i < manifest->history_count; i++)
        dblite_free(manifest->history[i].name);
    dblite_free(manifest->history);
    memset(manifest, 0, sizeof(*manifest));
}

int aof_manifest_add_file(aof_manifest_file **files, size_t *count, char *name, long long seq)
{
    aof_manifest_file *grown = dblite_realloc(*files, (*count + 1) * sizeof(*grown));
    if (grown == NULL)
        return -1;
    *files = grown;
    grown[*count].name = name;
    grown[*count].seq = seq;
    (*count)++;
    return 0;
}

/* One line ("file NAME seq N type T"): NULL, or Redis's complaint. */
static const char *parse_line(char *line, aof_manifest *manifest, long long *max_seq)
{
    char *words[MANIFEST_MAX_ARGS];
    int count = split_arguments(line, words, MANIFEST_MAX_ARGS);
    /* 'argc < 6' was done for forward compatibility (Redis). */
    if (count < 6 || count % 2)
        return "Invalid AOF manifest file format";
    const char *name = NULL;
    long long seq = 0;
    char type = 0;
    for (int i = 0; i < count; i += 2) {
        if (strcasecmp(words[i], "file") == 0) {
            name = words[i + 1];
            if (strchr(name, '/') != NULL)
                return "File can't be a path, just a filename";
        } else if (strcasecmp(words[i], "seq") == 0) {
            seq = atoll(words[i + 1]);
        } else if (strcasecmp(words[i], "type") == 0) {
            type = words[i + 1][0];
        }
    }
    if (name == NULL || name[0] == '\0' || seq == 0 || type == 0)
        return "Invalid AOF manifest file format";
    if (type == 'b') {
        if (manifest->base.name != NULL)
            return "Found duplicate base file information";
        if ((manifest->base.name = copy_string(name)) == NULL)
            return "out of memory";
        manifest->base.seq = seq;
    } else if (type == 'h') {
        /* history: deleted by Redis after a rewrite, never loaded, but
         * kept in a manifest written back so Redis still deletes it */
        char *copy = copy_string(name);
        if (copy == NULL ||
            aof_manifest_add_file(&manifest->history, &manifest->history_count, copy, seq) != 0) {
            dblite_free(copy);
            return "out of memory";
        }
    } else if (type == 'i') {
        if (seq <= *max_seq)
            return "Found a non-monotonic sequence number";
        char *copy = copy_string(name);
        if (copy == NULL ||
            aof_manifest_add_file(&manifest->incr, &manifest->incr_count, copy, seq) != 0) {
            dblite_free(copy);
            return "out of memory";
        }
        *max_seq = seq;
    } else {
        return "Unknown AOF file type";
    }
    return NULL;
}

int aof_manifest_load(const char *path, aof_manifest *manifest, char *error, size_t error_size)
{
    memset(manifest, 0, sizeof(*manifest));
    FILE *file = fopen(path, "r");
    if (file == NULL) {
        snprintf(error, error_size,
                 "Fatal error: can't open the AOF manifest file %s for reading: %s", path,
                 strerror(errno));
        return -1;
    }
    char buffer[MANIFEST_MAX_LINE + 1];
    int line_number = 0;
    long long max_seq = 0;
    const char *problem = NULL;
    char shown[MANIFEST_MAX_LINE + 1] = "";
    int have_line = 0;
    for (;;) {
        have_line = 0;
        if (fgets(buffer, sizeof(buffer), file) == NULL) {
            if (ferror(file))
                problem = "Read AOF manifest failed";
            else if (line_number == 0)
                problem = "Found an empty AOF manifest";
            break;
        }
        line_number++;
        if (buffer[0] == '#')
            continue;
        if (strchr(buffer, '\n') == NULL) {
            problem = "The AOF manifest file contains too long line";
            break;
        }
        /* sdstrim(" \t\r\n") */
        char *start = buffer;
        while (*start && strchr(" \t\r\n", *start))
            start++;
        size_t length = strlen(start);
        while (length > 0 && strchr(" \t\r\n", start[length - 1]))
            start[--length] = '\0';
        memcpy(shown, start, length + 1);
        have_line = 1;
        if (length == 0) {
            problem = "Invalid AOF manifest file format";
            break;
        }
        if ((problem = parse_line(start, manifest, &max_seq)) != NULL)
            break;
    }
    fclose(file);
    if (problem == NULL)
        return 0;
    aof_manifest_release(manifest);
    if (have_line)
        snprintf(error, error_size,
                 "*** FATAL AOF MANIFEST FILE ERROR *** Reading the manifest file %s, at line %d "
                 ">>> '%s' %s",
                 path, line_number, shown, problem);
    else
        snprintf(error, error_size, "*** FATAL AOF MANIFEST FILE ERROR *** %s: %s", path, problem);
    return -1;
}

/* Redis's sdsneedsrepr. */
static int needs_quoting(const char *name)
{
    for (const unsigned char *p = (const unsigned char *)name; *p; p++)
        if (*p == '\\' || *p == '"' || !isprint(*p) || isspace(*p))
            return 1;
    return 0;
}

/* Redis's sdscatrepr into out (room for 4 bytes per byte + 3). */
static void quote_name(const char *name, char *out)
{
    *out++ = '"';
    for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
        switch (*p) {
            case '\\':
                *out++ = '\\';
                *out++ = '\\';
                break;
            case '"':
                *out++ = '\\';
                *out++ = '"';
                break;
            case '\n':
                *out++ = '\\';
                *out++ = 'n';
                break;
            case '\r':
                *out++ = '\\';
                *out++ = 'r';
                break;
            case '\t':
                *out++ = '\\';
                *out++ = 't';
                break;
            case '\a':
                *out++ = '\\';
                *out++ = 'a';
                break;
            case '\b':
                *out++ = '\\';
                *out++ = 'b';
                break;
            default:
                if (isprint(*p))
                    *out++ = (char)*p;
                else
                    out += sprintf(out, "\\x%02x", *p);
        }
    }
    *out++ = '"';
    *out = '\0';
}

static int write_line(int fd, const aof_manifest_file *file, char type)
{
    size_t length = strlen(file->name);
    char *quoted = dblite_alloc(length * 4 + 3);
    if (quoted == NULL)
        return -1;
    if (needs_quoting(file->name))
        quote_name(file->name, quoted);
    else
        memcpy(quoted, file->name, length + 1);
    size_t size = strlen(quoted) + 64;
    char *line = dblite_alloc(size);
    int status = -1;
    if (line != NULL) {
        int written = snprintf(line, size, "file %s seq %lld type %c\n", quoted, file->seq, type);
        status = write_all(fd, line, (size_t)written);
    }
    dblite_free(line);
    dblite_free(quoted);
    return status;
}

int aof_manifest_save(const aof_manifest *manifest, const char *dir, const char *name, char *error,
                      size_t error_size)
{
    char temp[PATH_MAX], final[PATH_MAX];
    snprintf(temp, sizeof(temp), "%s/temp-%s", dir, name);
    snprintf(final, sizeof(final), "%s/%s", dir, name);
    int fd = durable_file_create(temp, error, error_size);
    if (fd < 0)
        return -1;
    int status = 0;
    if (manifest->base.name != NULL)
        status |= write_line(fd, &manifest->base, 'b');
    for (size_t i = 0; status == 0 && i < manifest->history_count; i++)
        status |= write_line(fd, &manifest->history[i], 'h');
    for (size_t i = 0; status == 0 && i < manifest->incr_count; i++)
        status |= write_line(fd, &manifest->incr[i], 'i');
    if (status != 0) {
        snprintf(error, error_size, "cannot write the AOF manifest %s: %s", temp,
                 errno ? strerror(errno) : "out of memory");
        durable_file_abandon(fd, temp);
        return -1;
    }
    return durable_file_commit(fd, temp, final, error, error_size);
}
