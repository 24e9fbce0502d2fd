/*
 * bloom_add_commands.c - the commands that add items:
 *
 *   BF.ADD key item                 -> 1 added, 0 may already be there
 *   BF.MADD key item [item ...]     -> one such answer per item
 *   BF.INSERT key [CAPACITY n] [ERROR rate] [EXPANSION n] [NOCREATE]
 *             [NONSCALING] ITEMS item [item ...]
 *
 * All three create a missing filter (BF.INSERT unless NOCREATE), the first
 * two with the [bloom] default-* settings.  Answers are booleans: #t/#f in
 * RESP3, 1/0 in RESP2.  An item that does not fit a full non-scaling filter
 * gets an error in its place of the array, as RedisBloom answers.
 *
 * Replication and the log must build the same filter, but the settings may
 * differ when they replay it, so a command that created its filter is
 * propagated as a BF.INSERT that spells every parameter out.  Adding to an
 * existing filter depends only on the items and is propagated as sent.
 */
#include <stdio.h>

#include "bloom_access.h"
#include "bloom_commands.h"

typedef struct add_request {
    dblite_bytes key;
    const dblite_bytes *items;
    int item_count;
    int single_reply; /* BF.ADD: the answer itself rather than an array */
    int may_create;
    /* BF.INSERT's options; settings fill in what was not given. */
    int error_rate_given, capacity_given, expansion_given;
    double error_rate;
    long long capacity, expansion;
} add_request;

static void request_init(add_request *request, const dblite_bytes *argv)
{
    request->key = argv[1];
    request->items = argv + 2;
    request->item_count = 0;
    request->single_reply = 0;
    request->may_create = 1;
    request->error_rate_given = request->capacity_given = request->expansion_given = 0;
    request->error_rate = 0;
    request->capacity = request->expansion = 0;
}

static int resolve_params(dblite_ctx *ctx, const bloom_state *state, const add_request *request,
                          bloom_params *params)
{
    if (request->error_rate_given)
        params->error_rate = request->error_rate;
    else if (!bloom_default_error_rate(ctx, state, &params->error_rate))
        return 0;
    params->capacity =
        request->capacity_given ? request->capacity : state->settings.default_capacity;
    params->expansion =
        request->expansion_given ? request->expansion : state->settings.default_expansion;
    return 1;
}

/* BF.INSERT key CAPACITY n ERROR rate (EXPANSION n | NONSCALING) ITEMS ... */
static int propagate_as_insert(dblite_ctx *ctx, const add_request *request,
                               const bloom_params *params)
{
    enum { MOST_FIXED_ARGUMENTS = 9 };
    dblite_bytes *command =
        dblite_alloc(sizeof(*command) * (size_t)(MOST_FIXED_ARGUMENTS + request->item_count));
    if (command == NULL)
        return 0;
    char rate_text[32], capacity_text[24], expansion_text[24];
    int rate_length = bloom_format_error_rate(rate_text, sizeof(rate_text), params->error_rate);
    int capacity_length = snprintf(capacity_text, sizeof(capacity_text), "%lld", params->capacity);
    int expansion_length =
        snprintf(expansion_text, sizeof(expansion_text), "%lld", params->expansion);
    int argc = 0;
    command[argc++] = (dblite_bytes){"bf.insert", 9};
    command[argc++] = request->key;
    command[argc++] = (dblite_bytes){"capacity", 8};
    command[argc++] = (dblite_bytes){capacity_text, (size_t)capacity_length};
    command[argc++] = (dblite_bytes){"error", 5};
    command[argc++] = (dblite_bytes){rate_text, (size_t)rate_length};
    if (params->expansion == BLOOM_NON_SCALING) {
        command[argc++] = (dblite_bytes){"nonscaling", 10};
    } else {
        command[argc++] = (dblite_bytes){"expansion", 9};
        command[argc++] = (dblite_bytes){expansion_text, (size_t)expansion_length};
    }
    command[argc++] = (dblite_bytes){"items", 5};
    for (int index = 0; index < request->item_count; index++)
        command[argc++] = request->items[index];
    int status = dblite_propagate_replace(ctx, argc, command);
    dblite_free(command);
    return status == DBLITE_OK;
}

/* The filter under key, created (and stored) when missing and allowed.
 * NULL after replying an error. */
