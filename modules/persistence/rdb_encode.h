/*
 * rdb_encode.h - writing RDB's primitive encodings: lengths, strings
 * (integer-encoded when they are canonical small integers, as Redis does),
 * fixed-width little-endian numbers and binary doubles.
 */
#ifndef PERSISTENCE_RDB_ENCODE_H
#define PERSISTENCE_RDB_ENCODE_H

#include <stddef.h>
#include <stdint.h>

#include "output_buffer.h"

int rdb_encode_length(output_buffer *out, uint64_t length);
int rdb_encode_string(output_buffer *out, const char *ptr, size_t length);
int rdb_encode_u64_le(output_buffer *out, uint64_t value);
int rdb_encode_double(output_buffer *out, double value);

#endif
