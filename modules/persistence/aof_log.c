/*
 * aof_log.c - appending propagated writes to the append-only file (see
 * aof_log.h for the durability rules of each fsync policy).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "persistence.h"

#define EVERYSEC_INTERVAL_MS 1000

static size_t decimal_length(size_t value)
{
    size_t digits = 1;
    while (value >= 10) {
        value /= 10;
        digits++;
    }
    return digits;
}

/* "<prefix><value>\r\n" at out (room reserved with decimal_length);
 * returns bytes written. */
static size_t put_header(char *out, char prefix, size_t value)
{
    char digits[DBLITE_LONG_LONG_TEXT_SIZE];
    size_t length = dblite_format_long_long(digits, sizeof digits, (long long)value);
    out[0] = prefix;
    memcpy(out + 1, digits, length);
    out[length + 1] = '\r';
    out[length + 2] = '\n';
    return length + 3;
}

int aof_encode_plain(byte_buffer *buffer, int argc, const dblite_bytes *argv)
{
    size_t total = 3 + decimal_length((size_t)argc);
    for (int i = 0; i < argc; i++)
        total += 5 + decimal_length(argv[i].len) + argv[i].len;
    if (byte_buffer_reserve(buffer, total) != 0)
        return -1;
    char *out = buffer->data + buffer->used;
    out += put_header(out, '*', (size_t)argc);
    for (int i = 0; i < argc; i++) {
        out += put_header(out, '$', argv[i].len);
        if (argv[i].len)
            memcpy(out, argv[i].ptr, argv[i].len);
        out += argv[i].len;
        *out++ = '\r';
        *out++ = '\n';
    }
    buffer->used += total;
    return 0;
}

int aof_encode_command(byte_buffer *buffer, int *selected_db, int db, int argc,
                       const dblite_bytes *argv)
{
    if (db != *selected_db) {
        char number[16];
        int length = snprintf(number, sizeof(number), "%d", db);
        dblite_bytes select[2] = {{"SELECT", 6}, {number, (size_t)length}};
        if (aof_encode_plain(buffer, 2, select) != 0)
            return -1;
        *selected_db = db;
    }
    return aof_encode_plain(buffer, argc, argv);
}

int aof_log_open(persistence_state *state, char *error, size_t error_size)
{
    aof_log *aof = &state->aof;
    const char *path = aof->multi_part ? aof->append_path : state->settings.appendfilename;
    int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) {
        snprintf(error, error_size, "cannot open the append only file '%s': %s", path,
                 strerror(errno));
        return -1;
    }
    struct stat info;
    if (fstat(fd, &info) != 0) {
        snprintf(error, error_size, "cannot stat '%s': %s", path, strerror(errno));
        close(fd);
        return -1;
    }
    if (aof->fd >= 0) {
        aof_fsync_worker_wait_idle(&aof->worker);
        close(aof->fd);
    }
    aof->fd = fd;
    aof->active = 1;
    aof->selected_db = -1;
    aof->current_size = aof->base_size =
        (aof->multi_part ? aof->other_files_size : 0) + (uint64_t)info.st_size;
    aof->write_failed = 0;
    return 0;
}

void aof_log_feed(persistence_state *state, int db, int argc, const dblite_bytes *argv)
{
    aof_log *aof = &state->aof;
    if (aof->active) {
        size_t before = aof->pending.used;
        if (aof_encode_command(&aof->pending, &aof->selected_db, db, argc, argv) != 0) {
            /* Losing a write silently would break the log: stop here, as
             * Redis stops on an AOF it cannot write. */
            dblite_log(state->module, "warning",
                       "out of memory buffering the append only file; exiting");
            exit(1);
        }
        aof->current_size += aof->pending.used - before;
    }
    if (child_running(state, CHILD_AOF_REWRITE) && !aof->rewrite_into_incr &&
        aof_encode_command(&aof->rewrite_diff, &aof->rewrite_selected_db, db, argc, argv) != 0) {
        dblite_log(state->module, "warning",
                   "out of memory buffering writes for the rewrite; it will fail");
        aof->rewrite_diff_failed = 1;
    }
}

