/*
 * command_command.c - COMMAND, COMMAND COUNT/INFO/DOCS/LIST/HELP (GETKEYS is in
 * command_getkeys.c): introspection of the command table, in Redis 7.0's reply
 * shapes, so that redis-cli and client libraries get their hints and key positions.
 */
#include <stdio.h>
#include <string.h>

#include "commands/core_commands.h"

static void reply_flags(dblite_ctx *ctx, const command *cmd)
{
    static const struct {
        unsigned bit;
        const char *name;
    } names[] = {{COMMAND_WRITE, "write"},       {COMMAND_READONLY, "readonly"},
                 {COMMAND_DENY_OOM, "denyoom"},  {COMMAND_ADMIN, "admin"},
                 {COMMAND_NOSCRIPT, "noscript"}, {COMMAND_BLOCKING, "blocking"},
                 {COMMAND_LOADING, "loading"},   {COMMAND_STALE, "stale"},
                 {COMMAND_FAST, "fast"},         {COMMAND_NO_AUTH, "no_auth"},
                 {COMMAND_NO_MULTI, "no_multi"}, {COMMAND_MOVABLE_KEYS, "movablekeys"}};
    int count = 0;
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        if (cmd->flags & names[i].bit)
            count++;
    dblite_reply_set(ctx, count);
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        if (cmd->flags & names[i].bit)
            dblite_reply_simple(ctx, names[i].name);
}

/* The 10-element Redis 7.0 COMMAND INFO entry. */
static void reply_command_info(dblite_ctx *ctx, const command *cmd)
{
    dblite_reply_array(ctx, 10);
    dblite_reply_bulk_cstring(ctx, cmd->name);
    dblite_reply_integer(ctx, cmd->arity);
    reply_flags(ctx, cmd);
    dblite_reply_integer(ctx, cmd->first_key);
    dblite_reply_integer(ctx, cmd->last_key);
    dblite_reply_integer(ctx, cmd->key_step);
    dblite_reply_set(ctx, 0); /* ACL categories */
    dblite_reply_set(ctx, 0); /* tips */
    /* key specs */
    if (cmd->first_key > 0) {
        dblite_reply_array(ctx, 1);
        dblite_reply_map(ctx, 3);
        dblite_reply_bulk_cstring(ctx, "flags");
        dblite_reply_set(ctx, 0);
        dblite_reply_bulk_cstring(ctx, "begin_search");
        dblite_reply_map(ctx, 2);
        dblite_reply_bulk_cstring(ctx, "type");
        dblite_reply_bulk_cstring(ctx, "index");
        dblite_reply_bulk_cstring(ctx, "spec");
        dblite_reply_map(ctx, 1);
        dblite_reply_bulk_cstring(ctx, "index");
        dblite_reply_integer(ctx, cmd->first_key);
        dblite_reply_bulk_cstring(ctx, "find_keys");
        dblite_reply_map(ctx, 2);
        dblite_reply_bulk_cstring(ctx, "type");
        dblite_reply_bulk_cstring(ctx, "range");
        dblite_reply_bulk_cstring(ctx, "spec");
        dblite_reply_map(ctx, 3);
        dblite_reply_bulk_cstring(ctx, "lastkey");
        dblite_reply_integer(ctx,
                             cmd->last_key >= 0 ? cmd->last_key - cmd->first_key : cmd->last_key);
        dblite_reply_bulk_cstring(ctx, "keystep");
        dblite_reply_integer(ctx, cmd->key_step);
        dblite_reply_bulk_cstring(ctx, "limit");
        dblite_reply_integer(ctx, 0);
    } else {
        dblite_reply_array(ctx, 0);
    }
    dblite_reply_array(ctx, 0); /* subcommands */
}

static void reply_command_docs(dblite_ctx *ctx, const command *cmd)
{
    dblite_reply_bulk_cstring(ctx, cmd->name);
    int fields = 2 + (cmd->since ? 1 : 0) + (cmd->arguments ? 1 : 0);
    dblite_reply_map(ctx, fields);
    dblite_reply_bulk_cstring(ctx, "summary");
    dblite_reply_bulk_cstring(ctx, cmd->summary ? cmd->summary : "");
    if (cmd->since) {
        dblite_reply_bulk_cstring(ctx, "since");
        dblite_reply_bulk_cstring(ctx, cmd->since);
    }
    dblite_reply_bulk_cstring(ctx, "group");
    dblite_reply_bulk_cstring(ctx, cmd->group ? cmd->group : (cmd->owner ? "module" : "server"));
    if (cmd->arguments) {
        /* One argument entry holding the usage text: enough for hints. */
        dblite_reply_bulk_cstring(ctx, "arguments");
        dblite_reply_array(ctx, 1);
        dblite_reply_map(ctx, 2);
        dblite_reply_bulk_cstring(ctx, "name");
        dblite_reply_bulk_cstring(ctx, cmd->arguments);
        dblite_reply_bulk_cstring(ctx, "type");
        dblite_reply_bulk_cstring(ctx, "string");
    }
}

