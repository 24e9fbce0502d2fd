/*
 * command_table.c - the registry of commands, core and module alike.
 *
 * Lookup is on the hot path of every request, so names live in an
 * open-addressing table hashed case-insensitively: no lowercase copy of
 * argv[0] is made per request.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "server.h"

static uint64_t name_hash(const char *name, size_t length)
{
    uint64_t hash = 1469598103934665603ULL;
    for (size_t i = 0; i < length; i++) {
        hash ^= (unsigned char)tolower((unsigned char)name[i]);
        hash *= 1099511628211ULL;
    }
    return hash;
}

static int table_init(command_table *t, size_t slot_count)
{
    t->slot_count = slot_count;
    t->slots = calloc(t->slot_count, sizeof(*t->slots));
    return t->slots ? DBLITE_OK : DBLITE_ERR_NOMEM;
}

/* Dialect commands (a module's own versions of commands for the clients of
 * its listeners) live in a second table, looked up first for those clients. */
int command_table_init(void)
{
    if (table_init(&server.commands, 512) != DBLITE_OK)
        return DBLITE_ERR_NOMEM;
    return table_init(&server.dialect_commands, 64);
}

static void command_free(command *cmd)
{
    free(cmd->name);
    free(cmd->summary);
    free(cmd->since);
    free(cmd->group);
    free(cmd->arguments);
    free(cmd);
}

static void table_free(command_table *t)
{
    for (size_t i = 0; i < t->count; i++)
        command_free(t->ordered[i]);
    free(t->slots);
    free(t->ordered);
    memset(t, 0, sizeof(*t));
}

void command_table_free(void)
{
    table_free(&server.commands);
    table_free(&server.dialect_commands);
}

static command *table_lookup(const command_table *t, const char *name, size_t length)
{
    if (!t->slots)
        return NULL;
    size_t mask = t->slot_count - 1;
    for (size_t i = name_hash(name, length) & mask;; i = (i + 1) & mask) {
        command *cmd = t->slots[i];
        if (!cmd)
            return NULL;
        if (strlen(cmd->name) == length && strncasecmp(cmd->name, name, length) == 0)
            return cmd;
    }
}

static int slots_insert(command **slots, size_t slot_count, command *cmd)
{
    size_t mask = slot_count - 1;
    for (size_t i = name_hash(cmd->name, strlen(cmd->name)) & mask;; i = (i + 1) & mask) {
        if (!slots[i]) {
            slots[i] = cmd;
            return 0;
        }
    }
}

static int table_grow(command_table *t)
{
    size_t slot_count = t->slot_count * 2;
    command **slots = calloc(slot_count, sizeof(*slots));
    if (!slots)
        return -1;
    for (size_t i = 0; i < t->count; i++)
        slots_insert(slots, slot_count, t->ordered[i]);
    free(t->slots);
    t->slots = slots;
    t->slot_count = slot_count;
    return 0;
}

int command_flags_parse(const char *text, unsigned *flags, char *bad_flag, size_t bad_flag_size)
{
    static const struct {
        const char *name;
        unsigned bit;
    } known[] = {{"write", COMMAND_WRITE},
                 {"readonly", COMMAND_READONLY},
                 {"fast", COMMAND_FAST},
                 {"admin", COMMAND_ADMIN},
                 {"deny-oom", COMMAND_DENY_OOM},
                 {"blocking", COMMAND_BLOCKING},
                 {"no-auth", COMMAND_NO_AUTH},
                 {"loading", COMMAND_LOADING},
                 {"stale", COMMAND_STALE},
                 {"noscript", COMMAND_NOSCRIPT},
                 {"may-replicate", COMMAND_MAY_REPLICATE},
                 {"no-multi", COMMAND_NO_MULTI},
                 {"movablekeys", COMMAND_MOVABLE_KEYS}};
    *flags = 0;
    if (!text)
        return DBLITE_OK;
    const char *p = text;
    while (*p) {
        while (*p == ' ')
            p++;
        if (!*p)
            break;
        const char *start = p;
        while (*p && *p != ' ')
            p++;
        size_t length = (size_t)(p - start);
        size_t k;
        for (k = 0; k < sizeof(known) / sizeof(known[0]); k++) {
            if (strlen(known[k].name) == length && strncmp(known[k].name, start, length) == 0) {
                *flags |= known[k].bit;
                break;
            }
        }
        if (k == sizeof(known) / sizeof(known[0])) {
            if (bad_flag && bad_flag_size > 0) {
                size_t copy = length < bad_flag_size - 1 ? length : bad_flag_size - 1;
                memcpy(bad_flag, start, copy);
                bad_flag[copy] = '\0';
            }
            return DBLITE_ERR_INVALID;
        }
    }
    return DBLITE_OK;
}