/* write() the pending commands; 0 when everything is out. */
static int write_pending(persistence_state *state)
{
    aof_log *aof = &state->aof;
    size_t done = 0;
    int status = 0;
    while (done < aof->pending.used) {
        ssize_t n = write(aof->fd, aof->pending.data + done, aof->pending.used - done);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            aof->failure_errno = errno; /* before logging, which may change errno */
            if (!aof->write_failed)
                dblite_log(state->module, "warning", "error writing to the append only file: %s",
                           strerror(aof->failure_errno));
            status = -1;
            break;
        }
        done += (size_t)n;
    }
    byte_buffer_consume(&aof->pending, done);
    if (status == 0 && aof->write_failed)
        dblite_log(state->module, "notice", "writing to the append only file works again");
    aof->write_failed = status != 0;
    return status;
}

int aof_log_check_openable(persistence_state *state, char *error, size_t error_size)
{
    if (persistence_enter_dir(state, error, error_size) != 0)
        return -1;
    const char *path = state->settings.appendfilename;
    /* Not created here: an empty log would win over dump.rdb at startup. */
    int fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC);
    if (fd < 0 && errno != ENOENT) {
        snprintf(error, error_size, "Can't open the append-only file %s: %s", path,
                 strerror(errno));
        return -1;
    }
    if (fd >= 0) {
        close(fd);
        return 0;
    }
    /* The first rewrite creates it from a temporary file beside it. */
    char probe[64];
    snprintf(probe, sizeof(probe), "temp-appendonly-probe-%d.aof", (int)getpid());
    fd = open(probe, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd < 0) {
        snprintf(error, error_size, "Can't create the append-only file %s: %s", path,
                 strerror(errno));
        return -1;
    }
    close(fd);
    unlink(probe);
    return 0;
}

void aof_log_write_pending(persistence_state *state)
{
    aof_log *aof = &state->aof;
    if (!aof->active || aof->pending.used == 0)
        return;
    int policy = state->settings.appendfsync;
    if (write_pending(state) != 0) {
        if (policy == AOF_FSYNC_ALWAYS) {
            /* The replies of this turn would acknowledge writes that are not
             * on disk: Redis exits rather than lie, and so do we. */
            dblite_log(
                state->module, "warning",
                "can't recover from an append only file write error with appendfsync always; exiting");
            exit(1);
        }
        return;
    }
    if (policy == AOF_FSYNC_ALWAYS) {
        if (fdatasync(aof->fd) != 0) {
            dblite_log(state->module, "warning",
                       "fsync of the append only file failed: %s; exiting", strerror(errno));
            exit(1);
        }
        aof->last_fsync_ms = dblite_time_ms();
    }
}

void aof_log_cron(persistence_state *state, long long now_ms)
{
    aof_log *aof = &state->aof;
    if (!aof->active)
        return;
    if (aof->pending.used > 0)
        aof_log_write_pending(state);
    if (state->settings.appendfsync == AOF_FSYNC_EVERYSEC &&
        now_ms - aof->last_fsync_ms >= EVERYSEC_INTERVAL_MS &&
        aof_fsync_worker_request(&aof->worker, aof->fd) == 0) {
        aof->last_fsync_ms = now_ms;
        /* The previous background fsync's outcome, reported once. */
        int error = aof_fsync_worker_last_errno(&aof->worker);
        if (error != 0 && !aof->fsync_failed)
            dblite_log(state->module, "warning", "fsync of the append only file failed: %s",
                       strerror(error));
        if (error != 0)
            aof->failure_errno = error;
        aof->fsync_failed = error != 0;
    }
}

void aof_log_flush_and_sync(persistence_state *state)
{
    aof_log *aof = &state->aof;
    if (aof->fd < 0)
        return;
    if (aof->active)
        write_pending(state);
    aof_fsync_worker_wait_idle(&aof->worker);
    if (fsync(aof->fd) != 0)
        dblite_log(state->module, "warning", "Fail to fsync the AOF file: %s.", strerror(errno));
}

void aof_log_close(persistence_state *state)
{
    aof_log *aof = &state->aof;
    if (aof->fd < 0)
        return;
    aof_log_flush_and_sync(state);
    close(aof->fd);
    aof->fd = -1;
    aof->active = 0;
    aof->selected_db = -1;
    byte_buffer_release(&aof->pending);
}
