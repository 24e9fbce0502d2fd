/*
 * server_commands.c - TIME INFO SHUTDOWN MODULE CONFIG: commands about the
 * server process and its settings.
 */
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/time.h>

#include "commands/core_commands.h"
#include "config/config.h"
#include "util/numbers.h"

HANDLER(command_time)
{
    (void)argc, (void)argv;
    struct timeval tv;
    gettimeofday(&tv, NULL);
    dblite_reply_array(ctx, 2);
    dblite_reply_bulk_long_long(ctx, (long long)tv.tv_sec);
    dblite_reply_bulk_long_long(ctx, (long long)tv.tv_usec);
}

HANDLER(command_info)
{
    char section[256] = "";
    size_t used = 0;
    for (int i = 1; i < argc; i++) {
        int written = snprintf(section + used, sizeof(section) - used, "%s%.*s", i > 1 ? " " : "",
                               (int)argv[i].len, argv[i].ptr);
        if (written < 0 || (size_t)written >= sizeof(section) - used)
            break;
        used += (size_t)written;
    }
    size_t length;
    char *text = info_generate(argc > 1 ? section : NULL, &length);
    if (!text) {
        dblite_reply_error(ctx, "ERR out of memory");
        return;
    }
    dblite_reply_verbatim(ctx, "txt", text, length);
    server_free(text);
}

/* SHUTDOWN [NOSAVE|SAVE] [NOW] [FORCE] [ABORT], Redis 7.0's: the final
 * save runs before anything stops; when it fails (without FORCE) the client
 * gets Redis's error and the server keeps serving. */
HANDLER(command_shutdown)
{
    int flags = 0, abort = 0;
    for (int i = 1; i < argc; i++) {
        if (dblite_bytes_equal_nocase(argv[i], "NOSAVE"))
            flags |= DBLITE_SHUTDOWN_NOSAVE;
        else if (dblite_bytes_equal_nocase(argv[i], "SAVE"))
            flags |= DBLITE_SHUTDOWN_SAVE;
        else if (dblite_bytes_equal_nocase(argv[i], "NOW"))
            flags |= DBLITE_SHUTDOWN_NOW;
        else if (dblite_bytes_equal_nocase(argv[i], "FORCE"))
            flags |= DBLITE_SHUTDOWN_FORCE;
        else if (dblite_bytes_equal_nocase(argv[i], "ABORT"))
            abort = 1;
        else {
            dblite_reply_syntax_error(ctx);
            return;
        }
    }
    if ((abort && flags) || ((flags & DBLITE_SHUTDOWN_NOSAVE) && (flags & DBLITE_SHUTDOWN_SAVE))) {
        dblite_reply_syntax_error(ctx);
        return;
    }
    if (abort) {
        /* Only a signal's shutdown can be pending (there are no replicas
         * to wait for): cancel it before before-sleep handles it. */
        if (server.shutdown_signal) {
            server.shutdown_signal = 0;
            server_log(LOG_NOTICE, "Shutdown manually aborted.");
            dblite_reply_ok(ctx);
        } else {
            dblite_reply_error(ctx, "ERR No shutdown in progress.");
        }
        return;
    }
    if (server_prepare_shutdown(flags) != 0) {
        dblite_reply_error(ctx, "ERR Errors trying to SHUTDOWN. Check logs.");
        return;
    }
    /* Like Redis, no reply: the connection simply closes. */
}

/* MEMORY USAGE key [SAMPLES n]: the key's entry plus what its type's
 * memory_usage method reports for the value. */
HANDLER(command_memory)
{
    if (dblite_bytes_equal_nocase(argv[1], "USAGE")) {
        if (argc < 3) {
            reply_subcommand_arity(ctx, "memory", &argv[1]);
            return;
        }
        /* Options are checked before the key is looked up, in Redis's
         * order: SAMPLES may repeat, must be an integer and not negative.
         * The count itself is not needed: sizes here are exact. */
        for (int i = 3; i < argc; i += 2) {
            long long samples;
            if (!dblite_bytes_equal_nocase(argv[i], "SAMPLES") || i + 1 >= argc) {
                dblite_reply_syntax_error(ctx);
                return;
            }
            if (!parse_long_long(argv[i + 1].ptr, argv[i + 1].len, &samples)) {
                dblite_reply_not_integer(ctx);
                return;
            }
            if (samples < 0) {
                dblite_reply_syntax_error(ctx);
                return;
            }
        }
        keytable_entry *entry = db_find(ctx, ctx->db, argv[2].ptr, argv[2].len, DBLITE_LOOKUP_READ);
        if (!entry) {
            dblite_reply_null(ctx);
            return;
        }
        value_type *type = entry_type(entry);
        size_t bytes = dblite_alloc_size(entry) + sizeof(void *); /* entry + its bucket slot */
        if (type->methods.memory_usage)
            bytes += type->methods.memory_usage(entry->value);
        dblite_reply_integer(ctx, (long long)bytes);
    } else if (dblite_bytes_equal_nocase(argv[1], "PURGE") ||
               dblite_bytes_equal_nocase(argv[1], "MALLOC-STATS")) {
        if (argc != 2) {
            reply_subcommand_arity(ctx, "memory", &argv[1]);
            return;
        }
        if (dblite_bytes_equal_nocase(argv[1], "PURGE")) {
            malloc_trim(0); /* glibc's counterpart of jemalloc's purge */
            dblite_reply_ok(ctx);
        } else {
            /* What Redis built without jemalloc answers. */
            dblite_reply_bulk_cstring(ctx, "Stats not supported for the current allocator");
        }
    } else if (dblite_bytes_equal_nocase(argv[1], "HELP")) {
        if (argc != 2) {
            reply_subcommand_arity(ctx, "memory", &argv[1]);
            return;
        }
        static const char *const lines[] = {
            "MEMORY <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
            "MALLOC-STATS",
            "    Return internal statistics report from the memory allocator.",
            "PURGE",
            "    Attempt to purge dirty pages for reclamation by the allocator.",
            "USAGE <key> [SAMPLES <count>]",
            "    Return memory in bytes used by <key> and its value.",
            "HELP",
            "    Prints this help."};
        REPLY_HELP(ctx, lines);
    } else {
        reply_unknown_subcommand(ctx, &argv[1], "MEMORY");
    }
}

