/*
 * rdb_load.h - loading a whole RDB file (or the RDB preamble of an
 * append-only file, or a file to check) from memory into the keyspace.
 *
 * Versions 1 to 10 are read; keys whose deadline has passed and empty
 * collections are skipped as Redis skips them.  With store off the file is
 * parsed and every value built and freed again, which proves a file
 * loadable before anything is replaced.
 */
#ifndef PERSISTENCE_RDB_LOAD_H
#define PERSISTENCE_RDB_LOAD_H

#include <stddef.h>
#include <stdint.h>

#include "crc64.h"
#include "dblite_expiry_service.h"
#include "dblite_provider.h"

typedef struct rdb_load_options {
    dblite_ctx *ctx; /* where keys go; its database changes */
    const crc64_tables *crc_tables;
    const dblite_expiry_service *expiry; /* NULL: deadlines in the file are dropped */
    dblite_module *progress_module;      /* report loading progress as this module; NULL: don't */
    int store;                           /* 0: parse and check only */
    int verify_checksum;
    long long now_ms;          /* keys with an earlier deadline are skipped */
    const int *overwrite_seen; /* set by the caller's KEY_OVERWRITTEN hook: a duplicate key */
} rdb_load_options;

typedef struct rdb_load_result {
    int version;
    long long keys_loaded;
    long long keys_expired;
    long long keys_empty;
    int skipped_functions;  /* function libraries found and ignored */
    int skipped_module_aux; /* module auxiliary data found and ignored */
    size_t consumed;        /* bytes of the RDB data, checksum included */
    int truncated;          /* the error was running out of data */
    char error[400];
} rdb_load_result;

/* 0 on success; -1 with result->error set.  Keys stored before a failure
 * stay stored (callers load into an empty keyspace or check first). */
/* For a complete snapshot file (EOF opcode, then an 8-byte CRC-64): 0 when
 * the checksum matches, is zero (not computed) or the file has no footer to
 * check (truncated: the parser reports that); -1 with result->error set on
 * a mismatch. */
int rdb_verify_file_checksum(const unsigned char *data, size_t length, const crc64_tables *tables,
                             rdb_load_result *result);
int rdb_load(const unsigned char *data, size_t length, const rdb_load_options *options,
             rdb_load_result *result);

/* 1 when data starts like an RDB file ("REDIS" and a version). */
int rdb_looks_like_rdb(const unsigned char *data, size_t length);

#endif
