/*
 * probe_module.c - "probe", a test module whose type has no Redis
 * counterpart (native snapshot code -1), so snapshots must store it as a
 * Redis module value (RDB type 7).  Each value holds one field of every
 * kind a snapshot stream carries - unsigned, signed, double, string - so a
 * round trip through a file exercises each module opcode.
 *
 *   PROBE.SET key unsigned signed double string
 *   PROBE.GET key  -> [unsigned (text), signed, double (%.17g), string]
 *
 * The encoding version is 5, so loading also proves the version stored in
 * the 64-bit type id reaches the load method.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dblite_module.h"

DBLITE_MODULE_DECLARE();

#define PROBE_ENCODING_VERSION 5

typedef struct probe_value {
    uint64_t unsigned_field;
    int64_t signed_field;
    double double_field;
    char *text;
    size_t text_length;
} probe_value;

/* The registered type: handlers get no private data. */
static dblite_type *probe_type;

static void probe_free(void *opaque)
{
    probe_value *value = opaque;
    dblite_free(value->text);
    dblite_free(value);
}

static probe_value *probe_create(uint64_t u, int64_t s, double d, const char *text, size_t length)
{
    probe_value *value = dblite_alloc(sizeof(*value));
    if (value == NULL)
        return NULL;
    value->text = dblite_alloc(length ? length : 1);
    if (value->text == NULL) {
        dblite_free(value);
        return NULL;
    }
    memcpy(value->text, text, length);
    value->text_length = length;
    value->unsigned_field = u;
    value->signed_field = s;
    value->double_field = d;
    return value;
}

static void *probe_copy(const void *opaque)
{
    const probe_value *value = opaque;
    return probe_create(value->unsigned_field, value->signed_field, value->double_field,
                        value->text, value->text_length);
}

static int probe_save(dblite_io *io, const void *opaque)
{
    const probe_value *value = opaque;
    if (dblite_io_write_unsigned(io, value->unsigned_field) != DBLITE_OK ||
        dblite_io_write_signed(io, value->signed_field) != DBLITE_OK ||
        dblite_io_write_double(io, value->double_field) != DBLITE_OK ||
        dblite_io_write_string(io, value->text, value->text_length) != DBLITE_OK)
        return DBLITE_ERR_IO;
    return DBLITE_OK;
}

static void *probe_load(dblite_io *io, int encoding_version)
{
    if (encoding_version != PROBE_ENCODING_VERSION) {
        dblite_io_fail(io, "probe: unexpected encoding version");
        return NULL;
    }
    uint64_t u;
    int64_t s;
    double d;
    char *text;
    size_t length;
    if (dblite_io_read_unsigned(io, &u) != DBLITE_OK ||
        dblite_io_read_signed(io, &s) != DBLITE_OK || dblite_io_read_double(io, &d) != DBLITE_OK ||
        dblite_io_read_string(io, &text, &length) != DBLITE_OK)
        return NULL;
    probe_value *value = probe_create(u, s, d, text, length);
    dblite_free(text);
    if (value == NULL)
        dblite_io_fail(io, "probe: out of memory");
    return value;
}

static int probe_rewrite(dblite_rewriter *rewriter, dblite_bytes key, const void *opaque)
{
    const probe_value *value = opaque;
    char u[32], s[32], d[40];
    snprintf(u, sizeof(u), "%llu", (unsigned long long)value->unsigned_field);
    snprintf(s, sizeof(s), "%lld", (long long)value->signed_field);
    snprintf(d, sizeof(d), "%.17g", value->double_field);
    dblite_bytes command[6] = {{"PROBE.SET", 9}, key,
                               {u, strlen(u)},   {s, strlen(s)},
                               {d, strlen(d)},   {value->text, value->text_length}};
    return dblite_rewriter_emit(rewriter, 6, command);
}

/* The whole argument as an unsigned 64-bit decimal number. */
static int parse_unsigned(dblite_bytes arg, uint64_t *value)
{
    char text[32];
    if (arg.len == 0 || arg.len >= sizeof(text) || arg.ptr[0] < '0' || arg.ptr[0] > '9')
        return -1;
    memcpy(text, arg.ptr, arg.len);
    text[arg.len] = '\0';
    char *end;
    errno = 0;
    unsigned long long parsed = strtoull(text, &end, 10);
    if (errno != 0 || *end != '\0')
        return -1;
    *value = parsed;
    return 0;
}

static void command_set(dblite_ctx *ctx, int argc, const dblite_bytes *argv)
{
    (void)argc;
    uint64_t u;
    long long s;
    double d;
    if (parse_unsigned(argv[2], &u) != 0 || dblite_parse_long_long(argv[3], &s) != DBLITE_OK ||
        dblite_parse_double(argv[4], &d) != DBLITE_OK) {
        dblite_reply_error(ctx, "ERR bad number");
        return;
    }
    probe_value *value = probe_create(u, s, d, argv[5].ptr, argv[5].len);
    if (value == NULL ||
        dblite_key_set(ctx, argv[1], probe_type, value, DBLITE_SET_DEFAULT) != DBLITE_OK) {
        dblite_reply_error(ctx, "ERR out of memory");
        return;
    }
    dblite_reply_ok(ctx);
}

static void command_get(dblite_ctx *ctx, int argc, const dblite_bytes *argv)
{
    (void)argc;
    void *opaque;
    if (dblite_key_lookup(ctx, argv[1], probe_type, DBLITE_LOOKUP_READ, &opaque) != DBLITE_OK) {
        dblite_reply_wrongtype(ctx);
        return;
    }
    if (opaque == NULL) {
        dblite_reply_null(ctx);
        return;
    }
    const probe_value *value = opaque;
    char d[40];
    snprintf(d, sizeof(d), "%.17g", value->double_field);
    dblite_reply_array(ctx, 4);
    char u[32];
    snprintf(u, sizeof(u), "%llu", (unsigned long long)value->unsigned_field);
    dblite_reply_bulk_cstring(ctx, u);
    dblite_reply_integer(ctx, (long long)value->signed_field);
    dblite_reply_bulk_cstring(ctx, d);
    dblite_reply_bulk(ctx, value->text, value->text_length);
}

__attribute__((visibility("default"))) int dblite_module_init(dblite_module *module)
{
    static const dblite_type_methods methods = {
        .api_version = DBLITE_API_VERSION,
        .free = probe_free,
        .copy = probe_copy,
        .save = probe_save,
        .load = probe_load,
        .rewrite = probe_rewrite,
    };
    probe_type =
        dblite_type_register(module, "probe", "probetype", PROBE_ENCODING_VERSION, -1, &methods);
    if (probe_type == NULL)
        return DBLITE_ERR;
    static const dblite_command_spec commands[] = {
        {DBLITE_API_VERSION, "probe.set", 6, "write", 1, 1, 1, command_set, "test", NULL, NULL,
         NULL, NULL, NULL},
        {DBLITE_API_VERSION, "probe.get", 2, "readonly", 1, 1, 1, command_get, "test", NULL, NULL,
         NULL, NULL, NULL},
    };
    for (size_t i = 0; i < 2; i++)
        if (dblite_command_register(module, &commands[i]) != DBLITE_OK)
            return DBLITE_ERR;
    return DBLITE_OK;
}
