/*
 * call.c - dblite_call: a module runs a command inside its own and reads
 * the reply as a tree (include/dblite_module.h, "Calling commands").
 *
 * How a call runs.  The checks of a client's request that still mean
 * something inside a running command are made here, in dispatch.c's order
 * and words (unknown command, arity), then the ones Redis makes for a
 * script (noscript, write gates); a refusal is an error reply, not a run.
 * The command then runs through context.c nested in the caller's context,
 * as EXEC runs its queue: it cannot block, keeps the caller's clock, and
 * what it propagates joins the caller's run, so blocked clients it serves
 * and everything it logs wait for the outermost command.
 *
 * The private client.  The command replies into a client of its own, on
 * this function's stack: no socket (fd -1, so no output limit closes it
 * and nothing blocks), already on the pending-write list as far as
 * reply.c can tell (so it is never queued for a write), authenticated, in
 * the caller's database, speaking the protocol the flags ask.  Its address
 * is "?:0", what Redis's MONITOR shows for a module's private client ("lua"
 * for a script's call).  The
 * bytes it collected are parsed back as RESP into the tree: replies are
 * then exactly what a client would have got, for every command whether or
 * not it was written with this in mind.  The tree's strings point into
 * that buffer, which the root keeps; aggregates hold their elements in
 * one array each.
 *
 * Propagation (see the header's rule): when the caller is a write command
 * the nested context is CTX_PROPAGATED_BY_PARENT, so only its extras go
 * out; otherwise, once a call propagated a write, the caller's own context
 * becomes CTX_WRAPS_MULTI, so its calls' effects go out between MULTI and
 * EXEC when there is more than one (a caller nested in EXEC leaves that to
 * EXEC's context); a read-only caller whose calls only read sends its lazy
 * expiry DELs as any read command does.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "call.h"
#include "context.h"
#include "util/numbers.h"

/* 40 bytes a node: a big LRANGE's tree costs little more than its RESP. */
struct dblite_call_reply {
    const char *ptr; /* the string kinds' bytes */
    size_t len;
    union {
        long long integer; /* INTEGER, BOOL */
        double number;     /* DOUBLE */
        size_t count;      /* aggregates: elements, pairs for a map (2 * count elements) */
    };
    struct dblite_call_reply *elements;
    unsigned char kind; /* dblite_call_kind */
    unsigned char protocol;
    char format[4]; /* VERBATIM */
};

/* What dblite_call returns: the root node, then the RESP bytes the
 * strings of the tree point into. */
typedef struct call_root {
    dblite_call_reply node; /* first: a root is freed through its node */
    char *buffer;
} call_root;

/* ---- the tree ---- */

static void reply_release_elements(dblite_call_reply *reply)
{
    if (!reply->elements)
        return;
    size_t n = reply->kind == DBLITE_CALL_REPLY_MAP ? reply->count * 2 : reply->count;
    for (size_t i = 0; i < n; i++)
        reply_release_elements(&reply->elements[i]);
    server_free(reply->elements);
    reply->elements = NULL;
}

void dblite_call_reply_free(dblite_call_reply *reply)
{
    if (!reply)
        return;
    call_root *root = (call_root *)reply;
    reply_release_elements(reply);
    server_free(root->buffer);
    server_free(root);
}

/* ---- parsing what the private client got ---- */

#define PARSE_MAX_DEPTH 512     /* no command nests replies deeper */
#define CALL_OUTPUT_INITIAL 256 /* first size of a call's reply buffer */

typedef struct resp_parser {
    const char *data;
    size_t length, position;
    int protocol;
} resp_parser;

/* The line at the parser's position without its CR LF; -1 when none. */
static int next_line(resp_parser *p, const char **line, size_t *length)
{
    const char *start = p->data + p->position;
    size_t left = p->length - p->position;
    for (size_t i = 0; i + 1 < left; i++) {
        if (start[i] == '\r' && start[i + 1] == '\n') {
            *line = start;
            *length = i;
            p->position += i + 2;
            return 0;
        }
    }
    return -1;
}