HANDLER(command_module)
{
    if (dblite_bytes_equal_nocase(argv[1], "LIST")) {
        if (argc != 2) {
            reply_subcommand_arity(ctx, "module", &argv[1]);
            return;
        }
        dblite_reply_array(ctx, (long long)server.modules.length);
        for (size_t i = 0; i < server.modules.length; i++) {
            module *m = server.modules.items[i];
            dblite_reply_map(ctx, 4);
            dblite_reply_bulk_cstring(ctx, "name");
            dblite_reply_bulk_cstring(ctx, m->name);
            dblite_reply_bulk_cstring(ctx, "ver");
            dblite_reply_integer(ctx, m->api_version);
            dblite_reply_bulk_cstring(ctx, "path");
            dblite_reply_bulk_cstring(ctx, m->path);
            dblite_reply_bulk_cstring(ctx, "args");
            dblite_reply_array(ctx, 0);
        }
    } else if (dblite_bytes_equal_nocase(argv[1], "LOAD") ||
               dblite_bytes_equal_nocase(argv[1], "LOADEX") ||
               dblite_bytes_equal_nocase(argv[1], "UNLOAD")) {
        /* Redis's arities (LOAD and LOADEX -3, UNLOAD 3) are checked first. */
        int unload = dblite_bytes_equal_nocase(argv[1], "UNLOAD");
        if (argc < 3 || (unload && argc != 3)) {
            reply_subcommand_arity(ctx, "module", &argv[1]);
            return;
        }
        dblite_reply_error(ctx, "ERR modules are loaded at startup from the config file only; "
                                "loading or unloading over the network is not offered");
    } else if (dblite_bytes_equal_nocase(argv[1], "HELP")) {
        if (argc != 2) {
            reply_subcommand_arity(ctx, "module", &argv[1]);
            return;
        }
        static const char *const lines[] = {
            "MODULE <subcommand> [<arg> [value] [opt] ...]. Subcommands are:", "LIST",
            "    Return a list of loaded modules (modules load at startup from the config).",
            "HELP", "    Print this help."};
        REPLY_HELP(ctx, lines);
    } else {
        reply_unknown_subcommand(ctx, &argv[1], "MODULE");
    }
}

/* Redis treats an argument without [ * or ? (before any NUL byte, as
 * strpbrk sees it) as a plain name, compared without case, and answers it
 * spelled as asked. */
static int has_glob_characters(const dblite_bytes *pattern)
{
    for (size_t i = 0; i < pattern->len && pattern->ptr[i] != '\0'; i++)
        if (pattern->ptr[i] == '[' || pattern->ptr[i] == '*' || pattern->ptr[i] == '?')
            return 1;
    return 0;
}

static int setting_name_matches(const dblite_bytes *pattern, int glob, const char *name)
{
    if (glob)
        return dblite_glob_match(pattern->ptr, pattern->len, name, strlen(name), 1);
    return strlen(name) == pattern->len && strncasecmp(name, pattern->ptr, pattern->len) == 0;
}

