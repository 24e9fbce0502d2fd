/*
 * packed_list.c - the compact element encoding (see packed_list.h).
 *
 * Entry layout: tag [length bytes] payload back-size.
 *   0xxxxxxx                  integer 0..127, no payload
 *   10llllll                  string of 0..63 bytes
 *   110iiiii iiiiiiii         13-bit signed integer
 *   1110llll llllllll         string of 64..4095 bytes
 *   11110000 + 4-byte length  longer string
 *   11110001..11110100        16, 24, 32 and 64-bit integer follows
 * Multi-byte numbers are little-endian.  The back-size is the size of tag
 * and payload in 7-bit groups read from the entry's last byte backwards,
 * the high bit meaning "another group precedes", so walking towards the
 * head needs no index.
 *
 * Growth keeps some slack on larger lists, at the end for pushes at the
 * tail and before the first entry for pushes at the head: a list receiving
 * a stream of pushes would otherwise be reallocated (or, at the head,
 * shifted whole) on every push.
 */
#include "packed_list.h"

#include <string.h>

#include "dblite_module.h"

#define TAG_STRING_6 0x80
#define TAG_INT_13 0xC0
#define TAG_STRING_12 0xE0
#define TAG_STRING_32 0xF0
#define TAG_INT_16 0xF1
#define TAG_INT_24 0xF2
#define TAG_INT_32 0xF3
#define TAG_INT_64 0xF4

/* Lists at least this large grow by an eighth more than they need. */
#define SLACK_THRESHOLD 256
/* A list shrinks once less than half its block is in use. */
#define SHRINK_MINIMUM 128

static size_t back_size_length(size_t size)
{
    if (size < 128)
        return 1;
    if (size < (1u << 14))
        return 2;
    if (size < (1u << 21))
        return 3;
    if (size < (1u << 28))
        return 4;
    return 5;
}

static void write_back_size(unsigned char *end, size_t size)
{
    size_t length = back_size_length(size);
    for (size_t index = 0; index < length; index++) {
        unsigned char group = (unsigned char)((size >> (7 * index)) & 127);
        if (index + 1 < length)
            group |= 128;
        end[-1 - (ptrdiff_t)index] = group;
    }
}

static size_t read_back_size(const unsigned char *end)
{
    const unsigned char *cursor = end - 1;
    size_t size = *cursor & 127;
    unsigned shift = 7;
    while (*cursor & 128) {
        cursor--;
        size |= (size_t)(*cursor & 127) << shift;
        shift += 7;
    }
    return size;
}

static uint64_t read_little_endian(const unsigned char *bytes, int width)
{
    uint64_t value = 0;
    for (int index = width - 1; index >= 0; index--)
        value = value << 8 | bytes[index];
    return value;
}

static void write_little_endian(unsigned char *bytes, uint64_t value, int width)
{
    for (int index = 0; index < width; index++) {
        bytes[index] = (unsigned char)(value & 0xFF);
        value >>= 8;
    }
}

/* Sign-extends the low bits of a value read with fewer than 64 bits. */
static long long sign_extend(uint64_t value, int bits)
{
    uint64_t sign = (uint64_t)1 << (bits - 1);
    value &= (sign << 1) - 1;
    /* Unsigned arithmetic wraps where signed would overflow (64 bits). */
    return (long long)((value ^ sign) - sign);
}

/* Size of tag and payload of the entry starting at bytes. */
static size_t entry_body_size(const unsigned char *bytes)
{
    unsigned char tag = bytes[0];
    if (tag < 0x80)
        return 1;
    if (tag < TAG_INT_13)
        return 1 + (size_t)(tag & 0x3F);
    if (tag < TAG_STRING_12)
        return 2;
    if (tag < TAG_STRING_32)
        return 2 + ((size_t)(tag & 0x0F) << 8 | bytes[1]);
    switch (tag) {
    case TAG_STRING_32:
        return 5 + (size_t)read_little_endian(bytes + 1, 4);
    case TAG_INT_16:
        return 3;
    case TAG_INT_24:
        return 4;
    case TAG_INT_32:
        return 5;
    default:
        return 9;
    }
}

