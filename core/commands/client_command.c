/*
 * client_command.c - CLIENT ID SETNAME GETNAME LIST KILL INFO HELP; REPLY, NO-EVICT and
 * UNBLOCK are dispatched from here to client_modes_command.c, PAUSE and
 * UNPAUSE to client_pause.c.
 */
#include <stdio.h>
#include <string.h>

#include "commands/client_pause.h"
#include "commands/core_commands.h"
#include "util/numbers.h"

/* Redis's client types (getClientTypeByName).  Without replication or
 * pub/sub here every connection is of type normal; the other names are
 * valid filters that match nothing. */
typedef enum {
    CLIENT_TYPE_INVALID = -1,
    CLIENT_TYPE_NORMAL,
    CLIENT_TYPE_REPLICA,
    CLIENT_TYPE_PUBSUB,
    CLIENT_TYPE_MASTER
} client_type;

static client_type client_type_by_name(const dblite_bytes *name)
{
    if (dblite_bytes_equal_nocase(*name, "normal"))
        return CLIENT_TYPE_NORMAL;
    if (dblite_bytes_equal_nocase(*name, "slave") || dblite_bytes_equal_nocase(*name, "replica"))
        return CLIENT_TYPE_REPLICA;
    if (dblite_bytes_equal_nocase(*name, "pubsub"))
        return CLIENT_TYPE_PUBSUB;
    if (dblite_bytes_equal_nocase(*name, "master"))
        return CLIENT_TYPE_MASTER;
    return CLIENT_TYPE_INVALID;
}

static client_type type_of_client(const client *c)
{
    (void)c;
    return CLIENT_TYPE_NORMAL;
}

/* Redis prints the name with %s: up to its first NUL byte. */
static void reply_unknown_client_type(dblite_ctx *ctx, const dblite_bytes *name)
{
    const char *nul = memchr(name->ptr, '\0', name->len);
    int shown = (int)(nul ? (size_t)(nul - name->ptr) : name->len);
    dblite_reply_error_format(ctx, "ERR Unknown client type '%.*s'", shown, name->ptr);
}

static client *find_client_by_id(long long id)
{
    for (client *c = server.clients; c; c = c->next)
        if (c->fd >= 0 && (uint64_t)id == c->id)
            return c;
    return NULL;
}

/* Appends one CLIENT LIST line; returns -1 when memory ran out (text freed). */
static int append_client_line(char **text, size_t *length, size_t *capacity, const client *c)
{
    char line[1024];
    client_describe((client *)c, line, sizeof(line));
    size_t line_length = strlen(line);
    if (*length + line_length + 1 > *capacity) {
        size_t wanted = *capacity;
        while (*length + line_length + 1 > wanted)
            wanted *= 2;
        char *grown = server_realloc(*text, wanted);
        if (!grown) {
            server_free(*text);
            *text = NULL;
            return -1;
        }
        *text = grown;
        *capacity = wanted;
    }
    memcpy(*text + *length, line, line_length);
    *length += line_length;
    (*text)[(*length)++] = '\n';
    return 0;
}

/* CLIENT LIST [TYPE type | ID id [id ...]], as Redis 7.0 reads it: TYPE
 * only as the sole option, IDs listed in the order given (a repeated ID
 * twice), every ID checked to be an integer. */
