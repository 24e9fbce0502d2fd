/*
 * string_type.c - the type methods of string values and their registration.
 *
 * Snapshots hold the plain bytes (Redis's RDB string payload), so a value is
 * rebuilt through string_value_create and gets its compact form back on load.
 */
#include "string_type.h"

#include "string_value.h"

#define STRING_SNAPSHOT_NAME "dblstring"
#define STRING_ENCODING_VERSION 0
#define RDB_STRING_TYPE_CODE 0

static int string_save(dblite_io *io, const void *value)
{
    char scratch[STRING_VALUE_SCRATCH_SIZE];
    dblite_bytes bytes = string_value_bytes(value, scratch);
    return dblite_io_write_string(io, bytes.ptr, bytes.len);
}

static void *string_load(dblite_io *io, int encoding_version)
{
    if (encoding_version != STRING_ENCODING_VERSION) {
        dblite_io_fail(io, "strings: unknown string encoding version");
        return NULL;
    }
    char *ptr;
    size_t len;
    if (dblite_io_read_string(io, &ptr, &len) != DBLITE_OK) {
        dblite_io_fail(io, "strings: could not read a string value");
        return NULL;
    }
    void *value = string_value_create(ptr, len);
    dblite_free(ptr);
    if (value == NULL)
        dblite_io_fail(io, "strings: out of memory loading a string value");
    return value;
}

static int string_rewrite(dblite_rewriter *rewriter, dblite_bytes key, const void *value)
{
    char scratch[STRING_VALUE_SCRATCH_SIZE];
    dblite_bytes command[3] = {{"SET", 3}, key, string_value_bytes(value, scratch)};
    return dblite_rewriter_emit(rewriter, 3, command);
}

static const dblite_type_methods string_methods = {
    .api_version = DBLITE_API_VERSION,
    .free = string_value_free,
    .memory_usage = string_value_memory_usage,
    .copy = string_value_copy,
    .save = string_save,
    .load = string_load,
    .rewrite = string_rewrite,
    .encoding = string_value_encoding,
};

const dblite_type *string_type_register(dblite_module *module)
{
    dblite_type *type =
        dblite_type_register(module, "string", STRING_SNAPSHOT_NAME, STRING_ENCODING_VERSION,
                             RDB_STRING_TYPE_CODE, &string_methods);
    if (type == NULL)
        dblite_module_fail(module, "could not register the string type");
    return type;
}
