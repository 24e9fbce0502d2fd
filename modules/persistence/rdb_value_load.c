/*
 * rdb_value_load.c - see rdb_value_load.h.  One dblite_io serves every
 * value of a load; its read methods look at the loader's mode, which is
 * set before each call of a type's load method.
 */
#include "rdb_value_load.h"

#include <stdio.h>
#include <string.h>

#include "compact_decode.h"
#include "module_type_id.h"
#include "rdb_format.h"
#include "score_text.h"

/* ---- the stream the type reads ---- */

static int source_read_unsigned(void *stream, uint64_t *value)
{
    value_loader *loader = stream;
    if (loader->count_pending) {
        loader->count_pending = 0;
        *value = loader->count;
        return DBLITE_OK;
    }
    switch (loader->mode) {
        case SOURCE_FILE:
            return rdb_read_length(loader->reader, value) == 0 ? DBLITE_OK : DBLITE_ERR_IO;
        case SOURCE_MODULE: {
            uint64_t opcode;
            if (rdb_read_length(loader->reader, &opcode) != 0)
                return DBLITE_ERR_IO;
            if (opcode != RDB_MODULE_OPCODE_UINT) {
                rdb_reader_fail(loader->reader,
                                "module value: expected an unsigned field, found opcode %llu",
                                (unsigned long long)opcode);
                return DBLITE_ERR_IO;
            }
            return rdb_read_length(loader->reader, value) == 0 ? DBLITE_OK : DBLITE_ERR_IO;
        }
        default:
            rdb_reader_fail(loader->reader,
                            "the type read a number where the payload holds strings");
            return DBLITE_ERR_IO;
    }
}

static int source_read_signed(void *stream, int64_t *value)
{
    value_loader *loader = stream;
    uint64_t opcode, bits;
    if (loader->mode != SOURCE_MODULE) {
        rdb_reader_fail(loader->reader, "the type read a signed number from a plain payload");
        return DBLITE_ERR_IO;
    }
    if (rdb_read_length(loader->reader, &opcode) != 0)
        return DBLITE_ERR_IO;
    if (opcode != RDB_MODULE_OPCODE_SINT) {
        rdb_reader_fail(loader->reader, "module value: expected a signed field, found opcode %llu",
                        (unsigned long long)opcode);
        return DBLITE_ERR_IO;
    }
    if (rdb_read_length(loader->reader, &bits) != 0)
        return DBLITE_ERR_IO;
    *value = (int64_t)bits;
    return DBLITE_OK;
}

/* The next decoded element (SOURCE_ELEMENTS) as a view; fails the reader
 * past the last one. */
static int next_element(value_loader *loader, const char **ptr, size_t *length)
{
    if (loader->next_element >= loader->elements.count) {
        rdb_reader_fail(loader->reader, "the type read more fields than the value holds");
        return DBLITE_ERR_IO;
    }
    size_t index = loader->next_element++;
    *ptr = element_list_ptr(&loader->elements, index);
    *length = loader->elements.items[index].length;
    return DBLITE_OK;
}

static int source_read_double(void *stream, double *value)
{
    value_loader *loader = stream;
    uint64_t opcode;
    if (loader->mode == SOURCE_ELEMENTS) {
        const char *text;
        size_t length;
        if (next_element(loader, &text, &length) != DBLITE_OK)
            return DBLITE_ERR_IO;
        if (score_text_parse(text, length, value) != 0) {
            rdb_reader_fail(loader->reader,
                            "a score of a packed sorted set is not a number: '%.*s'",
                            (int)(length > 40 ? 40 : length), text);
            return DBLITE_ERR_IO;
        }
        return DBLITE_OK;
    }
    if (loader->mode == SOURCE_FILE) {
        int status = -1;
        if (loader->type_byte == RDB_TYPE_ZSET_2)
            status = rdb_read_binary_double(loader->reader, value);
        else if (loader->type_byte == RDB_TYPE_ZSET)
            status = rdb_read_text_double(loader->reader, value);
        else
            rdb_reader_fail(loader->reader, "the type read a double from a plain payload");
        return status == 0 ? DBLITE_OK : DBLITE_ERR_IO;
    }
    if (rdb_read_length(loader->reader, &opcode) != 0)
        return DBLITE_ERR_IO;
    if (opcode == RDB_MODULE_OPCODE_FLOAT) {
        uint32_t bits;
        float single;
        if (rdb_read_u32_le(loader->reader, &bits) != 0)
            return DBLITE_ERR_IO;
        memcpy(&single, &bits, sizeof(single));
        *value = single;
        return DBLITE_OK;
    }
    if (opcode != RDB_MODULE_OPCODE_DOUBLE) {
        rdb_reader_fail(loader->reader, "module value: expected a double field, found opcode %llu",
                        (unsigned long long)opcode);
        return DBLITE_ERR_IO;
    }
    return rdb_read_binary_double(loader->reader, value) == 0 ? DBLITE_OK : DBLITE_ERR_IO;
}

