/*
 * lists_commands_pop.c - removing elements from an end: LPOP and RPOP
 * (one element, or up to count as an array) and LMPOP (the first non-empty
 * list of several).  LMPOP is propagated as the LPOP/RPOP with count that
 * it amounted to, so a replica or log replay pops the same elements.
 */
#include <limits.h>
#include <stdio.h>

#include "list_access.h"
#include "lists.h"

/* Replies count elements from one end, in popping order, then pops them. */
static void reply_and_pop(dblite_ctx *ctx, list_value *list, int where, size_t count)
{
    list_position position;
    int more = list_value_seek(list, where == LIST_HEAD ? 0 : -1, &position);
    for (size_t index = 0; index < count && more; index++) {
        list_reply_position(ctx, list, &position);
        more = where == LIST_HEAD ? list_value_next(list, &position)
                                  : list_value_prev(list, &position);
    }
    list_value_pop(list, where, count, list_fill(ctx));
}

static void pop_generic(dblite_ctx *ctx, int argc, const dblite_bytes *argv, int where)
{
    if (argc > 3) {
        dblite_reply_wrong_arity(ctx);
        return;
    }
    int has_count = argc == 3;
    long long count = 1;
    if (has_count &&
        list_parse_range_or_reply(ctx, argv[2], 0, LLONG_MAX,
                                  "value is out of range, must be positive", &count) != DBLITE_OK)
        return;
    list_value *list;
    if (list_lookup_or_reply(ctx, argv[1], DBLITE_LOOKUP_WRITE, &list) != DBLITE_OK)
        return;
    if (list == NULL || list_value_length(list) == 0) {
        if (has_count)
            dblite_reply_null_array(ctx);
        else
            dblite_reply_null(ctx);
        return;
    }
    if (has_count && count == 0) {
        dblite_reply_array(ctx, 0);
        return;
    }
    size_t length = list_value_length(list);
    size_t popped = (unsigned long long)count < length ? (size_t)count : length;
    if (has_count)
        dblite_reply_array(ctx, (long long)popped);
    reply_and_pop(ctx, list, where, popped);
    list_removed_elements(ctx, argv[1], list, list_pop_event(where));
}

void lists_lpop_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv)
{
    pop_generic(ctx, argc, argv, LIST_HEAD);
}

void lists_rpop_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv)
{
    pop_generic(ctx, argc, argv, LIST_TAIL);
}

void lists_pop_with_key(dblite_ctx *ctx, dblite_bytes key, list_value *list, int where,
                        long long count)
{
    size_t length = list_value_length(list);
    size_t popped = (unsigned long long)count < length ? (size_t)count : length;
    char count_text[24];
    int count_length = snprintf(count_text, sizeof(count_text), "%zu", popped);
    dblite_bytes propagated[3] = {
        {where == LIST_HEAD ? "LPOP" : "RPOP", 4}, key, {count_text, (size_t)count_length}};
    dblite_propagate_replace(ctx, 3, propagated);
    dblite_reply_array(ctx, 2);
    dblite_reply_bulk(ctx, key.ptr, key.len);
    dblite_reply_array(ctx, (long long)popped);
    reply_and_pop(ctx, list, where, popped);
    list_removed_elements(ctx, key, list, list_pop_event(where));
}

int lists_parse_mpop(dblite_ctx *ctx, int argc, const dblite_bytes *argv, int numkeys_index,
                     lists_mpop_arguments *arguments)
{
    long long numkeys;
    if (list_parse_range_or_reply(ctx, argv[numkeys_index], 1, LLONG_MAX,
                                  "numkeys should be greater than 0", &numkeys) != DBLITE_OK)
        return DBLITE_ERR_INVALID;
    if (numkeys >= argc - numkeys_index - 1) {
        dblite_reply_syntax_error(ctx);
        return DBLITE_ERR_INVALID;
    }
    int where_index = numkeys_index + 1 + (int)numkeys;
    if (list_parse_end_or_reply(ctx, argv[where_index], &arguments->where) != DBLITE_OK)
        return DBLITE_ERR_INVALID;
    arguments->keys = argv + numkeys_index + 1;
    arguments->key_count = (int)numkeys;
    arguments->count = -1;
    for (int index = where_index + 1; index < argc; index++) {
        if (arguments->count == -1 && dblite_bytes_equal_nocase(argv[index], "count") &&
            index + 1 < argc) {
            if (list_parse_range_or_reply(ctx, argv[++index], 1, LLONG_MAX,
                                          "count should be greater than 0",
                                          &arguments->count) != DBLITE_OK)
                return DBLITE_ERR_INVALID;
        } else {
            dblite_reply_syntax_error(ctx);
            return DBLITE_ERR_INVALID;
        }
    }
    if (arguments->count == -1)
        arguments->count = 1;
    return DBLITE_OK;
}

/* LMPOP numkeys key [key ...] LEFT|RIGHT [COUNT count] */
void lists_lmpop_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv)
{
    lists_mpop_arguments arguments;
    if (lists_parse_mpop(ctx, argc, argv, 1, &arguments) != DBLITE_OK)
        return;
    for (int index = 0; index < arguments.key_count; index++) {
        list_value *list;
        if (list_lookup_or_reply(ctx, arguments.keys[index], DBLITE_LOOKUP_WRITE, &list) !=
            DBLITE_OK)
            return;
        if (list == NULL || list_value_length(list) == 0)
            continue;
        lists_pop_with_key(ctx, arguments.keys[index], list, arguments.where, arguments.count);
        return;
    }
    dblite_reply_null_array(ctx);
}
