/*
 * compact_decode.c - see compact_decode.h.  Layouts, as the formats define
 * them (multi-byte integers little-endian unless noted):
 *
 *   ziplist:  bytes:u32 tail:u32 count:u16 entry* 0xFF
 *             entry = prevlen (1 byte, or 0xFE + u32) encoding data
 *   listpack: bytes:u32 count:u16 entry* 0xFF
 *             entry = encoding data backlen (1-5 bytes)
 *   intset:   width:u32 (2, 4 or 8) count:u32 count*width bytes
 *   zipmap:   count:u8 (len key len free value free-bytes)* 0xFF
 */
#include "compact_decode.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>

#define ZIPLIST_HEADER_SIZE 10
#define LISTPACK_HEADER_SIZE 6
#define INTSET_HEADER_SIZE 8
#define BLOB_END 0xFF

static int fail(char *error, size_t error_size, const char *format, ...)
    __attribute__((format(printf, 3, 4)));
static int fail(char *error, size_t error_size, const char *format, ...)
{
    va_list args;
    va_start(args, format);
    vsnprintf(error, error_size, format, args);
    va_end(args);
    return -1;
}

static uint64_t read_le(const unsigned char *bytes, int count)
{
    uint64_t value = 0;
    for (int i = count - 1; i >= 0; i--)
        value = (value << 8) | bytes[i];
    return value;
}

/* Sign-extend the low bits of value. */
static int64_t sign_extend(uint64_t value, int bits)
{
    uint64_t sign = (uint64_t)1 << (bits - 1);
    value &= (bits == 64) ? UINT64_MAX : ((uint64_t)1 << bits) - 1;
    return (int64_t)((value ^ sign) - sign);
}

/* ---- ziplist ---- */

/* One ziplist entry at blob[*position]; appends its value. */
static int ziplist_entry(const unsigned char *blob, size_t end, size_t *position, element_list *out,
                         char *error, size_t error_size)
{
    size_t at = *position;
    if (blob[at] == 0xFE) {
        if (end - at < 5)
            return fail(error, error_size, "ziplist entry header past the end");
        at += 5;
    } else {
        at += 1;
    }
    if (at >= end)
        return fail(error, error_size, "ziplist entry encoding past the end");
    unsigned char encoding = blob[at++];
    size_t left = end - at;
    size_t string_length;
    switch (encoding >> 6) {
        case 0:
            string_length = encoding & 0x3f;
            break;
        case 1:
            if (left < 1)
                return fail(error, error_size, "ziplist string length past the end");
            string_length = ((size_t)(encoding & 0x3f) << 8) | blob[at];
            at++;
            left--;
            break;
        case 2:
            if (encoding != 0x80 || left < 4)
                return fail(error, error_size, "bad ziplist string header");
            string_length = ((size_t)blob[at] << 24) | ((size_t)blob[at + 1] << 16) |
                            ((size_t)blob[at + 2] << 8) | blob[at + 3];
            at += 4;
            left -= 4;
            break;
        default: {
            int width;
            int64_t value;
            if (encoding == 0xC0)
                width = 2;
            else if (encoding == 0xD0)
                width = 4;
            else if (encoding == 0xE0)
                width = 8;
            else if (encoding == 0xF0)
                width = 3;
            else if (encoding == 0xFE)
                width = 1;
            else if (encoding >= 0xF1 && encoding <= 0xFD)
                width = 0;
            else
                return fail(error, error_size, "unknown ziplist entry encoding 0x%02x", encoding);
            if ((size_t)width > left)
                return fail(error, error_size, "ziplist integer past the end");
            if (width == 0)
                value = (encoding & 0x0f) - 1;
            else
                value = sign_extend(read_le(blob + at, width), width * 8);
            if (element_list_add_integer(out, value) != 0)
                return fail(error, error_size, "out of memory");
            *position = at + (size_t)width;
            return 0;
        }
    }
    if (string_length > left)
        return fail(error, error_size, "ziplist string past the end");
    if (element_list_add(out, blob + at, string_length) != 0)
        return fail(error, error_size, "out of memory");
    *position = at + string_length;
    return 0;
}

int compact_decode_ziplist(const unsigned char *blob, size_t length, element_list *out, char *error,
                           size_t error_size)
{
    if (length < ZIPLIST_HEADER_SIZE + 1)
        return fail(error, error_size, "ziplist too short (%zu bytes)", length);
    if (read_le(blob, 4) != length)
        return fail(error, error_size, "ziplist size header does not match its %zu bytes", length);
    if (blob[length - 1] != BLOB_END)
        return fail(error, error_size, "ziplist does not end with 0xFF");
    size_t header_count = (size_t)read_le(blob + 8, 2);
    size_t end = length - 1;
    size_t position = ZIPLIST_HEADER_SIZE;
    size_t count = 0;
    while (position < end) {
        if (ziplist_entry(blob, end, &position, out, error, error_size) != 0)
            return -1;
        count++;
    }
    /* 65535 means "too many to count in the header". */
    if (header_count != 0xFFFF && header_count != count)
        return fail(error, error_size, "ziplist holds %zu entries but its header says %zu", count,
                    header_count);
    return 0;
}

/* ---- listpack ---- */

static size_t listpack_backlen_size(size_t entry_length)
{
    if (entry_length <= 127)
        return 1;
    if (entry_length < 16383)
        return 2;
    if (entry_length < 2097151)
        return 3;
    if (entry_length < 268435455)
        return 4;
    return 5;
}