static size_t entry_size(const unsigned char *bytes)
{
    size_t body = entry_body_size(bytes);
    return body + back_size_length(body);
}

int packed_parse_integer(const char *ptr, size_t len, long long *integer)
{
    if (len == 0 || len > 20)
        return 0;
    size_t position = 0;
    int negative = 0;
    if (ptr[0] == '-') {
        negative = 1;
        position = 1;
        if (len == 1)
            return 0;
    }
    if (ptr[position] == '0') {
        if (len != 1)
            return 0;
        *integer = 0;
        return 1;
    }
    uint64_t magnitude = 0;
    for (; position < len; position++) {
        unsigned digit = (unsigned)(unsigned char)ptr[position] - '0';
        if (digit > 9)
            return 0;
        if (magnitude > (UINT64_MAX - digit) / 10)
            return 0;
        magnitude = magnitude * 10 + digit;
    }
    if (negative) {
        if (magnitude > (uint64_t)INT64_MAX + 1)
            return 0;
        *integer = (long long)(0 - magnitude);
    } else {
        if (magnitude > (uint64_t)INT64_MAX)
            return 0;
        *integer = (long long)magnitude;
    }
    return 1;
}

static size_t integer_body_size(long long integer)
{
    if (integer >= 0 && integer <= 127)
        return 1;
    if (integer >= -4096 && integer <= 4095)
        return 2;
    if (integer >= INT16_MIN && integer <= INT16_MAX)
        return 3;
    if (integer >= -(1 << 23) && integer < (1 << 23))
        return 4;
    if (integer >= INT32_MIN && integer <= INT32_MAX)
        return 5;
    return 9;
}

static size_t string_body_size(size_t length)
{
    if (length <= 63)
        return 1 + length;
    if (length <= 4095)
        return 2 + length;
    return 5 + length;
}

int packed_value_prepare(packed_value *value, const char *ptr, size_t len)
{
    value->string = ptr;
    value->length = len;
    value->integer = 0;
    value->is_integer = packed_parse_integer(ptr, len, &value->integer);
    if (len > PACKED_LIST_MAX_ELEMENT)
        return -1;
    size_t body = value->is_integer ? integer_body_size(value->integer) : string_body_size(len);
    value->encoded_size = body + back_size_length(body);
    return 0;
}

/* Writes the entry at destination (value->encoded_size bytes). */
static void write_entry(unsigned char *destination, const packed_value *value)
{
    size_t body;
    if (value->is_integer) {
        long long integer = value->integer;
        body = integer_body_size(integer);
        switch (body) {
        case 1:
            destination[0] = (unsigned char)integer;
            break;
        case 2: {
            uint64_t bits = (uint64_t)integer & 0x1FFF;
            destination[0] = (unsigned char)(TAG_INT_13 | (bits >> 8));
            destination[1] = (unsigned char)(bits & 0xFF);
            break;
        }
        case 3:
            destination[0] = TAG_INT_16;
            write_little_endian(destination + 1, (uint64_t)integer, 2);
            break;
        case 4:
            destination[0] = TAG_INT_24;
            write_little_endian(destination + 1, (uint64_t)integer, 3);
            break;
        case 5:
            destination[0] = TAG_INT_32;
            write_little_endian(destination + 1, (uint64_t)integer, 4);
            break;
        default:
            destination[0] = TAG_INT_64;
            write_little_endian(destination + 1, (uint64_t)integer, 8);
            break;
        }
    } else {
        size_t length = value->length;
        body = string_body_size(length);
        unsigned char *payload;
        if (length <= 63) {
            destination[0] = (unsigned char)(TAG_STRING_6 | length);
            payload = destination + 1;
        } else if (length <= 4095) {
            destination[0] = (unsigned char)(TAG_STRING_12 | (length >> 8));
            destination[1] = (unsigned char)(length & 0xFF);
            payload = destination + 2;
        } else {
            destination[0] = TAG_STRING_32;
            write_little_endian(destination + 1, (uint64_t)length, 4);
            payload = destination + 5;
        }
        if (length > 0)
            memcpy(payload, value->string, length);
    }
    write_back_size(destination + value->encoded_size, body);
}

