/*
 * command_command.c - COMMAND, COMMAND COUNT/INFO/DOCS/LIST: introspection
 * of the command table, in Redis 7.0's reply shapes, so that redis-cli and
 * client libraries get their hints and key positions.
 */
#include <stdio.h>
#include <string.h>

#include "commands/core_commands.h"
#include "util/glob.h"

static void reply_flags(dblite_ctx *ctx, const command *cmd) {
    static const struct {
        unsigned bit;
        const char *name;
    } names[] = {{COMMAND_WRITE, "write"},       {COMMAND_READONLY, "readonly"}, {COMMAND_DENY_OOM, "denyoom"},
                 {COMMAND_ADMIN, "admin"},       {COMMAND_NOSCRIPT, "noscript"}, {COMMAND_BLOCKING, "blocking"},
                 {COMMAND_LOADING, "loading"},   {COMMAND_STALE, "stale"},       {COMMAND_NO_AUTH, "no_auth"},
                 {COMMAND_FAST, "fast"}};
    int count = 0;
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        if (cmd->flags & names[i].bit) count++;
    dblite_reply_set(ctx, count);
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        if (cmd->flags & names[i].bit) dblite_reply_simple(ctx, names[i].name);
}

/* The 10-element Redis 7.0 COMMAND INFO entry. */
static void reply_command_info(dblite_ctx *ctx, const command *cmd) {
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
        dblite_reply_integer(ctx, cmd->last_key >= 0 ? cmd->last_key - cmd->first_key : cmd->last_key);
        dblite_reply_bulk_cstring(ctx, "keystep");
        dblite_reply_integer(ctx, cmd->key_step);
        dblite_reply_bulk_cstring(ctx, "limit");
        dblite_reply_integer(ctx, 0);
    } else {
        dblite_reply_array(ctx, 0);
    }
    dblite_reply_array(ctx, 0); /* subcommands */
}

