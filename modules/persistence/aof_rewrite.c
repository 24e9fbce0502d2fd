/*
 * aof_rewrite.c - see aof_rewrite.h.
 */
#include "aof_rewrite.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "aof_dir.h"
#include "durable_file.h"
#include "persistence.h"

#define REWRITE_BUFFER_SIZE (1024 * 1024)

typedef struct rewrite_writer {
    output_buffer *out;
    dblite_rewriter *rewriter;
    dblite_ctx *ctx;
    const dblite_expiry_service *expiry;
    long long key_delay_us;
    byte_buffer encoded; /* reused for every command */
    char *error;
    size_t error_size;
} rewrite_writer;

/* RESP for one command straight into the output buffer. */
static int emit_command(void *privdata, int argc, const dblite_bytes *argv)
{
    rewrite_writer *writer = privdata;
    writer->encoded.used = 0;
    if (aof_encode_plain(&writer->encoded, argc, argv) != 0) {
        output_buffer_fail(writer->out, "out of memory");
        return DBLITE_ERR_NOMEM;
    }
    return output_buffer_write(writer->out, writer->encoded.data, writer->encoded.used) == 0
               ? DBLITE_OK
               : DBLITE_ERR_IO;
}

static int rewrite_key(dblite_bytes key, const dblite_type *type, void *value, void *privdata)
{
    rewrite_writer *writer = privdata;
    const dblite_type_methods *methods = dblite_type_get_methods(type);
    if (methods->rewrite == NULL) {
        snprintf(writer->error, writer->error_size,
                 "type '%s' has no rewrite method, so it cannot be logged", dblite_type_name(type));
        return 1;
    }
    if (methods->rewrite(writer->rewriter, key, value) != DBLITE_OK) {
        const char *why = output_buffer_error(writer->out);
        snprintf(writer->error, writer->error_size, "rewriting a value of type '%s' failed: %s",
                 dblite_type_name(type), why ? why : "its rewrite method reported an error");
        return 1;
    }
    if (writer->expiry != NULL) {
        long long deadline = writer->expiry->get_deadline(writer->ctx, key);
        if (deadline >= 0) {
            char number[DBLITE_LONG_LONG_TEXT_SIZE];
            size_t length = dblite_format_long_long(number, sizeof(number), deadline);
            dblite_bytes command[3] = {{"PEXPIREAT", 9}, key, {number, length}};
            if (emit_command(writer, 3, command) != DBLITE_OK) {
                snprintf(writer->error, writer->error_size, "%s", output_buffer_error(writer->out));
                return 1;
            }
        }
    }
    if (writer->key_delay_us > 0)
        usleep((useconds_t)writer->key_delay_us);
    return 0;
}

int aof_rewrite_write_dataset(output_buffer *out, dblite_ctx *ctx,
                              const dblite_expiry_service *expiry, long long key_delay_us,
                              char *error, size_t error_size)
{
    rewrite_writer writer = {.out = out,
                             .ctx = ctx,
                             .expiry = expiry,
                             .key_delay_us = key_delay_us,
                             .error = error,
                             .error_size = error_size};
    writer.rewriter = dblite_rewriter_create(emit_command, &writer);
    if (writer.rewriter == NULL) {
        snprintf(error, error_size, "out of memory");
        return -1;
    }
    int status = 0;
    for (int db = 0; status == 0 && db < dblite_database_count(); db++) {
        if (dblite_ctx_select(ctx, db) != DBLITE_OK || dblite_database_size(ctx) == 0)
            continue;
        char number[16];
        int length = snprintf(number, sizeof(number), "%d", db);
        dblite_bytes select[2] = {{"SELECT", 6}, {number, (size_t)length}};
        if (emit_command(&writer, 2, select) != DBLITE_OK) {
            snprintf(error, error_size, "%s", output_buffer_error(out));
            status = -1;
            break;
        }
        if (dblite_keyspace_foreach(ctx, rewrite_key, &writer) != 0)
            status = -1;
    }
    dblite_rewriter_destroy(writer.rewriter);
    byte_buffer_release(&writer.encoded);
    return status;
}

