/*
 * persistence_config.c - the module's settings, named as Redis names them
 * ([persistence] save = 900 1 300 10, --persistence.appendonly yes,
 * CONFIG SET persistence.appendfsync always).
 */
#include "persistence.h"

static const char *const fsync_policies[] = {"always", "everysec", "no", NULL};

int persistence_config_register(persistence_state *state)
{
    dblite_module *module = state->module;
    persistence_settings *settings = &state->settings;
    int status = DBLITE_OK;
    status |= dblite_config_string(module, "save", &settings->save, "3600 1 300 100 60 10000",
                                   DBLITE_CONFIG_MUTABLE);
    /* As in Redis: file names only (no path: the files stay inside 'dir'),
     * and dbfilename, which CONFIG SET could point at any file the server
     * may write, is a protected config. */
    status |= dblite_config_string(module, "dbfilename", &settings->dbfilename, "dump.rdb",
                                   DBLITE_CONFIG_MUTABLE | DBLITE_CONFIG_PROTECTED |
                                       DBLITE_CONFIG_FILE_NAME);
    status |= dblite_config_boolean(module, "rdbcompression", &settings->rdbcompression, 1,
                                    DBLITE_CONFIG_MUTABLE);
    status |= dblite_config_boolean(module, "rdbchecksum", &settings->rdbchecksum, 1,
                                    DBLITE_CONFIG_IMMUTABLE);
    status |=
        dblite_config_boolean(module, "stop-writes-on-bgsave-error",
                              &settings->stop_writes_on_bgsave_error, 1, DBLITE_CONFIG_MUTABLE);
    status |= dblite_config_integer(module, "rdb-key-save-delay", &settings->rdb_key_save_delay, 0,
                                    0, 10000000, DBLITE_CONFIG_MUTABLE);
    status |= dblite_config_boolean(module, "appendonly", &settings->appendonly, 0,
                                    DBLITE_CONFIG_MUTABLE);
    status |=
        dblite_config_string(module, "appendfilename", &settings->appendfilename, "appendonly.aof",
                             DBLITE_CONFIG_IMMUTABLE | DBLITE_CONFIG_FILE_NAME);
    status |=
        dblite_config_string(module, "appenddirname", &settings->appenddirname, "appendonlydir",
                             DBLITE_CONFIG_IMMUTABLE | DBLITE_CONFIG_FILE_NAME);
    status |= dblite_config_enum(module, "appendfsync", &settings->appendfsync, fsync_policies,
                                 AOF_FSYNC_EVERYSEC, DBLITE_CONFIG_MUTABLE);
    status |= dblite_config_integer(module, "auto-aof-rewrite-percentage",
                                    &settings->auto_aof_rewrite_percentage, 100, 0, 1000000,
                                    DBLITE_CONFIG_MUTABLE);
    status |=
        dblite_config_string(module, "auto-aof-rewrite-min-size",
                             &settings->auto_aof_rewrite_min_size, "64mb", DBLITE_CONFIG_MUTABLE);
    status |= dblite_config_boolean(module, "aof-load-truncated", &settings->aof_load_truncated, 1,
                                    DBLITE_CONFIG_MUTABLE);
    return status == DBLITE_OK ? DBLITE_OK : DBLITE_ERR;
}