static int source_read_string(void *stream, char **ptr, size_t *len)
{
    value_loader *loader = stream;
    if (loader->mode == SOURCE_ELEMENTS) {
        const char *element;
        size_t length;
        if (next_element(loader, &element, &length) != DBLITE_OK)
            return DBLITE_ERR_IO;
        char *copy = dblite_alloc(length ? length : 1);
        if (copy == NULL) {
            rdb_reader_fail(loader->reader, "out of memory");
            return DBLITE_ERR_NOMEM;
        }
        memcpy(copy, element, length);
        *ptr = copy;
        *len = length;
        return DBLITE_OK;
    }
    if (loader->mode == SOURCE_MODULE) {
        uint64_t opcode;
        if (rdb_read_length(loader->reader, &opcode) != 0)
            return DBLITE_ERR_IO;
        if (opcode != RDB_MODULE_OPCODE_STRING) {
            rdb_reader_fail(loader->reader,
                            "module value: expected a string field, found opcode %llu",
                            (unsigned long long)opcode);
            return DBLITE_ERR_IO;
        }
    }
    return rdb_read_string_copy(loader->reader, ptr, len) == 0 ? DBLITE_OK : DBLITE_ERR_IO;
}

static const dblite_io_methods source_methods = {
    .api_version = DBLITE_API_VERSION,
    .read_unsigned = source_read_unsigned,
    .read_signed = source_read_signed,
    .read_string = source_read_string,
    .read_double = source_read_double,
};

int value_loader_init(value_loader *loader, rdb_reader *reader)
{
    memset(loader, 0, sizeof(*loader));
    loader->reader = reader;
    element_list_init(&loader->elements);
    loader->io = dblite_io_create(&source_methods, loader);
    return loader->io != NULL ? 0 : -1;
}

void value_loader_release(value_loader *loader)
{
    if (loader->io != NULL)
        dblite_io_destroy(loader->io);
    loader->io = NULL;
    element_list_release(&loader->elements);
    scratch_buffer_release(&loader->blob_scratch);
}

/* ---- choosing the type ---- */

int rdb_is_value_type(unsigned char type_byte)
{
    return type_byte <= RDB_TYPE_STREAM_LISTPACKS_3 && type_byte != 8;
}

/* The plain type a compact (or older) encoding stands for, or -1 for kinds
 * dblite has no family for (streams, pre-release module values). */
static int native_family(unsigned char type_byte)
{
    switch (type_byte) {
        case RDB_TYPE_STRING:
            return RDB_TYPE_STRING;
        case RDB_TYPE_LIST:
        case RDB_TYPE_LIST_ZIPLIST:
        case RDB_TYPE_LIST_QUICKLIST:
        case RDB_TYPE_LIST_QUICKLIST_2:
            return RDB_TYPE_LIST;
        case RDB_TYPE_SET:
        case RDB_TYPE_SET_INTSET:
        case RDB_TYPE_SET_LISTPACK:
            return RDB_TYPE_SET;
        case RDB_TYPE_HASH:
        case RDB_TYPE_HASH_ZIPMAP:
        case RDB_TYPE_HASH_ZIPLIST:
        case RDB_TYPE_HASH_LISTPACK:
            return RDB_TYPE_HASH;
        case RDB_TYPE_ZSET:
        case RDB_TYPE_ZSET_2:
        case RDB_TYPE_ZSET_ZIPLIST:
        case RDB_TYPE_ZSET_LISTPACK:
            return RDB_TYPE_ZSET_2;
        default:
            return -1;
    }
}

static const char *family_name(int family)
{
    switch (family) {
        case RDB_TYPE_STRING:
            return "string";
        case RDB_TYPE_LIST:
            return "list";
        case RDB_TYPE_SET:
            return "set";
        case RDB_TYPE_ZSET_2:
            return "sorted set";
        default:
            return "hash";
    }
}

