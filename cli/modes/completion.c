/*
 * completion.c - libedit completion callbacks (see completion.h).
 *
 * The readline interface calls back without a context pointer, so the
 * session these callbacks read is kept in the one file-scope variable of
 * the client.  It is set only while the interactive loop runs.
 */
#include "modes/completion.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <editline/readline.h>

#include "docs/help.h"

static cli_session *completion_session;

/* Candidates collected for one Tab press. */
typedef struct candidate_list {
    char **items; /* slot 0 is left for the common prefix */
    size_t count; /* candidates, not counting slot 0 */
    size_t capacity;
    int failed;
} candidate_list;

static void add_candidate(candidate_list *list, const char *word, size_t length, int lower)
{
    if (list->failed)
        return;
    for (size_t index = 1; index <= list->count; index++) {
        if (strlen(list->items[index]) == length && !strncasecmp(list->items[index], word, length))
            return; /* "help CONFIG" and its subcommands share a word */
    }
    /* +3: the prefix slot, and two NULLs that libedit may both look at. */
    if (list->count + 3 > list->capacity) {
        size_t capacity = list->capacity ? list->capacity * 2 : 32;
        char **items = realloc(list->items, capacity * sizeof(*items));
        if (!items) {
            list->failed = 1;
            return;
        }
        list->items = items;
        list->capacity = capacity;
    }
    char *copy = malloc(length + 1);
    if (!copy) {
        list->failed = 1;
        return;
    }
    for (size_t index = 0; index < length; index++)
        copy[index] = (char)(lower ? tolower((unsigned char)word[index])
                                   : toupper((unsigned char)word[index]));
    copy[length] = '\0';
    list->items[++list->count] = copy;
}

static void free_candidates(candidate_list *list)
{
    for (size_t index = 1; index <= list->count; index++)
        free(list->items[index]);
    free(list->items);
}

/* Turns the candidates into readline's match array: the longest common
 * prefix first, then each candidate, NULL-terminated.  NULL when empty. */
static char **to_matches(candidate_list *list)
{
    if (list->failed || list->count == 0) {
        free_candidates(list);
        return NULL;
    }
    if (list->count == 1) {
        /* One candidate is the whole answer, alone in the array. */
        list->items[0] = list->items[1];
        list->items[1] = NULL;
        list->items[2] = NULL;
        return list->items;
    }
    size_t common = strlen(list->items[1]);
    for (size_t index = 2; index <= list->count; index++) {
        size_t same = 0;
        while (same < common && list->items[index][same] == list->items[1][same])
            same++;
        common = same;
    }
    char *prefix = malloc(common + 1);
    if (!prefix) {
        free_candidates(list);
        return NULL;
    }
    memcpy(prefix, list->items[1], common);
    prefix[common] = '\0';
    list->items[0] = prefix;
    list->items[list->count + 1] = NULL;
    list->items[list->count + 2] = NULL;
    return list->items;
}

/* Lower case when the user started in lower case, as redis-cli does. */
static int wants_lower_case(const char *text)
{
    return text[0] != '\0' && islower((unsigned char)text[0]);
}

/* Counts the complete words of the line before position end (the word
 * being completed does not count) and copies the first two, cut to 63
 * bytes, into first and second. */
static size_t words_before(const char *line, int end, char first[64], char second[64])
{
    size_t count = 0;
    int index = 0;
    first[0] = second[0] = '\0';
    while (index < end) {
        while (index < end && isspace((unsigned char)line[index]))
            index++;
        int start = index;
        while (index < end && !isspace((unsigned char)line[index]))
            index++;
        if (index == start)
            break;
        if (index == end)
            break; /* the word being completed */
        char *slot = count == 0 ? first : count == 1 ? second : NULL;
        if (slot) {
            size_t length = (size_t)(index - start) < 63 ? (size_t)(index - start) : 63;
            memcpy(slot, line + start, length);
            slot[length] = '\0';
        }
        count++;
    }
    return count;
}

static void show_usage_hint(const command_docs *docs, const char *first, const char *second)
{
    char name[160];
    snprintf(name, sizeof(name), "%s %s", first, second);
    const command_doc *doc = second[0] ? command_docs_find(docs, name) : NULL;
    if (!doc)
        doc = command_docs_find(docs, first);
    if (!doc)
        return;
    byte_buffer line;
    byte_buffer_init(&line);
    if (help_format_usage_line(&line, doc) == 0 && line.data) {
        FILE *out = rl_outstream ? rl_outstream : stdout;
        fprintf(out, "\n  %s\n", line.data);
        fflush(out);
        rl_forced_update_display();
    }
    byte_buffer_free(&line);
}

static char **complete_line(const char *text, int start, int end)
{
    (void)start;
    rl_attempted_completion_over = 1; /* never fall back to file names */
    if (!completion_session)
        return NULL;
    const command_docs *docs = session_docs(completion_session);
    if (!docs)
        return NULL;
    char first[64], second[64];
    size_t position = words_before(rl_line_buffer, end, first, second);
    size_t typed = strlen(text);
    int lower = wants_lower_case(text);
    candidate_list list = {NULL, 0, 0, 0};

    if (position == 0) {
        for (size_t index = 0; index < docs->count; index++) {
            const command_doc *doc = &docs->entries[index];
            if (!doc->is_subcommand && !strncasecmp(doc->name, text, typed))
                add_candidate(&list, doc->name, strlen(doc->name), lower);
        }
        if (!strncasecmp("help", text, typed))
            add_candidate(&list, "help", 4, lower);
        return to_matches(&list);
    }
    if (position == 1 && (!strcasecmp(first, "help") || !strcmp(first, "?"))) {
        for (size_t index = 0; index < docs->count; index++) {
            const command_doc *doc = &docs->entries[index];
            size_t word_length = strcspn(doc->name, " ");
            if (word_length >= typed && !strncasecmp(doc->name, text, typed))
                add_candidate(&list, doc->name, word_length, lower);
            char group[80];
            int group_length = snprintf(group, sizeof(group), "@%s", doc->group);
            if (group_length > 1 && (size_t)group_length < sizeof(group) &&
                !strncasecmp(group, text, typed))
                add_candidate(&list, group, (size_t)group_length, 1);
        }
        return to_matches(&list);
    }
    if (position == 1) {
        size_t first_length = strlen(first);
        for (size_t index = 0; index < docs->count; index++) {
            const command_doc *doc = &docs->entries[index];
            if (!doc->is_subcommand || strncasecmp(doc->name, first, first_length) != 0 ||
                doc->name[first_length] != ' ')
                continue;
            const char *word = doc->name + first_length + 1;
            if (!strncasecmp(word, text, typed))
                add_candidate(&list, word, strlen(word), lower);
        }
        if (list.count > 0)
            return to_matches(&list);
        free_candidates(&list);
    }
    show_usage_hint(docs, first, position >= 2 ? second : "");
    return NULL;
}

/* Completion without our callback would list file names. */
static char *no_entries(const char *text, int state)
{
    (void)text;
    (void)state;
    return NULL;
}

void completion_install(cli_session *session)
{
    completion_session = session;
    rl_attempted_completion_function = complete_line;
    rl_completion_entry_function = no_entries;
    rl_completion_append_character = ' ';
}

void completion_uninstall(void)
{
    completion_session = NULL;
    rl_attempted_completion_function = NULL;
}