static void reply_client_list(dblite_ctx *ctx, int argc, const dblite_bytes *argv)
{
    client_type type = CLIENT_TYPE_INVALID;
    int by_id = 0;
    if (argc == 4 && dblite_bytes_equal_nocase(argv[2], "TYPE")) {
        type = client_type_by_name(&argv[3]);
        if (type == CLIENT_TYPE_INVALID) {
            reply_unknown_client_type(ctx, &argv[3]);
            return;
        }
    } else if (argc > 3 && dblite_bytes_equal_nocase(argv[2], "ID")) {
        for (int i = 3; i < argc; i++) {
            long long id;
            if (!parse_long_long(argv[i].ptr, argv[i].len, &id)) {
                dblite_reply_error(ctx, "ERR Invalid client ID");
                return;
            }
        }
        by_id = 1;
    } else if (argc != 2) {
        dblite_reply_syntax_error(ctx);
        return;
    }
    size_t capacity = 4096, length = 0;
    char *text = server_alloc(capacity);
    if (!text) {
        dblite_reply_error(ctx, "ERR out of memory");
        return;
    }
    int status = 0;
    if (by_id) {
        for (int i = 3; i < argc && status == 0; i++) {
            long long id = 0;
            parse_long_long(argv[i].ptr, argv[i].len, &id);
            client *c = find_client_by_id(id);
            if (c)
                status = append_client_line(&text, &length, &capacity, c);
        }
    } else {
        for (client *c = server.clients; c && status == 0; c = c->next) {
            if (c->fd < 0)
                continue;
            if (type != CLIENT_TYPE_INVALID && type_of_client(c) != type)
                continue;
            status = append_client_line(&text, &length, &capacity, c);
        }
    }
    if (status != 0) {
        dblite_reply_error(ctx, "ERR out of memory");
        return;
    }
    dblite_reply_verbatim(ctx, "txt", text, length);
    server_free(text);
}

static int bytes_equal_cstring(const dblite_bytes *bytes, const char *text)
{
    return strlen(text) == bytes->len && memcmp(text, bytes->ptr, bytes->len) == 0;
}

/* CLIENT KILL addr, or CLIENT KILL [ID id] [TYPE type] [USER name]
 * [ADDR a] [LADDR a] [SKIPME yes/no], options read left to right as Redis
 * 7.0 reads them, so the first bad one decides the error.  Every client is
 * authenticated as the one user Redis calls "default". */
static void client_kill(dblite_ctx *ctx, int argc, const dblite_bytes *argv)
{
    long long id = 0;
    client_type type = CLIENT_TYPE_INVALID;
    const dblite_bytes *address = NULL, *local_address = NULL;
    int skip_me = 1;
    int old_form = argc == 3;
    if (old_form) {
        address = &argv[2];
        skip_me = 0; /* the old form may kill the caller itself */
    }
    for (int i = 2; !old_form && i < argc; i += 2) {
        if (i + 1 >= argc) {
            dblite_reply_syntax_error(ctx);
            return;
        }
        const dblite_bytes *value = &argv[i + 1];
        if (dblite_bytes_equal_nocase(argv[i], "ID")) {
            if (!parse_long_long(value->ptr, value->len, &id) || id <= 0) {
                dblite_reply_error(ctx, "ERR client-id should be greater than 0");
                return;
            }
        } else if (dblite_bytes_equal_nocase(argv[i], "TYPE")) {
            type = client_type_by_name(value);
            if (type == CLIENT_TYPE_INVALID) {
                reply_unknown_client_type(ctx, value);
                return;
            }
        } else if (dblite_bytes_equal_nocase(argv[i], "ADDR")) {
            address = value;
        } else if (dblite_bytes_equal_nocase(argv[i], "LADDR")) {
            local_address = value;
        } else if (dblite_bytes_equal_nocase(argv[i], "USER")) {
            if (!bytes_equal_cstring(value, "default")) {
                const char *nul = memchr(value->ptr, '\0', value->len);
                int shown = (int)(nul ? (size_t)(nul - value->ptr) : value->len);
                dblite_reply_error_format(ctx, "ERR No such user '%.*s'", shown, value->ptr);
                return;
            }
        } else if (dblite_bytes_equal_nocase(argv[i], "SKIPME")) {
            if (dblite_bytes_equal_nocase(*value, "yes"))
                skip_me = 1;
            else if (dblite_bytes_equal_nocase(*value, "no"))
                skip_me = 0;
            else {
                dblite_reply_syntax_error(ctx);
                return;
            }
        } else {
            dblite_reply_syntax_error(ctx);
            return;
        }
    }
    long long killed = 0;
    int kill_self = 0;
    for (client *c = server.clients; c; c = c->next) {
        if (c->fd < 0)
            continue;
        if (address && !bytes_equal_cstring(address, c->address))
            continue;
        if (local_address && !bytes_equal_cstring(local_address, c->local_address))
            continue;
        if (type != CLIENT_TYPE_INVALID && type_of_client(c) != type)
            continue;
        if (id > 0 && c->id != (uint64_t)id)
            continue;
        if (c == ctx->client) {
            if (skip_me)
                continue;
            kill_self = 1; /* after its reply, as in Redis */
        } else {
            client_close_async(c);
        }
        killed++;
    }
    if (!old_form)
        dblite_reply_integer(ctx, killed);
    else if (killed == 0)
        dblite_reply_error(ctx, "ERR No such client");
    else
        dblite_reply_ok(ctx);
    if (kill_self)
        ctx->client->flags |= CLIENT_CLOSE_AFTER_REPLY;
}