static int listpack_entry(const unsigned char *blob, size_t end, size_t *position,
                          element_list *out, char *error, size_t error_size)
{
    size_t at = *position;
    unsigned char encoding = blob[at];
    size_t left = end - at;
    size_t header = 1, string_length = 0;
    int is_string = 0, width = 0;
    int64_t value = 0;
    if ((encoding & 0x80) == 0) {
        value = encoding & 0x7f;
    } else if ((encoding & 0xC0) == 0x80) {
        is_string = 1;
        string_length = encoding & 0x3f;
    } else if ((encoding & 0xE0) == 0xC0) {
        if (left < 2)
            return fail(error, error_size, "listpack integer past the end");
        value = sign_extend(((uint64_t)(encoding & 0x1f) << 8) | blob[at + 1], 13);
        header = 2;
    } else if ((encoding & 0xF0) == 0xE0) {
        if (left < 2)
            return fail(error, error_size, "listpack string header past the end");
        is_string = 1;
        string_length = ((size_t)(encoding & 0x0f) << 8) | blob[at + 1];
        header = 2;
    } else if (encoding == 0xF0) {
        if (left < 5)
            return fail(error, error_size, "listpack string header past the end");
        is_string = 1;
        string_length = (size_t)read_le(blob + at + 1, 4);
        header = 5;
    } else if (encoding >= 0xF1 && encoding <= 0xF4) {
        static const int widths[] = {2, 3, 4, 8};
        width = widths[encoding - 0xF1];
        if (left < 1 + (size_t)width)
            return fail(error, error_size, "listpack integer past the end");
        value = sign_extend(read_le(blob + at + 1, width), width * 8);
        header = 1 + (size_t)width;
    } else {
        return fail(error, error_size, "unknown listpack entry encoding 0x%02x", encoding);
    }
    if (string_length > left - header)
        return fail(error, error_size, "listpack string past the end");
    size_t entry_length = header + string_length;
    size_t backlen = listpack_backlen_size(entry_length);
    if (backlen > left - entry_length)
        return fail(error, error_size, "listpack entry length past the end");
    int status = is_string ? element_list_add(out, blob + at + header, string_length)
                           : element_list_add_integer(out, value);
    if (status != 0)
        return fail(error, error_size, "out of memory");
    *position = at + entry_length + backlen;
    return 0;
}

int compact_decode_listpack(const unsigned char *blob, size_t length, element_list *out,
                            char *error, size_t error_size)
{
    if (length < LISTPACK_HEADER_SIZE + 1)
        return fail(error, error_size, "listpack too short (%zu bytes)", length);
    if (read_le(blob, 4) != length)
        return fail(error, error_size, "listpack size header does not match its %zu bytes", length);
    if (blob[length - 1] != BLOB_END)
        return fail(error, error_size, "listpack does not end with 0xFF");
    size_t header_count = (size_t)read_le(blob + 4, 2);
    size_t end = length - 1;
    size_t position = LISTPACK_HEADER_SIZE;
    size_t count = 0;
    while (position < end) {
        if (listpack_entry(blob, end, &position, out, error, error_size) != 0)
            return -1;
        count++;
    }
    if (header_count != 0xFFFF && header_count != count)
        return fail(error, error_size, "listpack holds %zu entries but its header says %zu", count,
                    header_count);
    return 0;
}

/* ---- intset ---- */

int compact_decode_intset(const unsigned char *blob, size_t length, element_list *out, char *error,
                          size_t error_size)
{
    if (length < INTSET_HEADER_SIZE)
        return fail(error, error_size, "intset too short (%zu bytes)", length);
    uint64_t width = read_le(blob, 4);
    uint64_t count = read_le(blob + 4, 4);
    if (width != 2 && width != 4 && width != 8)
        return fail(error, error_size, "intset with unknown integer width %llu",
                    (unsigned long long)width);
    if (count * width != length - INTSET_HEADER_SIZE)
        return fail(error, error_size, "intset of %llu integers does not fill its %zu bytes",
                    (unsigned long long)count, length);
    for (uint64_t i = 0; i < count; i++) {
        int64_t value =
            sign_extend(read_le(blob + INTSET_HEADER_SIZE + i * width, (int)width), (int)width * 8);
        if (element_list_add_integer(out, value) != 0)
            return fail(error, error_size, "out of memory");
    }
    return 0;
}

/* ---- zipmap ---- */

static int zipmap_length(const unsigned char *blob, size_t end, size_t *position, size_t *length)
{
    if (*position >= end)
        return -1;
    unsigned char first = blob[*position];
    if (first < 254) {
        *length = first;
        *position += 1;
        return 0;
    }
    if (first != 254 || end - *position < 5)
        return -1;
    *length = (size_t)read_le(blob + *position + 1, 4);
    *position += 5;
    return 0;
}

int compact_decode_zipmap(const unsigned char *blob, size_t length, element_list *out, char *error,
                          size_t error_size)
{
    if (length < 2 || blob[length - 1] != BLOB_END)
        return fail(error, error_size, "zipmap malformed");
    size_t end = length - 1;
    size_t position = 1;
    while (position < end) {
        size_t key_length, value_length;
        if (zipmap_length(blob, end, &position, &key_length) != 0 || key_length > end - position)
            return fail(error, error_size, "zipmap key past the end");
        if (element_list_add(out, blob + position, key_length) != 0)
            return fail(error, error_size, "out of memory");
        position += key_length;
        if (zipmap_length(blob, end, &position, &value_length) != 0 || position >= end)
            return fail(error, error_size, "zipmap value header past the end");
        size_t free_bytes = blob[position++];
        if (value_length > end - position || free_bytes > end - position - value_length)
            return fail(error, error_size, "zipmap value past the end");
        if (element_list_add(out, blob + position, value_length) != 0)
            return fail(error, error_size, "out of memory");
        position += value_length + free_bytes;
    }
    return 0;
}