static char *optional_copy(const char *text, int *failed)
{
    if (!text)
        return NULL;
    char *copy = strdup(text);
    if (!copy)
        *failed = 1;
    return copy;
}

static int table_register_unchecked(command_table *t, const dblite_command_spec *spec,
                                    module *owner);

static int table_register(command_table *t, const dblite_command_spec *spec, module *owner,
                          const char **existing_owner)
{
    if (!spec || !spec->name)
        return DBLITE_ERR_INVALID;
    command *existing = table_lookup(t, spec->name, strlen(spec->name));
    if (existing) {
        if (existing_owner)
            *existing_owner = existing->owner ? existing->owner->name : "core";
        return DBLITE_ERR_EXISTS;
    }
    return table_register_unchecked(t, spec, owner);
}

static int table_register_unchecked(command_table *t, const dblite_command_spec *spec,
                                    module *owner)
{
    if (!spec || !spec->name || !spec->name[0] || !spec->handler || spec->arity == 0)
        return DBLITE_ERR_INVALID;
    for (const char *p = spec->name; *p; p++)
        if (isspace((unsigned char)*p) || isupper((unsigned char)*p))
            return DBLITE_ERR_INVALID;
    unsigned flags;
    if (command_flags_parse(spec->flags, &flags, NULL, 0) != DBLITE_OK)
        return DBLITE_ERR_INVALID;
    if ((t->count + 1) * 2 > t->slot_count && table_grow(t) != 0)
        return DBLITE_ERR_NOMEM;
    if (t->count == t->capacity) {
        size_t capacity = t->capacity ? t->capacity * 2 : 128;
        command **ordered = realloc(t->ordered, capacity * sizeof(*ordered));
        if (!ordered)
            return DBLITE_ERR_NOMEM;
        t->ordered = ordered;
        t->capacity = capacity;
    }
    command *cmd = calloc(1, sizeof(*cmd));
    if (!cmd)
        return DBLITE_ERR_NOMEM;
    int failed = 0;
    cmd->name = optional_copy(spec->name, &failed);
    cmd->summary = optional_copy(spec->summary, &failed);
    cmd->since = optional_copy(spec->since, &failed);
    cmd->group = optional_copy(spec->group, &failed);
    cmd->arguments = optional_copy(spec->arguments, &failed);
    if (failed) {
        command_free(cmd);
        return DBLITE_ERR_NOMEM;
    }
    cmd->arity = spec->arity;
    cmd->flags = flags;
    cmd->first_key = spec->first_key;
    cmd->last_key = spec->last_key;
    cmd->key_step = spec->key_step;
    cmd->handler = spec->handler;
    /* Specs older than API 5 end before the field: never read it there. */
    cmd->privdata = spec->api_version >= 5 ? spec->privdata : NULL;
    cmd->get_keys = spec->api_version >= 8 ? spec->get_keys : NULL;
    cmd->owner = owner;
    slots_insert(t->slots, t->slot_count, cmd);
    t->ordered[t->count++] = cmd;
    return DBLITE_OK;
}

int command_register(const dblite_command_spec *spec, module *owner, const char **existing_owner)
{
    return table_register(&server.commands, spec, owner, existing_owner);
}

int command_register_dialect(const dblite_command_spec *spec, module *owner)
{
    /* Several dialect modules may each override one name: the stored name
     * is the command name, the owner tells them apart at lookup. */
    for (size_t i = 0; i < server.dialect_commands.count; i++) {
        command *cmd = server.dialect_commands.ordered[i];
        if (cmd->owner == owner && strcmp(cmd->name, spec->name) == 0)
            return DBLITE_ERR_EXISTS;
    }
    return table_register_unchecked(&server.dialect_commands, spec, owner);
}

command *command_lookup(const char *name, size_t length)
{
    return table_lookup(&server.commands, name, length);
}

command *command_lookup_for(const module *dialect, const char *name, size_t length)
{
    if (dialect) {
        for (size_t i = 0; i < server.dialect_commands.count; i++) {
            command *cmd = server.dialect_commands.ordered[i];
            if (cmd->owner == dialect && strlen(cmd->name) == length &&
                strncasecmp(cmd->name, name, length) == 0)
                return cmd;
        }
    }
    return command_lookup(name, length);
}

size_t command_count(void)
{
    return server.commands.count;
}
command *command_at(size_t index)
{
    return index < server.commands.count ? server.commands.ordered[index] : NULL;
}
