/*
 * monitor.c - MONITOR: every command the server runs, as one line to each
 * monitoring client, formatted as Redis 7.0's replicationFeedMonitors:
 *
 *     +<sec>.<usec> [<db> <addr>] "arg" "arg"...\r\n
 *
 * with Redis's quoting of each argument (sdscatrepr).  Why here and what
 * decides each line:
 *
 * - The line is written after the command ran (context.c calls
 *   monitor_feed at the end of each call), so the database is the one the
 *   client is in afterwards ("SELECT 3" shows [3 ...]) and a transaction
 *   shows MULTI, then at EXEC each queued command, then EXEC.  Requests
 *   refused before running (unknown, arity, NOAUTH, queued by MULTI) are
 *   not shown; a command that fails while running (WRONGTYPE) is.
 * - Admin commands are never shown (CONFIG, MONITOR itself, CLIENT KILL,
 *   ...).  CLIENT is one command here but per subcommand in Redis: only its
 *   admin subcommands are hidden.
 * - AUTH's and HELLO's secrets are shown as "(redacted)", exactly the
 *   arguments Redis redacts: AUTH's (when it has at most two), HELLO's AUTH
 *   username and password for each AUTH option read before HELLO stopped
 *   at an error.
 * - Nothing is shown while loading, nor for a replayed log command.
 *
 * A monitoring client is flagged CLIENT_MONITOR and kept in server.monitors
 * in the order it asked.  As Redis's, which treats it as a replica, it may
 * still run commands that touch no keys (PING, CLIENT ..., RESET, QUIT);
 * commands that read or write keys are refused (dispatch.c), and CLIENT
 * PAUSE does not hold it.  RESET or disconnecting ends monitoring.
 */
#include <stdio.h>
#include <string.h>
#include <sys/time.h>

#include "commands/core_commands.h"
#include "commands/monitor.h"
#include "util/numbers.h"

/* A growing line; on out of memory the line is dropped (failed set). */
typedef struct line_buffer {
    char *text;
    size_t length, capacity;
    int failed;
} line_buffer;

static void line_append(line_buffer *line, const char *data, size_t length)
{
    if (line->failed)
        return;
    if (line->length + length > line->capacity) {
        size_t wanted = line->capacity ? line->capacity : 256;
        while (wanted < line->length + length)
            wanted *= 2;
        char *grown = server_realloc(line->text, wanted);
        if (!grown) {
            line->failed = 1;
            return;
        }
        line->text = grown;
        line->capacity = wanted;
    }
    memcpy(line->text + line->length, data, length);
    line->length += length;
}

/* Redis's sdscatrepr: quoted, with \\ \" \n \r \t \a \b escaped and every
 * other byte outside printable ASCII as \xHH. */
static void line_append_quoted(line_buffer *line, const char *data, size_t length)
{
    line_append(line, "\"", 1);
    for (size_t i = 0; i < length; i++) {
        unsigned char byte = (unsigned char)data[i];
        char escaped[5];
        switch (byte) {
            case '\\':
            case '"':
                escaped[0] = '\\';
                escaped[1] = (char)byte;
                line_append(line, escaped, 2);
                break;
            case '\n':
                line_append(line, "\\n", 2);
                break;
            case '\r':
                line_append(line, "\\r", 2);
                break;
            case '\t':
                line_append(line, "\\t", 2);
                break;
            case '\a':
                line_append(line, "\\a", 2);
                break;
            case '\b':
                line_append(line, "\\b", 2);
                break;
            default:
                if (byte >= 0x20 && byte <= 0x7e) {
                    escaped[0] = (char)byte;
                    line_append(line, escaped, 1);
                } else {
                    snprintf(escaped, sizeof(escaped), "\\x%02x", byte);
                    line_append(line, escaped, 4);
                }
        }
    }
    line_append(line, "\"", 1);
}

/* CLIENT's subcommands that are admin in Redis 7.0 (COMMAND INFO client|x). */
static int client_subcommand_is_admin(const dblite_bytes *sub)
{
    static const char *const admin[] = {"kill", "list", "no-evict", "pause", "unblock", "unpause"};
    for (size_t i = 0; i < sizeof(admin) / sizeof(admin[0]); i++)
        if (dblite_bytes_equal_nocase(*sub, admin[i]))
            return 1;
    return 0;
}

static int hidden_from_monitors(const command *cmd, int argc, const dblite_bytes *argv)
{
    if (cmd->handler == command_client)
        return argc < 2 || client_subcommand_is_admin(&argv[1]);
    return (cmd->flags & COMMAND_ADMIN) != 0;
}

