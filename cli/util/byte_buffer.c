/*
 * byte_buffer.c - growable byte string (see byte_buffer.h).  Capacity
 * doubles so appending n bytes one at a time costs O(n) overall.
 */
#include "util/byte_buffer.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void byte_buffer_init(byte_buffer *buffer)
{
    buffer->data = NULL;
    buffer->length = 0;
    buffer->capacity = 0;
}

void byte_buffer_free(byte_buffer *buffer)
{
    free(buffer->data);
    byte_buffer_init(buffer);
}

int byte_buffer_reserve(byte_buffer *buffer, size_t extra)
{
    /* +1 keeps room for the terminator. */
    if (extra > SIZE_MAX - buffer->length - 1)
        return -1;
    size_t needed = buffer->length + extra + 1;
    if (needed <= buffer->capacity)
        return 0;
    size_t capacity = buffer->capacity ? buffer->capacity : 64;
    while (capacity < needed)
        capacity = capacity > SIZE_MAX / 2 ? needed : capacity * 2;
    char *data = realloc(buffer->data, capacity);
    if (!data)
        return -1;
    buffer->data = data;
    buffer->capacity = capacity;
    return 0;
}

int byte_buffer_append(byte_buffer *buffer, const void *bytes, size_t length)
{
    if (byte_buffer_reserve(buffer, length) != 0)
        return -1;
    if (length)
        memcpy(buffer->data + buffer->length, bytes, length);
    buffer->length += length;
    buffer->data[buffer->length] = '\0';
    return 0;
}

int byte_buffer_append_string(byte_buffer *buffer, const char *text)
{
    return byte_buffer_append(buffer, text, strlen(text));
}

int byte_buffer_append_char(byte_buffer *buffer, char byte)
{
    return byte_buffer_append(buffer, &byte, 1);
}

int byte_buffer_append_repeat(byte_buffer *buffer, char byte, size_t count)
{
    if (byte_buffer_reserve(buffer, count) != 0)
        return -1;
    memset(buffer->data + buffer->length, byte, count);
    buffer->length += count;
    buffer->data[buffer->length] = '\0';
    return 0;
}

int byte_buffer_append_format(byte_buffer *buffer, const char *format, ...)
{
    va_list arguments;
    va_start(arguments, format);
    char small[256];
    int needed = vsnprintf(small, sizeof(small), format, arguments);
    va_end(arguments);
    if (needed < 0)
        return -1;
    if ((size_t)needed < sizeof(small))
        return byte_buffer_append(buffer, small, (size_t)needed);
    if (byte_buffer_reserve(buffer, (size_t)needed) != 0)
        return -1;
    va_start(arguments, format);
    vsnprintf(buffer->data + buffer->length, (size_t)needed + 1, format, arguments);
    va_end(arguments);
    buffer->length += (size_t)needed;
    return 0;
}

void byte_buffer_consume(byte_buffer *buffer, size_t count)
{
    if (count >= buffer->length) {
        buffer->length = 0;
    } else {
        memmove(buffer->data, buffer->data + count, buffer->length - count);
        buffer->length -= count;
    }
    if (buffer->data)
        buffer->data[buffer->length] = '\0';
}

void byte_buffer_truncate(byte_buffer *buffer, size_t length)
{
    if (length < buffer->length) {
        buffer->length = length;
        buffer->data[length] = '\0';
    }
}
