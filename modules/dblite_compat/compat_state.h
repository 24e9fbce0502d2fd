/*
 * compat_state.h - what dblite_compat.so keeps: its settings and the parts
 * that register its dialect commands.
 *
 * DBLite clients (the Python server dblite descends from) connect to their
 * own port, send integers as RESP integers inside request arrays and read
 * INFO as a '%' map.  The core does the wire part for clients of a dialect
 * listener; this module opens that listener and supplies the few commands
 * whose replies differ for DBLite clients, and DBLite's SAVE/RESTORE
 * <file>, which the Redis port does not offer (persistence.so does the
 * work, confined to 'dir').  Everything else (GET, SET, DELETE, EXISTS,
 * EXPIRE, LPUSH, HSET, SADD, FLUSHALL, QUIT, SHUTDOWN) is the server's own
 * command.
 */
#ifndef DBLITE_COMPAT_STATE_H
#define DBLITE_COMPAT_STATE_H

#include "dblite_provider.h"
#include "persistence/files_service.h"

typedef struct compat_state {
    dblite_module *module;
    /* [dblite_compat] port: DBLite clients' port; 0 opens none. */
    long long port;
    /* [dblite_compat] bind: addresses, space separated as [server] bind
     * (a server-owned copy, freed with the state at exit). */
    char *bind;
    /* persistence.so's file forms, looked up once every module is loaded;
     * NULL without persistence.so. */
    const dblite_files_service *files;
} compat_state;

/* Registers the dialect's INFO (a '%' map of DBLite's five figures). */
int compat_info_register(dblite_module *module);

/* Registers the dialect's SAVE [file] and RESTORE <file>, served by
 * persistence.so's files service (or answering that it is missing). */
int compat_persistence_register(dblite_module *module);

#endif
