/*
 * connection_commands.c - PING ECHO QUIT HELLO SELECT AUTH: commands about
 * the connection itself rather than the data.
 */
#include <string.h>
#include <strings.h>

#include "commands/core_commands.h"
#include "util/numbers.h"

void reply_unknown_subcommand(dblite_ctx *ctx, const dblite_bytes *subcommand,
                              const char *command_name)
{
    int length = subcommand->len < 128 ? (int)subcommand->len : 128;
    dblite_reply_error_format(ctx, "ERR unknown subcommand '%.*s'. Try %s HELP.", length,
                              subcommand->ptr, command_name);
}

void reply_help_lines(dblite_ctx *ctx, const char *const *lines, int count)
{
    dblite_reply_array(ctx, count);
    for (int i = 0; i < count; i++)
        dblite_reply_simple(ctx, lines[i]);
}

void reply_subcommand_arity(dblite_ctx *ctx, const char *command_name,
                            const dblite_bytes *subcommand)
{
    char lower[64];
    size_t length = subcommand->len < sizeof(lower) - 1 ? subcommand->len : sizeof(lower) - 1;
    for (size_t i = 0; i < length; i++) {
        char ch = subcommand->ptr[i];
        lower[i] = (ch >= 'A' && ch <= 'Z') ? (char)(ch + 32) : ch;
    }
    lower[length] = '\0';
    dblite_reply_error_format(ctx, "ERR wrong number of arguments for '%s|%s' command",
                              command_name, lower);
}

HANDLER(command_ping)
{
    if (argc > 2) {
        dblite_reply_wrong_arity(ctx);
        return;
    }
    if (ctx->client && (ctx->client->flags & CLIENT_PUBSUB) && ctx->client->protocol < 3) {
        /* Redis's subscribed-mode PING (RESP2): [pong, argument or ""]. */
        dblite_reply_array(ctx, 2);
        dblite_reply_bulk(ctx, "pong", 4);
        dblite_reply_bulk(ctx, argc == 2 ? argv[1].ptr : "", argc == 2 ? argv[1].len : 0);
    } else if (argc == 2)
        dblite_reply_bulk(ctx, argv[1].ptr, argv[1].len);
    else
        dblite_reply_simple(ctx, "PONG");
}

HANDLER(command_echo)
{
    (void)argc;
    dblite_reply_bulk(ctx, argv[1].ptr, argv[1].len);
}

HANDLER(command_quit)
{
    (void)argc, (void)argv;
    dblite_reply_ok(ctx);
    if (ctx->client)
        ctx->client->flags |= CLIENT_CLOSE_AFTER_REPLY;
}

static int password_matches(dblite_bytes given)
{
    const char *password = server.settings.requirepass;
    return password && strlen(password) == given.len && memcmp(password, given.ptr, given.len) == 0;
}

static int require_password(void)
{
    return server.settings.requirepass && server.settings.requirepass[0];
}

/* AUTH [user] password: only the "default" user exists. */
HANDLER(command_auth)
{
    if (argc > 3) {
        dblite_reply_syntax_error(ctx);
        return;
    }
    if (argc == 2 && !require_password()) {
        dblite_reply_error(
            ctx, "ERR AUTH <password> called without any password configured for the default user. "
                 "Are you sure your configuration is correct?");
        return;
    }
    dblite_bytes user = argc == 3 ? argv[1] : (dblite_bytes){"default", 7};
    dblite_bytes password = argv[argc - 1];
    int user_ok = user.len == 7 && memcmp(user.ptr, "default", 7) == 0;
    if (user_ok && (!require_password() || password_matches(password))) {
        ctx->client->authenticated = 1;
        dblite_reply_ok(ctx);
    } else {
        dblite_reply_error(ctx, "WRONGPASS invalid username-password pair or user is disabled.");
    }
}

