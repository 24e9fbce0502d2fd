/*
 * list_type.c - the type methods of list values and their registration.
 *
 * Snapshots hold Redis's native list payload (RDB type 1): the element
 * count, then each element as a string, so files interchange with the
 * native list type whatever the in-memory encoding.  Rewrites emit RPUSH
 * commands of at most 64 elements, as Redis's AOF rewrite does.
 */
#include "list_type.h"

#include "list_access.h"
#include "list_fill.h"
#include "list_value.h"
#include "lists.h"

#define LIST_SNAPSHOT_NAME "dbllist00"
#define LIST_ENCODING_VERSION 0
#define RDB_LIST_TYPE_CODE 1
#define REWRITE_BATCH 64

static void list_free_method(void *value)
{
    list_value_free(value);
}

static void *list_copy_method(const void *value)
{
    return list_value_copy(value);
}

static size_t list_memory_usage_method(const void *value)
{
    return list_value_memory_usage(value);
}

/* Walk state of save and rewrite: the first failure stops the output. */
typedef struct save_walk {
    dblite_io *io;
    int status;
} save_walk;

static void save_entry(const packed_entry *entry, void *privdata)
{
    save_walk *walk = privdata;
    if (walk->status != DBLITE_OK)
        return;
    char scratch[24];
    dblite_bytes bytes = list_entry_bytes(entry, scratch, sizeof(scratch));
    walk->status = dblite_io_write_string(walk->io, bytes.ptr, bytes.len);
}

static int list_save(dblite_io *io, const void *value)
{
    const list_value *list = value;
    save_walk walk = {io, dblite_io_write_unsigned(io, list_value_length(list))};
    list_value_walk(list, 0, list_value_length(list), save_entry, &walk);
    return walk.status;
}

static void *list_load(dblite_io *io, int encoding_version)
{
    if (encoding_version != LIST_ENCODING_VERSION) {
        dblite_io_fail(io, "lists: unknown list encoding version");
        return NULL;
    }
    uint64_t count;
    if (dblite_io_read_unsigned(io, &count) != DBLITE_OK) {
        dblite_io_fail(io, "lists: could not read a list length");
        return NULL;
    }
    list_value *list = list_value_create();
    if (list == NULL) {
        dblite_io_fail(io, "lists: out of memory loading a list");
        return NULL;
    }
    /* The node budget in force, as Redis applies it at load. */
    const lists_state *state = dblite_module_get_data(dblite_io_module(io));
    long long fill = state != NULL ? state->fill : LIST_FILL_DEFAULT;
    for (uint64_t index = 0; index < count; index++) {
        char *ptr;
        size_t len;
        if (dblite_io_read_string(io, &ptr, &len) != DBLITE_OK) {
            dblite_io_fail(io, "lists: could not read a list element");
            list_value_free(list);
            return NULL;
        }
        packed_value element;
        int status = packed_value_prepare(&element, ptr, len);
        if (status == 0)
            status = list_value_push(list, LIST_TAIL, &element, fill);
        dblite_free(ptr);
        if (status != 0) {
            dblite_io_fail(io, "lists: out of memory loading a list");
            list_value_free(list);
            return NULL;
        }
    }
    return list;
}

typedef struct rewrite_walk {
    dblite_rewriter *rewriter;
    dblite_bytes command[2 + REWRITE_BATCH];
    char scratch[REWRITE_BATCH][24];
    int batched;
    int status;
} rewrite_walk;

static void rewrite_flush(rewrite_walk *walk)
{
    if (walk->batched > 0 && walk->status == DBLITE_OK)
        walk->status = dblite_rewriter_emit(walk->rewriter, 2 + walk->batched, walk->command);
    walk->batched = 0;
}

static void rewrite_entry(const packed_entry *entry, void *privdata)
{
    rewrite_walk *walk = privdata;
    int slot = walk->batched++;
    walk->command[2 + slot] =
        list_entry_bytes(entry, walk->scratch[slot], sizeof(walk->scratch[slot]));
    if (walk->batched == REWRITE_BATCH)
        rewrite_flush(walk);
}

static int list_rewrite(dblite_rewriter *rewriter, dblite_bytes key, const void *value)
{
    const list_value *list = value;
    rewrite_walk *walk = dblite_alloc(sizeof(*walk));
    if (walk == NULL)
        return DBLITE_ERR_NOMEM;
    walk->rewriter = rewriter;
    walk->command[0] = (dblite_bytes){"RPUSH", 5};
    walk->command[1] = key;
    walk->batched = 0;
    walk->status = DBLITE_OK;
    list_value_walk(list, 0, list_value_length(list), rewrite_entry, walk);
    rewrite_flush(walk);
    int status = walk->status;
    dblite_free(walk);
    return status;
}

/* Every list is a chain of packed nodes, Redis 7.0's "quicklist". */
static const char *list_encoding(const void *value)
{
    (void)value;
    return "quicklist";
}

static const dblite_type_methods list_methods = {
    .api_version = DBLITE_API_VERSION,
    .free = list_free_method,
    .memory_usage = list_memory_usage_method,
    .copy = list_copy_method,
    .save = list_save,
    .load = list_load,
    .rewrite = list_rewrite,
    .encoding = list_encoding,
};

const dblite_type *list_type_register(dblite_module *module)
{
    dblite_type *type =
        dblite_type_register(module, "list", LIST_SNAPSHOT_NAME, LIST_ENCODING_VERSION,
                             RDB_LIST_TYPE_CODE, &list_methods);
    if (type == NULL)
        dblite_module_fail(module, "could not register the list type");
    return type;
}
