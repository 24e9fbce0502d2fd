/*
 * hello_commands.h - the commands of the hello plugin and their table.
 */
#ifndef HELLO_COMMANDS_H
#define HELLO_COMMANDS_H

#include "dblite_module.h"

/* What rate-limit changes are replicated and rewritten as (see
 * rate_limit_commands.c): it sets a limiter's state, independent of time. */
#define HELLO_RESTORE_COMMAND_NAME "hello.ratelimit.restore"

void hello_greet_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv);
void hello_ratelimit_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv);
void hello_ratelimit_restore_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv);

/* Registers every command above; on failure the reason went to
 * dblite_module_fail. */
int hello_commands_register(dblite_module *module);

#endif
