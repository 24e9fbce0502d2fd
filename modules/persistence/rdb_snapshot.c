/*
 * rdb_snapshot.c - see rdb_snapshot.h.  Runs in a forked child for BGSAVE
 * and in the server itself for SAVE and at shutdown, so it touches nothing
 * but the keyspace (read-only) and its own file.
 */
#define _GNU_SOURCE
#include "rdb_snapshot.h"

#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "durable_file.h"
#include "rdb_encode.h"
#include "rdb_format.h"
#include "rdb_value_save.h"

#define SNAPSHOT_BUFFER_SIZE (1024 * 1024)

typedef struct snapshot_writer {
    output_buffer *out;
    value_saver saver;
    dblite_ctx *ctx;
    const snapshot_options *options;
    char *error;
    size_t error_size;
} snapshot_writer;

static int write_aux(output_buffer *out, const char *name, const char *value)
{
    if (output_buffer_byte(out, RDB_OPCODE_AUX) != 0 ||
        rdb_encode_string(out, name, strlen(name)) != 0)
        return -1;
    return rdb_encode_string(out, value, strlen(value));
}

static int write_header(output_buffer *out)
{
    char text[64];
    snprintf(text, sizeof(text), "%s%04d", RDB_MAGIC, RDB_VERSION);
    if (output_buffer_write(out, text, RDB_HEADER_LENGTH) != 0)
        return -1;
    int status = write_aux(out, "redis-ver", RDB_REDIS_VERSION_TEXT);
    snprintf(text, sizeof(text), "%d", (int)(sizeof(void *) * 8));
    status |= write_aux(out, "redis-bits", text);
    snprintf(text, sizeof(text), "%lld", (long long)time(NULL));
    status |= write_aux(out, "ctime", text);
    struct mallinfo2 usage = mallinfo2();
    snprintf(text, sizeof(text), "%zu", usage.uordblks + usage.hblkhd);
    status |= write_aux(out, "used-mem", text);
    status |= write_aux(out, "aof-base", "0");
    return status;
}

static int write_key(dblite_bytes key, const dblite_type *type, void *value, void *privdata)
{
    snapshot_writer *writer = privdata;
    output_buffer *out = writer->out;
    if (writer->options->expiry != NULL) {
        long long deadline = writer->options->expiry->get_deadline(writer->ctx, key);
        if (deadline >= 0 && (output_buffer_byte(out, RDB_OPCODE_EXPIRETIME_MS) != 0 ||
                              rdb_encode_u64_le(out, (uint64_t)deadline) != 0)) {
            snprintf(writer->error, writer->error_size, "%s", output_buffer_error(out));
            return 1;
        }
    }
    if (value_saver_write(&writer->saver, &key, type, value, writer->error, writer->error_size) !=
        0)
        return 1;
    if (writer->options->key_delay_us > 0)
        usleep((useconds_t)writer->options->key_delay_us);
    return 0;
}

static int write_database(snapshot_writer *writer, int db)
{
    output_buffer *out = writer->out;
    if (dblite_ctx_select(writer->ctx, db) != DBLITE_OK)
        return 0;
    long long size = dblite_database_size(writer->ctx);
    if (size == 0)
        return 0;
    /* RESIZEDB is a sizing hint: the number of keys with a deadline is not
     * known before the walk, and 0 only means "no hint" to a loader. */
    if (output_buffer_byte(out, RDB_OPCODE_SELECTDB) != 0 ||
        rdb_encode_length(out, (uint64_t)db) != 0 ||
        output_buffer_byte(out, RDB_OPCODE_RESIZEDB) != 0 ||
        rdb_encode_length(out, (uint64_t)size) != 0 || rdb_encode_length(out, 0) != 0) {
        snprintf(writer->error, writer->error_size, "%s", output_buffer_error(out));
        return -1;
    }
    return dblite_keyspace_foreach(writer->ctx, write_key, writer) == 0 ? 0 : -1;
}

int rdb_snapshot_write(output_buffer *out, dblite_ctx *ctx, const snapshot_options *options,
                       char *error, size_t error_size)
{
    snapshot_writer writer = {
        .out = out, .ctx = ctx, .options = options, .error = error, .error_size = error_size};
    if (value_saver_init(&writer.saver, out) != 0) {
        snprintf(error, error_size, "out of memory");
        return -1;
    }
    int status = write_header(out);
    if (status != 0)
        snprintf(error, error_size, "%s", output_buffer_error(out));
    for (int db = 0; status == 0 && db < dblite_database_count(); db++)
        status = write_database(&writer, db);
    value_saver_release(&writer.saver);
    if (status != 0)
        return -1;
    if (output_buffer_byte(out, RDB_OPCODE_EOF) != 0 ||
        rdb_encode_u64_le(out, options->write_checksum ? output_buffer_crc(out) : 0) != 0) {
        snprintf(error, error_size, "%s", output_buffer_error(out));
        return -1;
    }
    return 0;
}

int rdb_snapshot_save_file(const char *path, const char *temp_name, dblite_ctx *ctx,
                           const snapshot_options *options, char *error, size_t error_size)
{
    int fd = durable_file_create(temp_name, error, error_size);
    if (fd < 0)
        return -1;
    output_buffer out;
    if (output_buffer_init(&out, fd, SNAPSHOT_BUFFER_SIZE, options->crc_tables) != 0) {
        snprintf(error, error_size, "out of memory for the snapshot buffer");
        durable_file_abandon(fd, temp_name);
        return -1;
    }
    out.compress_strings = options->compress;
    int status = rdb_snapshot_write(&out, ctx, options, error, error_size);
    if (status == 0 && output_buffer_flush(&out) != 0) {
        snprintf(error, error_size, "%s", output_buffer_error(&out));
        status = -1;
    }
    output_buffer_release(&out);
    if (status != 0) {
        durable_file_abandon(fd, temp_name);
        return -1;
    }
    return durable_file_commit(fd, temp_name, path, error, error_size);
}
