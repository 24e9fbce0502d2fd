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
 * listpack as it comes.  A small set (the usual packed one) is read whole
 * first: its members are checked for duplicates once (sorted copies of
 * their views), then appended in order without searching
 * (zset_value_append), whether the file lists them highest first (type 5,
 * as written here and by Redis) or lowest first (a listpack); a pair out
 * of order goes through the normal add.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "zset_order.h"

#include "zset_type.h"
#include "zset_value.h"
#include "zsets.h"

/* The most members a saved length makes us reserve room for up front
 * (a damaged file must not make us allocate wildly). */
#define LOAD_RESERVE_LIMIT (1u << 20)
/* Sets above this many members are loaded through a skiplist. */
#define LOAD_PACKED_DIRECTLY_MAX 256
/* Small sets of at most this many members are read into arrays on the
 * stack (the others into allocated ones). */
#define LOAD_STACK_PAIRS 32

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

/* One pair as read from the file (the member is ours to free). */
typedef struct loaded_pair {
    char *member;
    size_t length;
    double score;
} loaded_pair;

/* Reads one pair; DBLITE_OK or an error after dblite_io_fail(). */
static int read_pair(dblite_io *io, loaded_pair *pair)
{
    if (dblite_io_read_string(io, &pair->member, &pair->length) != DBLITE_OK) {
        dblite_io_fail(io, "zsets: could not read a sorted set member");
        return DBLITE_ERR_IO;
    }
    if (dblite_io_read_double(io, &pair->score) != DBLITE_OK) {
        dblite_free(pair->member);
        dblite_io_fail(io, "zsets: could not read a sorted set score");
        return DBLITE_ERR_IO;
    }
    if (isnan(pair->score)) {
        dblite_free(pair->member);
        dblite_io_fail(io, "zsets: NaN score in a saved sorted set");
        return DBLITE_ERR;
    }
    return DBLITE_OK;
}

/* Adds a pair read from the file, which must be new; appended when it
 * comes in order (append), else the normal add.  DBLITE_OK or an error
 * after dblite_io_fail(). */
static int add_pair(dblite_io *io, value_holder *holder, const zset_limits *limits,
                    const loaded_pair *pair, int append)
{
    dblite_bytes member = {pair->member, pair->length};
    int outcome = ZSET_ADD_OUT_NOP, appended = 0;
    int status = DBLITE_OK;
    if (append)
        status = zset_value_append(holder, limits, member, pair->score, &appended);
    if (status == DBLITE_OK && appended)
        return DBLITE_OK;
    if (status == DBLITE_OK)
        status = zset_value_add(holder, limits, member, pair->score, ZSET_ADD_NX, &outcome, NULL);
    if (status == DBLITE_OK && outcome == ZSET_ADD_OUT_ADDED)
        return DBLITE_OK;
    dblite_io_fail(io, status == DBLITE_OK ? "zsets: duplicate member in a saved sorted set"
                                           : "zsets: out of memory loading a sorted set");
    return DBLITE_ERR;
}

static int compare_members(const void *a, const void *b)
{
    const loaded_pair *x = *(const loaded_pair *const *)a;
    const loaded_pair *y = *(const loaded_pair *const *)b;
    return zset_member_compare(x->member, x->length, y->member, y->length);
}

/* Whether two of the count pairs share a member (order is a scratch
 * array of count pointers). */
static int has_duplicate(const loaded_pair *pairs, size_t count, const loaded_pair **order)
{
    for (size_t i = 0; i < count; i++)
        order[i] = &pairs[i];
    qsort(order, count, sizeof *order, compare_members);
    for (size_t i = 1; i < count; i++)
        if (compare_members(&order[i - 1], &order[i]) == 0)
            return 1;
    return 0;
}

static int pair_before(const loaded_pair *a, const loaded_pair *b)
{
    return zset_comes_before(a->score, a->member, a->length, b->score, b->member, b->length);
}

/* A small set: every pair read and checked, then the set is made (with
 * room for these members) and they are added lowest first (the file's
 * order when it is ascending, its reverse when descending).  The set, or
 * NULL after dblite_io_fail(). */
static zset_value *load_small(dblite_io *io, const zset_limits *limits, size_t count)
{
    loaded_pair stack_pairs[LOAD_STACK_PAIRS];
    const loaded_pair *stack_order[LOAD_STACK_PAIRS];
    int on_stack = count <= LOAD_STACK_PAIRS;
    loaded_pair *pairs = on_stack ? stack_pairs : dblite_alloc(count * sizeof *pairs);
    const loaded_pair **order = on_stack ? stack_order : dblite_alloc(count * sizeof *order);
    size_t read = 0, total_length = 0;
    int status = pairs != NULL && order != NULL ? DBLITE_OK : DBLITE_ERR;
    if (status != DBLITE_OK)
        dblite_io_fail(io, "zsets: out of memory loading a sorted set");
    while (status == DBLITE_OK && read < count) {
        status = read_pair(io, &pairs[read]);
        if (status == DBLITE_OK)
            total_length += pairs[read++].length;
    }
    if (status == DBLITE_OK && has_duplicate(pairs, count, order)) {
        dblite_io_fail(io, "zsets: duplicate member in a saved sorted set");
        status = DBLITE_ERR;
    }
    value_holder holder;
    value_holder_init(&holder, NULL, zset_value_free);
    if (status == DBLITE_OK) {
        /* Room for members of the average length: the limits are checked
         * per member as they are added. */
        holder.current = zset_value_create(limits, count, (total_length + count - 1) / count);
        if (holder.current == NULL) {
            dblite_io_fail(io, "zsets: out of memory loading a sorted set");
            status = DBLITE_ERR;
        }
    }
    int descending = status == DBLITE_OK && count > 1 && pair_before(&pairs[count - 1], &pairs[0]);
    for (size_t i = 0; status == DBLITE_OK && i < count; i++) {
        size_t at = descending ? count - 1 - i : i;
        status = add_pair(io, &holder, limits, &pairs[at], 1);
    }
    for (size_t i = 0; i < read; i++)
        dblite_free(pairs[i].member);
    if (!on_stack) {
        dblite_free(pairs);
        dblite_free(order);
    }
    if (status != DBLITE_OK && holder.current != NULL) {
        zset_value_free(holder.current);
        holder.current = NULL;
    }
    return holder.current;
}

/* A big set: pair by pair into the skiplist being built. */
static int load_big(dblite_io *io, value_holder *holder, const zset_limits *limits, uint64_t count)
{
    for (uint64_t i = 0; i < count; i++) {
        loaded_pair pair;
        if (read_pair(io, &pair) != DBLITE_OK)
            return DBLITE_ERR;
        int status = add_pair(io, holder, limits, &pair, 0);
        dblite_free(pair.member);
        if (status != DBLITE_OK)
            return status;
    }
    return DBLITE_OK;
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
    value_holder holder;
    value_holder_init(&holder, NULL, zset_value_free);
    if (count <= LOAD_PACKED_DIRECTLY_MAX) {
        holder.current = load_small(io, &limits, (size_t)count);
        if (holder.current == NULL)
            return NULL;
    } else {
        zset_limits building = limits;
        building.max_packed_entries = 0;
        holder.current = zset_value_create(&building, expected, 0);
        if (holder.current == NULL) {
            dblite_io_fail(io, "zsets: out of memory loading a sorted set");
            return NULL;
        }
        if (load_big(io, &holder, &building, count) != DBLITE_OK) {
            zset_value_free(holder.current);
            return NULL;
        }
    }
    zset_value_fit_encoding(&holder, &limits);
    return holder.current;
}
