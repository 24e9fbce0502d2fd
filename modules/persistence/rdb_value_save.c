/*
 * rdb_value_save.c - see rdb_value_save.h.  Both streams are created once
 * per snapshot and reused for every value: a failure anywhere aborts the
 * whole snapshot, so their sticky error state is never carried over.
 */
#include "rdb_value_save.h"

#include <stdio.h>

#include "module_type_id.h"
#include "rdb_encode.h"
#include "rdb_format.h"

static int native_write_unsigned(void *stream, uint64_t value)
{
    return rdb_encode_length(stream, value) == 0 ? DBLITE_OK : DBLITE_ERR_IO;
}

static int native_write_string(void *stream, const char *ptr, size_t len)
{
    return rdb_encode_string(stream, ptr, len) == 0 ? DBLITE_OK : DBLITE_ERR_IO;
}

/* Plain RDB payloads have no signed numbers, and doubles only in sorted
 * sets: a type writing them cannot claim a native code, and saying so
 * beats writing a file Redis would misread. */
static int native_write_signed(void *stream, int64_t value)
{
    (void)stream, (void)value;
    return DBLITE_ERR_INVALID;
}

static int native_write_double(void *stream, double value)
{
    (void)stream, (void)value;
    return DBLITE_ERR_INVALID;
}

static const dblite_io_methods native_methods = {
    .api_version = DBLITE_API_VERSION,
    .write_unsigned = native_write_unsigned,
    .write_signed = native_write_signed,
    .write_string = native_write_string,
    .write_double = native_write_double,
};

/* Sorted sets (type 5): their scores are binary doubles. */
static int zset_write_double(void *stream, double value)
{
    return rdb_encode_double(stream, value) == 0 ? DBLITE_OK : DBLITE_ERR_IO;
}

static const dblite_io_methods zset_methods = {
    .api_version = DBLITE_API_VERSION,
    .write_unsigned = native_write_unsigned,
    .write_signed = native_write_signed,
    .write_string = native_write_string,
    .write_double = zset_write_double,
};

static int module_write_unsigned(void *stream, uint64_t value)
{
    return rdb_encode_length(stream, RDB_MODULE_OPCODE_UINT) == 0 &&
                   rdb_encode_length(stream, value) == 0
               ? DBLITE_OK
               : DBLITE_ERR_IO;
}

static int module_write_signed(void *stream, int64_t value)
{
    return rdb_encode_length(stream, RDB_MODULE_OPCODE_SINT) == 0 &&
                   rdb_encode_length(stream, (uint64_t)value) == 0
               ? DBLITE_OK
               : DBLITE_ERR_IO;
}

static int module_write_string(void *stream, const char *ptr, size_t len)
{
    return rdb_encode_length(stream, RDB_MODULE_OPCODE_STRING) == 0 &&
                   rdb_encode_string(stream, ptr, len) == 0
               ? DBLITE_OK
               : DBLITE_ERR_IO;
}

static int module_write_double(void *stream, double value)
{
    return rdb_encode_length(stream, RDB_MODULE_OPCODE_DOUBLE) == 0 &&
                   rdb_encode_double(stream, value) == 0
               ? DBLITE_OK
               : DBLITE_ERR_IO;
}

static const dblite_io_methods module_methods = {
    .api_version = DBLITE_API_VERSION,
    .write_unsigned = module_write_unsigned,
    .write_signed = module_write_signed,
    .write_string = module_write_string,
    .write_double = module_write_double,
};

int value_saver_init(value_saver *saver, output_buffer *out)
{
    saver->out = out;
    saver->native_io = dblite_io_create(&native_methods, out);
    saver->zset_io = dblite_io_create(&zset_methods, out);
    saver->module_io = dblite_io_create(&module_methods, out);
    int packed_ready = packed_zset_writer_init(&saver->packed_zsets) == 0;
    if (saver->native_io == NULL || saver->zset_io == NULL || saver->module_io == NULL ||
        !packed_ready) {
        value_saver_release(saver);
        return -1;
    }
    return 0;
}

void value_saver_release(value_saver *saver)
{
    if (saver->native_io != NULL)
        dblite_io_destroy(saver->native_io);
    if (saver->zset_io != NULL)
        dblite_io_destroy(saver->zset_io);
    if (saver->module_io != NULL)
        dblite_io_destroy(saver->module_io);
    saver->native_io = saver->zset_io = saver->module_io = NULL;
    packed_zset_writer_release(&saver->packed_zsets);
}

static int explain_failure(value_saver *saver, dblite_io *io, const dblite_type *type, char *error,
                           size_t error_size)
{
    const char *why = output_buffer_error(saver->out);
    if (why == NULL)
        why = dblite_io_error(io);
    snprintf(error, error_size, "saving a value of type '%s' failed: %s", dblite_type_name(type),
             why ? why : "its save method reported an error");
    return -1;
}

static int write_type_and_key(output_buffer *out, unsigned char type_byte, const dblite_bytes *key)
{
    if (output_buffer_byte(out, type_byte) != 0)
        return -1;
    return key == NULL ? 0 : rdb_encode_string(out, key->ptr, key->len);
}

int value_saver_write(value_saver *saver, const dblite_bytes *key, const dblite_type *type,
                      const void *value, char *error, size_t error_size)
{
    const dblite_type_methods *methods = dblite_type_get_methods(type);
    if (methods->save == NULL) {
        snprintf(error, error_size,
                 "type '%s' has no save method, so it cannot be written to a snapshot",
                 dblite_type_name(type));
        return -1;
    }
    int code = dblite_type_native_snapshot_code(type);
    if (code == RDB_TYPE_ZSET_2 && packed_zset_wanted(type, value)) {
        int status = packed_zset_write(&saver->packed_zsets, saver->out, key, type, value, error,
                                       error_size);
        if (status <= 0)
            return status;
    }
    if (code >= 0) {
        dblite_io *io = code == RDB_TYPE_ZSET_2 ? saver->zset_io : saver->native_io;
        dblite_io_begin_value(io, type);
        if (write_type_and_key(saver->out, (unsigned char)code, key) != 0 ||
            methods->save(io, value) != DBLITE_OK || dblite_io_error(io) != NULL)
            return explain_failure(saver, io, type, error, error_size);
        return 0;
    }
    uint64_t id =
        module_type_id_encode(dblite_type_snapshot_name(type), dblite_type_encoding_version(type));
    if (id == 0) {
        snprintf(error, error_size, "type '%s' has a snapshot name that cannot be stored",
                 dblite_type_name(type));
        return -1;
    }
    dblite_io_begin_value(saver->module_io, type);
    if (write_type_and_key(saver->out, RDB_TYPE_MODULE_2, key) != 0 ||
        rdb_encode_length(saver->out, id) != 0 ||
        methods->save(saver->module_io, value) != DBLITE_OK ||
        dblite_io_error(saver->module_io) != NULL ||
        rdb_encode_length(saver->out, RDB_MODULE_OPCODE_EOF) != 0)
        return explain_failure(saver, saver->module_io, type, error, error_size);
    return 0;
}
