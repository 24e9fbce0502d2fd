/*
 * aof_dir.c - see aof_dir.h.
 */
#include "aof_dir.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "aof_load.h"
#include "aof_manifest.h"
#include "durable_file.h"
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
static int check_present(const persistence_state *state, const char *name, unsigned long long *size,
                         char *error, size_t error_size)
{
    char path[PATH_MAX];
    struct stat info;
    snprintf(path, sizeof(path), "%s/%s", state->settings.appenddirname, name);
    if (stat(path, &info) == 0) {
        *size = (unsigned long long)info.st_size;
        return 0;
    }
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
    /* Bytes before the last incr file, for the auto-rewrite growth. */
    unsigned long long size = 0, before_last = 0;
    if (status == 0 && manifest.base.name != NULL &&
        (status = check_present(state, manifest.base.name, &size, error, error_size)) == 0)
        before_last += size;
    for (size_t i = 0; status == 0 && i < manifest.incr_count; i++)
        if ((status = check_present(state, manifest.incr[i].name, &size, error, error_size)) == 0 &&
            i + 1 < manifest.incr_count)
            before_last += size;
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
        aof->other_files_size = before_last;
        snprintf(aof->append_path, sizeof(aof->append_path), "%s/%s", state->settings.appenddirname,
                 manifest.incr[manifest.incr_count - 1].name);
    }
    aof_manifest_release(&manifest);
    return status;
}

static int manifest_name(const persistence_state *state, char *buffer, size_t size)
{
    snprintf(buffer, size, "%s.manifest", state->settings.appendfilename);
    return 0;
}

static char *format_name(const char *format, const char *prefix, long long seq)
{
    char name[PATH_MAX];
    snprintf(name, sizeof(name), format, prefix, seq);
    size_t length = strlen(name);
    char *copy = dblite_alloc(length + 1);
    if (copy != NULL)
        memcpy(copy, name, length + 1);
    return copy;
}

int aof_dir_add_incr(persistence_state *state, char *error, size_t error_size)
{
    char path[PATH_MAX], name[PATH_MAX];
    aof_manifest manifest;
    if (aof_manifest_load(aof_dir_manifest_path(state, path, sizeof(path)), &manifest, error,
                          error_size) != 0)
        return -1;
    long long seq = manifest.incr_count ? manifest.incr[manifest.incr_count - 1].seq + 1 : 1;
    char *incr = format_name("%s.%lld.incr.aof", state->settings.appendfilename, seq);
    int status = -1;
    /* The file exists before the manifest names it (a manifest naming a
     * missing file stops the next start). */
    int fd = -1;
    if (incr != NULL) {
        snprintf(path, sizeof(path), "%s/%s", state->settings.appenddirname, incr);
        fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    }
    if (incr != NULL && fd < 0) {
        snprintf(error, error_size, "Can't open the append-only file %s: %s", incr,
                 strerror(errno));
        dblite_free(incr);
    } else if (incr == NULL ||
               aof_manifest_add_file(&manifest.incr, &manifest.incr_count, incr, seq) != 0) {
        dblite_free(incr);
        snprintf(error, error_size, "out of memory");
    } else {
        fsync(fd);
        manifest_name(state, name, sizeof(name));
        status =
            aof_manifest_save(&manifest, state->settings.appenddirname, name, error, error_size);
    }
    if (fd >= 0)
        close(fd);
    if (status == 0) {
        snprintf(state->aof.append_path, sizeof(state->aof.append_path), "%s/%s",
                 state->settings.appenddirname, incr);
        dblite_log(state->module, "notice", "Creating AOF incr file %s on background rewrite",
                   incr);
    }
    aof_manifest_release(&manifest);
    return status;
}

/* Everything of type h: files unlinked, list emptied. */
static void remove_history(persistence_state *state, aof_manifest *manifest)
{
    for (size_t i = 0; i < manifest->history_count; i++) {
        char path[PATH_MAX];
        dblite_log(state->module, "notice", "Removing the history file %s in the background",
                   manifest->history[i].name);
        snprintf(path, sizeof(path), "%s/%s", state->settings.appenddirname,
                 manifest->history[i].name);
        unlink(path);
        dblite_free(manifest->history[i].name);
    }
    manifest->history_count = 0;
}

static int mark_history(aof_manifest *manifest, aof_manifest_file file)
{
    return aof_manifest_add_file(&manifest->history, &manifest->history_count, file.name, file.seq);
}

int aof_dir_install_base(persistence_state *state, const char *temp_path,
                         unsigned long long *base_size, char *error, size_t error_size)
{
    char path[PATH_MAX], name[PATH_MAX];
    aof_manifest manifest;
    if (aof_manifest_load(aof_dir_manifest_path(state, path, sizeof(path)), &manifest, error,
                          error_size) != 0)
        return -1;
    long long seq = manifest.base.name ? manifest.base.seq + 1 : 1;
    char *base = format_name("%s.%lld.base.aof", state->settings.appendfilename, seq);
    int status = 0;
    if (base == NULL) {
        snprintf(error, error_size, "out of memory");
        status = -1;
    }
    char target[PATH_MAX];
    struct stat info;
    if (status == 0) {
        snprintf(target, sizeof(target), "%s/%s", state->settings.appenddirname, base);
        if (rename(temp_path, target) != 0 || stat(target, &info) != 0) {
            snprintf(error, error_size, "cannot rename '%s' to '%s': %s", temp_path, target,
                     strerror(errno));
            status = -1;
        } else {
            durable_file_sync_directory(target);
            *base_size = (unsigned long long)info.st_size;
        }
    }
    /* Old base and rewritten incr files become history (all incr files
     * but the last, which took the writes made during the rewrite). */
    if (status == 0 && manifest.base.name != NULL) {
        if (mark_history(&manifest, manifest.base) != 0) {
            snprintf(error, error_size, "out of memory");
            status = -1;
        } else
            manifest.base.name = NULL;
    }
    while (status == 0 && manifest.incr_count > 1) {
        if (mark_history(&manifest, manifest.incr[0]) != 0) {
            snprintf(error, error_size, "out of memory");
            status = -1;
            break;
        }
        memmove(manifest.incr, manifest.incr + 1,
                (manifest.incr_count - 1) * sizeof(manifest.incr[0]));
        manifest.incr_count--;
    }
    if (status == 0) {
        manifest.base.name = base;
        manifest.base.seq = seq;
        base = NULL;
        manifest_name(state, name, sizeof(name));
        status =
            aof_manifest_save(&manifest, state->settings.appenddirname, name, error, error_size);
    }
    if (status == 0 && manifest.history_count > 0) {
        remove_history(state, &manifest);
        status =
            aof_manifest_save(&manifest, state->settings.appenddirname, name, error, error_size);
    }
    dblite_free(base);
    aof_manifest_release(&manifest);
    return status;
}
