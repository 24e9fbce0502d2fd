/*
 * durable_file.h - making a freshly written file replace another one
 * atomically and durably: fsync the data, rename over the target, fsync the
 * directory so the rename itself survives a power loss.
 */
#ifndef PERSISTENCE_DURABLE_FILE_H
#define PERSISTENCE_DURABLE_FILE_H

#include <stddef.h>

/* Creates (truncating) temp_path for writing.  Returns the descriptor, or
 * -1 with the reason in error. */
int durable_file_create(const char *temp_path, char *error, size_t error_size);

/* fsync and close fd, then rename temp_path to final_path and fsync the
 * directory.  On failure temp_path is removed and -1 returned with the
 * reason; fd is closed either way. */
int durable_file_commit(int fd, const char *temp_path, const char *final_path, char *error,
                        size_t error_size);

/* Close fd and remove temp_path after a failed write. */
void durable_file_abandon(int fd, const char *temp_path);

/* fsync the directory holding path ("." for a bare file name). */
int durable_file_sync_directory(const char *path);

#endif
