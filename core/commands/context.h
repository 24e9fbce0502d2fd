/*
 * context.h - the one way the core runs code on behalf of someone: a
 * client's command, a served or timed-out blocked client, a module timer, a
 * hook fired outside any command, a replayed log command.  Each runs in a
 * context begun with context_begin and closed with context_end, which sends
 * out what it propagated and serves the clients it made ready.  The design
 * (nesting, order, what MULTI and scripts do with it) is written at the top
 * of context.c.
 */
#ifndef DBLITE_CONTEXT_H
#define DBLITE_CONTEXT_H

#include "server.h"

/* Starts ctx for client c (NULL: replies go nowhere) in database db, to run
 * cmd (NULL for a timer or a hook) with flags (CTX_*).  parent is the
 * context ctx runs inside - a command queued by EXEC, called by a script,
 * replayed by a loader - or NULL for a context of its own.  Nothing is
 * allocated; the clock is read for a context of its own unless flags has
 * CTX_KEEPS_CLOCK. */
void context_begin(dblite_ctx *ctx, dblite_ctx *parent, client *c, database *db, const command *cmd,
                   int flags);

/* Runs the command ctx was begun with on argv (kept until context_end) and
 * counts the call in the command's statistics unless ctx is CTX_UNCOUNTED.
 * DBLITE_OK, or DBLITE_ERR when the command replied an error. */
int context_run_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv);

/* Closes ctx.  A context of its own sends what it propagated to the
 * subscribers, in order, then serves the blocked clients whose keys became
 * ready; a nested one hands its propagated commands to its parent.
 * DBLITE_OK, or DBLITE_ERR_NOMEM when a nested context could not hand
 * them over (logged: the subscribers miss those commands). */
int context_end(dblite_ctx *ctx);

/* A client's request, already checked, from begin to end in a context of
 * its own in the client's database: the three calls above in one, which
 * is what every request runs. */
void context_call(client *c, const command *cmd, int argc, const dblite_bytes *argv);

#endif
