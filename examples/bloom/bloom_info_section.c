/*
 * bloom_info_section.c - the "bloom" section of INFO: what the plugin did
 * since startup.  Memory is not repeated here: filters are allocated with
 * dblite_alloc, so INFO memory's used_memory already counts them, and
 * BF.INFO key SIZE gives one filter's share.
 */
#include "bloom_info_section.h"

static void write_bloom_section(dblite_info *info, void *privdata)
{
    const bloom_state *state = privdata;
    const bloom_counters *counters = &state->counters;
    dblite_info_field(info, "bloom_filters_created", "%lld", counters->filters_created);
    dblite_info_field(info, "bloom_subfilters_added", "%lld", counters->subfilters_added);
    dblite_info_field(info, "bloom_items_added", "%lld", counters->items_added);
    dblite_info_field(info, "bloom_items_checked", "%lld", counters->items_checked);
    dblite_info_field(info, "bloom_items_found", "%lld", counters->items_found);
}

int bloom_info_section_register(dblite_module *module, bloom_state *state)
{
    return dblite_info_register(module, "bloom", write_bloom_section, state);
}
