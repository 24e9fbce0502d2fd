/*
 * persistence_module.c - entry point of persistence.so: RDB snapshots
 * (SAVE, BGSAVE, LASTSAVE, save points, load at startup, save at
 * shutdown), the append-only file (appendonly, BGREWRITEAOF), and
 * DUMP/RESTORE.
 *
 * The module state is the one static struct: command handlers receive no
 * private data.  It is only touched on the command thread.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "persistence.h"

DBLITE_MODULE_DECLARE();

static persistence_state module_state;

persistence_state *persistence_state_get(void)
{
    return &module_state;
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
    persistence_state *state = &module_state;
    memset(state, 0, sizeof(*state));
    state->module = module;
    state->aof.fd = -1;
    state->aof.selected_db = -1;
    state->aof.rewrite_selected_db = -1;
    state->aof.last_rewrite_ok = 1;
    state->last_bgsave_ok = 1;
    crc64_tables_init(&state->crc_tables);
    if (persistence_config_register(state) != DBLITE_OK || snapshot_commands_register(module) != DBLITE_OK ||
        dump_commands_register(module) != DBLITE_OK || aof_commands_register(module) != DBLITE_OK ||
        persistence_info_register(state) != DBLITE_OK || persistence_lifecycle_register(state) != DBLITE_OK ||
        dblite_write_gate_register(module, persistence_write_gate, state) != DBLITE_OK) {
        dblite_module_fail(module, "could not register the persistence commands, settings and hooks");
        return DBLITE_ERR;
    }
    return DBLITE_OK;
}