/* The dataset into temp_path, fsynced; 0 or -1. */
static int write_dataset_file(persistence_state *state, dblite_ctx *ctx, const char *temp_path,
                              int *fd_out, char *error, size_t error_size)
{
    int fd = durable_file_create(temp_path, error, error_size);
    if (fd < 0)
        return -1;
    output_buffer out;
    if (output_buffer_init(&out, fd, REWRITE_BUFFER_SIZE, NULL) != 0) {
        snprintf(error, error_size, "out of memory");
        durable_file_abandon(fd, temp_path);
        return -1;
    }
    int db = dblite_ctx_db(ctx);
    int status = aof_rewrite_write_dataset(&out, ctx, state->expiry,
                                           state->settings.rdb_key_save_delay, error, error_size);
    dblite_ctx_select(ctx, db);
    if (status == 0 && output_buffer_flush(&out) != 0) {
        snprintf(error, error_size, "%s", output_buffer_error(&out));
        status = -1;
    }
    output_buffer_release(&out);
    if (status != 0) {
        durable_file_abandon(fd, temp_path);
        return -1;
    }
    *fd_out = fd;
    return 0;
}

/* After the file was renamed into place: log into it from now on. */
static int switch_log(persistence_state *state, char *error, size_t error_size)
{
    aof_log *aof = &state->aof;
    /* Everything pending is part of what was just written (in the dataset
     * or in the appended buffer), so it must not be appended again. */
    byte_buffer_consume(&aof->pending, aof->pending.used);
    if (!state->settings.appendonly) {
        if (aof->fd >= 0)
            aof_log_close(state);
        return 0;
    }
    if (aof_log_open(state, error, error_size) != 0)
        return -1;
    aof->waiting_first_rewrite = 0;
    aof->last_rewrite_size = aof->base_size;
    return 0;
}

/* The foreground rewrite makes a single file; in Redis 7.0's multi-part
 * layout only the background one (aof_dir.h) runs. */
static int refuse_multi_part(persistence_state *state, char *error, size_t error_size)
{
    if (!state->aof.multi_part)
        return 0;
    snprintf(error, error_size,
             "a foreground rewrite of the multi-part append only file in '%s' is not supported",
             state->settings.appenddirname);
    return -1;
}

int aof_rewrite_now(persistence_state *state, dblite_ctx *ctx, char *error, size_t error_size)
{
    if (refuse_multi_part(state, error, error_size) != 0)
        return -1;
    if (persistence_enter_dir(state, error, error_size) != 0)
        return -1;
    char temp[64];
    snprintf(temp, sizeof(temp), "temp-rewriteaof-%d.aof", (int)getpid());
    int fd;
    if (write_dataset_file(state, ctx, temp, &fd, error, error_size) != 0)
        return -1;
    if (durable_file_commit(fd, temp, state->settings.appendfilename, error, error_size) != 0)
        return -1;
    state->aof.rewrites++;
    return switch_log(state, error, error_size);
}

static void background_rewrite_done(persistence_state *state, int success, long long duration_ms);

static int background_rewrite_job(persistence_state *state, dblite_ctx *ctx, char *error,
                                  size_t error_size)
{
    char temp[64];
    child_temp_name(CHILD_AOF_REWRITE, getpid(), temp, sizeof(temp));
    int fd;
    if (write_dataset_file(state, ctx, temp, &fd, error, error_size) != 0)
        return -1;
    if (fsync(fd) != 0) {
        snprintf(error, error_size, "fsync of '%s' failed: %s", temp, strerror(errno));
        durable_file_abandon(fd, temp);
        return -1;
    }
    close(fd);
    return 0;
}

