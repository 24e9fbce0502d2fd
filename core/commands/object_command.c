/*
 * object_command.c - OBJECT ENCODING REFCOUNT IDLETIME FREQ HELP: how a
 * key's value is held.
 *
 * The core knows no type's layout, so ENCODING asks the type's encoding
 * method.  Values are never shared between keys here, so REFCOUNT is one
 * for every value.  Key access times and frequencies are not tracked (no
 * eviction policy needs them yet): FREQ answers Redis's error for a server
 * without an LFU policy, IDLETIME says plainly that it is not tracked.
 */
#include "commands/core_commands.h"

static void reply_object_help(dblite_ctx *ctx)
{
    static const char *const lines[] = {
        "OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "ENCODING <key>",
        "    Return the kind of internal representation used in order to store the value",
        "    associated with a <key>.",
        "FREQ <key>",
        "    Return the access frequency index of the <key>. The returned integer is",
        "    proportional to the logarithm of the recent access frequency of the key.",
        "IDLETIME <key>",
        "    Return the idle time of the <key>, that is the approximated number of",
        "    seconds elapsed since the last access to the key.",
        "REFCOUNT <key>",
        "    Return the number of references of the value associated with the specified",
        "    <key>.",
        "HELP",
        "    Prints this help."};
    REPLY_HELP(ctx, lines);
}

HANDLER(command_object)
{
    const dblite_bytes *sub = &argv[1];
    if (dblite_bytes_equal_nocase(*sub, "HELP") && argc == 2) {
        reply_object_help(ctx);
        return;
    }
    int encoding = dblite_bytes_equal_nocase(*sub, "ENCODING");
    int refcount = dblite_bytes_equal_nocase(*sub, "REFCOUNT");
    int idletime = dblite_bytes_equal_nocase(*sub, "IDLETIME");
    int frequency = dblite_bytes_equal_nocase(*sub, "FREQ");
    if (!encoding && !refcount && !idletime && !frequency) {
        if (dblite_bytes_equal_nocase(*sub, "HELP"))
            reply_subcommand_arity(ctx, "object", sub);
        else
            reply_unknown_subcommand(ctx, sub, "OBJECT");
        return;
    }
    if (argc != 3) {
        reply_subcommand_arity(ctx, "object", sub);
        return;
    }
    keytable_entry *entry = db_find(ctx, ctx->db, argv[2].ptr, argv[2].len, DBLITE_LOOKUP_READ);
    if (!entry) {
        dblite_reply_null(ctx);
        return;
    }
    if (encoding) {
        const value_type *type = entry_type(entry);
        dblite_reply_bulk_cstring(ctx, type->methods.encoding ? type->methods.encoding(entry->value)
                                                              : "raw");
    } else if (refcount) {
        dblite_reply_integer(ctx, 1);
    } else if (frequency) {
        dblite_reply_error(
            ctx,
            "ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please "
            "note that when switching between policies at runtime LRU and LFU data will take "
            "some time to adjust.");
    } else {
        dblite_reply_error(
            ctx, "ERR OBJECT IDLETIME is not available: this server does not track when keys "
                 "were last accessed");
    }
}
