/*
 * command_docs.c - COMMAND DOCS to a sorted table (see command_docs.h).
 *
 * The reply is read with reply_map_get, which accepts both the RESP3 map
 * and the RESP2 flat key/value array, so the table is the same whichever
 * protocol the session speaks.
 */
#include "docs/command_docs.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static char *copy_text(const reply *text_reply, int upper)
{
    const char *text = "";
    size_t length = 0;
    if (text_reply && text_reply->text &&
        (text_reply->type == REPLY_STRING || text_reply->type == REPLY_STATUS ||
         text_reply->type == REPLY_VERBATIM)) {
        text = text_reply->text;
        length = text_reply->length;
    }
    char *copy = malloc(length + 1);
    if (!copy)
        return NULL;
    for (size_t index = 0; index < length; index++) {
        char byte = text[index];
        if (upper)
            byte = (char)toupper((unsigned char)byte);
        /* Subcommands come as "config|get"; help shows "CONFIG GET". */
        copy[index] = byte == '|' ? ' ' : byte;
    }
    copy[length] = '\0';
    return copy;
}

static int has_flag(const reply *argument, const char *flag)
{
    const reply *flags = reply_map_get(argument, "flags");
    if (!flags || !reply_is_aggregate(flags->type))
        return 0;
    for (size_t index = 0; index < flags->element_count; index++) {
        if (reply_text_equals(flags->elements[index], flag))
            return 1;
    }
    return 0;
}

static int append_text_reply(byte_buffer *out, const reply *text_reply)
{
    return byte_buffer_append(out, text_reply->text, text_reply->length);
}

/* An empty token (MIGRATE's empty key) is shown as the "" one types. */
static int append_token(byte_buffer *out, const reply *token)
{
    if (token->length == 0)
        return byte_buffer_append_string(out, "\"\"");
    return append_text_reply(out, token);
}

static int render_argument(byte_buffer *out, const reply *argument);

static int render_list(byte_buffer *out, const reply *arguments, const char *separator)
{
    if (!arguments || !reply_is_aggregate(arguments->type))
        return 0;
    for (size_t index = 0; index < arguments->element_count; index++) {
        if (index > 0 && byte_buffer_append_string(out, separator) != 0)
            return -1;
        if (render_argument(out, arguments->elements[index]) != 0)
            return -1;
    }
    return 0;
}

/* The argument's own text before token, repetition and brackets. */
static int render_core(byte_buffer *out, const reply *argument)
{
    const reply *type = reply_map_get(argument, "type");
    if (reply_text_equals(type, "block"))
        return render_list(out, reply_map_get(argument, "arguments"), " ");
    if (reply_text_equals(type, "oneof"))
        return render_list(out, reply_map_get(argument, "arguments"), "|");
    if (reply_text_equals(type, "pure-token"))
        return 0;
    const reply *name = reply_map_get(argument, "display_text");
    if (!name || !name->text)
        name = reply_map_get(argument, "name");
    if (!name || !name->text)
        return 0;
    return append_text_reply(out, name);
}

static int render_argument(byte_buffer *out, const reply *argument)
{
    byte_buffer core;
    byte_buffer_init(&core);
    int status = render_core(&core, argument);
    const reply *token = reply_map_get(argument, "token");
    if (token && !token->text)
        token = NULL;
    int optional = has_flag(argument, "optional");
    if (status == 0 && optional)
        status = byte_buffer_append_char(out, '[');
    if (status == 0 && token) {
        status = append_token(out, token);
        if (status == 0 && core.length)
            status = byte_buffer_append_char(out, ' ');
    }
    if (status == 0)
        status = byte_buffer_append(out, core.data, core.length);
    if (status == 0 && has_flag(argument, "multiple")) {
        status = byte_buffer_append_string(out, " [");
        if (status == 0 && token && has_flag(argument, "multiple_token")) {
            status = append_token(out, token);
            if (status == 0)
                status = byte_buffer_append_char(out, ' ');
        }
        if (status == 0)
            status = byte_buffer_append(out, core.data, core.length);
        if (status == 0)
            status = byte_buffer_append_string(out, " ...]");
    }
    if (status == 0 && optional)
        status = byte_buffer_append_char(out, ']');
    byte_buffer_free(&core);
    return status;
}