/* Decodes the entry at bytes; returns the size of its tag and payload. */
static inline size_t decode_entry(const unsigned char *bytes, packed_entry *entry)
{
    unsigned char tag = bytes[0];
    entry->string = NULL;
    entry->length = 0;
    if (tag < 0x80) {
        entry->integer = tag;
        return 1;
    }
    if (tag < TAG_INT_13) {
        entry->string = bytes + 1;
        entry->length = tag & 0x3F;
        return 1 + entry->length;
    }
    if (tag < TAG_STRING_12) {
        entry->integer = sign_extend((uint64_t)(tag & 0x1F) << 8 | bytes[1], 13);
        return 2;
    }
    if (tag < TAG_STRING_32) {
        entry->string = bytes + 2;
        entry->length = (size_t)(tag & 0x0F) << 8 | bytes[1];
        return 2 + entry->length;
    }
    if (tag == TAG_STRING_32) {
        entry->string = bytes + 5;
        entry->length = (size_t)read_little_endian(bytes + 1, 4);
        return 5 + entry->length;
    }
    int width = tag == TAG_INT_16 ? 2 : tag == TAG_INT_24 ? 3 : tag == TAG_INT_32 ? 4 : 8;
    entry->integer = sign_extend(read_little_endian(bytes + 1, width), width * 8);
    return 1 + (size_t)width;
}

void packed_list_read(const packed_list *list, size_t offset, packed_entry *entry)
{
    decode_entry((const unsigned char *)list + offset, entry);
}

size_t packed_list_read_next(const packed_list *list, size_t offset, packed_entry *entry)
{
    size_t body = decode_entry((const unsigned char *)list + offset, entry);
    size_t next = offset + body + back_size_length(body);
    return next < list->end ? next : 0;
}

int packed_list_entry_equals(const packed_list *list, size_t offset, const packed_value *value)
{
    packed_entry entry;
    packed_list_read(list, offset, &entry);
    /* Canonical integers are always stored as integers, so an integer and
     * a string entry never hold the same text. */
    if (entry.string == NULL)
        return value->is_integer && entry.integer == value->integer;
    return !value->is_integer && entry.length == value->length &&
           (entry.length == 0 || memcmp(entry.string, value->string, entry.length) == 0);
}

packed_list *packed_list_create(void)
{
    packed_list *list = dblite_alloc(PACKED_LIST_HEADER_SIZE);
    if (list == NULL)
        return NULL;
    list->start = list->end = (uint32_t)PACKED_LIST_HEADER_SIZE;
    list->count = 0;
    return list;
}

void packed_list_free(packed_list *list)
{
    dblite_free(list);
}

packed_list *packed_list_copy(const packed_list *list)
{
    size_t data = list->end - list->start;
    packed_list *copy = dblite_alloc(PACKED_LIST_HEADER_SIZE + data);
    if (copy == NULL)
        return NULL;
    memcpy(copy->entries, (const unsigned char *)list + list->start, data);
    copy->start = (uint32_t)PACKED_LIST_HEADER_SIZE;
    copy->end = (uint32_t)(PACKED_LIST_HEADER_SIZE + data);
    copy->count = list->count;
    return copy;
}

size_t packed_list_allocated(const packed_list *list)
{
    return dblite_alloc_size(list);
}

size_t packed_list_entry_size(const packed_list *list, size_t offset)
{
    return entry_size((const unsigned char *)list + offset);
}

size_t packed_list_next(const packed_list *list, size_t offset)
{
    size_t next = offset + entry_size((const unsigned char *)list + offset);
    return next < list->end ? next : 0;
}

size_t packed_list_prev(const packed_list *list, size_t offset)
{
    if (offset <= list->start)
        return 0;
    const unsigned char *end = (const unsigned char *)list + offset;
    size_t body = read_back_size(end);
    return offset - body - back_size_length(body);
}

