/*
 * command_getkeys.c - COMMAND GETKEYS: which arguments of a full command
 * line are keys, with Redis 7.0's checks in its order and its error texts,
 * so that proxies and cluster-aware clients route the same way they do
 * against Redis.  Key positions come from each command's first/last/step
 * (or a movablekeys command's get_keys);
 * the core's container commands (OBJECT, MEMORY...) are resolved to their
 * subcommand first, as Redis resolves them.
 */
#include <string.h>

#include "commands/core_commands.h"

/* The core commands that Redis 7.0 registers as containers: COMMAND
 * GETKEYS looks their subcommand up, so an unknown one is an invalid
 * command and only OBJECT's and MEMORY USAGE's name a key (argument 2). */
typedef struct container_subcommand {
    const char *name;
    int arity; /* Redis's, counted from the container's name */
    int key;   /* argument index of the key, 0 when none */
} container_subcommand;

typedef struct container_command {
    const char *name;
    const container_subcommand *subcommands;
} container_command;

static const container_subcommand object_subcommands[] = {{"encoding", 3, 2}, {"freq", 3, 2},
                                                          {"idletime", 3, 2}, {"refcount", 3, 2},
                                                          {"help", 2, 0},     {NULL, 0, 0}};
static const container_subcommand memory_subcommands[] = {
    {"usage", -3, 2}, {"doctor", 2, 0}, {"malloc-stats", 2, 0}, {"purge", 2, 0}, {"stats", 2, 0},
    {"help", 2, 0},   {NULL, 0, 0}};
static const container_subcommand client_subcommands[] = {
    {"caching", 3, 0},      {"getredir", 2, 0}, {"id", 2, 0},
    {"info", 2, 0},         {"kill", -3, 0},    {"list", -2, 0},
    {"unpause", 2, 0},      {"pause", -3, 0},   {"reply", 3, 0},
    {"setname", 3, 0},      {"getname", 2, 0},  {"tracking", -3, 0},
    {"trackinginfo", 2, 0}, {"unblock", -3, 0}, {"no-evict", 3, 0},
    {"help", 2, 0},         {NULL, 0, 0}};
static const container_subcommand config_subcommands[] = {{"get", -3, 0},      {"set", -4, 0},
                                                          {"resetstat", 2, 0}, {"rewrite", 2, 0},
                                                          {"help", 2, 0},      {NULL, 0, 0}};
static const container_subcommand command_subcommands[] = {
    {"count", 2, 0}, {"docs", -2, 0}, {"getkeys", -3, 0}, {"getkeysandflags", -3, 0},
    {"info", -2, 0}, {"list", -2, 0}, {"help", 2, 0},     {NULL, 0, 0}};
static const container_subcommand module_subcommands[] = {{"help", 2, 0},   {"list", 2, 0},
                                                          {"load", -3, 0},  {"loadex", -3, 0},
                                                          {"unload", 3, 0}, {NULL, 0, 0}};

static const container_command containers[] = {
    {"object", object_subcommands},   {"memory", memory_subcommands},
    {"client", client_subcommands},   {"config", config_subcommands},
    {"command", command_subcommands}, {"module", module_subcommands},
};

static const container_subcommand *find_subcommand(const command *cmd, const dblite_bytes *name,
                                                   int *is_container)
{
    *is_container = 0;
    if (cmd->owner)
        return NULL; /* a module's command keeps its own name */
    for (size_t i = 0; i < sizeof(containers) / sizeof(containers[0]); i++) {
        if (strcmp(containers[i].name, cmd->name) != 0)
            continue;
        *is_container = 1;
        for (const container_subcommand *sub = containers[i].subcommands; sub->name; sub++)
            if (dblite_bytes_equal_nocase(*name, sub->name))
                return sub;
        return NULL;
    }
    return NULL;
}

/* A movablekeys command's own answer (dblite_command_spec.get_keys), kept
 * to positions that exist. */
static int module_key_positions(const command *cmd, int argc, const dblite_bytes *argv,
                                int *positions, int max)
{
    int count = cmd->get_keys(argc, argv, positions, max);
    int kept = 0;
    for (int i = 0; i < count && i < max; i++)
        if (positions[i] > 0 && positions[i] < argc)
            positions[kept++] = positions[i];
    return kept;
}

/* Which arguments of a command line that ran are keys (client-side caching
 * remembers them): a container's subcommand key, else first/last/step. */
int command_key_positions(const command *cmd, int argc, const dblite_bytes *argv, int *positions,
                          int max)
{
    int is_container;
    const container_subcommand *sub =
        argc > 1 ? find_subcommand(cmd, &argv[1], &is_container) : NULL;
    if (argc > 1 && is_container)
        return sub && sub->key && sub->key < argc && max > 0 ? (positions[0] = sub->key, 1) : 0;
    if (cmd->get_keys)
        return module_key_positions(cmd, argc, argv, positions, max);
    if (cmd->first_key <= 0)
        return 0;
    int last = cmd->last_key < 0 ? argc + cmd->last_key : cmd->last_key;
    int step = cmd->key_step > 0 ? cmd->key_step : 1;
    int count = 0;
    for (int k = cmd->first_key; k <= last && k < argc && count < max; k += step)
        positions[count++] = k;
    return count;
}

static int arity_fits(int arity, int nargs)
{
    return arity > 0 ? nargs == arity : nargs >= -arity;
}

/* COMMAND GETKEYS command arg...: Redis 7.0's checks in its order (the
 * command, then whether it has keys at all, then its arity). */
void reply_command_getkeys(dblite_ctx *ctx, int argc, const dblite_bytes *argv)
{
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
    if (cmd->first_key <= 0 && !cmd->get_keys) {
        dblite_reply_error(ctx, "ERR The command has no key arguments");
        return;
    }
    if (!arity_fits(cmd->arity, nargs)) {
        dblite_reply_error(ctx, "ERR Invalid number of arguments specified for command");
        return;
    }
    if (cmd->get_keys) {
        int *positions = server_alloc(sizeof(*positions) * (size_t)nargs);
        if (!positions) {
            dblite_reply_error(ctx, "ERR out of memory");
            return;
        }
        int count = module_key_positions(cmd, nargs, argv + 2, positions, nargs);
        if (count == 0)
            dblite_reply_error(ctx, "ERR Invalid arguments specified for command");
        else
            dblite_reply_array(ctx, count);
        for (int i = 0; i < count; i++)
            dblite_reply_bulk(ctx, argv[2 + positions[i]].ptr, argv[2 + positions[i]].len);
        server_free(positions);
        return;
    }
    int last = cmd->last_key < 0 ? nargs + cmd->last_key : cmd->last_key;
    void *deferred = dblite_reply_deferred(ctx, DBLITE_AGGREGATE_ARRAY);
    long long count = 0;
    for (int k = cmd->first_key; k <= last && k<nargs; k += cmd->key_step> 0 ? cmd->key_step : 1) {
        dblite_reply_bulk(ctx, argv[2 + k].ptr, argv[2 + k].len);
        count++;
    }
    dblite_reply_set_length(ctx, deferred, count);
}