static bloom_filter *filter_for_adding(dblite_ctx *ctx, bloom_state *state,
                                       const add_request *request)
{
    bloom_filter *filter;
    if (!bloom_lookup(ctx, state, request->key, DBLITE_LOOKUP_WRITE, &filter))
        return NULL;
    if (filter != NULL)
        return filter;
    if (!request->may_create) {
        bloom_reply_not_found(ctx);
        return NULL;
    }
    bloom_params params;
    if (!resolve_params(ctx, state, request, &params) || !bloom_create(ctx, &params, &filter))
        return NULL;
    if (!propagate_as_insert(ctx, request, &params)) {
        bloom_filter_free(filter);
        dblite_reply_error(ctx, "OOM out of memory recording the new filter");
        return NULL;
    }
    if (!bloom_store(ctx, state, request->key, filter))
        return NULL;
    return filter;
}

static void add_items(dblite_ctx *ctx, const add_request *request)
{
    bloom_state *state = bloom_state_of(ctx);
    bloom_filter *filter = filter_for_adding(ctx, state, request);
    if (filter == NULL)
        return;
    if (!request->single_reply)
        dblite_reply_array(ctx, request->item_count);
    uint32_t subfilters_before = filter->count;
    long long added = 0;
    for (int index = 0; index < request->item_count; index++) {
        dblite_bytes item = request->items[index];
        int result = bloom_filter_add(filter, item.ptr, item.len);
        if (result < 0) {
            bloom_reply_status(ctx, result);
        } else {
            dblite_reply_bool(ctx, result);
            added += result;
        }
    }
    state->counters.items_added += added;
    state->counters.subfilters_added += filter->count - subfilters_before;
    /* Counts the change for snapshots and propagates the command. */
    if (added > 0)
        dblite_key_modified(ctx, request->key);
}

void bloom_add_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv)
{
    (void)argc;
    add_request request;
    request_init(&request, argv);
    request.item_count = 1;
    request.single_reply = 1;
    add_items(ctx, &request);
}

void bloom_madd_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv)
{
    add_request request;
    request_init(&request, argv);
    request.item_count = argc - 2;
    add_items(ctx, &request);
}

/* Parses BF.INSERT's options up to ITEMS.  1, or 0 after replying. */
static int parse_insert_options(dblite_ctx *ctx, int argc, const dblite_bytes *argv,
                                add_request *request)
{
    int non_scaling = 0, index = 2;
    for (; index < argc; index++) {
        dblite_bytes option = argv[index];
        int has_value = index + 1 < argc;
        if (dblite_bytes_equal_nocase(option, "items")) {
            break;
        } else if (dblite_bytes_equal_nocase(option, "capacity") && has_value) {
            if (!bloom_parse_capacity(ctx, argv[++index], &request->capacity))
                return 0;
            request->capacity_given = 1;
        } else if (dblite_bytes_equal_nocase(option, "error") && has_value) {
            if (!bloom_parse_error_rate(ctx, argv[++index], &request->error_rate))
                return 0;
            request->error_rate_given = 1;
        } else if (dblite_bytes_equal_nocase(option, "expansion") && has_value) {
            if (!bloom_parse_expansion(ctx, argv[++index], &request->expansion))
                return 0;
            request->expansion_given = 1;
        } else if (dblite_bytes_equal_nocase(option, "nocreate")) {
            request->may_create = 0;
        } else if (dblite_bytes_equal_nocase(option, "nonscaling")) {
            non_scaling = 1;
        } else {
            dblite_reply_syntax_error(ctx);
            return 0;
        }
    }
    if (index + 1 >= argc) {
        /* No ITEMS, or nothing after it. */
        dblite_reply_wrong_arity(ctx);
        return 0;
    }
    if (non_scaling && request->expansion_given) {
        dblite_reply_error(ctx, "ERR nonscaling filters cannot expand");
        return 0;
    }
    if (!request->may_create && (request->capacity_given || request->error_rate_given)) {
        dblite_reply_error(ctx, "ERR NOCREATE cannot be used together with CAPACITY or ERROR");
        return 0;
    }
    if (non_scaling) {
        request->expansion = BLOOM_NON_SCALING;
        request->expansion_given = 1;
    }
    request->items = argv + index + 1;
    request->item_count = argc - index - 1;
    return 1;
}

void bloom_insert_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv)
{
    add_request request;
    request_init(&request, argv);
    if (!parse_insert_options(ctx, argc, argv, &request))
        return;
    add_items(ctx, &request);
}