static void config_get(dblite_ctx *ctx, int argc, const dblite_bytes *argv)
{
    void *deferred = dblite_reply_deferred(ctx, DBLITE_AGGREGATE_MAP);
    long long pairs = 0;
    size_t count = config_setting_count();
    /* Each setting once, even if several patterns match it. */
    unsigned char *seen = calloc(count ? count : 1, 2);
    unsigned char *seen_alias = seen ? seen + count : NULL;
    for (int a = 2; a < argc && seen; a++) {
        int glob = has_glob_characters(&argv[a]);
        for (size_t i = 0; i < count; i++) {
            setting *s = config_setting_at(i);
            if (seen[i])
                continue;
            const char *shown = s->name;
            if (!setting_name_matches(&argv[a], glob, s->name)) {
                /* Module settings also answer to their short name. */
                shown = config_short_name(s);
                if (shown == s->name || !setting_name_matches(&argv[a], glob, shown))
                    continue;
            }
            seen[i] = 1;
            if (glob)
                dblite_reply_bulk_cstring(ctx, shown);
            else
                dblite_reply_bulk(ctx, argv[a].ptr, argv[a].len);
            dblite_reply_bulk_cstring(ctx, s->text ? s->text : "");
            pairs++;
        }
        /* An old name answers for its setting; a pattern lists it as a
         * name of its own, as Redis 7.0 does. */
        for (size_t i = 0; i < count; i++) {
            setting *s = config_setting_at(i);
            if (!s->alias || seen_alias[i])
                continue;
            if (glob ? !dblite_glob_match(argv[a].ptr, argv[a].len, s->alias, strlen(s->alias), 1)
                     : !config_is_alias(s, argv[a].ptr, argv[a].len))
                continue;
            seen_alias[i] = 1;
            if (glob)
                dblite_reply_bulk_cstring(ctx, s->alias);
            else
                dblite_reply_bulk(ctx, argv[a].ptr, argv[a].len);
            dblite_reply_bulk_cstring(ctx, s->text ? s->text : "");
            pairs++;
        }
    }
    free(seen);
    dblite_reply_set_length(ctx, deferred, pairs);
}

static void config_set(dblite_ctx *ctx, int argc, const dblite_bytes *argv)
{
    if (argc < 4 || (argc % 2) != 0) {
        reply_subcommand_arity(ctx, "config", &argv[1]);
        return;
    }
    /* Validate every pair before changing anything, as Redis 7.0 does. */
    for (int a = 2; a < argc; a += 2) {
        char name[256];
        snprintf(name, sizeof(name), "%.*s", (int)argv[a].len, argv[a].ptr);
        setting *s = config_find(name);
        if (!s) {
            dblite_reply_error_format(
                ctx, "ERR Unknown option or number of arguments for CONFIG SET - '%s'", name);
            return;
        }
        if (!s->mutable) {
            dblite_reply_error_format(
                ctx,
                "ERR CONFIG SET failed (possibly related to argument '%s') - can't set immutable config",
                name);
            return;
        }
        if (s->protected_config &&
            !config_protected_allowed(ctx->client && client_is_loopback(ctx->client))) {
            dblite_reply_error_format(
                ctx,
                "ERR CONFIG SET failed (possibly related to argument '%s') - can't set protected config",
                name);
            return;
        }
    }
    for (int a = 2; a < argc; a += 2) {
        char name[256], value[4096], reason[256];
        snprintf(name, sizeof(name), "%.*s", (int)argv[a].len, argv[a].ptr);
        snprintf(value, sizeof(value), "%.*s", (int)argv[a + 1].len, argv[a + 1].ptr);
        setting *s = config_find(name);
        if (config_set_value(s, value, reason, sizeof(reason)) != 0) {
            dblite_reply_error_format(
                ctx, "ERR CONFIG SET failed (possibly related to argument '%s') - %s", name,
                reason);
            return;
        }
    }
    dblite_reply_ok(ctx);
}

HANDLER(command_config)
{
    if (dblite_bytes_equal_nocase(argv[1], "GET")) {
        if (argc < 3) {
            reply_subcommand_arity(ctx, "config", &argv[1]);
            return;
        }
        config_get(ctx, argc, argv);
    } else if (dblite_bytes_equal_nocase(argv[1], "SET")) {
        config_set(ctx, argc, argv);
    } else if (dblite_bytes_equal_nocase(argv[1], "RESETSTAT")) {
        if (argc != 2) {
            reply_subcommand_arity(ctx, "config", &argv[1]);
            return;
        }
        memset(&server.stats, 0, sizeof(server.stats));
        for (size_t i = 0; i < command_count(); i++) {
            command *cmd = command_at(i);
            cmd->calls = cmd->microseconds = cmd->rejected_calls = cmd->failed_calls = 0;
        }
        dblite_reply_ok(ctx);
    } else if (dblite_bytes_equal_nocase(argv[1], "HELP")) {
        if (argc != 2) {
            reply_subcommand_arity(ctx, "config", &argv[1]);
            return;
        }
        static const char *const lines[] = {
            "CONFIG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
            "GET <pattern>",
            "    Return parameters matching the glob-like <pattern> and their values.",
            "SET <directive> <value>",
            "    Set the configuration <directive> to <value>.",
            "RESETSTAT",
            "    Reset statistics reported by the INFO command.",
            "HELP",
            "    Print this help."};
        REPLY_HELP(ctx, lines);
    } else {
        reply_unknown_subcommand(ctx, &argv[1], "CONFIG");
    }
}