static const dblite_type *type_with_native_code(int code)
{
    const dblite_type *type;
    for (int i = 0; (type = dblite_type_at(i)) != NULL; i++)
        if (dblite_type_native_snapshot_code(type) == code)
            return type;
    return NULL;
}

static const dblite_type *type_with_snapshot_name(const char *name)
{
    const dblite_type *type;
    for (int i = 0; (type = dblite_type_at(i)) != NULL; i++)
        if (strcmp(dblite_type_snapshot_name(type), name) == 0)
            return type;
    return NULL;
}

/* ---- decoding compact payloads ---- */

typedef int (*blob_decoder)(const unsigned char *, size_t, element_list *, char *, size_t);

static int decode_blob(value_loader *loader, blob_decoder decode, char *error, size_t error_size)
{
    rdb_string blob;
    if (rdb_read_string(loader->reader, &loader->blob_scratch, &blob) != 0) {
        snprintf(error, error_size, "%s", loader->reader->error);
        return -1;
    }
    return decode(blob.ptr, blob.length, &loader->elements, error, error_size);
}

static int decode_quicklist(value_loader *loader, int version, char *error, size_t error_size)
{
    uint64_t nodes;
    if (rdb_read_length(loader->reader, &nodes) != 0) {
        snprintf(error, error_size, "%s", loader->reader->error);
        return -1;
    }
    for (uint64_t i = 0; i < nodes; i++) {
        uint64_t container = RDB_QUICKLIST_NODE_PACKED;
        if (version == 2 && rdb_read_length(loader->reader, &container) != 0) {
            snprintf(error, error_size, "%s", loader->reader->error);
            return -1;
        }
        if (container == RDB_QUICKLIST_NODE_PLAIN) {
            rdb_string element;
            if (rdb_read_string(loader->reader, &loader->blob_scratch, &element) != 0) {
                snprintf(error, error_size, "%s", loader->reader->error);
                return -1;
            }
            if (element_list_add(&loader->elements, element.ptr, element.length) != 0) {
                snprintf(error, error_size, "out of memory");
                return -1;
            }
            continue;
        }
        if (container != RDB_QUICKLIST_NODE_PACKED) {
            snprintf(error, error_size, "quicklist node with unknown container %llu",
                     (unsigned long long)container);
            return -1;
        }
        if (decode_blob(loader, version == 2 ? compact_decode_listpack : compact_decode_ziplist,
                        error, error_size) != 0)
            return -1;
    }
    return 0;
}

/* Decode a compact payload into loader->elements; the count the type
 * reads first is the number of elements, or of pairs for hashes. */
static int decode_compact(value_loader *loader, unsigned char type_byte, char *error,
                          size_t error_size)
{
    element_list_clear(&loader->elements);
    loader->next_element = 0;
    int status;
    switch (type_byte) {
        case RDB_TYPE_LIST_ZIPLIST:
        case RDB_TYPE_HASH_ZIPLIST:
        case RDB_TYPE_ZSET_ZIPLIST:
            status = decode_blob(loader, compact_decode_ziplist, error, error_size);
            break;
        case RDB_TYPE_HASH_LISTPACK:
        case RDB_TYPE_SET_LISTPACK:
        case RDB_TYPE_ZSET_LISTPACK:
            status = decode_blob(loader, compact_decode_listpack, error, error_size);
            break;
        case RDB_TYPE_SET_INTSET:
            status = decode_blob(loader, compact_decode_intset, error, error_size);
            break;
        case RDB_TYPE_HASH_ZIPMAP:
            status = decode_blob(loader, compact_decode_zipmap, error, error_size);
            break;
        case RDB_TYPE_LIST_QUICKLIST:
            status = decode_quicklist(loader, 1, error, error_size);
            break;
        default:
            status = decode_quicklist(loader, 2, error, error_size);
            break;
    }
    if (status != 0)
        return -1;
    loader->count = loader->elements.count;
    int family = native_family(type_byte);
    if (family == RDB_TYPE_HASH || family == RDB_TYPE_ZSET_2) {
        if (loader->count % 2 != 0) {
            snprintf(error, error_size, "compact %s with an odd number of entries",
                     family_name(family));
            return -1;
        }
        loader->count /= 2;
    }
    return 0;
}

