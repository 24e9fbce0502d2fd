/*
 * hooktest_info.c - INFO extensions: a section of the module's own
 * ("# Hooktest", with the counters the other parts keep) and a line added
 * to the core's "stats" section.  With the keyspace-info setting, also the
 * per-database figures of INFO keyspace: expires = 100 + db and avg_ttl =
 * the int-setting, values no real module would give, so tests see ours.
 */
#include "hooktest.h"

static void hooktest_section(dblite_info *info, void *privdata)
{
    const hooktest_state *state = privdata;
    dblite_info_field(info, "hooktest_started_events", "%lld", state->started_events);
    dblite_info_field(info, "hooktest_before_sleep_calls", "%lld", state->before_sleep_calls);
    dblite_info_field(info, "hooktest_event_context_mismatches", "%lld",
                      state->event_context_mismatches);
    dblite_info_field(info, "hooktest_copies", "%lld", state->copies);
    dblite_info_field(info, "hooktest_blocks", "%lld", state->blocks);
    dblite_info_field(info, "hooktest_block_frees", "%lld", state->block_frees);
    dblite_info_field(info, "hooktest_served", "%lld", state->served);
    dblite_info_field(info, "hooktest_timeouts", "%lld", state->timeouts);
    dblite_info_field(info, "hooktest_counter", "%lld", state->counter);
    dblite_info_field(info, "hooktest_live_timers", "%zu", state->timer_count);
    dblite_info_field(info, "hooktest_keyspace_provider", "%d", state->keyspace_info_registered);
}

static void stats_extension(dblite_info *info, void *privdata)
{
    hooktest_state *state = privdata;
    state->stats_info_calls++;
    dblite_info_field(info, "hooktest_stats_calls", "%lld", state->stats_info_calls);
}

static void keyspace_figures(int db, long long *expires, long long *avg_ttl_ms, void *privdata)
{
    const hooktest_state *state = privdata;
    *expires = 100 + db;
    *avg_ttl_ms = state->settings.int_setting;
}

/* Settings are applied after init, so the provider is chosen here. */
void hooktest_info_started(hooktest_state *state)
{
    if (!state->settings.keyspace_info)
        return;
    if (dblite_info_keyspace_register(state->module, keyspace_figures, state) == DBLITE_OK)
        state->keyspace_info_registered = 1;
    else
        dblite_log(state->module, "warning", "another module provides the INFO keyspace figures");
}

int hooktest_register_info(hooktest_state *state)
{
    int status = dblite_info_register(state->module, "hooktest", hooktest_section, state);
    if (status == DBLITE_OK)
        status = dblite_info_register(state->module, "stats", stats_extension, state);
    if (status != DBLITE_OK)
        dblite_module_fail(state->module, "cannot register INFO sections");
    return status;
}
