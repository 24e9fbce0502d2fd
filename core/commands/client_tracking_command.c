/*
 * client_tracking_command.c - CLIENT TRACKING, CACHING, GETREDIR and
 * TRACKINGINFO: the options read and checked in Redis 7.0's order with its
 * error texts byte for byte, the work done by net/tracking.c.
 */
#include <string.h>

#include "commands/core_commands.h"
#include "util/numbers.h"

/* Redis prints prefixes with %s: up to a NUL byte. */
static int shown_length(const dblite_bytes *b)
{
    const char *nul = memchr(b->ptr, '\0', b->len);
    return (int)(nul ? (size_t)(nul - b->ptr) : b->len);
}

static int prefixes_overlap(const dblite_bytes *a, const dblite_bytes *b)
{
    size_t shorter = a->len < b->len ? a->len : b->len;
    return shorter == 0 || memcmp(a->ptr, b->ptr, shorter) == 0;
}

/* Redis's checkPrefixCollisionsOrReply: 1 when none of the new prefixes
 * overlaps one of the client's or another new one. */
static int check_prefix_collisions(dblite_ctx *ctx, const dblite_bytes *prefixes, int count)
{
    client *c = ctx->client;
    for (int i = 0; i < count; i++) {
        for (size_t k = 0; k < tracking_prefix_count(c); k++) {
            const dblite_bytes *existing = tracking_prefix_at(c, k);
            if (prefixes_overlap(existing, &prefixes[i])) {
                dblite_reply_error_format(ctx,
                                          "ERR Prefix '%.*s' overlaps with an existing prefix "
                                          "'%.*s'. Prefixes for a single client must not overlap.",
                                          shown_length(&prefixes[i]), prefixes[i].ptr,
                                          shown_length(existing), existing->ptr);
                return 0;
            }
        }
        for (int j = i + 1; j < count; j++) {
            if (prefixes_overlap(&prefixes[i], &prefixes[j])) {
                dblite_reply_error_format(ctx,
                                          "ERR Prefix '%.*s' overlaps with another provided "
                                          "prefix '%.*s'. Prefixes for a single client must not "
                                          "overlap.",
                                          shown_length(&prefixes[i]), prefixes[i].ptr,
                                          shown_length(&prefixes[j]), prefixes[j].ptr);
                return 0;
            }
        }
    }
    return 1;
}

/* The checks of CLIENT TRACKING ON, after its options parsed, in Redis's
 * order; 1 when they pass (else the error is replied). */
static int tracking_on_allowed(dblite_ctx *ctx, unsigned options, const dblite_bytes *prefixes,
                               int prefix_count)
{
    client *c = ctx->client;
    if (!(options & CLIENT_TRACKING_BCAST) && prefix_count) {
        dblite_reply_error(ctx, "ERR PREFIX option requires BCAST mode to be enabled");
        return 0;
    }
    if ((c->flags & CLIENT_TRACKING) &&
        !(c->flags & CLIENT_TRACKING_BCAST) != !(options & CLIENT_TRACKING_BCAST)) {
        dblite_reply_error(ctx, "ERR You can't switch BCAST mode on/off before disabling tracking "
                                "for this client, and then re-enabling it with a different mode.");
        return 0;
    }
    if ((options & CLIENT_TRACKING_BCAST) &&
        (options & (CLIENT_TRACKING_OPTIN | CLIENT_TRACKING_OPTOUT))) {
        dblite_reply_error(ctx, "ERR OPTIN and OPTOUT are not compatible with BCAST");
        return 0;
    }
    if ((options & CLIENT_TRACKING_OPTIN) && (options & CLIENT_TRACKING_OPTOUT)) {
        dblite_reply_error(ctx, "ERR You can't specify both OPTIN mode and OPTOUT mode");
        return 0;
    }
    if (((options & CLIENT_TRACKING_OPTIN) && (c->flags & CLIENT_TRACKING_OPTOUT)) ||
        ((options & CLIENT_TRACKING_OPTOUT) && (c->flags & CLIENT_TRACKING_OPTIN))) {
        dblite_reply_error(ctx, "ERR You can't switch OPTIN/OPTOUT mode before disabling tracking "
                                "for this client, and then re-enabling it with a different mode.");
        return 0;
    }
    if ((options & CLIENT_TRACKING_BCAST) && !check_prefix_collisions(ctx, prefixes, prefix_count))
        return 0;
    return 1;
}