static void reply_command_docs(dblite_ctx *ctx, const command *cmd) {
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

/* The core commands that Redis 7.0 registers as containers: COMMAND
 * GETKEYS looks their subcommand up, so an unknown one is an invalid
 * command and only OBJECT's and MEMORY USAGE's name a key (argument 2). */
typedef struct container_subcommand {
    const char *name;
    int arity;    /* Redis's, counted from the container's name */
    int key;      /* argument index of the key, 0 when none */
} container_subcommand;

typedef struct container_command {
    const char *name;
    const container_subcommand *subcommands;
} container_command;

static const container_subcommand object_subcommands[] = {
    {"encoding", 3, 2}, {"freq", 3, 2}, {"idletime", 3, 2}, {"refcount", 3, 2}, {"help", 2, 0}, {NULL, 0, 0}};
static const container_subcommand memory_subcommands[] = {
    {"usage", -3, 2}, {"doctor", 2, 0}, {"malloc-stats", 2, 0}, {"purge", 2, 0}, {"stats", 2, 0}, {"help", 2, 0},
    {NULL, 0, 0}};
static const container_subcommand client_subcommands[] = {
    {"caching", 3, 0}, {"getredir", 2, 0}, {"id", 2, 0},        {"info", 2, 0},         {"kill", -3, 0},
    {"list", -2, 0},   {"unpause", 2, 0},  {"pause", -3, 0},    {"reply", 3, 0},        {"setname", 3, 0},
    {"getname", 2, 0}, {"tracking", -3, 0}, {"trackinginfo", 2, 0}, {"unblock", -3, 0}, {"no-evict", 3, 0},
    {"help", 2, 0},    {NULL, 0, 0}};
static const container_subcommand config_subcommands[] = {
    {"get", -3, 0}, {"set", -4, 0}, {"resetstat", 2, 0}, {"rewrite", 2, 0}, {"help", 2, 0}, {NULL, 0, 0}};
static const container_subcommand command_subcommands[] = {
    {"count", 2, 0}, {"docs", -2, 0}, {"getkeys", -3, 0}, {"getkeysandflags", -3, 0}, {"info", -2, 0},
    {"list", -2, 0}, {"help", 2, 0},  {NULL, 0, 0}};
static const container_subcommand module_subcommands[] = {
    {"help", 2, 0}, {"list", 2, 0}, {"load", -3, 0}, {"loadex", -3, 0}, {"unload", 3, 0}, {NULL, 0, 0}};

static const container_command containers[] = {
    {"object", object_subcommands}, {"memory", memory_subcommands},   {"client", client_subcommands},
    {"config", config_subcommands}, {"command", command_subcommands}, {"module", module_subcommands},
};

static const container_subcommand *find_subcommand(const command *cmd, const dblite_bytes *name, int *is_container) {
    *is_container = 0;
    if (cmd->owner) return NULL; /* a module's command keeps its own name */
    for (size_t i = 0; i < sizeof(containers) / sizeof(containers[0]); i++) {
        if (strcmp(containers[i].name, cmd->name) != 0) continue;
        *is_container = 1;
        for (const container_subcommand *sub = containers[i].subcommands; sub->name; sub++)
            if (dblite_bytes_equal_nocase(*name, sub->name)) return sub;
        return NULL;
    }
    return NULL;
}

static int arity_fits(int arity, int nargs) {
    return arity > 0 ? nargs == arity : nargs >= -arity;
}

/* COMMAND GETKEYS command arg...: Redis 7.0's checks in its order (the
 * command, then whether it has keys at all, then its arity). */
static void reply_getkeys(dblite_ctx *ctx, int argc, const dblite_bytes *argv) {
    if (argc < 4) {
        reply_subcommand_arity(ctx, "command", &argv[1]);
        return;
    }
    int nargs = argc - 2;
    command *cmd = command_lookup(argv[2].ptr, argv[2].len);
    if (!cmd) {
        dblite_reply_error(ctx, "ERR Invalid command specified");
        return;
    }
    int is_container;
    const container_subcommand *sub = find_subcommand(cmd, &argv[3], &is_container);
    if (is_container) {
        if (!sub) {
            dblite_reply_error(ctx, "ERR Invalid command specified");
            return;
        }
        if (!sub->key) {
            dblite_reply_error(ctx, "ERR The command has no key arguments");
            return;
        }
        if (!arity_fits(sub->arity, nargs)) {
            dblite_reply_error(ctx, "ERR Invalid number of arguments specified for command");
            return;
        }
        dblite_reply_array(ctx, 1);
        dblite_reply_bulk(ctx, argv[2 + sub->key].ptr, argv[2 + sub->key].len);
        return;
    }
    if (cmd->first_key <= 0) {
        dblite_reply_error(ctx, "ERR The command has no key arguments");
        return;
    }
    if (!arity_fits(cmd->arity, nargs)) {
        dblite_reply_error(ctx, "ERR Invalid number of arguments specified for command");
        return;
    }
    int last = cmd->last_key < 0 ? nargs + cmd->last_key : cmd->last_key;
    void *deferred = dblite_reply_deferred(ctx, DBLITE_AGGREGATE_ARRAY);
    long long count = 0;
    for (int k = cmd->first_key; k <= last && k < nargs; k += cmd->key_step > 0 ? cmd->key_step : 1) {
        dblite_reply_bulk(ctx, argv[2 + k].ptr, argv[2 + k].len);
        count++;
    }
    dblite_reply_set_length(ctx, deferred, count);
}

HANDLER(command_command) {
    if (argc == 1) {
        dblite_reply_array(ctx, (long long)command_count());
        for (size_t i = 0; i < command_count(); i++) reply_command_info(ctx, command_at(i));
        return;
    }
    const dblite_bytes *sub = &argv[1];
    if (dblite_bytes_equal_nocase(*sub, "COUNT")) {
        if (argc != 2) { reply_subcommand_arity(ctx, "command", sub); return; }
        dblite_reply_integer(ctx, (long long)command_count());
    } else if (dblite_bytes_equal_nocase(*sub, "INFO")) {
        if (argc == 2) {
            dblite_reply_array(ctx, (long long)command_count());
            for (size_t i = 0; i < command_count(); i++) reply_command_info(ctx, command_at(i));
            return;
        }
        dblite_reply_array(ctx, argc - 2);
        for (int i = 2; i < argc; i++) {
            command *cmd = command_lookup(argv[i].ptr, argv[i].len);
            if (cmd) reply_command_info(ctx, cmd);
            else dblite_reply_null(ctx);
        }
    } else if (dblite_bytes_equal_nocase(*sub, "DOCS")) {
        if (argc == 2) {
            dblite_reply_map(ctx, (long long)command_count());
            for (size_t i = 0; i < command_count(); i++) reply_command_docs(ctx, command_at(i));
            return;
        }
        void *deferred = dblite_reply_deferred(ctx, DBLITE_AGGREGATE_MAP);
        long long found = 0;
        for (int i = 2; i < argc; i++) {
            command *cmd = command_lookup(argv[i].ptr, argv[i].len);
            if (!cmd) continue;
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
            if (module_filter && (!cmd->owner || strcmp(cmd->owner->name, module_filter) != 0)) continue;
            if (pattern && !glob_match(pattern->ptr, pattern->len, cmd->name, strlen(cmd->name), 1)) continue;
            dblite_reply_bulk_cstring(ctx, cmd->name);
            count++;
        }
        dblite_reply_set_length(ctx, deferred, count);
    } else if (dblite_bytes_equal_nocase(*sub, "GETKEYS")) {
        reply_getkeys(ctx, argc, argv);
    } else if (dblite_bytes_equal_nocase(*sub, "HELP")) {
        if (argc != 2) { reply_subcommand_arity(ctx, "command", sub); return; }
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
        int count = (int)(sizeof(lines) / sizeof(lines[0]));
        dblite_reply_array(ctx, count);
        for (int i = 0; i < count; i++) dblite_reply_simple(ctx, lines[i]);
    } else {
        reply_unknown_subcommand(ctx, sub, "COMMAND");
    }
}
