/*
 * rdb_snapshot.h - writing the whole dataset as an RDB version 10 file:
 * header, AUX fields, each non-empty database (SELECTDB, RESIZEDB, its keys
 * with EXPIRETIME_MS where they have a deadline), EOF and the CRC-64.
 *
 * rdb_snapshot_save_file writes to a temporary file in the working
 * directory, fsyncs it and renames it over the target, so a crash at any
 * point leaves either the old file or the complete new one.
 */
#ifndef PERSISTENCE_RDB_SNAPSHOT_H
#define PERSISTENCE_RDB_SNAPSHOT_H

#include <stddef.h>

#include "crc64.h"
#include "dblite_expiry_service.h"
#include "dblite_module.h"
#include "output_buffer.h"

typedef struct snapshot_options {
    const crc64_tables *crc_tables;
    const dblite_expiry_service *expiry; /* NULL: no key has a deadline */
    int write_checksum;                  /* 0 writes 0 (Redis's "not checked") */
    long long key_delay_us;              /* pause per key (tests of slow saves) */
    int compress;                        /* rdbcompression: LZF for long strings */
} snapshot_options;

/* Every key of every database into out (which must keep a CRC when
 * write_checksum is set).  ctx's selected database changes.  Returns 0, or -1
 * with the reason in error. */
int rdb_snapshot_write(output_buffer *out, dblite_ctx *ctx, const snapshot_options *options,
                       char *error, size_t error_size);

/* The dataset into the file at path (relative to the working directory),
 * atomically.  temp_name is the temporary file's name. */
int rdb_snapshot_save_file(const char *path, const char *temp_name, dblite_ctx *ctx,
                           const snapshot_options *options, char *error, size_t error_size);

#endif
