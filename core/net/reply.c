/*
 * reply.c - encoding replies into a client's output buffer.
 *
 * Modules say what they answer (an integer, a map...) through the public
 * dblite_reply_* calls; this file turns that into RESP2 or RESP3 bytes for
 * the client's protocol.  Output accumulates in one buffer per client and is
 * written once per event-loop turn, so a pipeline of 16 commands costs one
 * write(2).
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "server.h"
#include "util/numbers.h"

#define OUTPUT_INITIAL_CAPACITY 16384
/* A client that never authenticated (requirepass set) can only be told
 * NOAUTH, so its replies stay tiny unless it sends without ever reading;
 * Redis then closes it once its replies pass its 16 KB static buffer plus
 * 1024 bytes of reply list (CVE-2025-21605).  One flat buffer here: the
 * same total. */
#define UNAUTHENTICATED_OUTPUT_LIMIT (OUTPUT_UNCOUNTED_BYTES + 1024)

/* Out of memory for this client's output, or over its output limit: it
 * cannot get a coherent reply stream any more, so it is closed rather than
 * sent garbage. */
static void output_refused(client *c, int over_limit)
{
    if (over_limit)
        server_log(LOG_WARNING,
                   "Client id=%llu addr=%s closed for overcoming of output buffer limits "
                   "(unauthenticated client, %zu bytes pending).",
                   (unsigned long long)c->id, c->address, c->output_length - c->output_sent);
    else
        server_log(LOG_WARNING, "out of memory for client %llu output; closing it",
                   (unsigned long long)c->id);
    client_close_async(c);
}

/* Room for extra more bytes; 0, or -1 after closing the client or while
 * the client asked for no replies (CLIENT REPLY OFF/SKIP) unless a push
 * is being written (CLIENT_PUSHING): nothing is written then. */
static int output_reserve(client *c, size_t extra)
{
    if (c->flags & CLIENT_CLOSE_ASAP)
        return -1;
    if ((c->flags & (CLIENT_REPLY_OFF | CLIENT_REPLY_SKIP)) && !(c->flags & CLIENT_PUSHING))
        return -1;
    /* Limits only concern output past the first 16 KB: one subtraction
     * and one comparison for every reply that is written each turn. */
    size_t pending = c->output_length - c->output_sent + extra;
    if (pending > OUTPUT_UNCOUNTED_BYTES) {
        if (!c->authenticated && pending > UNAUTHENTICATED_OUTPUT_LIMIT) {
            output_refused(c, 1);
            return -1;
        }
        if (output_limit_reached(c, pending))
            return -1;
    }
    size_t needed = c->output_length + extra;
    if (needed <= c->output_capacity)
        return 0;
    /* Drop bytes already written before growing. */
    if (c->output_sent > 0) {
        memmove(c->output, c->output + c->output_sent, c->output_length - c->output_sent);
        c->output_length -= c->output_sent;
        c->output_sent = 0;
        needed = c->output_length + extra;
        if (needed <= c->output_capacity)
            return 0;
    }
    size_t capacity = c->output_capacity ? c->output_capacity : OUTPUT_INITIAL_CAPACITY;
    while (capacity < needed)
        capacity *= 2;
    /* Doubling must not take a client that is cut at its hard limit to
     * twice that limit's memory first. */
    size_t cap = output_limit_capacity(c);
    if (capacity > cap)
        capacity = needed > cap ? needed : cap;
    char *grown = server_realloc(c->output, capacity);
    if (!grown) {
        output_refused(c, 0);
        return -1;
    }
    c->output = grown;
    c->output_capacity = capacity;
    return 0;
}

void reply_append(client *c, const char *data, size_t length)
{
    if (!c || (c->flags & CLIENT_CLOSE_ASAP))
        return;
    if (output_reserve(c, length) != 0)
        return;
    /* length 0 (a deferred reply's mark) may come before any buffer exists. */
    if (length)
        memcpy(c->output + c->output_length, data, length);
    c->output_length += length;
    client_queue_write(c);
}

/* Writes "<prefix><number>\r\n". */
static void reply_prefixed_number(client *c, char prefix, long long value)
{
    char buffer[32];
    buffer[0] = prefix;
    size_t length = 1 + format_long_long(buffer + 1, value);
    buffer[length++] = '\r';
    buffer[length++] = '\n';
    reply_append(c, buffer, length);
}

void reply_simple(client *c, const char *text)
{
    size_t length = strlen(text);
    if (!c)
        return;
    if (output_reserve(c, length + 3) != 0)
        return;
    char *out = c->output + c->output_length;
    out[0] = '+';
    memcpy(out + 1, text, length);
    out[length + 1] = '\r';
    out[length + 2] = '\n';
    c->output_length += length + 3;
    client_queue_write(c);
}

