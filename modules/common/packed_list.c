/*
 * packed_list.c - layout and editing of packed lists.
 *
 * Layout (all in one block from dblite_alloc):
 *
 *   byte 0     the owner's tag
 *   byte 1     reserved, zero
 *   bytes 2-3  number of entries (uint16)
 *   bytes 4-7  bytes in use, header included (uint32)
 *   entries    each a length in LEB128 (7 bits per byte, low bits first, so
 *              lengths below 128 take one byte) followed by the bytes
 *
 * Spare room is not recorded: dblite_alloc_size says how big the block
 * really is, so the allocator's rounding is used before anything moves.
 */
#include "packed_list.h"

#include <string.h>

struct packed_list {
    uint8_t tag;
    uint8_t reserved;
    uint16_t count;
    uint32_t used;
    unsigned char entries[];
};

#define HEADER_SIZE (sizeof(struct packed_list))
#define LENGTH_MAX_BYTES 5

static inline unsigned char *bytes_of(packed_list *list)
{
    return (unsigned char *)list;
}

static inline const unsigned char *const_bytes_of(const packed_list *list)
{
    return (const unsigned char *)list;
}

static size_t length_prefix_size(size_t length)
{
    size_t size = 1;
    while (length >= 128) {
        length >>= 7;
        size++;
    }
    return size;
}

static size_t write_length_prefix(unsigned char *out, size_t length)
{
    size_t size = 0;
    while (length >= 128) {
        out[size++] = (unsigned char)((length & 127) | 128);
        length >>= 7;
    }
    out[size++] = (unsigned char)length;
    return size;
}

/* Decodes the length at in; returns the prefix size. */
static inline size_t read_length_prefix(const unsigned char *in, size_t *length)
{
    if (in[0] < 128) {
        *length = in[0];
        return 1;
    }
    size_t value = 0;
    size_t size = 0;
    int shift = 0;
    unsigned char byte;
    do {
        byte = in[size++];
        value |= (size_t)(byte & 127) << shift;
        shift += 7;
    } while ((byte & 128) && size < LENGTH_MAX_BYTES);
    *length = value;
    return size;
}

size_t packed_list_entry_size(size_t length)
{
    return length_prefix_size(length) + length;
}

packed_list *packed_list_create(uint8_t tag, size_t payload_bytes)
{
    packed_list *list = dblite_alloc(HEADER_SIZE + payload_bytes);
    if (list == NULL)
        return NULL;
    list->tag = tag;
    list->reserved = 0;
    list->count = 0;
    list->used = (uint32_t)HEADER_SIZE;
    return list;
}

packed_list *packed_list_copy(const packed_list *list)
{
    packed_list *copy = dblite_alloc(list->used);
    if (copy != NULL)
        memcpy(copy, list, list->used);
    return copy;
}

void packed_list_free(packed_list *list)
{
    dblite_free(list);
}

size_t packed_list_count(const packed_list *list)
{
    return list->count;
}

size_t packed_list_used_bytes(const packed_list *list)
{
    return list->used;
}

size_t packed_list_allocated_bytes(const packed_list *list)
{
    return dblite_alloc_size(list);
}

int packed_list_fits(const packed_list *list, size_t entries, size_t payload_bytes)
{
    return entries <= PACKED_LIST_MAX_COUNT - list->count &&
           payload_bytes <= PACKED_LIST_MAX_BYTES - list->used;
}

size_t packed_list_first(const packed_list *list)
{
    (void)list;
    return HEADER_SIZE;
}

int packed_list_at_end(const packed_list *list, size_t position)
{
    return position >= list->used;
}

size_t packed_list_read(const packed_list *list, size_t position, dblite_bytes *entry)
{
    const unsigned char *at = const_bytes_of(list) + position;
    size_t length;
    size_t prefix = read_length_prefix(at, &length);
    entry->ptr = (const char *)at + prefix;
    entry->len = length;
    return position + prefix + length;
}

size_t packed_list_seek(const packed_list *list, size_t index)
{
    size_t position = HEADER_SIZE;
    dblite_bytes entry;
    for (size_t i = 0; i < index; i++)
        position = packed_list_read(list, position, &entry);
    return position;
}

size_t packed_list_find(const packed_list *list, const char *ptr, size_t length, size_t stride)
{
    const unsigned char *base = const_bytes_of(list);
    size_t position = HEADER_SIZE;
    size_t end = list->used;
    size_t index = 0;
    while (position < end) {
        size_t entry_length;
        size_t prefix = read_length_prefix(base + position, &entry_length);
        if (index % stride == 0 && entry_length == length &&
            memcmp(base + position + prefix, ptr, length) == 0)
            return position;
        position += prefix + entry_length;
        index++;
    }
    return PACKED_LIST_NONE;
}

/* list itself when it has room for needed bytes in all, else a new block
 * with the used part copied over (the old one left alone); NULL on OOM. */
static packed_list *with_room(packed_list *list, size_t needed)
{
    if (dblite_alloc_size(list) >= needed)
        return list;
    packed_list *grown = dblite_alloc(needed);
    if (grown == NULL)
        return NULL;
    memcpy(grown, list, list->used);
    return grown;
}

packed_list *packed_list_append(packed_list *list, const dblite_bytes *entries, size_t count)
{
    size_t added = 0;
    for (size_t i = 0; i < count; i++)
        added += packed_list_entry_size(entries[i].len);
    packed_list *target = with_room(list, list->used + added);
    if (target == NULL)
        return NULL;
    unsigned char *out = bytes_of(target) + target->used;
    for (size_t i = 0; i < count; i++) {
        out += write_length_prefix(out, entries[i].len);
        if (entries[i].len > 0)
            memcpy(out, entries[i].ptr, entries[i].len);
        out += entries[i].len;
    }
    target->used = (uint32_t)(target->used + added);
    target->count = (uint16_t)(target->count + count);
    return target;
}

packed_list *packed_list_replace(packed_list *list, size_t position, const char *ptr,
                                 size_t length)
{
    size_t old_length;
    size_t old_prefix = read_length_prefix(bytes_of(list) + position, &old_length);
    size_t old_size = old_prefix + old_length;
    size_t new_size = packed_list_entry_size(length);
    size_t tail_start = position + old_size;
    size_t tail_size = list->used - tail_start;
    size_t new_used = list->used - old_size + new_size;
    packed_list *target = list;
    if (new_size > old_size) {
        target = with_room(list, new_used);
        if (target == NULL)
            return NULL;
    }
    unsigned char *base = bytes_of(target);
    memmove(base + position + new_size, base + tail_start, tail_size);
    size_t prefix = write_length_prefix(base + position, length);
    if (length > 0)
        memcpy(base + position + prefix, ptr, length);
    target->used = (uint32_t)new_used;
    return target;
}

void packed_list_delete(packed_list *list, size_t position, size_t count)
{
    size_t end = position;
    dblite_bytes entry;
    for (size_t i = 0; i < count; i++)
        end = packed_list_read(list, end, &entry);
    unsigned char *base = bytes_of(list);
    memmove(base + position, base + end, list->used - end);
    list->used = (uint32_t)(list->used - (end - position));
    list->count = (uint16_t)(list->count - count);
}

packed_list *packed_list_trim(packed_list *list)
{
    size_t allocated = dblite_alloc_size(list);
    if (allocated <= 2 * (size_t)list->used || allocated < 128)
        return list;
    return packed_list_copy(list);
}
