/*
 * calltest_module.c - calltest.so: commands that run other commands with
 * dblite_call (API 8) and answer what they got, for test_call_api.py.
 *
 *   CALLTEST.DESCRIBE mode command [arg ...]  the captured reply as one
 *       line of text (every kind, every accessor); mode is resp2, resp3,
 *       caller, internal (caller's protocol, DBLITE_CALL_INTERNAL),
 *       nonotify (DBLITE_CALL_NO_NOTIFY) or script (DBLITE_CALL_SCRIPT).
 *   CALLTEST.EFFECTS command [arg ...] [; command [arg ...]] ...
 *       runs each command (";" separates them) and relays the last reply
 *       (dblite_call_reply_relay); not a write, so what the calls change is
 *       propagated as their effects.
 *   CALLTEST.WRITE command [arg ...] [; ...]  the same, flagged write: the
 *       command is propagated itself, its calls are not.
 *   CALLTEST.KINDS  replies one of each kind a module can reply (status,
 *       error, integer, bulk, null, null array, map, set, double, bool,
 *       verbatim, push), for DESCRIBE to capture.
 */
#include <stdio.h>
#include <string.h>

#include "dblite_module.h"

DBLITE_MODULE_DECLARE();

/* A growing text buffer (the description); on out of memory it stays
 * marked failed and the command answers an error. */
typedef struct text {
    char *ptr;
    size_t len, cap;
    int failed;
} text;

static void text_add(text *t, const char *data, size_t len)
{
    if (t->failed)
        return;
    if (t->len + len > t->cap) {
        size_t cap = t->cap ? t->cap : 128;
        while (cap < t->len + len)
            cap *= 2;
        char *grown = dblite_realloc(t->ptr, cap);
        if (!grown) {
            t->failed = 1;
            return;
        }
        t->ptr = grown;
        t->cap = cap;
    }
    memcpy(t->ptr + t->len, data, len);
    t->len += len;
}

static void text_cstring(text *t, const char *s)
{
    text_add(t, s, strlen(s));
}

/* Quoted, bytes outside printable ASCII as \xHH. */
static void text_quoted(text *t, const char *ptr, size_t len)
{
    text_add(t, "\"", 1);
    for (size_t i = 0; i < len; i++) {
        unsigned char byte = (unsigned char)ptr[i];
        if (byte >= 0x20 && byte <= 0x7e && byte != '"' && byte != '\\') {
            text_add(t, ptr + i, 1);
        } else {
            char escaped[8];
            snprintf(escaped, sizeof(escaped), "\\x%02x", byte);
            text_cstring(t, escaped);
        }
    }
    text_add(t, "\"", 1);
}

static void describe(text *t, const dblite_call_reply *reply)
{
    size_t len;
    const char *ptr = dblite_call_reply_string(reply, &len);
    char number[64];
    switch (dblite_call_reply_kind(reply)) {
        case DBLITE_CALL_REPLY_STATUS:
            text_cstring(t, "status:");
            text_quoted(t, ptr, len);
            return;
        case DBLITE_CALL_REPLY_ERROR:
            text_cstring(t, "error:");
            text_quoted(t, ptr, len);
            return;
        case DBLITE_CALL_REPLY_INTEGER:
            snprintf(number, sizeof(number), "integer:%lld", dblite_call_reply_integer(reply));
            text_cstring(t, number);
            return;
        case DBLITE_CALL_REPLY_BULK:
            text_cstring(t, "bulk:");
            text_quoted(t, ptr, len);
            return;
        case DBLITE_CALL_REPLY_NULL:
            text_cstring(t, "null");
            return;
        case DBLITE_CALL_REPLY_DOUBLE:
            snprintf(number, sizeof(number), "double:%.17g:", dblite_call_reply_double(reply));
            text_cstring(t, number);
            text_quoted(t, ptr, len);
            return;
        case DBLITE_CALL_REPLY_BOOL:
            snprintf(number, sizeof(number), "bool:%lld", dblite_call_reply_integer(reply));
            text_cstring(t, number);
            return;
        case DBLITE_CALL_REPLY_BIGNUM:
            text_cstring(t, "bignum:");
            text_add(t, ptr, len);
            return;
        case DBLITE_CALL_REPLY_VERBATIM:
            text_cstring(t, "verbatim(");
            text_cstring(t, dblite_call_reply_verbatim_format(reply));
            text_cstring(t, "):");
            text_quoted(t, ptr, len);
            return;
        case DBLITE_CALL_REPLY_MAP: {
            size_t pairs = dblite_call_reply_length(reply);
            snprintf(number, sizeof(number), "map(%zu){", pairs);
            text_cstring(t, number);
            for (size_t i = 0; i < pairs; i++) {
                if (i)
                    text_cstring(t, ",");
                describe(t, dblite_call_reply_map_key(reply, i));
                text_cstring(t, "=>");
                describe(t, dblite_call_reply_map_value(reply, i));
            }
            text_cstring(t, "}");
            return;
        }
        case DBLITE_CALL_REPLY_ARRAY:
        case DBLITE_CALL_REPLY_SET:
        case DBLITE_CALL_REPLY_PUSH: {
            dblite_call_kind kind = dblite_call_reply_kind(reply);
            size_t count = dblite_call_reply_length(reply);
            snprintf(number, sizeof(number), "%s(%zu)[",
                     kind == DBLITE_CALL_REPLY_ARRAY ? "array"
                     : kind == DBLITE_CALL_REPLY_SET ? "set"
                                                     : "push",
                     count);
            text_cstring(t, number);
            for (size_t i = 0; i < count; i++) {
                if (i)
                    text_cstring(t, ",");
                describe(t, dblite_call_reply_element(reply, i));
            }
            text_cstring(t, "]");
            return;
        }
    }
}

