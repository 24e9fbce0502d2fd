/*
 * output_buffer.c - see output_buffer.h.  The checksum is folded in when
 * bytes leave the buffer (or on demand), so the hot write path is a memcpy.
 */
#include "output_buffer.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "dblite_module.h"

int output_buffer_init(output_buffer *out, int fd, size_t capacity, const crc64_tables *crc_tables)
{
    memset(out, 0, sizeof(*out));
    out->fd = fd;
    out->crc_tables = crc_tables;
    out->capacity = capacity ? capacity : 4096;
    out->data = dblite_alloc(out->capacity);
    if (out->data == NULL) {
        out->capacity = 0;
        output_buffer_fail(out, "out of memory for an output buffer");
        return -1;
    }
    return 0;
}

void output_buffer_release(output_buffer *out)
{
    dblite_free(out->data);
    out->data = NULL;
    dblite_free(out->compress_output);
    dblite_free(out->compress_table);
    out->compress_output = NULL;
    out->compress_table = NULL;
    out->compress_capacity = 0;
    out->used = out->capacity = out->checksummed = 0;
}

void output_buffer_fail(output_buffer *out, const char *reason)
{
    if (out->failed)
        return;
    out->failed = 1;
    snprintf(out->error, sizeof(out->error), "%s", reason);
}

const char *output_buffer_error(const output_buffer *out)
{
    return out->failed ? out->error : NULL;
}

static void fold_checksum(output_buffer *out)
{
    if (out->crc_tables != NULL && out->checksummed < out->used)
        out->crc = crc64_update(out->crc_tables, out->crc, out->data + out->checksummed,
                                out->used - out->checksummed);
    out->checksummed = out->used;
}

/* write() until everything is out, retrying interrupted calls. */
static int write_all(output_buffer *out, const unsigned char *bytes, size_t length)
{
    size_t done = 0;
    while (done < length) {
        ssize_t n = write(out->fd, bytes + done, length - done);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            char reason[128];
            snprintf(reason, sizeof(reason), "write failed: %s", strerror(errno));
            output_buffer_fail(out, reason);
            return -1;
        }
        done += (size_t)n;
    }
    return 0;
}

int output_buffer_flush(output_buffer *out)
{
    if (out->failed)
        return -1;
    if (out->fd < 0)
        return 0;
    fold_checksum(out);
    if (write_all(out, out->data, out->used) != 0)
        return -1;
    out->used = out->checksummed = 0;
    return 0;
}

static int grow_memory(output_buffer *out, size_t needed)
{
    size_t capacity = out->capacity;
    while (capacity < needed) {
        if (capacity > SIZE_MAX / 2) {
            output_buffer_fail(out, "output too large");
            return -1;
        }
        capacity *= 2;
    }
    unsigned char *grown = dblite_realloc(out->data, capacity);
    if (grown == NULL) {
        output_buffer_fail(out, "out of memory growing an output buffer");
        return -1;
    }
    out->data = grown;
    out->capacity = capacity;
    return 0;
}

int output_buffer_write(output_buffer *out, const void *bytes, size_t length)
{
    if (out->failed)
        return -1;
    const unsigned char *source = bytes;
    if (out->fd < 0) {
        if (length > out->capacity - out->used && grow_memory(out, out->used + length) != 0)
            return -1;
    } else if (length > out->capacity - out->used) {
        if (output_buffer_flush(out) != 0)
            return -1;
        /* Big pieces go straight to the file instead of through the buffer. */
        if (length >= out->capacity) {
            if (out->crc_tables != NULL)
                out->crc = crc64_update(out->crc_tables, out->crc, source, length);
            if (write_all(out, source, length) != 0)
                return -1;
            out->total_written += length;
            return 0;
        }
    }
    memcpy(out->data + out->used, source, length);
    out->used += length;
    out->total_written += length;
    return 0;
}

uint64_t output_buffer_crc(output_buffer *out)
{
    fold_checksum(out);
    return out->crc;
}
