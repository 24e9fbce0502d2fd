/*
 * client_pause.h - CLIENT PAUSE / UNPAUSE (client_pause.c): the pause
 * types and what dispatch.c asks before running a request.
 */
#ifndef DBLITE_CLIENT_PAUSE_H
#define DBLITE_CLIENT_PAUSE_H

#include "server.h"

/* server.pause_type, least to most restrictive (Redis's order). */
enum { PAUSE_NONE = 0, PAUSE_WRITE, PAUSE_ALL };

/* While a pause holds cmd for c: c is flagged CLIENT_PAUSED (its request
 * stays in its query buffer) and 1 is returned; 0 to run it now.  Callers
 * test server.pause_type first. */
int client_pause_postpones(client *c, const command *cmd);

/* CLIENT PAUSE timeout [WRITE|ALL] (argc 3 or 4) and CLIENT UNPAUSE. */
void client_pause(dblite_ctx *ctx, int argc, const dblite_bytes *argv);
void client_unpause(dblite_ctx *ctx);

#endif