int aof_rewrite_start_background(persistence_state *state, dblite_ctx *ctx, char *error,
                                 size_t error_size)
{
    if (persistence_enter_dir(state, error, error_size) != 0)
        return -1;
    aof_log *aof = &state->aof;
    /* Multi-part: writes from now on go to a new incr file, which stays
     * after the new base; the rewrite needs no buffer of them. */
    aof->rewrite_into_incr = 0;
    if (aof->multi_part) {
        if (aof->active) {
            aof_log_flush_and_sync(state);
            aof->other_files_size = aof->current_size;
        }
        if (aof_dir_add_incr(state, error, error_size) != 0 ||
            (aof->active && aof_log_open(state, error, error_size) != 0)) {
            aof->last_rewrite_ok = 0;
            aof->consecutive_failures++;
            return -1;
        }
        aof->rewrite_into_incr = aof->active;
    }
    byte_buffer_consume(&aof->rewrite_diff, aof->rewrite_diff.used);
    aof->rewrite_selected_db = -1;
    aof->rewrite_diff_failed = 0;
    aof->rewrite_scheduled = 0;
    int db = dblite_ctx_db(ctx);
    int status = child_start(state, ctx, CHILD_AOF_REWRITE, background_rewrite_job,
                             background_rewrite_done, error, error_size);
    dblite_ctx_select(ctx, db);
    if (status != 0) {
        aof->last_rewrite_ok = 0;
        aof->consecutive_failures++;
        return -1;
    }
    dblite_log(state->module, "notice", "Background append only file rewriting started by pid %d",
               (int)state->child_pid);
    return 0;
}

/* Append the writes made during the rewrite to the child's file and put it
 * in place of the log. */
static int finish_rewrite(persistence_state *state, char *error, size_t error_size)
{
    aof_log *aof = &state->aof;
    const char *temp = state->child_temp_path;
    if (aof->rewrite_diff_failed) {
        snprintf(error, error_size, "writes made during the rewrite could not all be kept");
        return -1;
    }
    int fd = open(temp, O_WRONLY | O_APPEND | O_CLOEXEC);
    if (fd < 0) {
        snprintf(error, error_size, "cannot open the rewritten file '%s': %s", temp,
                 strerror(errno));
        return -1;
    }
    size_t done = 0;
    while (done < aof->rewrite_diff.used) {
        ssize_t n = write(fd, aof->rewrite_diff.data + done, aof->rewrite_diff.used - done);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            snprintf(error, error_size, "cannot append to '%s': %s", temp, strerror(errno));
            close(fd);
            return -1;
        }
        done += (size_t)n;
    }
    if (aof->multi_part) {
        if (fsync(fd) != 0) {
            snprintf(error, error_size, "fsync of '%s' failed: %s", temp, strerror(errno));
            close(fd);
            return -1;
        }
        close(fd);
        unsigned long long base_size;
        if (aof_dir_install_base(state, temp, &base_size, error, error_size) != 0)
            return -1;
        uint64_t incr_size = aof->current_size - aof->other_files_size;
        aof->other_files_size = base_size;
        if (!aof->rewrite_into_incr)
            return switch_log(state, error, error_size);
        /* Growth is measured from here (Redis's aof_rewrite_base_size). */
        aof->current_size = aof->base_size = base_size + incr_size;
        aof->last_rewrite_size = base_size;
        return 0;
    }
    if (durable_file_commit(fd, temp, state->settings.appendfilename, error, error_size) != 0)
        return -1;
    return switch_log(state, error, error_size);
}

/* The parent's side of a finished BGREWRITEAOF (child_start's completion):
 * on success the writes made meanwhile go after the child's file and it
 * replaces the log. */
static void background_rewrite_done(persistence_state *state, int success, long long duration_ms)
{
    aof_log *aof = &state->aof;
    aof->last_rewrite_duration_ms = duration_ms;
    char error[512] = "the child failed";
    if (success && finish_rewrite(state, error, sizeof(error)) == 0) {
        aof->last_rewrite_ok = 1;
        aof->consecutive_failures = 0;
        aof->rewrites++;
        dblite_log(state->module, "notice", "Background AOF rewrite finished successfully");
    } else {
        aof->last_rewrite_ok = 0;
        aof->consecutive_failures++;
        dblite_log(state->module, "warning", "Background AOF rewrite failed: %s", error);
        /* Switching the log on still needs its first rewrite: try again. */
        if (aof->waiting_first_rewrite)
            aof->rewrite_scheduled = 1;
    }
    byte_buffer_release(&aof->rewrite_diff);
    aof->rewrite_selected_db = -1;
}