void reply_error(client *c, const char *text)
{
    server.stats.command_errors++;
    if (!c)
        return;
    /* Errors must stay on one line: a CR or LF would desynchronise the
     * client's parser, so they are replaced as Redis does. */
    size_t length = strlen(text);
    char stack[512];
    char *line = length + 4 <= sizeof(stack) ? stack : server_alloc(length + 4);
    if (!line)
        return;
    line[0] = '-';
    for (size_t i = 0; i < length; i++)
        line[i + 1] = (text[i] == '\r' || text[i] == '\n') ? ' ' : text[i];
    line[length + 1] = '\r';
    line[length + 2] = '\n';
    reply_append(c, line, length + 3);
    if (line != stack)
        server_free(line);
}

void reply_integer(client *c, long long value)
{
    if (!c)
        return;
    if (value >= 0 && value < 10) {
        char small[4] = {':', (char)('0' + value), '\r', '\n'};
        reply_append(c, small, 4);
        return;
    }
    reply_prefixed_number(c, ':', value);
}

void reply_bulk(client *c, const char *data, size_t length)
{
    if (!c)
        return;
    if (output_reserve(c, length + 32) != 0)
        return;
    char *out = c->output + c->output_length;
    out[0] = '$';
    size_t header = 1 + format_long_long(out + 1, (long long)length);
    out[header++] = '\r';
    out[header++] = '\n';
    memcpy(out + header, data, length);
    out[header + length] = '\r';
    out[header + length + 1] = '\n';
    c->output_length += header + length + 2;
    client_queue_write(c);
}

void reply_null(client *c)
{
    if (!c)
        return;
    if (c->protocol >= 3)
        reply_append(c, "_\r\n", 3);
    else
        reply_append(c, "$-1\r\n", 5);
}

void reply_null_array(client *c)
{
    if (!c)
        return;
    if (c->protocol >= 3)
        reply_append(c, "_\r\n", 3);
    else
        reply_append(c, "*-1\r\n", 5);
}

/* kind: '*' array, '%' map (count = pairs), '~' set. */
void reply_aggregate(client *c, char kind, long long count)
{
    if (!c)
        return;
    if (c->protocol < 3) {
        if (kind == '%')
            count *= 2;
        kind = '*';
    }
    reply_prefixed_number(c, kind, count);
}

void reply_double(client *c, double value)
{
    if (!c)
        return;
    char line[DBLITE_DOUBLE_TEXT_SIZE + 3];
    char *text = line + 1; /* room for RESP3's ',' before the text */
    size_t length = dblite_format_double(text, DBLITE_DOUBLE_TEXT_SIZE, value);
    if (c->protocol >= 3) {
        line[0] = ',';
        text[length] = '\r';
        text[length + 1] = '\n';
        reply_append(c, line, length + 3);
    } else {
        reply_bulk(c, text, length);
    }
}

/* ---- the public, protocol-neutral API ---- */

void dblite_reply_ok(dblite_ctx *ctx)
{
    reply_append(ctx->client, "+OK\r\n", 5);
}
void dblite_reply_simple(dblite_ctx *ctx, const char *text)
{
    reply_simple(ctx->client, text);
}
void dblite_reply_error(dblite_ctx *ctx, const char *text)
{
    reply_error(ctx->client, text);
}

void dblite_reply_nested_error(dblite_ctx *ctx, const char *text)
{
    reply_error(ctx->client, text);
    /* Uncount it, keeping the command failed (errors_before behind). */
    server.stats.command_errors--;
    ctx->errors_before--;
}

void dblite_reply_error_format(dblite_ctx *ctx, const char *format, ...)
{
    char text[1024];
    va_list args;
    va_start(args, format);
    vsnprintf(text, sizeof(text), format, args);
    va_end(args);
    reply_error(ctx->client, text);
}

void dblite_reply_wrongtype(dblite_ctx *ctx)
{
    reply_error(ctx->client, "WRONGTYPE Operation against a key holding the wrong kind of value");
}
void dblite_reply_syntax_error(dblite_ctx *ctx)
{
    reply_error(ctx->client, "ERR syntax error");
}
void dblite_reply_not_integer(dblite_ctx *ctx)
{
    reply_error(ctx->client, "ERR value is not an integer or out of range");
}
void dblite_reply_wrong_arity(dblite_ctx *ctx)
{
    dblite_reply_error_format(ctx, "ERR wrong number of arguments for '%s' command",
                              ctx->command ? ctx->command->name : "?");
}
void dblite_reply_integer(dblite_ctx *ctx, long long value)
{
    reply_integer(ctx->client, value);
}
void dblite_reply_bulk(dblite_ctx *ctx, const char *ptr, size_t len)
{
    reply_bulk(ctx->client, ptr, len);
}
void dblite_reply_bulk_cstring(dblite_ctx *ctx, const char *text)
{
    reply_bulk(ctx->client, text, strlen(text));
}
void dblite_reply_bulk_long_long(dblite_ctx *ctx, long long value)
{
    char text[32];
    size_t length = format_long_long(text, value);
    reply_bulk(ctx->client, text, length);
}
void dblite_reply_null(dblite_ctx *ctx)
{
    reply_null(ctx->client);
}
void dblite_reply_null_array(dblite_ctx *ctx)
{
    reply_null_array(ctx->client);
}
void dblite_reply_double(dblite_ctx *ctx, double value)
{
    reply_double(ctx->client, value);
}