/* Redis names the subcommand as it was written (%.128s) when a
 * subcommand's own argument count is wrong past its optional ones. */
static void reply_unknown_subcommand_or_arity(dblite_ctx *ctx, const dblite_bytes *sub)
{
    const char *nul = memchr(sub->ptr, '\0', sub->len);
    size_t shown = nul ? (size_t)(nul - sub->ptr) : sub->len;
    dblite_reply_error_format(ctx,
                              "ERR unknown subcommand or wrong number of arguments for "
                              "'%.*s'. Try CLIENT HELP.",
                              (int)(shown > 128 ? 128 : shown), sub->ptr);
}

/* Redis 7.0.15's CLIENT HELP, byte for byte, in its order. */
static const char *const client_help[] = {
    "CACHING (YES|NO)",
    "    Enable/disable tracking of the keys for next command in OPTIN/OPTOUT modes.",
    "GETREDIR",
    "    Return the client ID we are redirecting to when tracking is enabled.",
    "GETNAME",
    "    Return the name of the current connection.",
    "ID",
    "    Return the ID of the current connection.",
    "INFO",
    "    Return information about the current client connection.",
    "KILL <ip:port>",
    "    Kill connection made from <ip:port>.",
    "KILL <option> <value> [<option> <value> [...]]",
    "    Kill connections. Options are:",
    "    * ADDR (<ip:port>|<unixsocket>:0)",
    "      Kill connections made from the specified address",
    "    * LADDR (<ip:port>|<unixsocket>:0)",
    "      Kill connections made to specified local address",
    "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
    "      Kill connections by type.",
    "    * USER <username>",
    "      Kill connections authenticated by <username>.",
    "    * SKIPME (YES|NO)",
    "      Skip killing current connection (default: yes).",
    "LIST [options ...]",
    "    Return information about client connections. Options:",
    "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
    "      Return clients of specified type.",
    "UNPAUSE",
    "    Stop the current client pause, resuming traffic.",
    "PAUSE <timeout> [WRITE|ALL]",
    "    Suspend all, or just write, clients for <timeout> milliseconds.",
    "REPLY (ON|OFF|SKIP)",
    "    Control the replies sent to the current connection.",
    "SETNAME <name>",
    "    Assign the name <name> to the current connection.",
    "UNBLOCK <clientid> [TIMEOUT|ERROR]",
    "    Unblock the specified blocked client.",
    "TRACKING (ON|OFF) [REDIRECT <id>] [BCAST] [PREFIX <prefix> [...]]",
    "         [OPTIN] [OPTOUT] [NOLOOP]",
    "    Control server assisted client side caching.",
    "TRACKINGINFO",
    "    Report tracking status for the current connection.",
    "NO-EVICT (ON|OFF)",
    "    Protect current client connection from eviction.",
    "HELP",
    "    Prints this help.",
};

static void reply_client_help(dblite_ctx *ctx)
{
    const size_t count = sizeof(client_help) / sizeof(client_help[0]);
    dblite_reply_array(ctx, (long long)count + 1);
    dblite_reply_simple(ctx, "CLIENT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:");
    for (size_t i = 0; i < count; i++)
        dblite_reply_simple(ctx, client_help[i]);
}

