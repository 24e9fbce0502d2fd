/*
 * aof_manifest.h - Redis 7.0's multi-part append-only file: a directory
 * (appenddirname, "appendonlydir") holding <appendfilename>.manifest and
 * the files it names, one "file <name> seq <n> type <b|h|i>" line each
 * (names quoted as Redis's sdssplitargs reads them): one base file (an RDB,
 * or commands), history files (type h, left over from a rewrite, ignored
 * when loading) and the incremental command files in sequence order.
 * Parsing follows aofLoadManifestFromFile, with its error texts.
 */
#ifndef PERSISTENCE_AOF_MANIFEST_H
#define PERSISTENCE_AOF_MANIFEST_H

#include <stddef.h>

typedef struct aof_manifest_file {
    char *name;
    long long seq;
} aof_manifest_file;

typedef struct aof_manifest {
    aof_manifest_file base; /* name NULL: no base file */
    aof_manifest_file *incr;
    size_t incr_count;
    aof_manifest_file *history;
    size_t history_count;
} aof_manifest;

/* Append (name, seq) to a list; name is taken over on success.  0 or -1. */
int aof_manifest_add_file(aof_manifest_file **files, size_t *count, char *name, long long seq);

/* Parse the manifest at path.  0, or -1 with a message naming the file
 * and line (Redis's text) in error. */
int aof_manifest_load(const char *path, aof_manifest *manifest, char *error, size_t error_size);
void aof_manifest_release(aof_manifest *manifest);
/* Write the manifest as Redis's persistAofManifest does: to
 * <dir>/temp-<name>, fsynced, renamed over <dir>/<name>, the directory
 * fsynced.  Lines in Redis's order (base, history, incr), names quoted
 * when Redis quotes them.  0, or -1 with the reason. */
int aof_manifest_save(const aof_manifest *manifest, const char *dir, const char *name, char *error,
                      size_t error_size);

#endif