/* Marks in redacted[] the arguments Redis 7.0 shows as "(redacted)". */
static void find_redacted(const command *cmd, int argc, const dblite_bytes *argv, char *redacted)
{
    if (cmd->handler == command_auth) {
        if (argc <= 3)
            for (int i = 1; i < argc; i++)
                redacted[i] = 1;
        return;
    }
    if (cmd->handler != command_hello || argc < 2)
        return;
    long long version;
    if (!parse_long_long(argv[1].ptr, argv[1].len, &version) || version < 2 || version > 3)
        return;
    for (int i = 2; i < argc; i++) {
        int more = argc - 1 - i;
        if (dblite_bytes_equal_nocase(argv[i], "AUTH") && more >= 2) {
            redacted[i + 1] = redacted[i + 2] = 1;
            i += 2;
        } else if (dblite_bytes_equal_nocase(argv[i], "SETNAME") && more >= 1) {
            i++;
        } else {
            return;
        }
    }
}

void monitor_feed(client *c, const command *cmd, int argc, const dblite_bytes *argv)
{
    if (server.loading || hidden_from_monitors(cmd, argc, argv))
        return;
    char redacted_stack[64] = {0};
    char *redacted =
        argc <= (int)sizeof(redacted_stack) ? redacted_stack : server_calloc((size_t)argc);
    if (!redacted)
        return;
    find_redacted(cmd, argc, argv, redacted);
    struct timeval now;
    gettimeofday(&now, NULL);
    char head[160];
    int head_length = snprintf(head, sizeof(head), "+%ld.%06ld [%d %s] ", (long)now.tv_sec,
                               (long)now.tv_usec, c->db_index, c->address);
    line_buffer line = {0};
    line_append(&line, head, (size_t)head_length);
    for (int i = 0; i < argc; i++) {
        if (redacted[i])
            line_append(&line, "\"(redacted)\"", 12);
        else
            line_append_quoted(&line, argv[i].ptr, argv[i].len);
        if (i != argc - 1)
            line_append(&line, " ", 1);
    }
    line_append(&line, "\r\n", 2);
    if (redacted != redacted_stack)
        server_free(redacted);
    if (line.failed) {
        server_log(LOG_WARNING, "out of memory formatting a MONITOR line: monitors miss it");
    } else {
        /* A monitor that is closing gets nothing more (Redis drops output
         * after CLIENT_CLOSE_AFTER_REPLY: its own QUIT is not shown to it). */
        for (size_t i = 0; i < server.monitors.length; i++)
            if (!(server.monitors.items[i]->flags & CLIENT_CLOSE_AFTER_REPLY))
                reply_append(server.monitors.items[i], line.text, line.length);
    }
    server_free(line.text);
}

void monitor_client_stop(client *c)
{
    if (!(c->flags & CLIENT_MONITOR))
        return;
    c->flags &= ~CLIENT_MONITOR;
    for (size_t i = 0; i < server.monitors.length; i++) {
        if (server.monitors.items[i] != c)
            continue;
        memmove(&server.monitors.items[i], &server.monitors.items[i + 1],
                (server.monitors.length - i - 1) * sizeof(server.monitors.items[0]));
        server.monitors.length--;
        break;
    }
}

int monitor_refuses(const client *c, const command *cmd)
{
    if (!(c->flags & CLIENT_MONITOR))
        return 0;
    return (cmd->flags & (COMMAND_WRITE | COMMAND_READONLY | COMMAND_MAY_REPLICATE)) != 0;
}

/* MONITOR: +OK, then every command's line.  Redis refuses it inside a
 * transaction (a client that expects one reply per command) and ignores a
 * second MONITOR without answering. */
HANDLER(command_monitor)
{
    (void)argc, (void)argv;
    client *c = ctx->client;
    if (!c || (ctx->flags & CTX_IN_TRANSACTION) || dblite_ctx_cannot_block(ctx)) {
        dblite_reply_error(ctx, "ERR MONITOR isn't allowed for DENY BLOCKING client");
        return;
    }
    if (c->flags & CLIENT_MONITOR)
        return;
    if (ARRAY_PUSH(server.monitors, c) != 0) {
        dblite_reply_error(ctx, "ERR out of memory");
        return;
    }
    c->flags |= CLIENT_MONITOR;
    dblite_reply_ok(ctx);
}
