/*
 * aof_dir.c - see aof_dir.h.
 */
#include "aof_dir.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "aof_load.h"
#include "aof_manifest.h"
#include "persistence.h"

const char *aof_dir_manifest_path(const persistence_state *state, char *buffer, size_t size)
{
    snprintf(buffer, size, "%s/%s.manifest", state->settings.appenddirname,
             state->settings.appendfilename);
    return buffer;
}

static double seconds_since(const struct timespec *start)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - start->tv_sec) + (double)(now.tv_nsec - start->tv_nsec) / 1e9;
}

/* Redis's getBaseAndIncrAppendOnlyFilesSize: a file the manifest names
 * but the disk lacks is fatal. */
static int check_present(const persistence_state *state, const char *name, char *error,
                         size_t error_size)
{
    char path[PATH_MAX];
    struct stat info;
    snprintf(path, sizeof(path), "%s/%s", state->settings.appenddirname, name);
    if (stat(path, &info) == 0)
        return 0;
    snprintf(error, error_size, "Unable to obtain the AOF file %s length. stat: %s", name,
             strerror(errno));
    return -1;
}

static int load_one(persistence_state *state, dblite_ctx *ctx, const char *name, const char *kind,
                    int last_file, long long *commands, char *error, size_t error_size)
{
    char path[PATH_MAX];
    snprintf(path, sizeof(path), "%s/%s", state->settings.appenddirname, name);
    struct timespec start;
    clock_gettime(CLOCK_MONOTONIC, &start);
    aof_load_result result;
    if (aof_load_file_part(state, ctx, path, last_file, &result, error, error_size) != 0)
        return -1;
    *commands += result.commands;
    if (result.failed_commands)
        dblite_log(state->module, "warning", "%lld replayed commands of %s replied an error",
                   result.failed_commands, name);
    dblite_log(state->module, "notice", "DB loaded from %s file %s: %.3f seconds", kind, name,
               seconds_since(&start));
    return 0;
}

/* No incr file yet: Redis's aofOpenIfNeededOnServerStart creates
 * <appendfilename>.<seq>.incr.aof and persists the manifest naming it. */
static int add_incr_file(persistence_state *state, aof_manifest *manifest, char *error,
                         size_t error_size)
{
    long long seq = 1;
    char name[PATH_MAX];
    snprintf(name, sizeof(name), "%s.%lld.incr.aof", state->settings.appendfilename, seq);
    size_t length = strlen(name);
    char *copy = dblite_alloc(length + 1);
    if (copy == NULL) {
        snprintf(error, error_size, "out of memory");
        return -1;
    }
    memcpy(copy, name, length + 1);
    if (aof_manifest_add_file(&manifest->incr, &manifest->incr_count, copy, seq) != 0) {
        dblite_free(copy);
        snprintf(error, error_size, "out of memory");
        return -1;
    }
    char manifest_name[PATH_MAX];
    snprintf(manifest_name, sizeof(manifest_name), "%s.manifest", state->settings.appendfilename);
    return aof_manifest_save(manifest, state->settings.appenddirname, manifest_name, error,
                             error_size);
}

int aof_dir_load(persistence_state *state, dblite_ctx *ctx, long long *commands, char *error,
                 size_t error_size)
{
    char manifest_path[PATH_MAX];
    aof_dir_manifest_path(state, manifest_path, sizeof(manifest_path));
    aof_manifest manifest;
    if (aof_manifest_load(manifest_path, &manifest, error, error_size) != 0)
        return -1;
    int status = 0;
    *commands = 0;
    if (manifest.base.name == NULL && manifest.incr_count == 0) {
        snprintf(error, error_size, "the AOF manifest %s names no base or incr file",
                 manifest_path);
        status = -1;
    }
    if (status == 0 && manifest.base.name != NULL)
        status = check_present(state, manifest.base.name, error, error_size);
    for (size_t i = 0; status == 0 && i < manifest.incr_count; i++)
        status = check_present(state, manifest.incr[i].name, error, error_size);
    if (status == 0 && manifest.base.name != NULL)
        status = load_one(state, ctx, manifest.base.name, "base", manifest.incr_count == 0,
                          commands, error, error_size);
    for (size_t i = 0; status == 0 && i < manifest.incr_count; i++)
        status = load_one(state, ctx, manifest.incr[i].name, "incr", i + 1 == manifest.incr_count,
                          commands, error, error_size);
    if (status == 0 && manifest.incr_count == 0)
        status = add_incr_file(state, &manifest, error, error_size);
    if (status == 0) {
        aof_log *aof = &state->aof;
        aof->multi_part = 1;
        snprintf(aof->append_path, sizeof(aof->append_path), "%s/%s",
                 state->settings.appenddirname, manifest.incr[manifest.incr_count - 1].name);
    }
    aof_manifest_release(&manifest);
    return status;
}
