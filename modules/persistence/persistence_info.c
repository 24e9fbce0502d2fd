/*
 * persistence_info.c - the module's lines in INFO persistence, named as
 * Redis names them so monitoring tools read them unchanged.
 */
#include <time.h>

#include "persistence.h"

static long long seconds_since(long long started_ms, long long now_ms)
{
    return (now_ms - started_ms) / 1000;
}

static void info_persistence(dblite_info *info, void *privdata)
{
    persistence_state *state = privdata;
    long long now = dblite_time_ms();
    int saving = child_running(state, CHILD_RDB);
    int rewriting = child_running(state, CHILD_AOF_REWRITE);
    dblite_info_field(info, "rdb_bgsave_in_progress", "%d", saving);
    dblite_info_field(info, "rdb_last_save_time", "%lld", state->last_save_time);
    dblite_info_field(info, "rdb_last_bgsave_status", "%s", state->last_bgsave_ok ? "ok" : "err");
    dblite_info_field(info, "rdb_last_bgsave_time_sec", "%lld",
                      state->last_bgsave_duration_ms ? state->last_bgsave_duration_ms / 1000 : -1);
    dblite_info_field(info, "rdb_current_bgsave_time_sec", "%lld",
                      saving ? seconds_since(state->child_started_ms, now) : -1);
    dblite_info_field(info, "rdb_saves", "%lld", state->rdb_saves);
    dblite_info_field(info, "rdb_changes_since_last_save", "%lld", state->changes_since_save);
    dblite_info_field(info, "aof_enabled", "%d", state->aof.active);
    dblite_info_field(info, "aof_rewrite_in_progress", "%d", rewriting);
    dblite_info_field(info, "aof_rewrite_scheduled", "%d", state->aof.rewrite_scheduled);
    dblite_info_field(info, "aof_last_rewrite_time_sec", "%lld",
                      state->aof.rewrites ? state->aof.last_rewrite_duration_ms / 1000 : -1);
    dblite_info_field(info, "aof_current_rewrite_time_sec", "%lld",
                      rewriting ? seconds_since(state->child_started_ms, now) : -1);
    dblite_info_field(info, "aof_last_bgrewrite_status", "%s",
                      state->aof.last_rewrite_ok ? "ok" : "err");
    dblite_info_field(info, "aof_rewrites", "%lld", state->aof.rewrites);
    dblite_info_field(info, "aof_rewrites_consecutive_failures", "%lld",
                      state->aof.consecutive_failures);
    dblite_info_field(info, "aof_last_write_status", "%s",
                      state->aof.write_failed || state->aof.fsync_failed ? "err" : "ok");
    if (state->aof.active) {
        dblite_info_field(info, "aof_current_size", "%llu",
                          (unsigned long long)state->aof.current_size);
        dblite_info_field(info, "aof_base_size", "%llu", (unsigned long long)state->aof.base_size);
        dblite_info_field(info, "aof_buffer_length", "%zu", state->aof.pending.used);
    }
}

int persistence_info_register(persistence_state *state)
{
    return dblite_info_register(state->module, "persistence", info_persistence, state);
}
