/*
 * packed_zset_save.h - a packed sorted set written as Redis 7.0 writes
 * one: RDB type 17, a listpack of member, score, member, score... in
 * ascending (score, member) order.
 *
 * Generic over the type: any type of native snapshot code 5 (Redis's
 * zset2 payload: the count, then member strings and binary-double scores)
 * whose encoding method answers "listpack" gets here.  Its save method
 * writes its usual payload into a collector; the pairs are then ordered
 * and packed (members as lpAppend stores them, scores as Redis's d2string
 * text, which lpAppend turns into integers when integral), so the type
 * needs no idea of listpacks.
 */
#ifndef PERSISTENCE_PACKED_ZSET_SAVE_H
#define PERSISTENCE_PACKED_ZSET_SAVE_H

#include <stddef.h>

#include "dblite_provider.h"
#include "element_list.h"
#include "listpack_encode.h"
#include "output_buffer.h"

typedef struct zset_pair {
    size_t member;   /* index into members */
    const char *ptr; /* its bytes, once every member is collected */
    size_t length;
    double score;
} zset_pair;

/* Reused for every packed set of a snapshot. */
typedef struct packed_zset_writer {
    dblite_io *io; /* the collector the type's save method writes to */
    int count_seen;
    uint64_t announced; /* the count the save method wrote first */
    element_list members;
    zset_pair *pairs;
    size_t pair_count, pair_capacity;
    int expecting_score;
    listpack_builder listpack;
} packed_zset_writer;

/* 0, or -1 when out of memory. */
int packed_zset_writer_init(packed_zset_writer *writer);
void packed_zset_writer_release(packed_zset_writer *writer);

/* 1 when value (of type, whose native code is 5) is to be written packed. */
int packed_zset_wanted(const dblite_type *type, const void *value);

/* Writes type byte 17, key unless NULL, and the listpack blob.  0; 1 when
 * nothing was written because the set cannot be one listpack (over 4 GB):
 * the caller writes it plainly; -1 with a reason in error. */
int packed_zset_write(packed_zset_writer *writer, output_buffer *out, const dblite_bytes *key,
                      const dblite_type *type, const void *value, char *error, size_t error_size);

#endif
