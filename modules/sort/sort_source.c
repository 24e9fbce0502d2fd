/*
 * sort_source.c - the elements of the key SORT sorts, read through
 * dblite_call with the family's own commands (LRANGE, SMEMBERS, ZRANGE), so sort.so needs no family's internals.  The calls are
 * internal (DBLITE_CALL_INTERNAL: SORT's own MONITOR line and statistics
 * are all Redis shows) and read in RESP2, where each is a flat array of
 * bulk strings whatever the client speaks.
 */
#include <string.h>

#include "sort.h"

#define SORT_CALL_FLAGS (DBLITE_CALL_INTERNAL | DBLITE_CALL_RESP2)

static dblite_call_reply *read_elements(dblite_ctx *ctx, sort_kind kind, dblite_bytes key, int all,
                                        long long first, long long last)
{
    if (kind == SORT_KIND_SET) {
        dblite_bytes argv[2] = {{"SMEMBERS", 8}, key};
        return dblite_call(ctx, 2, argv, SORT_CALL_FLAGS);
    }
    char first_text[DBLITE_LONG_LONG_TEXT_SIZE], last_text[DBLITE_LONG_LONG_TEXT_SIZE];
    size_t first_length = dblite_format_long_long(first_text, sizeof(first_text), all ? 0 : first);
    size_t last_length = dblite_format_long_long(last_text, sizeof(last_text), all ? -1 : last);
    dblite_bytes argv[4] = {kind == SORT_KIND_LIST ? (dblite_bytes){"LRANGE", 6}
                                                   : (dblite_bytes){"ZRANGE", 6},
                            key,
                            {first_text, first_length},
                            {last_text, last_length}};
    return dblite_call(ctx, 4, argv, SORT_CALL_FLAGS);
}

int sort_source_load(dblite_ctx *ctx, sort_kind kind, dblite_bytes key, int all, long long first,
                     long long last, int reverse, sort_source *source)
{
    *source = (sort_source){0};
    source->reply = read_elements(ctx, kind, key, all, first, last);
    if (!source->reply)
        return DBLITE_ERR_NOMEM;
    dblite_call_kind kind_of = dblite_call_reply_kind(source->reply);
    if (kind_of == DBLITE_CALL_REPLY_ERROR)
        return DBLITE_ERR;
    if (kind_of != DBLITE_CALL_REPLY_ARRAY && kind_of != DBLITE_CALL_REPLY_SET)
        return DBLITE_OK; /* nothing there */
    size_t count = dblite_call_reply_length(source->reply);
    source->elements = dblite_calloc(sizeof(*source->elements) * (count ? count : 1));
    if (!source->elements)
        return DBLITE_ERR_NOMEM;
    for (size_t i = 0; i < count; i++) {
        const dblite_call_reply *element = dblite_call_reply_element(source->reply, i);
        sort_element *out = &source->elements[reverse ? count - 1 - i : i];
        out->ptr = dblite_call_reply_string(element, &out->len);
        if (!out->ptr)
            out->ptr = "";
    }
    source->count = count;
    return DBLITE_OK;
}

void sort_source_release(sort_source *source)
{
    if (source->elements)
        for (size_t i = 0; i < source->count; i++)
            dblite_free(source->elements[i].by_value);
    dblite_free(source->elements);
    dblite_call_reply_free(source->reply);
    *source = (sort_source){0};
}
