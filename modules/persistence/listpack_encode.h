/*
 * listpack_encode.h - building a listpack blob as Redis 7.0's lpAppend
 * does, byte for byte, for values that Redis keeps packed and writes as
 * one RDB string (sorted sets as type 17).
 *
 * Layout: total bytes (u32 LE), element count (u16 LE, 65535 when it does
 * not fit), the entries, 0xFF.  Each entry is its encoding and data, then
 * its own length again ("backlen", 1-5 bytes, read from the right).  An
 * element that is the canonical text of a 64-bit integer is stored as the
 * smallest integer encoding (7, 13, 16, 24, 32 or 64 bits), as Redis's
 * lpStringToInt64 decides; anything else as a string (6, 12 or 32-bit
 * length).  The decoding side is compact_decode.c.
 */
#ifndef PERSISTENCE_LISTPACK_ENCODE_H
#define PERSISTENCE_LISTPACK_ENCODE_H

#include <stddef.h>

#include "byte_buffer.h"

typedef struct listpack_builder {
    byte_buffer bytes;
    size_t count;
    int failed; /* out of memory, or the blob outgrew what its header holds */
} listpack_builder;

/* Empties builder (keeping its memory) for a new blob.  0, or -1 when out
 * of memory. */
int listpack_builder_start(listpack_builder *builder);
void listpack_builder_release(listpack_builder *builder);

/* Appends one element, as lpAppend.  0, or -1 (sticky) when out of memory. */
int listpack_builder_append(listpack_builder *builder, const char *ptr, size_t length);

/* Completes the blob: *blob and *length stay valid until the next start.
 * 0, or -1 after a failure or when the blob would pass the 4 GB its size
 * header can say. */
int listpack_builder_finish(listpack_builder *builder, const unsigned char **blob, size_t *length);

#endif
