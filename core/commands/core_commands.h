/*
 * core_commands.h - handlers of the commands built into the core, grouped
 * by file: connection, keyspace, server, client, command introspection.
 */
#ifndef DBLITE_CORE_COMMANDS_H
#define DBLITE_CORE_COMMANDS_H

#include "server.h"

#define HANDLER(name) void name(dblite_ctx *ctx, int argc, const dblite_bytes *argv)

HANDLER(command_ping);
HANDLER(command_multi);
HANDLER(command_exec);
HANDLER(command_discard);
HANDLER(command_watch);
HANDLER(command_unwatch);
HANDLER(command_echo);
HANDLER(command_quit);
HANDLER(command_hello);
HANDLER(command_select);
HANDLER(command_auth);
HANDLER(command_del);
HANDLER(command_exists);
HANDLER(command_type);
HANDLER(command_rename);
HANDLER(command_renamenx);
HANDLER(command_move);
HANDLER(command_copy);
HANDLER(command_swapdb);
HANDLER(command_keys);
HANDLER(command_scan);
HANDLER(command_randomkey);
HANDLER(command_dbsize);
HANDLER(command_flushdb);
HANDLER(command_flushall);
HANDLER(command_time);
HANDLER(command_info);
HANDLER(command_shutdown);
HANDLER(command_module);
HANDLER(command_config);
HANDLER(command_memory);
HANDLER(command_object);
HANDLER(command_client);
HANDLER(command_command);
HANDLER(command_touch);
HANDLER(command_wait);
HANDLER(command_monitor);
HANDLER(command_reset);

/* RESET's work (reset_command.c): c back to a new connection's state. */
void client_reset(client *c);

/* CLIENT REPLY / NO-EVICT / UNBLOCK (client_modes_command.c). */
void client_reply_mode(dblite_ctx *ctx, const dblite_bytes *mode);
void client_no_evict_mode(dblite_ctx *ctx, const dblite_bytes *mode);
void client_unblock(dblite_ctx *ctx, int argc, const dblite_bytes *argv);

/* CLIENT TRACKING / CACHING / GETREDIR / TRACKINGINFO (client_tracking_command.c):
 * 1 when argv[1] is one of them and it was answered. */
int client_tracking_subcommand(dblite_ctx *ctx, int argc, const dblite_bytes *argv);

/* The indexes in argv of the keys of a command line that ran (containers
 * resolved to their subcommand); at most max, the count returned. */
int command_key_positions(const command *cmd, int argc, const dblite_bytes *argv, int *positions,
                          int max);

/* "ERR unknown subcommand 'x'. Try CLIENT HELP." */
void reply_unknown_subcommand(dblite_ctx *ctx, const dblite_bytes *subcommand,
                              const char *command_name);
/* "ERR wrong number of arguments for 'client|setname' command" */
void reply_subcommand_arity(dblite_ctx *ctx, const char *command_name,
                            const dblite_bytes *subcommand);
/* A HELP subcommand's answer: the lines as an array of simple strings. */
void reply_help_lines(dblite_ctx *ctx, const char *const *lines, int count);
#define REPLY_HELP(ctx, lines) \
    reply_help_lines((ctx), (lines), (int)(sizeof(lines) / sizeof((lines)[0])))

/* COMMAND GETKEYS command [arg ...] (argv[0] is COMMAND). */
void reply_command_getkeys(dblite_ctx *ctx, int argc, const dblite_bytes *argv);

/* A database number as SELECT, MOVE and COPY read it (Redis's
 * getIntFromObjectOrReply): not an integer, or outside int, is answered with
 * Redis's two texts and -1 returned; the range check against "databases"
 * is the caller's. */
int parse_db_index_or_reply(dblite_ctx *ctx, const dblite_bytes *arg, int *index);

#endif