static int line_number(const char *line, size_t length, long long *value)
{
    return parse_long_long(line, length, value) ? 0 : -1;
}

/* Parses one reply into out: 0, -1 for malformed or truncated input, -2
 * for out of memory (out's elements are released either way on failure). */
static int parse_reply(resp_parser *p, dblite_call_reply *out, int depth)
{
    memset(out, 0, sizeof(*out));
    out->protocol = (unsigned char)p->protocol;
    if (depth > PARSE_MAX_DEPTH || p->position >= p->length)
        return -1;
    char type = p->data[p->position++];
    const char *line;
    size_t length;
    if (next_line(p, &line, &length) != 0)
        return -1;
    long long number;
    switch (type) {
        case '+':
        case '-':
        case '(':
            out->kind = type == '+'   ? DBLITE_CALL_REPLY_STATUS
                        : type == '-' ? DBLITE_CALL_REPLY_ERROR
                                      : DBLITE_CALL_REPLY_BIGNUM;
            out->ptr = line;
            out->len = length;
            return 0;
        case ':':
            out->kind = DBLITE_CALL_REPLY_INTEGER;
            return line_number(line, length, &out->integer);
        case '_':
            out->kind = DBLITE_CALL_REPLY_NULL;
            return 0;
        case '#':
            out->kind = DBLITE_CALL_REPLY_BOOL;
            out->integer = length == 1 && line[0] == 't';
            return 0;
        case ',': {
            char text[DBLITE_DOUBLE_TEXT_SIZE + 8];
            if (length >= sizeof(text))
                return -1;
            memcpy(text, line, length);
            text[length] = '\0';
            out->kind = DBLITE_CALL_REPLY_DOUBLE;
            out->number = strtod(text, NULL);
            out->ptr = line;
            out->len = length;
            return 0;
        }
        case '$':
        case '=':
            if (line_number(line, length, &number) != 0)
                return -1;
            if (number < 0) {
                out->kind = DBLITE_CALL_REPLY_NULL;
                return 0;
            }
            if ((unsigned long long)number + 2 > p->length - p->position)
                return -1;
            out->kind = DBLITE_CALL_REPLY_BULK;
            out->ptr = p->data + p->position;
            out->len = (size_t)number;
            p->position += (size_t)number + 2;
            if (type == '=') {
                if (out->len < 4 || out->ptr[3] != ':')
                    return -1;
                out->kind = DBLITE_CALL_REPLY_VERBATIM;
                memcpy(out->format, out->ptr, 3);
                out->ptr += 4;
                out->len -= 4;
            }
            return 0;
        case '*':
        case '%':
        case '~':
        case '>':
            break;
        default:
            return -1;
    }
    if (line_number(line, length, &number) != 0)
        return -1;
    if (number < 0) {
        out->kind = DBLITE_CALL_REPLY_NULL;
        return 0;
    }
    out->kind = type == '*'   ? DBLITE_CALL_REPLY_ARRAY
                : type == '%' ? DBLITE_CALL_REPLY_MAP
                : type == '~' ? DBLITE_CALL_REPLY_SET
                              : DBLITE_CALL_REPLY_PUSH;
    size_t elements = (size_t)number * (type == '%' ? 2 : 1);
    /* Each element takes at least 3 bytes: a count beyond that is corrupt. */
    if ((unsigned long long)number > p->length || elements > (p->length - p->position) / 3)
        return -1;
    if (elements == 0)
        return 0;
    out->elements = server_alloc(elements * sizeof(*out->elements));
    if (!out->elements)
        return -2;
    for (size_t i = 0; i < elements; i++) {
        int status = parse_reply(p, &out->elements[i], depth + 1);
        if (status != 0) {
            /* The failed element released its own; the others go here. */
            for (size_t j = 0; j < i; j++)
                reply_release_elements(&out->elements[j]);
            server_free(out->elements);
            out->elements = NULL;
            return status;
        }
    }
    out->count = (size_t)number;
    return 0;
}

