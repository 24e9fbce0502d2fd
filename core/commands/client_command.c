/*
 * client_command.c - CLIENT ID SETNAME GETNAME LIST KILL INFO HELP.
 */
#include <stdio.h>
#include <string.h>

#include "commands/core_commands.h"
#include "util/numbers.h"

static void reply_client_list(dblite_ctx *ctx, int argc, const dblite_bytes *argv) {
    /* CLIENT LIST [ID id ...] */
    if (argc > 2 && !(dblite_bytes_equal_nocase(argv[2], "ID") && argc > 3)) {
        dblite_reply_syntax_error(ctx);
        return;
    }
    size_t capacity = 4096, length = 0;
    char *text = server_alloc(capacity);
    if (!text) {
        dblite_reply_error(ctx, "ERR out of memory");
        return;
    }
    for (client *c = server.clients; c; c = c->next) {
        if (c->fd < 0) continue;
        if (argc > 3) {
            int wanted = 0;
            for (int i = 3; i < argc; i++) {
                long long id;
                if (parse_long_long(argv[i].ptr, argv[i].len, &id) && (uint64_t)id == c->id) wanted = 1;
            }
            if (!wanted) continue;
        }
        char line[1024];
        client_describe(c, line, sizeof(line));
        size_t line_length = strlen(line);
        if (length + line_length + 2 > capacity) {
            while (length + line_length + 2 > capacity) capacity *= 2;
            char *grown = server_realloc(text, capacity);
            if (!grown) {
                server_free(text);
                dblite_reply_error(ctx, "ERR out of memory");
                return;
            }
            text = grown;
        }
        memcpy(text + length, line, line_length);
        length += line_length;
        text[length++] = '\n';
    }
    dblite_reply_verbatim(ctx, "txt", text, length);
    server_free(text);
}

/* CLIENT KILL addr, or CLIENT KILL [ID id] [ADDR a] [LADDR a] [SKIPME yes/no]. */
static void client_kill(dblite_ctx *ctx, int argc, const dblite_bytes *argv) {
    if (argc == 3) {
        for (client *c = server.clients; c; c = c->next) {
            if (strlen(c->address) == argv[2].len && memcmp(c->address, argv[2].ptr, argv[2].len) == 0) {
                client_close_async(c);
                dblite_reply_ok(ctx);
                return;
            }
        }
        dblite_reply_error(ctx, "ERR No such client");
        return;
    }
    long long id = -1;
    const dblite_bytes *address = NULL, *local_address = NULL;
    int skip_me = 1;
    if ((argc - 2) % 2 != 0) {
        dblite_reply_syntax_error(ctx);
        return;
    }
    for (int i = 2; i < argc; i += 2) {
        if (dblite_bytes_equal_nocase(argv[i], "ID")) {
            if (!parse_long_long(argv[i + 1].ptr, argv[i + 1].len, &id) || id <= 0) {
                dblite_reply_error(ctx, "ERR client-id should be greater than 0");
                return;
            }
        } else if (dblite_bytes_equal_nocase(argv[i], "ADDR")) {
            address = &argv[i + 1];
        } else if (dblite_bytes_equal_nocase(argv[i], "LADDR")) {
            local_address = &argv[i + 1];
        } else if (dblite_bytes_equal_nocase(argv[i], "SKIPME")) {
            if (dblite_bytes_equal_nocase(argv[i + 1], "yes")) skip_me = 1;
            else if (dblite_bytes_equal_nocase(argv[i + 1], "no")) skip_me = 0;
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
    for (client *c = server.clients; c; c = c->next) {
        if (c->fd < 0) continue;
        if (id > 0 && c->id != (uint64_t)id) continue;
        if (address && !(strlen(c->address) == address->len && memcmp(c->address, address->ptr, address->len) == 0))
            continue;
        if (local_address && !(strlen(c->local_address) == local_address->len &&
                               memcmp(c->local_address, local_address->ptr, local_address->len) == 0))
            continue;
        if (skip_me && c == ctx->client) continue;
        client_close_async(c);
        killed++;
    }
    dblite_reply_integer(ctx, killed);
}

HANDLER(command_client) {
    const dblite_bytes *sub = &argv[1];
    client *self = ctx->client;
    if (dblite_bytes_equal_nocase(*sub, "ID")) {
        if (argc != 2) { reply_subcommand_arity(ctx, "client", sub); return; }
        dblite_reply_integer(ctx, (long long)self->id);
    } else if (dblite_bytes_equal_nocase(*sub, "SETNAME")) {
        if (argc != 3) { reply_subcommand_arity(ctx, "client", sub); return; }
        for (size_t i = 0; i < argv[2].len; i++) {
            if (argv[2].ptr[i] < '!' || argv[2].ptr[i] > '~') {
                dblite_reply_error(ctx, "ERR Client names cannot contain spaces, newlines or special characters.");
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
        if (argc != 2) { reply_subcommand_arity(ctx, "client", sub); return; }
        if (self->name) dblite_reply_bulk_cstring(ctx, self->name);
        else dblite_reply_null(ctx);
    } else if (dblite_bytes_equal_nocase(*sub, "LIST")) {
        reply_client_list(ctx, argc, argv);
    } else if (dblite_bytes_equal_nocase(*sub, "INFO")) {
        if (argc != 2) { reply_subcommand_arity(ctx, "client", sub); return; }
        char line[1024];
        client_describe(self, line, sizeof(line));
        size_t length = strlen(line);
        line[length++] = '\n';
        dblite_reply_verbatim(ctx, "txt", line, length);
    } else if (dblite_bytes_equal_nocase(*sub, "KILL")) {
        if (argc < 3) { reply_subcommand_arity(ctx, "client", sub); return; }
        client_kill(ctx, argc, argv);
    } else if (dblite_bytes_equal_nocase(*sub, "HELP")) {
        static const char *const lines[] = {
            "CLIENT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
            "GETNAME", "    Return the name of the current connection.",
            "ID", "    Return the ID of the current connection.",
            "INFO", "    Return information about the current client connection.",
            "KILL <ip:port>", "    Kill connection made from <ip:port>.",
            "KILL <option> <value> [<option> <value> [...]]",
            "    Kill connections. Options are: ID <client-id>, ADDR <ip:port>, LADDR <ip:port>, SKIPME (YES|NO).",
            "LIST [ID <client-id> [<client-id> ...]]", "    Return information about client connections.",
            "SETNAME <name>", "    Assign the name <name> to the current connection.",
            "HELP", "    Print this help."};
        int count = (int)(sizeof(lines) / sizeof(lines[0]));
        dblite_reply_array(ctx, count);
        for (int i = 0; i < count; i++) dblite_reply_simple(ctx, lines[i]);
    } else {
        reply_unknown_subcommand(ctx, sub, "CLIENT");
    }
}
