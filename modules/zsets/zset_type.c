/*
 * zset_type.c - the "zset" type as the core knows it: free, copy, memory
 * usage, snapshot save/load (zset_snapshot.c), log rewriting and OBJECT
 * ENCODING's answer.
 */
#include "zset_type.h"

#include "zset_value.h"
#include "zsets.h"

/* Pairs per rewritten ZADD, as Redis's AOF rewrite batches items. */
#define REWRITE_PAIRS_PER_COMMAND 64

static int zset_rewrite(dblite_rewriter *rewriter, dblite_bytes key, const void *opaque)
{
    const zset_value *zset = opaque;
    /* A batch's members may be spelled out in their entries, and its
     * scores in the texts below, so both live until the batch is out. */
    zset_entry entries[REWRITE_PAIRS_PER_COMMAND];
    char scores[REWRITE_PAIRS_PER_COMMAND][DBLITE_DOUBLE_TEXT_SIZE];
    dblite_bytes command[2 + 2 * REWRITE_PAIRS_PER_COMMAND];
    command[0] = (dblite_bytes){"ZADD", 4};
    command[1] = key;
    int batched = 0;
    zset_iterator iterator;
    zset_iterator_init(&iterator, zset, 0, 0);
    while (zset_iterator_next(&iterator, &entries[batched])) {
        size_t length =
            dblite_format_double(scores[batched], DBLITE_DOUBLE_TEXT_SIZE, entries[batched].score);
        command[2 + 2 * batched] = (dblite_bytes){scores[batched], length};
        command[3 + 2 * batched] = entries[batched].member;
        batched++;
        if (batched == REWRITE_PAIRS_PER_COMMAND) {
            if (dblite_rewriter_emit(rewriter, 2 + 2 * batched, command) != DBLITE_OK)
                return DBLITE_ERR_IO;
            batched = 0;
        }
    }
    if (batched > 0 && dblite_rewriter_emit(rewriter, 2 + 2 * batched, command) != DBLITE_OK)
        return DBLITE_ERR_IO;
    return DBLITE_OK;
}

static const char *zset_encoding(const void *value)
{
    return zset_value_encoding(value) == ZSET_ENCODING_PACKED ? "listpack" : "skiplist";
}

static const dblite_type_methods zset_methods = {
    .api_version = DBLITE_API_VERSION,
    .free = zset_value_free,
    .memory_usage = zset_value_memory_usage,
    .copy = zset_value_copy,
    .save = zset_snapshot_save,
    .load = zset_snapshot_load,
    .rewrite = zset_rewrite,
    .encoding = zset_encoding,
};

const dblite_type *zset_type_register(dblite_module *module)
{
    dblite_type *type =
        dblite_type_register(module, "zset", ZSET_SNAPSHOT_NAME, ZSET_ENCODING_VERSION,
                             RDB_ZSET_TYPE_CODE, &zset_methods);
    if (type == NULL)
        dblite_module_fail(module, "could not register the zset type");
    return type;
}
