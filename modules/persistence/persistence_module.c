/*
 * persistence_module.c - entry point of persistence.so: RDB snapshots
 * (SAVE, BGSAVE, LASTSAVE, save points, load at startup, save at
 * shutdown), the append-only file (appendonly, BGREWRITEAOF), and
 * DUMP/RESTORE.
 *
 * Here: the state (module data, freed by the server at exit after the
 * SHUTDOWN hook has saved and stopped the fsync worker) and the table of
 * every command the module registers.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "persistence.h"

DBLITE_MODULE_DECLARE();

/* Redis 7.0's arity, flags and key positions (as COMMAND INFO shows them)
 * and COMMAND DOCS summaries.  The handlers are in snapshot_commands.c,
 * dump_commands.c and aof_commands.c. */
static const dblite_command_spec persistence_commands[] = {
    DBLITE_COMMAND(.name = "save", .arity = 1, .flags = "admin noscript no-multi",
                   .handler = persistence_save_command,
                   .summary = "Synchronously saves the database(s) to disk.", .since = "1.0.0",
                   .group = "server", .arguments = ""),
    DBLITE_COMMAND(.name = "bgsave", .arity = -1, .flags = "admin noscript",
                   .handler = persistence_bgsave_command,
                   .summary = "Asynchronously saves the database(s) to disk.", .since = "1.0.0",
                   .group = "server", .arguments = "[SCHEDULE]"),
    DBLITE_COMMAND(.name = "lastsave", .arity = 1, .flags = "fast loading stale",
                   .handler = persistence_lastsave_command,
                   .summary = "Returns the Unix timestamp of the last successful save to disk.",
                   .since = "1.0.0", .group = "server", .arguments = ""),
    DBLITE_COMMAND(.name = "dump", .arity = 2, .flags = "readonly", .first_key = 1, .last_key = 1,
                   .key_step = 1, .handler = persistence_dump_command,
                   .summary = "Returns a serialized representation of the value stored at a key.",
                   .since = "2.6.0", .group = "generic", .arguments = "key"),
    DBLITE_COMMAND(
            .name = "restore", .arity = -4, .flags = "write deny-oom", .first_key = 1,
            .last_key = 1, .key_step = 1, .handler = persistence_restore_command,
            .summary = "Creates a key from the serialized representation of a value.",
            .since = "2.6.0", .group = "generic",
            .arguments =
                "key ttl serialized-value [REPLACE] [ABSTTL] [IDLETIME seconds] [FREQ frequency]"),
    DBLITE_COMMAND(.name = "bgrewriteaof", .arity = 1, .flags = "admin noscript",
                   .handler = persistence_bgrewriteaof_command,
                   .summary = "Asynchronously rewrites the append-only file to disk.",
                   .since = "1.0.0", .group = "server", .arguments = ""),
};

/* The module data's destructor: the settings' last values are the
 * module's to free, as is the buffer of writes made during a rewrite. */
static void persistence_state_free(void *data)
{
    persistence_state *state = data;
    persistence_settings *settings = &state->settings;
    char **strings[] = {&settings->save, &settings->dbfilename, &settings->appendfilename,
                        &settings->appenddirname, &settings->auto_aof_rewrite_min_size};
    for (size_t i = 0; i < sizeof(strings) / sizeof(strings[0]); i++)
        dblite_free(*strings[i]);
    byte_buffer_release(&state->aof.rewrite_diff);
    dblite_free(state);
}

int persistence_enter_dir(persistence_state *state, char *error, size_t error_size)
{
    const char *dir = dblite_config_server_value("dir");
    if (dir == NULL || dir[0] == '\0' || strcmp(dir, state->applied_dir) == 0)
        return 0;
    if (chdir(dir) != 0) {
        snprintf(error, error_size, "cannot change to directory '%s': %s", dir, strerror(errno));
        return -1;
    }
    snprintf(state->applied_dir, sizeof(state->applied_dir), "%s", dir);
    return 0;
}

__attribute__((visibility("default"))) int dblite_module_init(dblite_module *module)
{
    persistence_state *state = dblite_calloc(sizeof(*state));
    if (state == NULL) {
        dblite_module_fail(module, "out of memory");
        return DBLITE_ERR_NOMEM;
    }
    dblite_module_set_data_free(module, state, persistence_state_free);
    state->module = module;
    state->aof.fd = -1;
    state->aof.selected_db = -1;
    state->aof.rewrite_selected_db = -1;
    state->aof.last_rewrite_ok = 1;
    state->last_bgsave_ok = 1;
    crc64_tables_init(&state->crc_tables);
    size_t command_count = DBLITE_ARRAY_LENGTH(persistence_commands);
    if (persistence_config_register(state) != DBLITE_OK ||
        dblite_command_register_table(module, persistence_commands, command_count) != DBLITE_OK ||
        files_service_register(module) != DBLITE_OK ||
        persistence_info_register(state) != DBLITE_OK ||
        persistence_lifecycle_register(state) != DBLITE_OK ||
        dblite_write_gate_register(module, persistence_write_gate, state) != DBLITE_OK) {
        dblite_module_fail(module,
                           "could not register the persistence commands, settings and hooks");
        return DBLITE_ERR;
    }
    return DBLITE_OK;
}