int command_docs_render_arguments(byte_buffer *out, const reply *arguments)
{
    return render_list(out, arguments, " ");
}

static void free_entry(command_doc *entry)
{
    free(entry->name);
    free(entry->summary);
    free(entry->since);
    free(entry->group);
    free(entry->usage);
}

void command_docs_free(command_docs *docs)
{
    for (size_t index = 0; index < docs->count; index++)
        free_entry(&docs->entries[index]);
    free(docs->entries);
    docs->entries = NULL;
    docs->count = 0;
}

static int add_entry(command_docs *docs, size_t *capacity, const reply *name, const reply *doc,
                     int is_subcommand)
{
    if (docs->count == *capacity) {
        size_t grown = *capacity ? *capacity * 2 : 256;
        command_doc *entries = realloc(docs->entries, grown * sizeof(*entries));
        if (!entries)
            return -1;
        docs->entries = entries;
        *capacity = grown;
    }
    command_doc entry;
    memset(&entry, 0, sizeof(entry));
    entry.is_subcommand = is_subcommand;
    entry.name = copy_text(name, 1);
    entry.summary = copy_text(reply_map_get(doc, "summary"), 0);
    entry.since = copy_text(reply_map_get(doc, "since"), 0);
    entry.group = copy_text(reply_map_get(doc, "group"), 0);
    byte_buffer usage;
    byte_buffer_init(&usage);
    int status = command_docs_render_arguments(&usage, reply_map_get(doc, "arguments"));
    if (status == 0 && !usage.data)
        status = byte_buffer_append(&usage, "", 0);
    entry.usage = usage.data;
    if (status != 0 || !entry.name || !entry.summary || !entry.since || !entry.group) {
        free_entry(&entry);
        return -1;
    }
    docs->entries[docs->count++] = entry;
    return 0;
}

static int compare_entries(const void *left, const void *right)
{
    return strcmp(((const command_doc *)left)->name, ((const command_doc *)right)->name);
}

int command_docs_load(command_docs *docs, const reply *docs_reply)
{
    docs->entries = NULL;
    docs->count = 0;
    if (!docs_reply || (docs_reply->type != REPLY_MAP && docs_reply->type != REPLY_ARRAY))
        return 0;
    size_t capacity = 0;
    for (size_t index = 0; index + 1 < docs_reply->element_count; index += 2) {
        const reply *name = docs_reply->elements[index];
        const reply *doc = docs_reply->elements[index + 1];
        if (!name->text)
            continue;
        if (add_entry(docs, &capacity, name, doc, 0) != 0)
            goto failed;
        const reply *subcommands = reply_map_get(doc, "subcommands");
        if (!subcommands || !reply_is_aggregate(subcommands->type))
            continue;
        for (size_t sub = 0; sub + 1 < subcommands->element_count; sub += 2) {
            if (!subcommands->elements[sub]->text)
                continue;
            if (add_entry(docs, &capacity, subcommands->elements[sub],
                          subcommands->elements[sub + 1], 1) != 0)
                goto failed;
        }
    }
    if (docs->count > 1)
        qsort(docs->entries, docs->count, sizeof(*docs->entries), compare_entries);
    return 0;
failed:
    command_docs_free(docs);
    return -1;
}

const command_doc *command_docs_find(const command_docs *docs, const char *name)
{
    for (size_t index = 0; index < docs->count; index++) {
        if (strcasecmp(docs->entries[index].name, name) == 0)
            return &docs->entries[index];
    }
    return NULL;
}