/* CLIENT TRACKING ON|OFF [REDIRECT id] [BCAST] [PREFIX p]... [OPTIN] [OPTOUT] [NOLOOP] */
static void client_tracking(dblite_ctx *ctx, int argc, const dblite_bytes *argv)
{
    long long redirect = 0;
    unsigned options = 0;
    /* Prefixes are at most every other argument: one array on the stack
     * for a short line, allocated for a long one. */
    dblite_bytes small[16];
    dblite_bytes *prefixes = small;
    if ((size_t)argc > sizeof(small) / sizeof(small[0])) {
        prefixes = server_alloc(sizeof(dblite_bytes) * (size_t)argc);
        if (!prefixes) {
            dblite_reply_error(ctx, "ERR out of memory");
            return;
        }
    }
    int prefix_count = 0;
    for (int j = 3; j < argc; j++) {
        int more = argc - 1 - j;
        if (dblite_bytes_equal_nocase(argv[j], "redirect") && more) {
            j++;
            if (redirect != 0) {
                dblite_reply_error(ctx, "ERR A client can only redirect to a single other client");
                goto done;
            }
            if (!parse_long_long(argv[j].ptr, argv[j].len, &redirect)) {
                dblite_reply_not_integer(ctx);
                goto done;
            }
            client *target = redirect > 0 ? client_by_id((uint64_t)redirect) : NULL;
            if (!target || target->fd < 0) {
                dblite_reply_error(ctx, "ERR The client ID you want redirect to does not exist");
                goto done;
            }
        } else if (dblite_bytes_equal_nocase(argv[j], "bcast")) {
            options |= CLIENT_TRACKING_BCAST;
        } else if (dblite_bytes_equal_nocase(argv[j], "optin")) {
            options |= CLIENT_TRACKING_OPTIN;
        } else if (dblite_bytes_equal_nocase(argv[j], "optout")) {
            options |= CLIENT_TRACKING_OPTOUT;
        } else if (dblite_bytes_equal_nocase(argv[j], "noloop")) {
            options |= CLIENT_TRACKING_NOLOOP;
        } else if (dblite_bytes_equal_nocase(argv[j], "prefix") && more) {
            j++;
            prefixes[prefix_count++] = argv[j];
        } else {
            dblite_reply_syntax_error(ctx);
            goto done;
        }
    }
    if (dblite_bytes_equal_nocase(argv[2], "on")) {
        if (!tracking_on_allowed(ctx, options, prefixes, prefix_count))
            goto done;
        if (tracking_enable(ctx->client, (uint64_t)redirect, options, prefix_count, prefixes) !=
            DBLITE_OK) {
            dblite_reply_error(ctx, "ERR out of memory");
            goto done;
        }
    } else if (dblite_bytes_equal_nocase(argv[2], "off")) {
        tracking_disable(ctx->client);
    } else {
        dblite_reply_syntax_error(ctx);
        goto done;
    }
    dblite_reply_ok(ctx);
done:
    if (prefixes != small)
        server_free(prefixes);
}