size_t packed_list_last(const packed_list *list)
{
    return list->count ? packed_list_prev(list, list->end) : 0;
}

size_t packed_list_seek(const packed_list *list, long long index)
{
    long long count = list->count;
    if (index < 0)
        index += count;
    if (index < 0 || index >= count)
        return 0;
    size_t offset;
    if (index <= count / 2) {
        offset = list->start;
        while (index-- > 0)
            offset = packed_list_next(list, offset);
    } else {
        offset = packed_list_last(list);
        for (long long steps = count - 1 - index; steps > 0; steps--)
            offset = packed_list_prev(list, offset);
    }
    return offset;
}

/* Makes the block hold at least bytes, with an eighth more when asked and
 * the list is large.  Returns 0 or -1 (nothing changed). */
static int reserve(packed_list **list, size_t bytes, int with_slack)
{
    if (bytes > PACKED_LIST_MAX_BYTES)
        return -1;
    if (bytes <= dblite_alloc_size(*list))
        return 0;
    size_t wanted = with_slack && bytes >= SLACK_THRESHOLD ? bytes + bytes / 8 : bytes;
    if (wanted > PACKED_LIST_MAX_BYTES)
        wanted = bytes;
    packed_list *grown = dblite_realloc(*list, wanted);
    if (grown == NULL)
        return -1;
    *list = grown;
    return 0;
}

/* Moves the entries right after the header, dropping the head room. */
static void compact(packed_list *list)
{
    if (list->start == PACKED_LIST_HEADER_SIZE)
        return;
    size_t data = list->end - list->start;
    memmove(list->entries, (unsigned char *)list + list->start, data);
    list->start = (uint32_t)PACKED_LIST_HEADER_SIZE;
    list->end = (uint32_t)(PACKED_LIST_HEADER_SIZE + data);
}

/* Compacts and returns memory once less than half the block is in use. */
static void shrink_if_sparse(packed_list **list)
{
    size_t allocated = dblite_alloc_size(*list);
    size_t bytes = packed_list_bytes(*list);
    if (allocated < SHRINK_MINIMUM || bytes * 2 > allocated)
        return;
    compact(*list);
    packed_list *smaller = dblite_realloc(*list, bytes);
    if (smaller != NULL)
        *list = smaller;
}

void packed_list_shrink_to_fit(packed_list **list)
{
    size_t bytes = packed_list_bytes(*list);
    if (dblite_alloc_size(*list) - bytes < 32)
        return;
    compact(*list);
    packed_list *smaller = dblite_realloc(*list, bytes);
    if (smaller != NULL)
        *list = smaller;
}

/* Writes value just before the first entry, making head room first when
 * there is not enough: the entries move up by what is missing plus an
 * eighth of their size, so a run of head pushes moves them rarely. */
static int insert_at_head(packed_list **list, const packed_value *value)
{
    size_t size = value->encoded_size;
    size_t room = (*list)->start - PACKED_LIST_HEADER_SIZE;
    if (room < size) {
        size_t data = (*list)->end - (*list)->start;
        size_t shift = size - room + (data >= SLACK_THRESHOLD ? data / 8 : 0);
        if (reserve(list, (*list)->end + shift, 0) != 0)
            return -1;
        unsigned char *base = (unsigned char *)*list;
        memmove(base + (*list)->start + shift, base + (*list)->start, data);
        (*list)->start += (uint32_t)shift;
        (*list)->end += (uint32_t)shift;
    }
    (*list)->start -= (uint32_t)size;
    write_entry((unsigned char *)*list + (*list)->start, value);
    (*list)->count++;
    return 0;
}

int packed_list_insert(packed_list **list, size_t offset, const packed_value *value)
{
    if (offset == (*list)->start && (*list)->count > 0)
        return insert_at_head(list, value);
    size_t old_end = (*list)->end;
    if (offset == 0)
        offset = old_end;
    if (reserve(list, old_end + value->encoded_size, 1) != 0)
        return -1;
    unsigned char *base = (unsigned char *)*list;
    memmove(base + offset + value->encoded_size, base + offset, old_end - offset);
    write_entry(base + offset, value);
    (*list)->end = (uint32_t)(old_end + value->encoded_size);
    (*list)->count++;
    return 0;
}

