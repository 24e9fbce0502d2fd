/*
 * byte_buffer.h - a growable byte buffer (dblite_alloc'd), for commands
 * waiting to reach the append-only file and for the writes a rewrite must
 * add to its result.
 */
#ifndef PERSISTENCE_BYTE_BUFFER_H
#define PERSISTENCE_BYTE_BUFFER_H

#include <stddef.h>

typedef struct byte_buffer {
    char *data;
    size_t used, capacity;
} byte_buffer;

/* 0, or -1 when out of memory (the buffer is unchanged then). */
int byte_buffer_append(byte_buffer *buffer, const void *bytes, size_t length);
int byte_buffer_reserve(byte_buffer *buffer, size_t extra);
/* Drop the first count bytes (after they were written out). */
void byte_buffer_consume(byte_buffer *buffer, size_t count);
void byte_buffer_release(byte_buffer *buffer);

#endif
