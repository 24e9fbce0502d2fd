/*
 * output_buffer.h - buffered output for snapshot and log files, or a
 * growing memory buffer for DUMP payloads, optionally keeping a running
 * CRC-64 of everything written.
 *
 * Errors are sticky: after the first failed write every call returns -1
 * and output_buffer_error() says why, so writers check once at the end of
 * a batch without losing the reason.
 */
#ifndef PERSISTENCE_OUTPUT_BUFFER_H
#define PERSISTENCE_OUTPUT_BUFFER_H

#include <stddef.h>
#include <stdint.h>

#include "crc64.h"

typedef struct output_buffer {
    int fd;              /* -1: everything stays in memory */
    unsigned char *data; /* dblite_alloc'd */
    size_t used, capacity;
    size_t checksummed; /* bytes of data already folded into crc */
    uint64_t crc;
    const crc64_tables *crc_tables; /* NULL: no checksum kept */
    uint64_t total_written;         /* bytes handed to the file or kept in memory */
    int failed;
    char error[160];
    /* rdbcompression: strings over 20 bytes are LZF-compressed when that
     * gains (see rdb_encode_string); the scratch space is allocated on
     * first use and freed with the buffer. */
    int compress_strings;
    unsigned char *compress_output;
    size_t compress_capacity;
    uint32_t *compress_table;
} output_buffer;

/* Buffer of capacity bytes in front of fd (or memory when fd is -1). */
int output_buffer_init(output_buffer *out, int fd, size_t capacity, const crc64_tables *crc_tables);
void output_buffer_release(output_buffer *out);

int output_buffer_write(output_buffer *out, const void *bytes, size_t length);
static inline int output_buffer_byte(output_buffer *out, unsigned char byte)
{
    if (out->used < out->capacity && !out->failed) {
        out->data[out->used++] = byte;
        out->total_written++;
        return 0;
    }
    return output_buffer_write(out, &byte, 1);
}
/* Hand buffered bytes to the file (no-op in memory mode). */
int output_buffer_flush(output_buffer *out);
/* The CRC of everything written so far. */
uint64_t output_buffer_crc(output_buffer *out);
void output_buffer_fail(output_buffer *out, const char *reason);
const char *output_buffer_error(const output_buffer *out);

#endif