/* A root holding buffer (taken over, freed on failure), parsed from its
 * start; NULL when out of memory or when the command wrote no reply. */
static dblite_call_reply *reply_from_buffer(char *buffer, size_t length, int protocol)
{
    call_root *root = server_alloc(sizeof(*root));
    if (!root) {
        server_free(buffer);
        return NULL;
    }
    resp_parser parser = {buffer, length, 0, protocol};
    if (parse_reply(&parser, &root->node, 0) != 0) {
        server_free(root);
        server_free(buffer);
        return NULL;
    }
    root->buffer = buffer;
    return &root->node;
}

/* An ERROR reply of text (the command did not run). */
static dblite_call_reply *reply_error_text(const char *text, int protocol)
{
    size_t length = strlen(text);
    char *buffer = server_alloc(length + 3);
    if (!buffer)
        return NULL;
    buffer[0] = '-';
    memcpy(buffer + 1, text, length);
    memcpy(buffer + 1 + length, "\r\n", 2);
    return reply_from_buffer(buffer, length + 3, protocol);
}

/* ---- the call ---- */

static void private_client_init(client *c, database *db, int protocol, int script)
{
    memset(c, 0, sizeof(*c));
    c->fd = -1;
    /* Never put on the pending-write list: nothing is sent from it. */
    c->flags = CLIENT_PENDING_WRITE | CLIENT_NESTED_CALL | (script ? CLIENT_SCRIPT_CALL : 0);
    c->protocol = protocol;
    c->authenticated = 1;
    c->db = db;
    c->db_index = db->id;
    /* What MONITOR shows, as Redis for a script's or a module's client. */
    memcpy(c->address, script ? "lua" : "?:0", 4);
    c->created_ms = c->last_interaction_ms = server.cached_time_ms;
}

static const char *refusal(dblite_ctx *ctx, client *c, const command *cmd, int argc,
                           const dblite_bytes *argv, char *message, size_t size)
{
    (void)ctx;
    if (!cmd) {
        unknown_command_message(message, size, argc, argv);
        return message;
    }
    if ((cmd->arity > 0 && cmd->arity != argc) || argc < -cmd->arity) {
        snprintf(message, size, "ERR wrong number of arguments for '%s' command", cmd->name);
        return message;
    }
    if (cmd->flags & COMMAND_NOSCRIPT)
        return "ERR This Redis command is not allowed from script";
    return write_gate_refusal(c, cmd, message, size);
}