HANDLER(command_command)
{
    if (argc == 1) {
        dblite_reply_array(ctx, (long long)command_count());
        for (size_t i = 0; i < command_count(); i++)
            reply_command_info(ctx, command_at(i));
        return;
    }
    const dblite_bytes *sub = &argv[1];
    if (dblite_bytes_equal_nocase(*sub, "COUNT")) {
        if (argc != 2) {
            reply_subcommand_arity(ctx, "command", sub);
            return;
        }
        dblite_reply_integer(ctx, (long long)command_count());
    } else if (dblite_bytes_equal_nocase(*sub, "INFO")) {
        if (argc == 2) {
            dblite_reply_array(ctx, (long long)command_count());
            for (size_t i = 0; i < command_count(); i++)
                reply_command_info(ctx, command_at(i));
            return;
        }
        dblite_reply_array(ctx, argc - 2);
        for (int i = 2; i < argc; i++) {
            command *cmd = command_lookup(argv[i].ptr, argv[i].len);
            if (cmd)
                reply_command_info(ctx, cmd);
            else
                dblite_reply_null(ctx);
        }
    } else if (dblite_bytes_equal_nocase(*sub, "DOCS")) {
        if (argc == 2) {
            dblite_reply_map(ctx, (long long)command_count());
            for (size_t i = 0; i < command_count(); i++)
                reply_command_docs(ctx, command_at(i));
            return;
        }
        void *deferred = dblite_reply_deferred(ctx, DBLITE_AGGREGATE_MAP);
        long long found = 0;
        for (int i = 2; i < argc; i++) {
            command *cmd = command_lookup(argv[i].ptr, argv[i].len);
            if (!cmd)
                continue;
            reply_command_docs(ctx, cmd);
            found++;
        }
        dblite_reply_set_length(ctx, deferred, found);
    } else if (dblite_bytes_equal_nocase(*sub, "LIST")) {
        /* COMMAND LIST [FILTERBY MODULE name | PATTERN p] */
        const char *module_filter = NULL;
        const dblite_bytes *pattern = NULL;
        char module_name[256];
        if (argc == 5 && dblite_bytes_equal_nocase(argv[2], "FILTERBY")) {
            if (dblite_bytes_equal_nocase(argv[3], "MODULE")) {
                snprintf(module_name, sizeof(module_name), "%.*s", (int)argv[4].len, argv[4].ptr);
                module_filter = module_name;
            } else if (dblite_bytes_equal_nocase(argv[3], "PATTERN")) {
                pattern = &argv[4];
            } else {
                dblite_reply_syntax_error(ctx);
                return;
            }
        } else if (argc != 2) {
            dblite_reply_syntax_error(ctx);
            return;
        }
        void *deferred = dblite_reply_deferred(ctx, DBLITE_AGGREGATE_ARRAY);
        long long count = 0;
        for (size_t i = 0; i < command_count(); i++) {
            command *cmd = command_at(i);
            if (module_filter && (!cmd->owner || strcmp(cmd->owner->name, module_filter) != 0))
                continue;
            if (pattern &&
                !dblite_glob_match(pattern->ptr, pattern->len, cmd->name, strlen(cmd->name), 1))
                continue;
            dblite_reply_bulk_cstring(ctx, cmd->name);
            count++;
        }
        dblite_reply_set_length(ctx, deferred, count);
    } else if (dblite_bytes_equal_nocase(*sub, "GETKEYS")) {
        reply_command_getkeys(ctx, argc, argv);
    } else if (dblite_bytes_equal_nocase(*sub, "HELP")) {
        if (argc != 2) {
            reply_subcommand_arity(ctx, "command", sub);
            return;
        }
        /* Redis 7.0's text, without GETKEYSANDFLAGS (not offered here). */
        static const char *const lines[] = {
            "COMMAND <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
            "(no subcommand)",
            "    Return details about all Redis commands.",
            "COUNT",
            "    Return the total number of commands in this Redis server.",
            "LIST",
            "    Return a list of all commands in this Redis server.",
            "INFO [<command-name> ...]",
            "    Return details about multiple Redis commands.",
            "    If no command names are given, documentation details for all",
            "    commands are returned.",
            "DOCS [<command-name> ...]",
            "    Return documentation details about multiple Redis commands.",
            "    If no command names are given, documentation details for all",
            "    commands are returned.",
            "GETKEYS <full-command>",
            "    Return the keys from a full Redis command.",
            "HELP",
            "    Prints this help."};
        REPLY_HELP(ctx, lines);
    } else {
        reply_unknown_subcommand(ctx, sub, "COMMAND");
    }
}