void dblite_reply_human_long_double(dblite_ctx *ctx, long double value)
{
    client *c = ctx->client;
    if (!c)
        return;
    char line[5 * 1024 + 3]; /* any long double in %.17Lf, as Redis sizes it */
    char *text = line + 1;   /* room for RESP3's ',' before the text */
    size_t length = dblite_format_long_double(text, sizeof(line) - 3, value);
    if (c->protocol >= 3) {
        line[0] = ',';
        text[length] = '\r';
        text[length + 1] = '\n';
        reply_append(c, line, length + 3);
    } else {
        reply_bulk(c, text, length);
    }
}

void dblite_reply_bool(dblite_ctx *ctx, int value)
{
    client *c = ctx->client;
    if (!c)
        return;
    if (c->protocol >= 3)
        reply_append(c, value ? "#t\r\n" : "#f\r\n", 4);
    else
        reply_integer(c, value ? 1 : 0);
}

void dblite_reply_verbatim(dblite_ctx *ctx, const char *format3, const char *ptr, size_t len)
{
    client *c = ctx->client;
    if (!c)
        return;
    if (c->protocol < 3) {
        reply_bulk(c, ptr, len);
        return;
    }
    char header[48];
    int header_length = snprintf(header, sizeof(header), "=%zu\r\n%.3s:", len + 4, format3);
    reply_append(c, header, (size_t)header_length);
    reply_append(c, ptr, len);
    reply_append(c, "\r\n", 2);
}

void dblite_reply_big_number(dblite_ctx *ctx, const char *ptr, size_t len)
{
    client *c = ctx->client;
    if (!c)
        return;
    if (c->protocol < 3) {
        reply_bulk(c, ptr, len);
        return;
    }
    reply_append(c, "(", 1);
    reply_append(c, ptr, len);
    reply_append(c, "\r\n", 2);
}

void dblite_reply_array(dblite_ctx *ctx, long long count)
{
    reply_aggregate(ctx->client, '*', count);
}
void dblite_reply_map(dblite_ctx *ctx, long long pairs)
{
    reply_aggregate(ctx->client, '%', pairs);
}
void dblite_reply_set(dblite_ctx *ctx, long long count)
{
    reply_aggregate(ctx->client, '~', count);
}

void dblite_reply_dialect_map(dblite_ctx *ctx, long long pairs)
{
    client *c = ctx->client;
    if (c && c->dialect)
        reply_prefixed_number(c, '%', pairs);
    else
        reply_aggregate(c, '%', pairs);
}

/* A deferred aggregate is a position in the output buffer where the header
 * is inserted once the count is known.  The handle encodes that offset and
 * the kind; output is only written between commands, so it cannot move. */
void *dblite_reply_deferred(dblite_ctx *ctx, int kind)
{
    client *c = ctx->client;
    if (!c)
        return (void *)(uintptr_t)1;
    /* Force a pending mark and compact nothing: record where we are. */
    reply_append(c, "", 0);
    uintptr_t handle = ((uintptr_t)(c->output_length - c->output_sent) << 2 | (uintptr_t)kind) + 4;
    return (void *)handle;
}

void dblite_reply_set_length(dblite_ctx *ctx, void *deferred, long long count)
{
    client *c = ctx->client;
    if (!c || (c->flags & CLIENT_CLOSE_ASAP))
        return;
    uintptr_t handle = (uintptr_t)deferred - 4;
    int kind = (int)(handle & 3);
    size_t offset = (size_t)(handle >> 2) + c->output_sent;
    char prefix = kind == DBLITE_AGGREGATE_MAP ? '%' : kind == DBLITE_AGGREGATE_SET ? '~' : '*';
    if (c->protocol < 3) {
        if (prefix == '%')
            count *= 2;
        prefix = '*';
    }
    char header[32];
    header[0] = prefix;
    size_t length = 1 + format_long_long(header + 1, count);
    header[length++] = '\r';
    header[length++] = '\n';
    if (output_reserve(c, length) != 0)
        return;
    /* output_reserve may have compacted: recompute the absolute offset. */
    offset = (size_t)(handle >> 2) + c->output_sent;
    memmove(c->output + offset + length, c->output + offset, c->output_length - offset);
    memcpy(c->output + offset, header, length);
    c->output_length += length;
}

int dblite_ctx_protocol(const dblite_ctx *ctx)
{
    return ctx->client ? ctx->client->protocol : 2;
}
