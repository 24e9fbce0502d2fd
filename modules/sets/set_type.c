/*
 * set_type.c - the type methods of sets: free, copy, memory usage,
 * snapshot save/load (Redis's RDB set payload) and log rewriting.
 */
#include "set_type.h"

#include "set_value.h"
#include "sets.h"

#define SET_SNAPSHOT_NAME "dblset---"
#define SET_ENCODING_VERSION 0
#define RDB_SET_TYPE_CODE 2
/* Members per rewritten SADD, as Redis's AOF rewrite batches items. */
#define REWRITE_MEMBERS_PER_COMMAND 64

static int set_save(dblite_io *io, const void *opaque)
{
    const set_value *set = opaque;
    if (dblite_io_write_unsigned(io, set_value_length(set)) != DBLITE_OK)
        return DBLITE_ERR_IO;
    set_iterator iterator;
    set_iterator_init(&iterator, set);
    set_member member;
    while (set_iterator_next(&iterator, &member)) {
        if (dblite_io_write_string(io, member.bytes.ptr, member.bytes.len) != DBLITE_OK)
            return DBLITE_ERR_IO;
    }
    return DBLITE_OK;
}

/* Reads one member into holder; DBLITE_OK or an error after
 * dblite_io_fail(). */
static int load_member(dblite_io *io, value_holder *holder, const set_limits *limits)
{
    char *ptr;
    size_t length;
    if (dblite_io_read_string(io, &ptr, &length) != DBLITE_OK) {
        dblite_io_fail(io, "sets: could not read a set member");
        return DBLITE_ERR_IO;
    }
    dblite_bytes member = {ptr, length};
    int result = set_value_add(holder, limits, member);
    dblite_free(ptr);
    if (result == 1)
        return DBLITE_OK;
    dblite_io_fail(io, result == 0 ? "sets: duplicate member in a saved set"
                                   : "sets: out of memory loading a set");
    return DBLITE_ERR;
}

static void *set_load(dblite_io *io, int encoding_version)
{
    if (encoding_version != SET_ENCODING_VERSION) {
        dblite_io_fail(io, "sets: unknown set encoding version");
        return NULL;
    }
    uint64_t count;
    if (dblite_io_read_unsigned(io, &count) != DBLITE_OK) {
        dblite_io_fail(io, "sets: could not read a set length");
        return NULL;
    }
    if (count == 0) {
        dblite_io_fail(io, "sets: empty set in snapshot");
        return NULL;
    }
    /* The settings in force, as Redis applies them at load. */
    const sets_state *state = dblite_module_get_data(dblite_io_module(io));
    set_limits limits = state != NULL ? sets_limits(state) : set_default_limits();
    /* Members are not known yet: start as an empty integer set and let the
     * members pick the encoding, as a stream of SADDs would. */
    set_shape shape = {.all_integers = 1};
    set_value *set = set_value_create(&limits, &shape);
    if (set == NULL) {
        dblite_io_fail(io, "sets: out of memory loading a set");
        return NULL;
    }
    value_holder holder;
    value_holder_init(&holder, NULL, set_value_free);
    holder.current = set;
    for (uint64_t i = 0; i < count; i++) {
        if (load_member(io, &holder, &limits) != DBLITE_OK) {
            set_value_free(holder.current);
            return NULL;
        }
    }
    return holder.current;
}

static int set_rewrite(dblite_rewriter *rewriter, dblite_bytes key, const void *opaque)
{
    const set_value *set = opaque;
    /* Members of integer sets are spelled out in their set_member, so each
     * batch keeps its members in an array of those. */
    static const dblite_bytes sadd = {"SADD", 4};
    set_member members[REWRITE_MEMBERS_PER_COMMAND];
    dblite_bytes command[2 + REWRITE_MEMBERS_PER_COMMAND];
    command[0] = sadd;
    command[1] = key;
    int batched = 0;
    set_iterator iterator;
    set_iterator_init(&iterator, set);
    while (set_iterator_next(&iterator, &members[batched])) {
        command[2 + batched] = members[batched].bytes;
        batched++;
        if (batched == REWRITE_MEMBERS_PER_COMMAND) {
            if (dblite_rewriter_emit(rewriter, 2 + batched, command) != DBLITE_OK)
                return DBLITE_ERR_IO;
            batched = 0;
        }
    }
    if (batched > 0 && dblite_rewriter_emit(rewriter, 2 + batched, command) != DBLITE_OK)
        return DBLITE_ERR_IO;
    return DBLITE_OK;
}

/* A packed set of strings is Redis 7.2's "listpack"; Redis 7.0 keeps such
 * sets in a table and says "hashtable". */
static const char *set_encoding(const void *value)
{
    switch (set_value_encoding(value)) {
        case SET_ENCODING_INTEGERS:
            return "intset";
        case SET_ENCODING_PACKED:
            return "listpack";
        default:
            return "hashtable";
    }
}

static const dblite_type_methods set_methods = {
    .api_version = DBLITE_API_VERSION,
    .free = set_value_free,
    .memory_usage = set_value_memory_usage,
    .copy = set_value_copy,
    .save = set_save,
    .load = set_load,
    .rewrite = set_rewrite,
    .encoding = set_encoding,
};

const dblite_type *set_type_register(dblite_module *module)
{
    dblite_type *type = dblite_type_register(module, "set", SET_SNAPSHOT_NAME, SET_ENCODING_VERSION,
                                             RDB_SET_TYPE_CODE, &set_methods);
    if (type == NULL)
        dblite_module_fail(module, "could not register the set type");
    return type;
}
