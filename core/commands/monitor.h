/*
 * monitor.h - MONITOR's feed (monitor.c): what context.c calls after each
 * command, what dispatch.c asks before running one for a monitoring
 * client, and what RESET and a disconnect call to stop monitoring.
 */
#ifndef DBLITE_MONITOR_H
#define DBLITE_MONITOR_H

#include "server.h"

/* Sends cmd's line (already run by c) to every monitoring client.  Cheap
 * to guard: callers test server.monitors.length first. */
void monitor_feed(client *c, const command *cmd, int argc, const dblite_bytes *argv);
/* 1 when c monitors and cmd touches keys: Redis answers "ERR Replica
 * can't interact with the keyspace". */
int monitor_refuses(const client *c, const command *cmd);
/* c no longer monitors (RESET, disconnect); nothing when it did not. */
void monitor_client_stop(client *c);

#endif