dblite_call_reply *dblite_call(dblite_ctx *ctx, int argc, const dblite_bytes *argv, int flags)
{
    if (!ctx || argc < 1 || !argv)
        return NULL;
    int protocol = (flags & DBLITE_CALL_RESP3)   ? 3
                   : (flags & DBLITE_CALL_RESP2) ? 2
                   : ctx->client                 ? ctx->client->protocol
                                                 : 2;
    database *db = ctx->db ? ctx->db : &server.databases[0];
    client c;
    private_client_init(&c, db, protocol, (flags & DBLITE_CALL_SCRIPT) != 0);
    /* Most calls answer a few bytes (GET, HGET): a small first buffer,
     * grown by reply.c as needed, instead of a socket client's 16 KB. */
    c.output = server_alloc(CALL_OUTPUT_INITIAL);
    if (!c.output)
        return NULL;
    c.output_capacity = CALL_OUTPUT_INITIAL;

    command *cmd = command_lookup(argv[0].ptr, argv[0].len);
    char message[512];
    const char *refused = refusal(ctx, &c, cmd, argc, argv, message, sizeof(message));
    if (refused) {
        /* Counted as Redis counts a script's rejected command (in
         * total_error_replies and the command's rejected_calls), but not
         * as a failure of the caller's own command. */
        if (!(flags & DBLITE_CALL_INTERNAL)) {
            server.stats.command_errors++;
            ctx->errors_before = server.stats.command_errors;
            if (cmd)
                cmd->rejected_calls++;
        }
        server_free(c.output);
        return reply_error_text(refused, protocol);
    }

    int nested_flags = 0;
    if (flags & DBLITE_CALL_NO_NOTIFY)
        nested_flags |= CTX_NO_NOTIFY;
    if (flags & DBLITE_CALL_INTERNAL)
        nested_flags |= CTX_UNCOUNTED;
    if (flags & DBLITE_CALL_SCRIPT)
        nested_flags |= CTX_FROM_SCRIPT;
    int caller_propagates = ctx->command && (ctx->command->flags & COMMAND_WRITE);
    if (caller_propagates)
        nested_flags |= CTX_PROPAGATED_BY_PARENT;
    long long errors = server.stats.command_errors;
    long long dirty = server.dirty;

    dblite_ctx inner;
    context_begin(&inner, ctx, &c, db, cmd, nested_flags);
    (void)context_run_command(&inner, argc, argv);
    (void)context_end(&inner);
    /* A write propagated as the caller's effect: with anything else the
     * caller propagates, they go out between MULTI and EXEC. */
    if (!caller_propagates && ctx->command && !ctx->parent && (cmd->flags & COMMAND_WRITE) &&
        server.dirty != dirty)
        ctx->flags |= CTX_WRAPS_MULTI;

    if (flags & DBLITE_CALL_INTERNAL) {
        server.stats.command_errors = errors;
        ctx->errors_before = errors;
    }
    client_module_state_reset(&c);
    if (c.flags & CLIENT_CLOSE_ASAP) { /* out of memory for its output */
        server_free(c.output);
        return NULL;
    }
    size_t length = c.output_length - c.output_sent;
    if (c.output_sent > 0)
        memmove(c.output, c.output + c.output_sent, length);
    if (length == 0) {
        server_free(c.output);
        char text[256];
        snprintf(text, sizeof(text), "ERR command '%s' sent no reply", cmd->name);
        return reply_error_text(text, protocol);
    }
    return reply_from_buffer(c.output, length, protocol);
}

int dblite_ctx_from_script(const dblite_ctx *ctx)
{
    return ctx && (ctx->flags & CTX_FROM_SCRIPT) ? 1 : 0;
}

/* ---- accessors ---- */

dblite_call_kind dblite_call_reply_kind(const dblite_call_reply *reply)
{
    return reply ? (dblite_call_kind)reply->kind : DBLITE_CALL_REPLY_NULL;
}

int dblite_call_reply_protocol(const dblite_call_reply *reply)
{
    return reply ? reply->protocol : 2;
}

long long dblite_call_reply_integer(const dblite_call_reply *reply)
{
    if (!reply ||
        (reply->kind != DBLITE_CALL_REPLY_INTEGER && reply->kind != DBLITE_CALL_REPLY_BOOL))
        return 0;
    return reply->integer;
}

double dblite_call_reply_double(const dblite_call_reply *reply)
{
    return reply && reply->kind == DBLITE_CALL_REPLY_DOUBLE ? reply->number : 0.0;
}

static int is_string_kind(dblite_call_kind kind)
{
    return kind == DBLITE_CALL_REPLY_STATUS || kind == DBLITE_CALL_REPLY_ERROR ||
           kind == DBLITE_CALL_REPLY_BULK || kind == DBLITE_CALL_REPLY_DOUBLE ||
           kind == DBLITE_CALL_REPLY_BIGNUM || kind == DBLITE_CALL_REPLY_VERBATIM;
}

const char *dblite_call_reply_string(const dblite_call_reply *reply, size_t *len)
{
    int has = reply && is_string_kind(reply->kind);
    if (len)
        *len = has ? reply->len : 0;
    return has ? reply->ptr : NULL;
}

const char *dblite_call_reply_verbatim_format(const dblite_call_reply *reply)
{
    return reply && reply->kind == DBLITE_CALL_REPLY_VERBATIM ? reply->format : NULL;
}