/* CLIENT CACHING YES|NO: the next command's reads are (not) remembered. */
static void client_caching(dblite_ctx *ctx, const dblite_bytes *option)
{
    client *c = ctx->client;
    if (!(c->flags & CLIENT_TRACKING)) {
        dblite_reply_error(ctx, "ERR CLIENT CACHING can be called only when the client is in "
                                "tracking mode with OPTIN or OPTOUT mode enabled");
        return;
    }
    if (dblite_bytes_equal_nocase(*option, "yes")) {
        if (!(c->flags & CLIENT_TRACKING_OPTIN)) {
            dblite_reply_error(ctx, "ERR CLIENT CACHING YES is only valid when tracking is "
                                    "enabled in OPTIN mode.");
            return;
        }
    } else if (dblite_bytes_equal_nocase(*option, "no")) {
        if (!(c->flags & CLIENT_TRACKING_OPTOUT)) {
            dblite_reply_error(ctx, "ERR CLIENT CACHING NO is only valid when tracking is "
                                    "enabled in OPTOUT mode.");
            return;
        }
    } else {
        dblite_reply_syntax_error(ctx);
        return;
    }
    c->flags |= CLIENT_TRACKING_CACHING;
    dblite_reply_ok(ctx);
}

static long long redirect_or_minus_one(const client *c)
{
    return (c->flags & CLIENT_TRACKING) ? (long long)tracking_redirect(c) : -1;
}

/* CLIENT TRACKINGINFO: a map of flags (a set), redirect and prefixes. */
static void client_trackinginfo(dblite_ctx *ctx)
{
    client *c = ctx->client;
    const char *flags[8];
    int count = 0;
    flags[count++] = (c->flags & CLIENT_TRACKING) ? "on" : "off";
    if (c->flags & CLIENT_TRACKING_BCAST)
        flags[count++] = "bcast";
    if (c->flags & CLIENT_TRACKING_OPTIN) {
        flags[count++] = "optin";
        if (c->flags & CLIENT_TRACKING_CACHING)
            flags[count++] = "caching-yes";
    }
    if (c->flags & CLIENT_TRACKING_OPTOUT) {
        flags[count++] = "optout";
        if (c->flags & CLIENT_TRACKING_CACHING)
            flags[count++] = "caching-no";
    }
    if (c->flags & CLIENT_TRACKING_NOLOOP)
        flags[count++] = "noloop";
    if (c->flags & CLIENT_TRACKING_BROKEN_REDIR)
        flags[count++] = "broken_redirect";
    dblite_reply_map(ctx, 3);
    dblite_reply_bulk_cstring(ctx, "flags");
    dblite_reply_set(ctx, count);
    for (int i = 0; i < count; i++)
        dblite_reply_bulk_cstring(ctx, flags[i]);
    dblite_reply_bulk_cstring(ctx, "redirect");
    dblite_reply_integer(ctx, redirect_or_minus_one(c));
    dblite_reply_bulk_cstring(ctx, "prefixes");
    size_t prefix_count = tracking_prefix_count(c);
    dblite_reply_array(ctx, (long long)prefix_count);
    for (size_t i = 0; i < prefix_count; i++) {
        const dblite_bytes *p = tracking_prefix_at(c, i);
        dblite_reply_bulk(ctx, p->ptr, p->len);
    }
}

/* 1 when sub is one of the four (its reply given), 0 otherwise. */
int client_tracking_subcommand(dblite_ctx *ctx, int argc, const dblite_bytes *argv)
{
    const dblite_bytes *sub = &argv[1];
    if (dblite_bytes_equal_nocase(*sub, "TRACKING")) {
        if (argc < 3)
            reply_subcommand_arity(ctx, "client", sub);
        else
            client_tracking(ctx, argc, argv);
    } else if (dblite_bytes_equal_nocase(*sub, "CACHING")) {
        if (argc != 3)
            reply_subcommand_arity(ctx, "client", sub);
        else
            client_caching(ctx, &argv[2]);
    } else if (dblite_bytes_equal_nocase(*sub, "GETREDIR")) {
        if (argc != 2)
            reply_subcommand_arity(ctx, "client", sub);
        else
            dblite_reply_integer(ctx, redirect_or_minus_one(ctx->client));
    } else if (dblite_bytes_equal_nocase(*sub, "TRACKINGINFO")) {
        if (argc != 2)
            reply_subcommand_arity(ctx, "client", sub);
        else
            client_trackinginfo(ctx);
    } else {
        return 0;
    }
    return 1;
}
