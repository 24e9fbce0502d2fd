/*
 * rdb_value_save.h - one value in RDB form: a type byte, then the payload
 * the value's type writes through a dblite_io.
 *
 * Types with a native snapshot code (string 0, list 1, set 2, hash 4,
 * sorted set 5) write Redis's plain payloads, so their io encodes unsigned
 * numbers as RDB lengths, strings as RDB strings and (sorted sets only)
 * doubles as 8-byte binary doubles.  A sorted set whose encoding is
 * "listpack" is written as Redis 7.0 writes packed sets, type 17 (see
 * packed_zset_save.h).  Other types are stored as Redis
 * module values (type 7): the 64-bit type id, then each field preceded by
 * its module opcode, then the module EOF opcode.
 */
#ifndef PERSISTENCE_RDB_VALUE_SAVE_H
#define PERSISTENCE_RDB_VALUE_SAVE_H

#include <stddef.h>

#include "dblite_provider.h"
#include "output_buffer.h"
#include "packed_zset_save.h"

typedef struct value_saver {
    output_buffer *out;
    dblite_io *native_io;
    dblite_io *zset_io; /* native, with binary doubles */
    dblite_io *module_io;
    packed_zset_writer packed_zsets;
} value_saver;

/* Returns 0, or -1 when out of memory. */
int value_saver_init(value_saver *saver, output_buffer *out);
void value_saver_release(value_saver *saver);

/* Writes the type byte, then key when it is not NULL (a DUMP payload has
 * none), then the payload.  Returns 0, or -1 with a reason in error (a type
 * without a save method, the type's own failure, a write failure). */
int value_saver_write(value_saver *saver, const dblite_bytes *key, const dblite_type *type,
                      const void *value, char *error, size_t error_size);

#endif
