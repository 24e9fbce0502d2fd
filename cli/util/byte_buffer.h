/*
 * byte_buffer.h - a growable byte string, the one container the client uses
 * for socket input, encoded commands and formatted output.
 *
 * Appends report allocation failure as -1 and leave the buffer as it was, so
 * callers can give up cleanly; the data is always NUL-terminated (the
 * terminator is not counted in length) so text can be handed to stdio.
 */
#ifndef DBLITE_CLI_BYTE_BUFFER_H
#define DBLITE_CLI_BYTE_BUFFER_H

#include <stddef.h>

typedef struct byte_buffer {
    char *data;
    size_t length;
    size_t capacity;
} byte_buffer;

void byte_buffer_init(byte_buffer *buffer);
void byte_buffer_free(byte_buffer *buffer);
/* Makes room for at least extra more bytes; 0 on success, -1 on ENOMEM. */
int byte_buffer_reserve(byte_buffer *buffer, size_t extra);
int byte_buffer_append(byte_buffer *buffer, const void *bytes, size_t length);
int byte_buffer_append_string(byte_buffer *buffer, const char *text);
int byte_buffer_append_char(byte_buffer *buffer, char byte);
int byte_buffer_append_format(byte_buffer *buffer, const char *format, ...)
    __attribute__((format(printf, 2, 3)));
/* Appends count copies of byte. */
int byte_buffer_append_repeat(byte_buffer *buffer, char byte, size_t count);
/* Drops the first count bytes (readers call it once a reply is consumed). */
void byte_buffer_consume(byte_buffer *buffer, size_t count);
/* Cuts the buffer to length bytes (no-op when already shorter). */
void byte_buffer_truncate(byte_buffer *buffer, size_t length);

#endif
