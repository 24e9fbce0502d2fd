/*
 * help.c - the client-side "help" command (see help.h).  The escape codes
 * are redis-cli's, written whether or not stdout is a terminal, so the
 * output matches it byte for byte.
 */
#include "docs/help.h"

#include <string.h>
#include <strings.h>

#include "options.h"

#ifndef DBLITE_CLI_VERSION
#define DBLITE_CLI_VERSION "0.0.0"
#endif

static int format_entry(byte_buffer *out, const command_doc *doc, int show_group)
{
    if (byte_buffer_append_format(out,
                                  "\r\n  \x1b[1m%s\x1b[0m \x1b[90m%s\x1b[0m\r\n"
                                  "  \x1b[33msummary:\x1b[0m %s\r\n"
                                  "  \x1b[33msince:\x1b[0m %s\r\n",
                                  doc->name, doc->usage, doc->summary, doc->since) != 0)
        return -1;
    if (show_group &&
        byte_buffer_append_format(out, "  \x1b[33mgroup:\x1b[0m %s\r\n", doc->group) != 0)
        return -1;
    return 0;
}

static int format_banner(byte_buffer *out)
{
    return byte_buffer_append_string(
        out, DBLITE_CLI_NAME " " DBLITE_CLI_VERSION "\n"
                             "To get help about commands type:\n"
                             "      \"help @<group>\" to get a list of commands in <group>\n"
                             "      \"help <command>\" for help on <command>\n"
                             "      \"help <tab>\" to get a list of possible help topics\n"
                             "      \"quit\" to exit\n");
}

/* 1 when the entry's name starts with the given words (whole words,
 * case-insensitive): "config" matches "CONFIG" and "CONFIG GET". */
static int name_starts_with_words(const char *name, size_t word_count, char *const *words)
{
    const char *cursor = name;
    for (size_t index = 0; index < word_count; index++) {
        size_t length = strlen(words[index]);
        if (strncasecmp(cursor, words[index], length) != 0)
            return 0;
        cursor += length;
        if (*cursor == ' ')
            cursor++;
        else if (*cursor != '\0' || index + 1 < word_count)
            return 0;
    }
    return 1;
}

int help_format(byte_buffer *out, const command_docs *docs, size_t word_count, char *const *words)
{
    if (word_count == 0)
        return format_banner(out);
    int status = 0;
    const char *group = words[0][0] == '@' ? words[0] + 1 : NULL;
    for (size_t index = 0; index < docs->count && status == 0; index++) {
        const command_doc *doc = &docs->entries[index];
        if (group) {
            if (strcasecmp(doc->group, group) == 0)
                status = format_entry(out, doc, 0);
        } else if (name_starts_with_words(doc->name, word_count, words)) {
            status = format_entry(out, doc, 1);
        }
    }
    return status == 0 ? byte_buffer_append_string(out, "\r\n") : status;
}

int help_format_usage_line(byte_buffer *out, const command_doc *doc)
{
    if (!doc)
        return 0;
    return byte_buffer_append_format(out, "%s%s%s", doc->name, doc->usage[0] ? " " : "",
                                     doc->usage);
}