HANDLER(command_client)
{
    const dblite_bytes *sub = &argv[1];
    client *self = ctx->client;
    if (client_tracking_subcommand(ctx, argc, argv)) /* TRACKING CACHING GETREDIR TRACKINGINFO */
        return;
    if (dblite_bytes_equal_nocase(*sub, "ID")) {
        if (argc != 2) {
            reply_subcommand_arity(ctx, "client", sub);
            return;
        }
        dblite_reply_integer(ctx, (long long)self->id);
    } else if (dblite_bytes_equal_nocase(*sub, "SETNAME")) {
        if (argc != 3) {
            reply_subcommand_arity(ctx, "client", sub);
            return;
        }
        for (size_t i = 0; i < argv[2].len; i++) {
            if (argv[2].ptr[i] < '!' || argv[2].ptr[i] > '~') {
                dblite_reply_error(
                    ctx, "ERR Client names cannot contain spaces, newlines or special characters.");
                return;
            }
        }
        char *name = argv[2].len ? server_strndup(argv[2].ptr, argv[2].len) : NULL;
        if (argv[2].len && !name) {
            dblite_reply_error(ctx, "ERR out of memory");
            return;
        }
        server_free(self->name);
        self->name = name;
        dblite_reply_ok(ctx);
    } else if (dblite_bytes_equal_nocase(*sub, "GETNAME")) {
        if (argc != 2) {
            reply_subcommand_arity(ctx, "client", sub);
            return;
        }
        if (self->name)
            dblite_reply_bulk_cstring(ctx, self->name);
        else
            dblite_reply_null(ctx);
    } else if (dblite_bytes_equal_nocase(*sub, "LIST")) {
        reply_client_list(ctx, argc, argv);
    } else if (dblite_bytes_equal_nocase(*sub, "INFO")) {
        if (argc != 2) {
            reply_subcommand_arity(ctx, "client", sub);
            return;
        }
        char line[1024];
        client_describe(self, line, sizeof(line));
        size_t length = strlen(line);
        line[length++] = '\n';
        dblite_reply_verbatim(ctx, "txt", line, length);
    } else if (dblite_bytes_equal_nocase(*sub, "KILL")) {
        if (argc < 3) {
            reply_subcommand_arity(ctx, "client", sub);
            return;
        }
        client_kill(ctx, argc, argv);
    } else if (dblite_bytes_equal_nocase(*sub, "REPLY")) {
        if (argc != 3) {
            reply_subcommand_arity(ctx, "client", sub);
            return;
        }
        client_reply_mode(ctx, &argv[2]);
    } else if (dblite_bytes_equal_nocase(*sub, "NO-EVICT")) {
        if (argc != 3) {
            reply_subcommand_arity(ctx, "client", sub);
            return;
        }
        client_no_evict_mode(ctx, &argv[2]);
    } else if (dblite_bytes_equal_nocase(*sub, "UNBLOCK")) {
        if (argc < 3) {
            reply_subcommand_arity(ctx, "client", sub);
            return;
        }
        if (argc > 4) {
            reply_unknown_subcommand_or_arity(ctx, sub);
            return;
        }
        client_unblock(ctx, argc, argv);
    } else if (dblite_bytes_equal_nocase(*sub, "PAUSE")) {
        if (argc < 3) {
            reply_subcommand_arity(ctx, "client", sub);
            return;
        }
        if (argc > 4) {
            reply_unknown_subcommand_or_arity(ctx, sub);
            return;
        }
        client_pause(ctx, argc, argv);
    } else if (dblite_bytes_equal_nocase(*sub, "UNPAUSE")) {
        if (argc != 2) {
            reply_subcommand_arity(ctx, "client", sub);
            return;
        }
        client_unpause(ctx);
    } else if (dblite_bytes_equal_nocase(*sub, "HELP")) {
        if (argc != 2) {
            reply_subcommand_arity(ctx, "client", sub);
            return;
        }
        reply_client_help(ctx);
    } else {
        reply_unknown_subcommand(ctx, sub, "CLIENT");
    }
}
