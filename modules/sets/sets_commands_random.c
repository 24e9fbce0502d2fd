/*
 * sets_commands_random.c - SRANDMEMBER and SPOP.
 *
 * Every pick is uniform over the members whatever the encoding (the table
 * encoding keeps its members in a dense array, see element_table.h).
 * SRANDMEMBER with a positive count returns distinct members (the whole set
 * when it asks for at least as many as there are); with a negative count,
 * |count| independent picks.  SPOP with a count removes that many distinct
 * members, each draw uniform over what is left.  SPOP is replicated as the
 * SREM of what it removed (DEL when it emptied the set), as Redis does, so
 * replicas never draw their own random numbers.
 */
#include <limits.h>
#include <string.h>

#include "common/collection_access.h"
#include "common/random_sample.h"
#include "common/reply_budget.h"
#include "set_access.h"
#include "sets.h"

/* Random access to the members: direct for integer sets and tables; packed
 * sets are walked once into an array so that many picks do not each walk
 * the list. */
typedef struct member_source {
    const set_value *set;
    dblite_bytes *packed_members; /* NULL unless the set is packed */
} member_source;

static int member_source_open(member_source *source, const set_value *set)
{
    source->set = set;
    source->packed_members = NULL;
    if (set_value_encoding(set) != SET_ENCODING_PACKED)
        return DBLITE_OK;
    source->packed_members = dblite_alloc(set_value_length(set) * sizeof(dblite_bytes));
    if (source->packed_members == NULL)
        return DBLITE_ERR_NOMEM;
    set_iterator iterator;
    set_iterator_init(&iterator, set);
    set_member member;
    for (size_t i = 0; set_iterator_next(&iterator, &member); i++)
        source->packed_members[i] = member.bytes;
    return DBLITE_OK;
}

static void member_source_close(member_source *source)
{
    dblite_free(source->packed_members);
}

static void reply_member_at(dblite_ctx *ctx, const member_source *source, size_t index)
{
    if (source->packed_members != NULL) {
        dblite_reply_bulk(ctx, source->packed_members[index].ptr,
                          source->packed_members[index].len);
        return;
    }
    set_member member;
    set_value_member_at(source->set, index, &member);
    dblite_reply_bulk(ctx, member.bytes.ptr, member.bytes.len);
}

static void srandmember_with_count(dblite_ctx *ctx, const dblite_bytes *argv)
{
    long long count;
    if (dblite_parse_long_long(argv[2], &count) != DBLITE_OK) {
        dblite_reply_not_integer(ctx);
        return;
    }
    if (count < -LLONG_MAX) {
        dblite_reply_error_format(ctx,
                                  "ERR value is out of range, value must between %lld and %lld",
                                  -LLONG_MAX, LLONG_MAX);
        return;
    }
    set_value *set;
    if (set_lookup_or_reply(ctx, argv[1], DBLITE_LOOKUP_READ, &set) != DBLITE_OK)
        return;
    if (set == NULL || count == 0) {
        dblite_reply_array(ctx, 0);
        return;
    }
    /* |count| picks with repeats: bounded before any work (reply_budget.h). */
    if (count < 0 && reply_budget_check_or_reply(ctx, (unsigned long long)-count,
                                                 REPLY_BUDGET_MIN_BULK) != DBLITE_OK)
        return;
    size_t length = set_value_length(set);
    random_source *random = &sets_state_of(ctx)->random;
    member_source source;
    if (member_source_open(&source, set) != DBLITE_OK) {
        collection_reply_out_of_memory(ctx);
        return;
    }
    if (count < 0) {
        size_t picks = (size_t)(-count);
        dblite_reply_array(ctx, (long long)picks);
        for (size_t i = 0; i < picks; i++)
            reply_member_at(ctx, &source, (size_t)random_below(random, length));
    } else if ((size_t)count >= length) {
        dblite_reply_array(ctx, (long long)length);
        for (size_t i = 0; i < length; i++)
            reply_member_at(ctx, &source, i);
    } else {
        size_t picks = (size_t)count;
        size_t *positions = dblite_alloc(picks * sizeof(size_t));
        if (positions == NULL ||
            random_distinct_positions(random, length, picks, positions) != DBLITE_OK) {
            dblite_free(positions);
            member_source_close(&source);
            collection_reply_out_of_memory(ctx);
            return;
        }
        dblite_reply_array(ctx, (long long)picks);
        for (size_t i = 0; i < picks; i++)
            reply_member_at(ctx, &source, positions[i]);
        dblite_free(positions);
    }
    member_source_close(&source);
}

void sets_srandmember_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv)
{
    if (argc == 3) {
        srandmember_with_count(ctx, argv);
        return;
    }
    if (argc > 3) {
        dblite_reply_syntax_error(ctx);
        return;
    }
    set_value *set;
    if (set_lookup_or_reply(ctx, argv[1], DBLITE_LOOKUP_READ, &set) != DBLITE_OK)
        return;
    if (set == NULL) {
        dblite_reply_null(ctx);
        return;
    }
    set_member member;
    set_value_member_at(
        set, (size_t)random_below(&sets_state_of(ctx)->random, set_value_length(set)), &member);
    dblite_reply_bulk(ctx, member.bytes.ptr, member.bytes.len);
}

/* ---- SPOP ------------------------------------------------------------------ */

/* Copies of popped members, kept for the replicated SREM: one growing byte
 * buffer and the end offset of each member in it. */