/* ---- one value ---- */

static int run_type_load(value_loader *loader, const dblite_type *type, int encoding_version,
                         void **value, char *error, size_t error_size)
{
    const dblite_type_methods *methods = dblite_type_get_methods(type);
    if (methods->load == NULL) {
        snprintf(error, error_size, "type '%s' has no load method", dblite_type_name(type));
        return -1;
    }
    dblite_io_begin_value(loader->io, type);
    *value = methods->load(loader->io, encoding_version);
    const char *why = loader->reader->failed ? loader->reader->error : dblite_io_error(loader->io);
    if (*value == NULL || why != NULL) {
        if (*value != NULL)
            methods->free(*value);
        *value = NULL;
        snprintf(error, error_size, "loading a value of type '%s' failed: %s",
                 dblite_type_name(type), why ? why : "its load method gave nothing back");
        return -1;
    }
    if (loader->mode == SOURCE_ELEMENTS && loader->next_element != loader->elements.count) {
        methods->free(*value);
        *value = NULL;
        snprintf(error, error_size, "type '%s' read %zu of the %zu strings of a value",
                 dblite_type_name(type), loader->next_element, loader->elements.count);
        return -1;
    }
    return 0;
}

static int read_module_value(value_loader *loader, const dblite_type **type, void **value,
                             char *error, size_t error_size)
{
    uint64_t id;
    if (rdb_read_length(loader->reader, &id) != 0) {
        snprintf(error, error_size, "%s", loader->reader->error);
        return -1;
    }
    char name[10];
    int encoding_version = module_type_id_decode(id, name);
    *type = type_with_snapshot_name(name);
    if (*type == NULL || dblite_type_native_snapshot_code(*type) >= 0) {
        snprintf(
            error, error_size,
            "the file holds values of module type '%s' (encoding version %d), which no loaded module "
            "registers",
            name, encoding_version);
        return -1;
    }
    loader->mode = SOURCE_MODULE;
    loader->count_pending = 0;
    if (run_type_load(loader, *type, encoding_version, value, error, error_size) != 0)
        return -1;
    uint64_t opcode;
    if (rdb_read_length(loader->reader, &opcode) != 0 || opcode != RDB_MODULE_OPCODE_EOF) {
        dblite_type_get_methods(*type)->free(*value);
        *value = NULL;
        snprintf(error, error_size, "a value of module type '%s' is not followed by its end marker",
                 name);
        return -1;
    }
    return 0;
}

int value_loader_read(value_loader *loader, unsigned char type_byte, const dblite_type **type,
                      void **value, char *error, size_t error_size)
{
    *value = NULL;
    *type = NULL;
    if (type_byte == RDB_TYPE_MODULE_2)
        return read_module_value(loader, type, value, error, error_size);
    int family = native_family(type_byte);
    if (family < 0) {
        const char *what = type_byte == RDB_TYPE_MODULE_PRE_GA
                               ? "a value of a pre-release module type"
                               : "a stream";
        snprintf(error, error_size, "the file holds %s (RDB type %d), which dblite cannot store",
                 what, type_byte);
        return -1;
    }
    *type = type_with_native_code(family);
    if (*type == NULL) {
        snprintf(error, error_size,
                 "the file holds %s values (RDB type %d) and no loaded module provides the %s type",
                 family_name(family), type_byte, family_name(family));
        return -1;
    }
    loader->type_byte = type_byte;
    if (type_byte == RDB_TYPE_STRING) {
        loader->mode = SOURCE_FILE;
        loader->count_pending = 0;
    } else if (type_byte == family || type_byte == RDB_TYPE_ZSET) {
        if (rdb_read_length(loader->reader, &loader->count) != 0) {
            snprintf(error, error_size, "%s", loader->reader->error);
            return -1;
        }
        loader->mode = SOURCE_FILE;
        loader->count_pending = 1;
    } else {
        if (decode_compact(loader, type_byte, error, error_size) != 0)
            return -1;
        loader->mode = SOURCE_ELEMENTS;
        loader->count_pending = 1;
    }
    if (type_byte != RDB_TYPE_STRING && loader->count == 0)
        return 0; /* an empty collection: skipped, as Redis does */
    return run_type_load(loader, *type, dblite_type_encoding_version(*type), value, error,
                         error_size);
}
