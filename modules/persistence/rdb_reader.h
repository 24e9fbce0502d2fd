/*
 * rdb_reader.h - reading RDB primitives from a byte range in memory (a
 * mapped file, a DUMP payload, fuzzer input): lengths, strings in every
 * encoding (raw, 8/16/32-bit integers, LZF), fixed-width numbers.
 *
 * Every read is bounds-checked.  The first failure is kept with the offset
 * where it happened, and later reads fail at once, so callers can check
 * once after a sequence.
 */
#ifndef PERSISTENCE_RDB_READER_H
#define PERSISTENCE_RDB_READER_H

#include <stddef.h>
#include <stdint.h>

/* A growable buffer reused for strings that must be expanded (integers,
 * LZF); a view into it is valid until the buffer's next use. */
typedef struct scratch_buffer {
    unsigned char *data; /* dblite_alloc'd */
    size_t capacity;
} scratch_buffer;

void scratch_buffer_release(scratch_buffer *scratch);
/* Room for size bytes; NULL when out of memory. */
unsigned char *scratch_buffer_reserve(scratch_buffer *scratch, size_t size);

typedef struct rdb_reader {
    const unsigned char *data;
    size_t length;
    size_t position;
    int failed;
    int truncated; /* the failure was running out of input */
    char error[240];
} rdb_reader;

typedef struct rdb_string {
    const unsigned char *ptr;
    size_t length;
} rdb_string;

void rdb_reader_init(rdb_reader *reader, const void *data, size_t length);
/* Record a failure (printf-style) with the current offset; returns -1. */
int rdb_reader_fail(rdb_reader *reader, const char *format, ...)
    __attribute__((format(printf, 2, 3)));

int rdb_read_byte(rdb_reader *reader, unsigned char *byte);
/* A view of the next count bytes, which are consumed. */
int rdb_read_view(rdb_reader *reader, size_t count, const unsigned char **bytes);
int rdb_read_u32_le(rdb_reader *reader, uint32_t *value);
int rdb_read_u64_le(rdb_reader *reader, uint64_t *value);
int rdb_read_binary_double(rdb_reader *reader, double *value);
/* A double in the string form of RDB's old sorted sets (type 3): a length
 * byte, 253 for NaN, 254 for +inf, 255 for -inf, else that many bytes of
 * text (read strictly, see score_text_parse). */
int rdb_read_text_double(rdb_reader *reader, double *value);
/* An RDB length; a specially encoded string header is an error here. */
int rdb_read_length(rdb_reader *reader, uint64_t *length);
/* An RDB string as a view into the input or into scratch. */
int rdb_read_string(rdb_reader *reader, scratch_buffer *scratch, rdb_string *string);
/* An RDB string copied into a dblite_alloc'd buffer the caller owns. */
int rdb_read_string_copy(rdb_reader *reader, char **ptr, size_t *length);
int rdb_skip_string(rdb_reader *reader);

#endif
