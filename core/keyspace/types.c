/*
 * types.c - the type registry: modules register value types, the keyspace
 * stores a type index beside each value, and type checks are an integer
 * compare.  Also the stream wrappers that type save/load/rewrite methods
 * write through, so a type never depends on one file format.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server.h"

static int snapshot_name_valid(const char *name)
{
    if (!name || strlen(name) != 9)
        return 0;
    for (const char *p = name; *p; p++) {
        char ch = *p;
        if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
              ch == '_' || ch == '-'))
            return 0;
    }
    return 1;
}

dblite_type *dblite_type_register(dblite_module *module, const char *public_name,
                                  const char *snapshot_name, int encoding_version,
                                  int native_snapshot_code, const dblite_type_methods *methods)
{
    const char *why = NULL;
    if (!public_name || !public_name[0])
        why = "a type needs a public name";
    else if (dblite_type_find(public_name))
        why = "a type with this name is already registered";
    else if (!snapshot_name_valid(snapshot_name))
        why = "the snapshot name must be 9 characters of A-Z a-z 0-9 - _";
    else if (encoding_version < 0 || encoding_version > 1023)
        why = "the encoding version must be 0..1023";
    else if (native_snapshot_code < -1 || native_snapshot_code > 255)
        why = "bad native snapshot code";
    else if (!methods || !methods->free)
        why = "the free method is required";
    else if (methods->api_version < 1 || methods->api_version > DBLITE_API_VERSION)
        why = "bad methods api_version";
    else if (server.types.length >= MAX_TYPES)
        why = "too many types";
    if (!why) {
        for (size_t i = 0; i < server.types.length; i++)
            if (strcmp(server.types.items[i]->snapshot_name, snapshot_name) == 0)
                why = "the snapshot name is already taken by another type";
    }
    if (why) {
        if (module)
            dblite_module_fail(module, "cannot register type '%s': %s",
                               public_name ? public_name : "", why);
        return NULL;
    }
    value_type *type = server_calloc(sizeof(*type));
    if (!type || !(type->name = server_strdup(public_name))) {
        server_free(type);
        if (module)
            dblite_module_fail(module, "out of memory registering a type");
        return NULL;
    }
    memcpy(type->snapshot_name, snapshot_name, 9);
    type->encoding_version = encoding_version;
    type->native_snapshot_code = native_snapshot_code;
    /* Methods of an older api_version end before the fields added since. */
    memcpy(&type->methods, methods,
           methods->api_version >= 3 ? sizeof(*methods) : offsetof(dblite_type_methods, encoding));
    type->owner = module;
    type->index = (uint16_t)server.types.length;
    if (ARRAY_PUSH(server.types, type) != 0) {
        server_free(type->name);
        server_free(type);
        if (module)
            dblite_module_fail(module, "out of memory registering a type");
        return NULL;
    }
    return type;
}

dblite_type *dblite_type_find(const char *public_name)
{
    for (size_t i = 0; i < server.types.length; i++)
        if (strcmp(server.types.items[i]->name, public_name) == 0)
            return server.types.items[i];
    return NULL;
}

const char *dblite_type_name(const dblite_type *type)
{
    return type->name;
}
const char *dblite_type_snapshot_name(const dblite_type *type)
{
    return type->snapshot_name;
}
int dblite_type_encoding_version(const dblite_type *type)
{
    return type->encoding_version;
}
int dblite_type_native_snapshot_code(const dblite_type *type)
{
    return type->native_snapshot_code;
}
const dblite_type_methods *dblite_type_get_methods(const dblite_type *type)
{
    return &type->methods;
}
dblite_type *dblite_type_at(int index)
{
    return index >= 0 && (size_t)index < server.types.length ? server.types.items[index] : NULL;
}

void types_free(void)
{
    for (size_t i = 0; i < server.types.length; i++) {
        server_free(server.types.items[i]->name);
        server_free(server.types.items[i]);
    }
    free(server.types.items);
    server.types.items = NULL;
    server.types.length = server.types.capacity = 0;
}

/* ---- streams ---- */

struct dblite_io {
    dblite_io_methods methods;
    void *stream;
    dblite_module *module; /* owner of the type being saved or loaded */
    char error[256];
    int failed;
};

dblite_io *dblite_io_create(const dblite_io_methods *methods, void *stream)
{
    dblite_io *io = server_calloc(sizeof(*io));
    if (!io)
        return NULL;
    io->methods = *methods;
    io->stream = stream;
    return io;
}

void dblite_io_destroy(dblite_io *io)
{
    server_free(io);
}
const char *dblite_io_error(const dblite_io *io)
{
    return io->failed ? io->error : NULL;
}

void dblite_io_begin_value(dblite_io *io, const dblite_type *type)
{
    io->module = type ? type->owner : NULL;
}
dblite_module *dblite_io_module(const dblite_io *io)
{
    return io->module;
}

void dblite_io_fail(dblite_io *io, const char *reason)
{
    if (io->failed)
        return;
    io->failed = 1;
    snprintf(io->error, sizeof(io->error), "%s", reason ? reason : "stream failed");
}

/* Each call: refuse once failed, call through, remember the first failure. */
#define IO_FORWARD(method, ...)                                             \
    do {                                                                    \
        if (io->failed)                                                     \
            return DBLITE_ERR_IO;                                           \
        if (!io->methods.method) {                                          \
            dblite_io_fail(io, #method " is not supported by this stream"); \
            return DBLITE_ERR_IO;                                           \
        }                                                                   \
        int status = io->methods.method(io->stream, __VA_ARGS__);           \
        if (status != DBLITE_OK)                                            \
            dblite_io_fail(io, #method " failed");                          \
        return status;                                                      \
    } while (0)

int dblite_io_write_unsigned(dblite_io *io, uint64_t value)
{
    IO_FORWARD(write_unsigned, value);
}
int dblite_io_write_signed(dblite_io *io, int64_t value)
{
    IO_FORWARD(write_signed, value);
}
int dblite_io_write_string(dblite_io *io, const char *ptr, size_t len)
{
    IO_FORWARD(write_string, ptr, len);
}
int dblite_io_write_double(dblite_io *io, double value)
{
    IO_FORWARD(write_double, value);
}
int dblite_io_read_unsigned(dblite_io *io, uint64_t *value)
{
    IO_FORWARD(read_unsigned, value);
}
int dblite_io_read_signed(dblite_io *io, int64_t *value)
{
    IO_FORWARD(read_signed, value);
}
int dblite_io_read_string(dblite_io *io, char **ptr, size_t *len)
{
    IO_FORWARD(read_string, ptr, len);
}
int dblite_io_read_double(dblite_io *io, double *value)
{
    IO_FORWARD(read_double, value);
}

struct dblite_rewriter {
    dblite_rewrite_emit_fn emit;
    void *privdata;
};

dblite_rewriter *dblite_rewriter_create(dblite_rewrite_emit_fn emit, void *privdata)
{
    dblite_rewriter *rewriter = server_alloc(sizeof(*rewriter));
    if (!rewriter)
        return NULL;
    rewriter->emit = emit;
    rewriter->privdata = privdata;
    return rewriter;
}

void dblite_rewriter_destroy(dblite_rewriter *rewriter)
{
    server_free(rewriter);
}

int dblite_rewriter_emit(dblite_rewriter *rewriter, int argc, const dblite_bytes *argv)
{
    return rewriter->emit(rewriter->privdata, argc, argv);
}