static void describe_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv)
{
    static const struct {
        const char *name;
        int flags;
    } modes[] = {{"resp2", DBLITE_CALL_RESP2},
                 {"resp3", DBLITE_CALL_RESP3},
                 {"caller", 0},
                 {"internal", DBLITE_CALL_INTERNAL},
                 {"nonotify", DBLITE_CALL_NO_NOTIFY},
                 {"script", DBLITE_CALL_SCRIPT}};
    int flags = -1;
    for (size_t i = 0; i < DBLITE_ARRAY_LENGTH(modes); i++)
        if (dblite_bytes_equal_nocase(argv[1], modes[i].name))
            flags = modes[i].flags;
    if (flags < 0) {
        dblite_reply_syntax_error(ctx);
        return;
    }
    dblite_call_reply *reply = dblite_call(ctx, argc - 2, argv + 2, flags);
    if (!reply) {
        dblite_reply_error(ctx, "ERR dblite_call answered NULL");
        return;
    }
    text t = {0};
    char head[32];
    snprintf(head, sizeof(head), "resp%d ", dblite_call_reply_protocol(reply));
    text_cstring(&t, head);
    describe(&t, reply);
    dblite_call_reply_free(reply);
    if (t.failed)
        dblite_reply_error(ctx, "ERR out of memory");
    else
        dblite_reply_bulk(ctx, t.ptr, t.len);
    dblite_free(t.ptr);
}

/* Runs the ';'-separated commands, relaying the last reply. */
static void run_commands(dblite_ctx *ctx, int argc, const dblite_bytes *argv)
{
    dblite_call_reply *last = NULL;
    int start = 1;
    for (int i = 1; i <= argc; i++) {
        if (i < argc && !(argv[i].len == 1 && argv[i].ptr[0] == ';'))
            continue;
        if (i > start) {
            dblite_call_reply_free(last);
            last = dblite_call(ctx, i - start, argv + start, 0);
        }
        start = i + 1;
    }
    dblite_call_reply_relay(ctx, last);
    dblite_call_reply_free(last);
}

static void kinds_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv)
{
    (void)argc;
    (void)argv;
    dblite_reply_array(ctx, 13);
    dblite_reply_simple(ctx, "FINE");
    dblite_reply_error(ctx, "ERR inner error");
    dblite_reply_integer(ctx, -42);
    dblite_reply_bulk(ctx, "a\0b\r\n", 5);
    dblite_reply_null(ctx);
    dblite_reply_null_array(ctx);
    dblite_reply_map(ctx, 2);
    dblite_reply_bulk_cstring(ctx, "k");
    dblite_reply_integer(ctx, 1);
    dblite_reply_bulk_cstring(ctx, "empty");
    dblite_reply_array(ctx, 0);
    dblite_reply_set(ctx, 2);
    dblite_reply_bulk_cstring(ctx, "x");
    dblite_reply_bulk_cstring(ctx, "y");
    dblite_reply_double(ctx, 3.5);
    dblite_reply_double(ctx, -1.0 / 0.0);
    dblite_reply_bool(ctx, 1);
    dblite_reply_verbatim(ctx, "mkd", "# title", 7);
    dblite_reply_push(ctx, 1);
    dblite_reply_bulk_cstring(ctx, "pushed");
}

static const dblite_command_spec commands[] = {
    DBLITE_COMMAND(.name = "calltest.describe", .arity = -3, .flags = "",
                   .handler = describe_command),
    DBLITE_COMMAND(.name = "calltest.effects", .arity = -2, .flags = "", .handler = run_commands),
    DBLITE_COMMAND(.name = "calltest.write", .arity = -2, .flags = "write",
                   .handler = run_commands),
    DBLITE_COMMAND(.name = "calltest.kinds", .arity = 1, .flags = "readonly",
                   .handler = kinds_command),
};

__attribute__((visibility("default"))) int dblite_module_init(dblite_module *module)
{
    return dblite_command_register_table(module, commands, DBLITE_ARRAY_LENGTH(commands));
}
