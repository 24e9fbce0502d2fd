/*
 * compat_state.h - what dblite_compat.so keeps: its settings and the parts
 * that register its dialect commands.
 *
 * DBLite clients (the Python server dblite descends from) connect to their
 * own port, send integers as RESP integers inside request arrays and read
 * INFO as a '%' map.  The core does the wire part for clients of a dialect
 * listener; this module opens that listener and supplies the few commands
 * whose replies differ for DBLite clients.  Everything else (GET, SET,
 * DELETE, EXISTS, EXPIRE, LPUSH, HSET, SADD, FLUSHALL, SAVE/RESTORE <file>
 * from persistence.so, QUIT, SHUTDOWN) is the server's own command.
 */
#ifndef DBLITE_COMPAT_STATE_H
#define DBLITE_COMPAT_STATE_H

#include "dblite_module.h"

typedef struct compat_state {
    dblite_module *module;
    /* [dblite_compat] port: DBLite clients' port; 0 opens none. */
    long long port;
    /* [dblite_compat] bind: addresses, space separated as [server] bind
     * (a server-owned copy, freed by the module at shutdown). */
    char *bind;
} compat_state;

/* Registers the dialect's INFO (a '%' map of DBLite's five figures). */
int compat_info_register(dblite_module *module);

/* Registers dialect SAVE and RESTORE answering that persistence.so is
 * missing; called only when it is. */
int compat_persistence_fallback_register(dblite_module *module);

#endif
