/*
 * crc64.h - CRC-64 with Jones coefficients, the checksum Redis puts at the
 * end of RDB files and DUMP payloads (reflected, initial value 0).
 *
 * The lookup tables are built once into a crc64_tables the caller owns (the
 * module state), so no process-wide mutable table exists.
 */
#ifndef PERSISTENCE_CRC64_H
#define PERSISTENCE_CRC64_H

#include <stddef.h>
#include <stdint.h>

/* Eight tables: the slicing-by-8 method consumes eight bytes per step. */
typedef struct crc64_tables {
    uint64_t table[8][256];
} crc64_tables;

void crc64_tables_init(crc64_tables *tables);

/* Continue crc over length bytes; start a fresh checksum with crc = 0. */
uint64_t crc64_update(const crc64_tables *tables, uint64_t crc, const void *data, size_t length);

#endif