static int is_aggregate_kind(dblite_call_kind kind)
{
    return kind == DBLITE_CALL_REPLY_ARRAY || kind == DBLITE_CALL_REPLY_SET ||
           kind == DBLITE_CALL_REPLY_PUSH || kind == DBLITE_CALL_REPLY_MAP;
}

size_t dblite_call_reply_length(const dblite_call_reply *reply)
{
    if (!reply)
        return 0;
    if (is_aggregate_kind(reply->kind))
        return reply->count;
    return is_string_kind(reply->kind) ? reply->len : 0;
}

const dblite_call_reply *dblite_call_reply_element(const dblite_call_reply *reply, size_t index)
{
    if (!reply || !is_aggregate_kind(reply->kind) || reply->kind == DBLITE_CALL_REPLY_MAP ||
        index >= reply->count)
        return NULL;
    return &reply->elements[index];
}

const dblite_call_reply *dblite_call_reply_map_key(const dblite_call_reply *reply, size_t index)
{
    if (!reply || reply->kind != DBLITE_CALL_REPLY_MAP || index >= reply->count)
        return NULL;
    return &reply->elements[2 * index];
}

const dblite_call_reply *dblite_call_reply_map_value(const dblite_call_reply *reply, size_t index)
{
    if (!reply || reply->kind != DBLITE_CALL_REPLY_MAP || index >= reply->count)
        return NULL;
    return &reply->elements[2 * index + 1];
}

/* ---- relaying a reply to the caller's client ---- */

void dblite_call_reply_relay(dblite_ctx *ctx, const dblite_call_reply *reply)
{
    if (!reply) {
        dblite_reply_null(ctx);
        return;
    }
    switch (reply->kind) {
        case DBLITE_CALL_REPLY_STATUS:
        case DBLITE_CALL_REPLY_ERROR: {
            char stack[256];
            char *text = reply->len < sizeof(stack) ? stack : server_alloc(reply->len + 1);
            if (!text) {
                dblite_reply_error(ctx, "ERR out of memory relaying a reply");
                return;
            }
            memcpy(text, reply->ptr, reply->len);
            text[reply->len] = '\0';
            if (reply->kind == DBLITE_CALL_REPLY_STATUS)
                dblite_reply_simple(ctx, text);
            else
                dblite_reply_error(ctx, text);
            if (text != stack)
                server_free(text);
            return;
        }
        case DBLITE_CALL_REPLY_INTEGER:
            dblite_reply_integer(ctx, reply->integer);
            return;
        case DBLITE_CALL_REPLY_BULK:
            dblite_reply_bulk(ctx, reply->ptr, reply->len);
            return;
        case DBLITE_CALL_REPLY_BIGNUM:
            dblite_reply_big_number(ctx, reply->ptr, reply->len);
            return;
        case DBLITE_CALL_REPLY_NULL:
            dblite_reply_null(ctx);
            return;
        case DBLITE_CALL_REPLY_DOUBLE:
            dblite_reply_double(ctx, reply->number);
            return;
        case DBLITE_CALL_REPLY_BOOL:
            dblite_reply_bool(ctx, (int)reply->integer);
            return;
        case DBLITE_CALL_REPLY_VERBATIM:
            dblite_reply_verbatim(ctx, reply->format, reply->ptr, reply->len);
            return;
        case DBLITE_CALL_REPLY_MAP:
            dblite_reply_map(ctx, (long long)reply->count);
            for (size_t i = 0; i < reply->count * 2; i++)
                dblite_call_reply_relay(ctx, &reply->elements[i]);
            return;
        case DBLITE_CALL_REPLY_ARRAY:
        case DBLITE_CALL_REPLY_SET:
        case DBLITE_CALL_REPLY_PUSH:
            if (reply->kind == DBLITE_CALL_REPLY_SET)
                dblite_reply_set(ctx, (long long)reply->count);
            else
                dblite_reply_array(ctx, (long long)reply->count);
            for (size_t i = 0; i < reply->count; i++)
                dblite_call_reply_relay(ctx, &reply->elements[i]);
            return;
    }
}
