/*
 * byte_buffer.c - see byte_buffer.h.  A large buffer that empties is given
 * back, so one burst of writes does not pin its peak size for good.
 */
#include "byte_buffer.h"

#include <stdint.h>
#include <string.h>

#include "dblite_module.h"

#define KEEP_WHEN_EMPTY (1024 * 1024)

int byte_buffer_reserve(byte_buffer *buffer, size_t extra)
{
    if (extra <= buffer->capacity - buffer->used)
        return 0;
    if (extra > SIZE_MAX / 2 - buffer->used)
        return -1;
    size_t capacity = buffer->capacity ? buffer->capacity : 16384;
    while (capacity < buffer->used + extra)
        capacity *= 2;
    char *grown = dblite_realloc(buffer->data, capacity);
    if (grown == NULL)
        return -1;
    buffer->data = grown;
    buffer->capacity = capacity;
    return 0;
}

int byte_buffer_append(byte_buffer *buffer, const void *bytes, size_t length)
{
    if (byte_buffer_reserve(buffer, length) != 0)
        return -1;
    if (length)
        memcpy(buffer->data + buffer->used, bytes, length);
    buffer->used += length;
    return 0;
}

void byte_buffer_consume(byte_buffer *buffer, size_t count)
{
    if (count >= buffer->used) {
        buffer->used = 0;
        if (buffer->capacity > KEEP_WHEN_EMPTY)
            byte_buffer_release(buffer);
        return;
    }
    memmove(buffer->data, buffer->data + count, buffer->used - count);
    buffer->used -= count;
}

void byte_buffer_release(byte_buffer *buffer)
{
    dblite_free(buffer->data);
    buffer->data = NULL;
    buffer->used = buffer->capacity = 0;
}
