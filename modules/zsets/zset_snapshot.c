/*
 * zset_snapshot.c - the snapshot payload of sorted sets, Redis's zset2
 * (RDB type 5): the member count, then each member as a string and its
 * score as an 8-byte binary double, from the highest score down, as
 * rdbSaveObject writes a skiplist (a load then always inserts at the
 * head).
 *
 * Loading builds the set as a stream of ZADDs would under the settings in
 * force, then packs it when it fits, as rdbLoadObject converts after
 * loading; a NaN score or a member seen twice fails the load.  A big set
 * (under raised zset-max-listpack-entries) is gathered in a skiplist first
 * whatever its final encoding: adding to a packed set walks it, so
 * thousands of members would cost a quadratic load where Redis takes a
 * listpack as it comes.
 */
#include <math.h>

#include "zset_type.h"
#include "zset_value.h"
#include "zsets.h"

/* The most members a saved length makes us reserve room for up front
 * (a damaged file must not make us allocate wildly). */
#define LOAD_RESERVE_LIMIT (1u << 20)
/* Sets above this many members are loaded through a skiplist. */
#define LOAD_PACKED_DIRECTLY_MAX 256

int zset_snapshot_save(dblite_io *io, const void *opaque)
{
    const zset_value *zset = opaque;
    if (dblite_io_write_unsigned(io, zset_value_length(zset)) != DBLITE_OK)
        return DBLITE_ERR_IO;
    zset_iterator iterator;
    zset_iterator_init(&iterator, zset, 0, 1);
    zset_entry entry;
    while (zset_iterator_next(&iterator, &entry)) {
        if (dblite_io_write_string(io, entry.member.ptr, entry.member.len) != DBLITE_OK ||
            dblite_io_write_double(io, entry.score) != DBLITE_OK)
            return DBLITE_ERR_IO;
    }
    return DBLITE_OK;
}

/* Reads one pair into holder; DBLITE_OK or an error after dblite_io_fail(). */
static int load_pair(dblite_io *io, value_holder *holder, const zset_limits *limits)
{
    char *ptr;
    size_t length;
    double score;
    if (dblite_io_read_string(io, &ptr, &length) != DBLITE_OK) {
        dblite_io_fail(io, "zsets: could not read a sorted set member");
        return DBLITE_ERR_IO;
    }
    if (dblite_io_read_double(io, &score) != DBLITE_OK) {
        dblite_free(ptr);
        dblite_io_fail(io, "zsets: could not read a sorted set score");
        return DBLITE_ERR_IO;
    }
    if (isnan(score)) {
        dblite_free(ptr);
        dblite_io_fail(io, "zsets: NaN score in a saved sorted set");
        return DBLITE_ERR;
    }
    dblite_bytes member = {ptr, length};
    int outcome;
    int status = zset_value_add(holder, limits, member, score, ZSET_ADD_NX, &outcome, NULL);
    dblite_free(ptr);
    if (status == DBLITE_OK && outcome == ZSET_ADD_OUT_ADDED)
        return DBLITE_OK;
    dblite_io_fail(io, status == DBLITE_OK ? "zsets: duplicate member in a saved sorted set"
                                           : "zsets: out of memory loading a sorted set");
    return DBLITE_ERR;
}

void *zset_snapshot_load(dblite_io *io, int encoding_version)
{
    if (encoding_version != ZSET_ENCODING_VERSION) {
        dblite_io_fail(io, "zsets: unknown sorted set encoding version");
        return NULL;
    }
    uint64_t count;
    if (dblite_io_read_unsigned(io, &count) != DBLITE_OK) {
        dblite_io_fail(io, "zsets: could not read a sorted set length");
        return NULL;
    }
    if (count == 0) {
        dblite_io_fail(io, "zsets: empty sorted set in snapshot");
        return NULL;
    }
    /* The settings in force, as Redis applies them at load. */
    const zsets_state *state = dblite_module_get_data(dblite_io_module(io));
    zset_limits limits = state != NULL ? zsets_limits(state) : zset_default_limits();
    size_t expected = count < LOAD_RESERVE_LIMIT ? (size_t)count : LOAD_RESERVE_LIMIT;
    zset_limits building = limits;
    if (count > LOAD_PACKED_DIRECTLY_MAX)
        building.max_packed_entries = 0;
    zset_value *zset = zset_value_create(&building, expected, 0);
    if (zset == NULL) {
        dblite_io_fail(io, "zsets: out of memory loading a sorted set");
        return NULL;
    }
    value_holder holder;
    value_holder_init(&holder, NULL, zset_value_free);
    holder.current = zset;
    for (uint64_t i = 0; i < count; i++) {
        if (load_pair(io, &holder, &building) != DBLITE_OK) {
            zset_value_free(holder.current);
            return NULL;
        }
    }
    zset_value_fit_encoding(&holder, &limits);
    return holder.current;
}