int packed_list_push_head(packed_list **list, const packed_value *value)
{
    return packed_list_insert(list, (*list)->start, value);
}

int packed_list_push_tail(packed_list **list, const packed_value *value)
{
    return packed_list_insert(list, 0, value);
}

size_t packed_list_delete(packed_list **list, size_t offset, size_t count)
{
    unsigned char *base = (unsigned char *)*list;
    size_t list_end = (*list)->end;
    size_t end = offset;
    size_t removed = 0;
    while (removed < count && end < list_end) {
        end += entry_size(base + end);
        removed++;
    }
    /* Where the following entry sits, counted from the first entry: that
     * survives the compaction a shrink may do. */
    size_t kept_before = offset - (*list)->start;
    if (offset == (*list)->start) {
        (*list)->start = (uint32_t)end; /* popping the head leaves room */
        kept_before = 0;
    } else {
        memmove(base + offset, base + end, list_end - end);
        (*list)->end = (uint32_t)(list_end - (end - offset));
    }
    (*list)->count -= (uint32_t)removed;
    if ((*list)->count == 0)
        (*list)->start = (*list)->end = (uint32_t)PACKED_LIST_HEADER_SIZE;
    shrink_if_sparse(list);
    size_t next = (*list)->start + kept_before;
    return next < (*list)->end ? next : 0;
}

int packed_list_replace(packed_list **list, size_t offset, const packed_value *value)
{
    unsigned char *base = (unsigned char *)*list;
    size_t old_size = entry_size(base + offset);
    size_t old_end = (*list)->end;
    size_t new_end = old_end - old_size + value->encoded_size;
    if (new_end > old_end && reserve(list, new_end, 1) != 0)
        return -1;
    base = (unsigned char *)*list;
    memmove(base + offset + value->encoded_size, base + offset + old_size, old_end - offset - old_size);
    write_entry(base + offset, value);
    (*list)->end = (uint32_t)new_end;
    if (new_end < old_end)
        shrink_if_sparse(list);
    return 0;
}

int packed_list_split(packed_list **list, size_t offset, packed_list **tail)
{
    size_t list_end = (*list)->end;
    if (offset == 0)
        offset = list_end;
    size_t moved_bytes = list_end - offset;
    packed_list *second = dblite_alloc(PACKED_LIST_HEADER_SIZE + moved_bytes);
    if (second == NULL)
        return -1;
    size_t moved_count = 0;
    for (size_t cursor = offset; cursor < list_end; cursor += entry_size((unsigned char *)*list + cursor))
        moved_count++;
    memcpy(second->entries, (unsigned char *)*list + offset, moved_bytes);
    second->start = (uint32_t)PACKED_LIST_HEADER_SIZE;
    second->end = (uint32_t)(PACKED_LIST_HEADER_SIZE + moved_bytes);
    second->count = (uint32_t)moved_count;
    (*list)->end = (uint32_t)offset;
    (*list)->count -= (uint32_t)moved_count;
    if ((*list)->count == 0)
        (*list)->start = (*list)->end = (uint32_t)PACKED_LIST_HEADER_SIZE;
    *tail = second;
    return 0;
}

void packed_list_rejoin(packed_list *list, packed_list *tail)
{
    size_t added = tail->end - tail->start;
    memcpy((unsigned char *)list + list->end, (unsigned char *)tail + tail->start, added);
    list->end += (uint32_t)added;
    list->count += tail->count;
    packed_list_free(tail);
}

int packed_list_append(packed_list **list, const packed_list *source)
{
    size_t added = source->end - source->start;
    size_t end = (*list)->end;
    if (reserve(list, end + added, 0) != 0)
        return -1;
    memcpy((unsigned char *)*list + end, (const unsigned char *)source + source->start, added);
    (*list)->end = (uint32_t)(end + added);
    (*list)->count += source->count;
    return 0;
}