typedef struct popped_members {
    char *bytes;
    size_t used, capacity;
    size_t *ends;
    size_t count;
} popped_members;

static int popped_init(popped_members *popped, size_t expected)
{
    memset(popped, 0, sizeof *popped);
    popped->ends = dblite_alloc(expected * sizeof(size_t));
    return popped->ends != NULL ? DBLITE_OK : DBLITE_ERR_NOMEM;
}

static int popped_add(popped_members *popped, dblite_bytes member)
{
    if (popped->used + member.len > popped->capacity) {
        size_t capacity = popped->capacity ? popped->capacity : 256;
        while (capacity < popped->used + member.len)
            capacity *= 2;
        char *bytes = dblite_realloc(popped->bytes, capacity);
        if (bytes == NULL)
            return DBLITE_ERR_NOMEM;
        popped->bytes = bytes;
        popped->capacity = capacity;
    }
    if (member.len > 0)
        memcpy(popped->bytes + popped->used, member.ptr, member.len);
    popped->used += member.len;
    popped->ends[popped->count++] = popped->used;
    return DBLITE_OK;
}

/* Replicates SREM key <popped members>. */
static void popped_propagate(dblite_ctx *ctx, dblite_bytes key, const popped_members *popped)
{
    dblite_bytes *command = dblite_alloc((popped->count + 2) * sizeof(dblite_bytes));
    if (command == NULL)
        return; /* the core then replicates SPOP as received */
    command[0] = (dblite_bytes){"SREM", 4};
    command[1] = key;
    size_t start = 0;
    for (size_t i = 0; i < popped->count; i++) {
        command[2 + i] = (dblite_bytes){popped->bytes + start, popped->ends[i] - start};
        start = popped->ends[i];
    }
    collection_propagate_as(ctx, (int)(popped->count + 2), command);
    dblite_free(command);
}

static void popped_free(popped_members *popped)
{
    dblite_free(popped->bytes);
    dblite_free(popped->ends);
}

static void spop_all(dblite_ctx *ctx, dblite_bytes key, const set_value *set)
{
    /* Redis's order: "spop", the members, then "del". */
    set_notify(ctx, "spop", key);
    set_reply_members(ctx, set);
    dblite_key_delete(ctx, key);
    dblite_notify_keyspace_event(ctx, DBLITE_NOTIFY_GENERIC, "del", key);
    dblite_bytes command[2] = {{"DEL", 3}, key};
    collection_propagate_as(ctx, 2, command);
}

static void spop_with_count(dblite_ctx *ctx, const dblite_bytes *argv)
{
    long long count;
    if (dblite_parse_long_long(argv[2], &count) != DBLITE_OK || count < 0) {
        dblite_reply_error(ctx, "ERR value is out of range, must be positive");
        return;
    }
    value_holder holder;
    if (set_open_for_write(ctx, argv[1], &holder) != DBLITE_OK)
        return;
    set_value *set = holder.current;
    if (set == NULL || count == 0) {
        dblite_reply_set(ctx, 0);
        return;
    }
    size_t length = set_value_length(set);
    if ((size_t)count >= length) {
        spop_all(ctx, argv[1], set);
        return;
    }
    popped_members popped;
    if (popped_init(&popped, (size_t)count) != DBLITE_OK) {
        popped_free(&popped);
        collection_reply_out_of_memory(ctx);
        return;
    }
    random_source *random = &sets_state_of(ctx)->random;
    set_notify(ctx, "spop", argv[1]);
    void *deferred = dblite_reply_deferred(ctx, DBLITE_AGGREGATE_SET);
    for (long long i = 0; i < count; i++) {
        size_t index = (size_t)random_below(random, set_value_length(set));
        set_member member;
        set_value_member_at(set, index, &member);
        /* Should the copy fail, the pop stops short rather than remove a
         * member that replicas would keep. */
        if (popped_add(&popped, member.bytes) != DBLITE_OK)
            break;
        dblite_reply_bulk(ctx, member.bytes.ptr, member.bytes.len);
        set_value_remove_at(set, index);
    }
    dblite_reply_set_length(ctx, deferred, (long long)popped.count);
    popped_propagate(ctx, argv[1], &popped);
    popped_free(&popped);
    set_finish_removal(ctx, argv[1], &holder, NULL);
}

void sets_spop_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv)
{
    if (argc == 3) {
        spop_with_count(ctx, argv);
        return;
    }
    if (argc > 3) {
        dblite_reply_syntax_error(ctx);
        return;
    }
    value_holder holder;
    if (set_open_for_write(ctx, argv[1], &holder) != DBLITE_OK)
        return;
    set_value *set = holder.current;
    if (set == NULL) {
        dblite_reply_null(ctx);
        return;
    }
    size_t index = (size_t)random_below(&sets_state_of(ctx)->random, set_value_length(set));
    set_member member;
    set_value_member_at(set, index, &member);
    /* Redis's order: "spop", the member, then "del" if it was the last. */
    set_notify(ctx, "spop", argv[1]);
    dblite_reply_bulk(ctx, member.bytes.ptr, member.bytes.len);
    dblite_bytes command[3] = {{"SREM", 4}, argv[1], member.bytes};
    collection_propagate_as(ctx, 3, command);
    set_value_remove_at(set, index);
    set_finish_removal(ctx, argv[1], &holder, NULL);
}