HANDLER(command_hello)
{
    client *c = ctx->client;
    long long version = c->protocol;
    int next = 1;
    if (argc >= 2) {
        if (!parse_long_long(argv[1].ptr, argv[1].len, &version)) {
            dblite_reply_error(ctx, "ERR Protocol version is not an integer or out of range");
            return;
        }
        next = 2;
        if (version < 2 || version > 3) {
            dblite_reply_error(ctx, "NOPROTO unsupported protocol version");
            return;
        }
    }
    dblite_bytes *setname = NULL;
    for (int i = next; i < argc; i++) {
        int more = argc - i - 1;
        if (dblite_bytes_equal_nocase(argv[i], "AUTH") && more >= 2) {
            dblite_bytes user = argv[i + 1];
            int user_ok = user.len == 7 && memcmp(user.ptr, "default", 7) == 0;
            if (!user_ok || (require_password() && !password_matches(argv[i + 2]))) {
                dblite_reply_error(ctx,
                                   "WRONGPASS invalid username-password pair or user is disabled.");
                return;
            }
            c->authenticated = 1;
            i += 2;
        } else if (dblite_bytes_equal_nocase(argv[i], "SETNAME") && more >= 1) {
            setname = (dblite_bytes *)&argv[i + 1];
            for (size_t k = 0; k < setname->len; k++) {
                if (setname->ptr[k] < '!' || setname->ptr[k] > '~') {
                    dblite_reply_error(
                        ctx,
                        "ERR Client names cannot contain spaces, newlines or special characters.");
                    return;
                }
            }
            i++;
        } else {
            dblite_reply_error_format(ctx, "ERR Syntax error in HELLO option '%.*s'",
                                      argv[i].len < 128 ? (int)argv[i].len : 128, argv[i].ptr);
            return;
        }
    }
    if (!c->authenticated) {
        dblite_reply_error(
            ctx,
            "NOAUTH HELLO must be called with the client already authenticated, otherwise the "
            "HELLO <proto> AUTH <user> <pass> option can be used to authenticate the client and "
            "select the RESP protocol version at the same time");
        return;
    }
    if (setname) {
        server_free(c->name);
        c->name = setname->len ? server_strndup(setname->ptr, setname->len) : NULL;
    }
    c->protocol = (int)version;
    dblite_reply_map(ctx, 7);
    dblite_reply_bulk_cstring(ctx, "server");
    dblite_reply_bulk_cstring(ctx, "redis");
    dblite_reply_bulk_cstring(ctx, "version");
    dblite_reply_bulk_cstring(ctx, DBLITE_REDIS_COMPAT_VERSION);
    dblite_reply_bulk_cstring(ctx, "proto");
    dblite_reply_integer(ctx, version);
    dblite_reply_bulk_cstring(ctx, "id");
    dblite_reply_integer(ctx, (long long)c->id);
    dblite_reply_bulk_cstring(ctx, "mode");
    dblite_reply_bulk_cstring(ctx, "standalone");
    dblite_reply_bulk_cstring(ctx, "role");
    dblite_reply_bulk_cstring(ctx, "master");
    dblite_reply_bulk_cstring(ctx, "modules");
    dblite_reply_array(ctx, (long long)server.modules.length);
    for (size_t i = 0; i < server.modules.length; i++) {
        dblite_reply_map(ctx, 2);
        dblite_reply_bulk_cstring(ctx, "name");
        dblite_reply_bulk_cstring(ctx, server.modules.items[i]->name);
        dblite_reply_bulk_cstring(ctx, "ver");
        dblite_reply_integer(ctx, server.modules.items[i]->api_version);
    }
}

HANDLER(command_select)
{
    (void)argc;
    int index;
    if (parse_db_index_or_reply(ctx, &argv[1], &index) != 0)
        return;
    if (client_select_db(ctx->client, index) != 0) {
        dblite_reply_error(ctx, "ERR DB index is out of range");
        return;
    }
    ctx->db = ctx->client->db;
    dblite_reply_ok(ctx);
}
