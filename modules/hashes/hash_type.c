/*
 * hash_type.c - the type methods of hashes: free, copy, memory usage,
 * snapshot save/load (Redis's RDB hash payload) and log rewriting.
 */
#include "hash_type.h"

#include "hash_value.h"
#include "hashes.h"

#define HASH_SNAPSHOT_NAME "dblhash--"
#define HASH_ENCODING_VERSION 0
#define RDB_HASH_TYPE_CODE 4
/* Pairs per rewritten HSET, as Redis's AOF rewrite batches items. */
#define REWRITE_PAIRS_PER_COMMAND 64

static int hash_save(dblite_io *io, const void *opaque)
{
    const hash_value *value = opaque;
    if (dblite_io_write_unsigned(io, hash_value_length(value)) != DBLITE_OK)
        return DBLITE_ERR_IO;
    hash_iterator iterator;
    hash_iterator_init(&iterator, value);
    dblite_bytes field, content;
    while (hash_iterator_next(&iterator, &field, &content)) {
        if (dblite_io_write_string(io, field.ptr, field.len) != DBLITE_OK ||
            dblite_io_write_string(io, content.ptr, content.len) != DBLITE_OK)
            return DBLITE_ERR_IO;
    }
    return DBLITE_OK;
}

/* Reads one field/value pair into holder; DBLITE_OK or an error after
 * dblite_io_fail(). */
static int load_pair(dblite_io *io, value_holder *holder, const hash_limits *limits)
{
    char *field_ptr = NULL, *content_ptr = NULL;
    size_t field_length, content_length;
    if (dblite_io_read_string(io, &field_ptr, &field_length) != DBLITE_OK) {
        dblite_io_fail(io, "hashes: could not read a hash field");
        return DBLITE_ERR_IO;
    }
    if (dblite_io_read_string(io, &content_ptr, &content_length) != DBLITE_OK) {
        dblite_free(field_ptr);
        dblite_io_fail(io, "hashes: could not read a hash value");
        return DBLITE_ERR_IO;
    }
    dblite_bytes field = {field_ptr, field_length};
    dblite_bytes content = {content_ptr, content_length};
    int result = hash_value_set(holder, limits, field, content);
    dblite_free(field_ptr);
    dblite_free(content_ptr);
    if (result == HASH_VALUE_ADDED)
        return DBLITE_OK;
    dblite_io_fail(io, result == HASH_VALUE_UPDATED ? "hashes: duplicate field in a saved hash"
                                                    : "hashes: out of memory loading a hash");
    return DBLITE_ERR;
}

static void *hash_load(dblite_io *io, int encoding_version)
{
    if (encoding_version != HASH_ENCODING_VERSION) {
        dblite_io_fail(io, "hashes: unknown hash encoding version");
        return NULL;
    }
    uint64_t pairs;
    if (dblite_io_read_unsigned(io, &pairs) != DBLITE_OK) {
        dblite_io_fail(io, "hashes: could not read a hash length");
        return NULL;
    }
    if (pairs == 0) {
        dblite_io_fail(io, "hashes: empty hash in snapshot");
        return NULL;
    }
    /* The settings in force, as Redis applies them at load: a hash packed
     * under a raised limit stays packed across a restart. */
    const hashes_state *state = dblite_module_get_data(dblite_io_module(io));
    hash_limits limits = state != NULL ? hashes_limits(state) : hash_default_limits();
    /* The count comes from the file: trust it only as far as a hint. */
    size_t hint = pairs < 1024 ? (size_t)pairs : 1024;
    hash_value *value = hash_value_create(&limits, hint, 0, 0);
    if (value == NULL) {
        dblite_io_fail(io, "hashes: out of memory loading a hash");
        return NULL;
    }
    value_holder holder;
    value_holder_init(&holder, NULL, hash_value_free);
    holder.current = value;
    for (uint64_t i = 0; i < pairs; i++) {
        if (load_pair(io, &holder, &limits) != DBLITE_OK) {
            hash_value_free(holder.current);
            return NULL;
        }
    }
    return holder.current;
}

static int hash_rewrite(dblite_rewriter *rewriter, dblite_bytes key, const void *opaque)
{
    const hash_value *value = opaque;
    dblite_bytes command[2 + 2 * REWRITE_PAIRS_PER_COMMAND];
    command[0] = (dblite_bytes){"HSET", 4};
    command[1] = key;
    int argc = 2;
    hash_iterator iterator;
    hash_iterator_init(&iterator, value);
    dblite_bytes field, content;
    while (hash_iterator_next(&iterator, &field, &content)) {
        command[argc++] = field;
        command[argc++] = content;
        if (argc == 2 + 2 * REWRITE_PAIRS_PER_COMMAND) {
            if (dblite_rewriter_emit(rewriter, argc, command) != DBLITE_OK)
                return DBLITE_ERR_IO;
            argc = 2;
        }
    }
    if (argc > 2 && dblite_rewriter_emit(rewriter, argc, command) != DBLITE_OK)
        return DBLITE_ERR_IO;
    return DBLITE_OK;
}

static const char *hash_encoding(const void *value)
{
    return hash_value_encoding(value) == HASH_ENCODING_PACKED ? "listpack" : "hashtable";
}

static const dblite_type_methods hash_methods = {
    .api_version = DBLITE_API_VERSION,
    .free = hash_value_free,
    .memory_usage = hash_value_memory_usage,
    .copy = hash_value_copy,
    .save = hash_save,
    .load = hash_load,
    .rewrite = hash_rewrite,
    .encoding = hash_encoding,
};

const dblite_type *hash_type_register(dblite_module *module)
{
    dblite_type *type =
        dblite_type_register(module, "hash", HASH_SNAPSHOT_NAME, HASH_ENCODING_VERSION,
                             RDB_HASH_TYPE_CODE, &hash_methods);
    if (type == NULL)
        dblite_module_fail(module, "could not register the hash type");
    return type;
}
