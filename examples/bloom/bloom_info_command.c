/*
 * bloom_info_command.c - BF.INFO key [CAPACITY | SIZE | FILTERS | ITEMS |
 * EXPANSION], as RedisBloom answers it:
 *
 *     Capacity                  items the filter holds before it must grow
 *     Size                      bytes it takes (the type's memory_usage)
 *     Number of filters         sub-filters
 *     Number of items inserted  items that set at least one bit
 *     Expansion rate            growth factor; null for a non-scaling filter
 *
 * The whole reply is a map (RESP3 '%', a flat name/value array in RESP2);
 * with a field name it is a one-element array holding that value.
 */
#include "bloom_access.h"
#include "bloom_commands.h"

typedef enum info_field {
    FIELD_CAPACITY,
    FIELD_SIZE,
    FIELD_FILTERS,
    FIELD_ITEMS,
    FIELD_EXPANSION,
    FIELD_COUNT
} info_field;

typedef struct field_name {
    const char *argument; /* as the client selects it */
    const char *title;    /* as the full reply names it */
} field_name;

static const field_name field_names[FIELD_COUNT] = {
    [FIELD_CAPACITY] = {"capacity", "Capacity"},
    [FIELD_SIZE] = {"size", "Size"},
    [FIELD_FILTERS] = {"filters", "Number of filters"},
    [FIELD_ITEMS] = {"items", "Number of items inserted"},
    [FIELD_EXPANSION] = {"expansion", "Expansion rate"},
};

static void reply_field(dblite_ctx *ctx, const bloom_filter *filter, info_field field)
{
    switch (field) {
        case FIELD_CAPACITY:
            dblite_reply_integer(ctx, (long long)bloom_filter_capacity(filter));
            break;
        case FIELD_SIZE:
            dblite_reply_integer(ctx, (long long)bloom_filter_memory(filter));
            break;
        case FIELD_FILTERS:
            dblite_reply_integer(ctx, filter->count);
            break;
        case FIELD_ITEMS:
            dblite_reply_integer(ctx, (long long)bloom_filter_items(filter));
            break;
        case FIELD_EXPANSION:
            if (filter->expansion == BLOOM_NON_SCALING)
                dblite_reply_null(ctx);
            else
                dblite_reply_integer(ctx, filter->expansion);
            break;
        case FIELD_COUNT:
            break; /* not a field: the number of them */
    }
}

void bloom_info_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv)
{
    if (argc > 3) {
        dblite_reply_syntax_error(ctx);
        return;
    }
    bloom_state *state = bloom_state_of(ctx);
    bloom_filter *filter;
    if (!bloom_lookup(ctx, state, argv[1], DBLITE_LOOKUP_READ, &filter))
        return;
    if (filter == NULL) {
        bloom_reply_not_found(ctx);
        return;
    }
    if (argc == 3) {
        for (int field = 0; field < FIELD_COUNT; field++) {
            if (dblite_bytes_equal_nocase(argv[2], field_names[field].argument)) {
                dblite_reply_array(ctx, 1);
                reply_field(ctx, filter, (info_field)field);
                return;
            }
        }
        dblite_reply_error(ctx, "ERR unknown field: expected CAPACITY, SIZE, FILTERS, ITEMS "
                                "or EXPANSION");
        return;
    }
    dblite_reply_map(ctx, FIELD_COUNT);
    for (int field = 0; field < FIELD_COUNT; field++) {
        dblite_reply_simple(ctx, field_names[field].title);
        reply_field(ctx, filter, (info_field)field);
    }
}
