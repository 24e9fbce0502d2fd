/*
 * packed_list.c - layout and editing of packed lists (see packed_list.h).
 *
 * Header: tag (1 byte), flags (1), count (2), end (4); both-ways lists add
 * start (4), the offset of the first entry.  The block size itself is not
 * recorded: dblite_alloc_size says how big the block really is, so the
 * allocator's rounding is used before anything moves.
 *
 * Entry layout: tag [length bytes] payload [back-size].
 *   0xxxxxxx                  integer 0..127, no payload
 *   10llllll                  string of 0..63 bytes
 *   110iiiii iiiiiiii         13-bit signed integer
 *   1110llll llllllll         string of 65..4095 bytes
 *   11110000 + 4-byte length  longer string
 *   11110001..11110100        16, 24, 32 and 64-bit integer follows
 *   11110101                  string of exactly 64 bytes
 * Multi-byte numbers are little-endian.  The last code exists because 64
 * bytes is the longest field, value or member hashes and sets keep packed
 * by default (a SHA-256 in hex, say): with it such an entry costs one byte
 * of overhead, as in the length-prefixed format they used before.
 *
 * The back-size (both-ways lists only) is the size of tag and payload in
 * 7-bit groups read from the entry's last byte backwards, the high bit
 * meaning "another group precedes"; one byte for entries under 128 bytes.
 *
 * Growth keeps some slack on larger both-ways lists, at the end for pushes
 * at the tail and before the first entry for pushes at the head: a list
 * receiving a stream of pushes would otherwise be moved (or, at the head,
 * shifted whole) on every push.  Hashes and sets get no slack: they are
 * usually written once, at their final size, and their memory per key is
 * what matters.
 */
#include "packed_list.h"

#include <string.h>

#define TAG_STRING_6 0x80
#define TAG_INT_13 0xC0
#define TAG_STRING_12 0xE0
#define TAG_STRING_32 0xF0
#define TAG_INT_16 0xF1
#define TAG_INT_24 0xF2
#define TAG_INT_32 0xF3
#define TAG_INT_64 0xF4
#define TAG_STRING_64_BYTES 0xF5

#define ONE_WAY_HEADER_SIZE sizeof(packed_list)
#define BOTH_WAYS_HEADER_SIZE (sizeof(packed_list) + sizeof(uint32_t))

/* Both-ways lists at least this large grow by an eighth more than they
 * need. */
#define SLACK_THRESHOLD 256
/* A list shrinks once less than half its block is in use. */
#define SHRINK_MINIMUM 128

static inline int both_ways(const packed_list *list)
{
    return (list->flags & PACKED_LIST_BOTH_WAYS) != 0;
}

static inline void set_start(packed_list *list, size_t start)
{
    if (both_ways(list))
        list->start[0] = (uint32_t)start;
}

/* ---- numbers in entries ---------------------------------------------------- */

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

/* ---- entry sizes ------------------------------------------------------------- */

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
        case TAG_INT_64:
            return 9;
        default:
            return 1 + 64;
    }
}

/* Size of a whole entry whose tag and payload take body bytes. */
static inline size_t with_back_size(const packed_list *list, size_t body)
{
    return both_ways(list) ? body + back_size_length(body) : body;
}

static inline size_t entry_size_at(const packed_list *list, size_t position)
{
    return with_back_size(list, entry_body_size((const unsigned char *)list + position));
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
    if (length <= 64)
        return 1 + length;
    if (length <= 4095)
        return 2 + length;
    return 5 + length;
}

size_t packed_list_text_size(size_t length)
{
    return string_body_size(length);
}

size_t packed_list_value_size(const packed_list *list, const packed_value *value)
{
    return with_back_size(list, value->body_size);
}

size_t packed_list_entry_size(const packed_list *list, size_t position)
{
    return entry_size_at(list, position);
}

/* ---- values ------------------------------------------------------------------ */

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

void packed_value_text(packed_value *value, const char *ptr, size_t len)
{
    value->string = ptr;
    value->length = len;
    value->integer = 0;
    value->is_integer = 0;
    value->body_size = string_body_size(len);
}

int packed_value_prepare(packed_value *value, const char *ptr, size_t len)
{
    if (len > PACKED_LIST_MAX_ELEMENT)
        return DBLITE_ERR_INVALID;
    packed_value_text(value, ptr, len);
    if (packed_parse_integer(ptr, len, &value->integer)) {
        value->is_integer = 1;
        value->body_size = integer_body_size(value->integer);
    }
    return DBLITE_OK;
}

/* Writes tag and payload of value at destination, then the back-size when
 * the list keeps them. */
static void write_entry(const packed_list *list, unsigned char *destination,
                        const packed_value *value)
{
    if (value->is_integer) {
        long long integer = value->integer;
        switch (value->body_size) {
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
        unsigned char *payload;
        if (length <= 63) {
            destination[0] = (unsigned char)(TAG_STRING_6 | length);
            payload = destination + 1;
        } else if (length == 64) {
            destination[0] = TAG_STRING_64_BYTES;
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
    if (both_ways(list))
        write_back_size(destination + value->body_size + back_size_length(value->body_size),
                        value->body_size);
}

/* Decodes the entry at bytes; returns the size of its tag and payload. */
static inline size_t decode_entry(const unsigned char *bytes, packed_entry *entry)
{
    unsigned char tag = bytes[0];
    entry->string = NULL;
    entry->length = 0;
    entry->integer = 0;
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
    if (tag == TAG_STRING_64_BYTES) {
        entry->string = bytes + 1;
        entry->length = 64;
        return 1 + 64;
    }
    int width = tag == TAG_INT_16 ? 2 : tag == TAG_INT_24 ? 3 : tag == TAG_INT_32 ? 4 : 8;
    entry->integer = sign_extend(read_little_endian(bytes + 1, width), width * 8);
    return 1 + (size_t)width;
}

static inline int entry_matches(const packed_entry *entry, const packed_value *value)
{
    if (entry->string == NULL)
        return value->is_integer && entry->integer == value->integer;
    return !value->is_integer && entry->length == value->length &&
           (entry->length == 0 || memcmp(entry->string, value->string, entry->length) == 0);
}

/* ---- blocks ------------------------------------------------------------------ */

packed_list *packed_list_create(uint8_t tag, unsigned flags, size_t room_bytes)
{
    size_t header = flags & PACKED_LIST_BOTH_WAYS ? BOTH_WAYS_HEADER_SIZE : ONE_WAY_HEADER_SIZE;
    if (room_bytes > PACKED_LIST_MAX_BYTES - header)
        return NULL;
    packed_list *list = dblite_alloc(header + room_bytes);
    if (list == NULL)
        return NULL;
    list->tag = tag;
    list->flags = (uint8_t)flags;
    list->count = 0;
    list->end = (uint32_t)header;
    set_start(list, header);
    return list;
}

void packed_list_free(packed_list *list)
{
    dblite_free(list);
}

size_t packed_list_allocated(const packed_list *list)
{
    return dblite_alloc_size(list);
}

/* Writes from's header and entries into to (room for packed_list_bytes),
 * the entries right after the header. */
static void copy_compacted(packed_list *to, const packed_list *from)
{
    size_t header = packed_list_header_size(from);
    size_t start = packed_list_start(from);
    size_t data = from->end - start;
    memcpy(to, from, sizeof(packed_list));
    memcpy((unsigned char *)to + header, (const unsigned char *)from + start, data);
    to->end = (uint32_t)(header + data);
    set_start(to, header);
}

packed_list *packed_list_copy(const packed_list *list)
{
    packed_list *copy = dblite_alloc(packed_list_bytes(list));
    if (copy != NULL)
        copy_compacted(copy, list);
    return copy;
}

/* Gives *list a block of bytes (at least its end): a reallocation, or for
 * copy-on-grow lists a new block with the old left alone. */
static int move_block(packed_list **list, size_t bytes)
{
    if ((*list)->flags & PACKED_LIST_COPY_ON_GROW) {
        packed_list *moved = dblite_alloc(bytes);
        if (moved == NULL)
            return DBLITE_ERR_NOMEM;
        memcpy(moved, *list, (*list)->end);
        *list = moved;
        return DBLITE_OK;
    }
    packed_list *moved = dblite_realloc(*list, bytes);
    if (moved == NULL)
        return DBLITE_ERR_NOMEM;
    *list = moved;
    return DBLITE_OK;
}

/* Makes the block hold at least bytes, with an eighth more when asked and
 * the list is a large both-ways one.  DBLITE_OK or DBLITE_ERR_NOMEM
 * (nothing changed). */
static int reserve(packed_list **list, size_t bytes, int with_slack)
{
    if (bytes > PACKED_LIST_MAX_BYTES)
        return DBLITE_ERR_NOMEM;
    if (bytes <= dblite_alloc_size(*list))
        return DBLITE_OK;
    size_t wanted = bytes;
    if (with_slack && both_ways(*list) && bytes >= SLACK_THRESHOLD &&
        bytes + bytes / 8 <= PACKED_LIST_MAX_BYTES)
        wanted = bytes + bytes / 8;
    return move_block(list, wanted);
}

int packed_list_fits(const packed_list *list, size_t entries, size_t added_bytes)
{
    return entries <= PACKED_LIST_MAX_COUNT - list->count &&
           added_bytes <= PACKED_LIST_MAX_BYTES - list->end;
}

/* ---- navigation -------------------------------------------------------------- */

size_t packed_list_next(const packed_list *list, size_t position)
{
    size_t next = position + entry_size_at(list, position);
    return next < list->end ? next : 0;
}

size_t packed_list_prev(const packed_list *list, size_t position)
{
    if (position <= packed_list_start(list))
        return 0;
    size_t body = read_back_size((const unsigned char *)list + position);
    return position - body - back_size_length(body);
}

size_t packed_list_seek(const packed_list *list, long long index)
{
    long long count = list->count;
    if (index < 0)
        index += count;
    if (index < 0 || index >= count)
        return 0;
    size_t position;
    if (index <= count / 2 || !both_ways(list)) {
        position = packed_list_start(list);
        while (index-- > 0)
            position += entry_size_at(list, position);
    } else {
        position = packed_list_prev(list, list->end);
        for (long long steps = count - 1 - index; steps > 0; steps--)
            position = packed_list_prev(list, position);
    }
    return position;
}

size_t packed_list_last(const packed_list *list)
{
    if (list->count == 0)
        return 0;
    return both_ways(list) ? packed_list_prev(list, list->end) : packed_list_seek(list, -1);
}

void packed_list_read(const packed_list *list, size_t position, packed_entry *entry)
{
    decode_entry((const unsigned char *)list + position, entry);
}

size_t packed_list_read_next(const packed_list *list, size_t position, packed_entry *entry)
{
    size_t body = decode_entry((const unsigned char *)list + position, entry);
    size_t next = position + with_back_size(list, body);
    return next < list->end ? next : 0;
}

int packed_list_entry_equals(const packed_list *list, size_t position, const packed_value *value)
{
    packed_entry entry;
    packed_list_read(list, position, &entry);
    return entry_matches(&entry, value);
}

size_t packed_list_find(const packed_list *list, size_t position, const packed_value *value,
                        size_t skip)
{
    const unsigned char *base = (const unsigned char *)list;
    size_t end = list->end;
    int keeps_back_size = both_ways(list);
    size_t to_skip = 0;
    if (position == 0)
        position = packed_list_start(list);
    while (position < end) {
        const unsigned char *at = base + position;
        size_t body;
        if (at[0] >= TAG_STRING_6 && at[0] < TAG_INT_13) {
            /* Short strings, by far the most common entries: no decoding. */
            size_t length = at[0] & 0x3F;
            body = 1 + length;
            if (to_skip == 0 && !value->is_integer && length == value->length &&
                (length == 0 || memcmp(at + 1, value->string, length) == 0))
                return position;
        } else {
            packed_entry entry;
            body = decode_entry(at, &entry);
            if (to_skip == 0 && entry_matches(&entry, value))
                return position;
        }
        to_skip = to_skip == 0 ? skip : to_skip - 1;
        position += keeps_back_size ? body + back_size_length(body) : body;
    }
    return 0;
}

/* ---- editing ----------------------------------------------------------------- */

/* Moves the entries right after the header, dropping the head room. */
static void compact(packed_list *list)
{
    size_t header = packed_list_header_size(list);
    size_t start = packed_list_start(list);
    if (start == header)
        return;
    size_t data = list->end - start;
    memmove((unsigned char *)list + header, (unsigned char *)list + start, data);
    list->end = (uint32_t)(header + data);
    set_start(list, header);
}

/* Gives *list a compact block of exactly its bytes. */
static void shrink_block(packed_list **list)
{
    size_t bytes = packed_list_bytes(*list);
    if ((*list)->flags & PACKED_LIST_COPY_ON_GROW) {
        packed_list *smaller = dblite_alloc(bytes);
        if (smaller == NULL)
            return;
        copy_compacted(smaller, *list);
        *list = smaller;
        return;
    }
    compact(*list);
    packed_list *smaller = dblite_realloc(*list, bytes);
    if (smaller != NULL)
        *list = smaller;
}

void packed_list_shrink_if_sparse(packed_list **list)
{
    size_t allocated = dblite_alloc_size(*list);
    if (allocated < SHRINK_MINIMUM || packed_list_bytes(*list) * 2 > allocated)
        return;
    shrink_block(list);
}

void packed_list_shrink_to_fit(packed_list **list)
{
    if (dblite_alloc_size(*list) - packed_list_bytes(*list) < 32)
        return;
    shrink_block(list);
}

/* Writes count values back to back at destination. */
static void write_entries(const packed_list *list, unsigned char *destination,
                          const packed_value *values, size_t count)
{
    for (size_t i = 0; i < count; i++) {
        write_entry(list, destination, &values[i]);
        destination += packed_list_value_size(list, &values[i]);
    }
}

/* Writes values (size bytes in all) just before the first entry of a
 * both-ways list, making head room first when there is not enough: the
 * entries move up by what is missing plus an eighth of their size, so a
 * run of head pushes moves them rarely. */
static int insert_at_head(packed_list **list, const packed_value *values, size_t count, size_t size)
{
    size_t start = (*list)->start[0];
    size_t room = start - BOTH_WAYS_HEADER_SIZE;
    if (room < size) {
        size_t data = (*list)->end - start;
        size_t shift = size - room + (data >= SLACK_THRESHOLD ? data / 8 : 0);
        if (reserve(list, (*list)->end + shift, 0) != DBLITE_OK)
            return DBLITE_ERR_NOMEM;
        unsigned char *base = (unsigned char *)*list;
        memmove(base + start + shift, base + start, data);
        start += shift;
        (*list)->end += (uint32_t)shift;
    }
    start -= size;
    (*list)->start[0] = (uint32_t)start;
    write_entries(*list, (unsigned char *)*list + start, values, count);
    (*list)->count = (uint16_t)((*list)->count + count);
    return DBLITE_OK;
}

int packed_list_insert_all(packed_list **list, size_t position, const packed_value *values,
                           size_t count)
{
    size_t size = 0;
    for (size_t i = 0; i < count; i++)
        size += packed_list_value_size(*list, &values[i]);
    if (!packed_list_fits(*list, count, size))
        return DBLITE_ERR_NOMEM;
    if (both_ways(*list) && position == (*list)->start[0] && (*list)->count > 0)
        return insert_at_head(list, values, count, size);
    size_t old_end = (*list)->end;
    if (position == 0)
        position = old_end;
    if (reserve(list, old_end + size, 1) != DBLITE_OK)
        return DBLITE_ERR_NOMEM;
    unsigned char *base = (unsigned char *)*list;
    memmove(base + position + size, base + position, old_end - position);
    write_entries(*list, base + position, values, count);
    (*list)->end = (uint32_t)(old_end + size);
    (*list)->count = (uint16_t)((*list)->count + count);
    return DBLITE_OK;
}

int packed_list_insert(packed_list **list, size_t position, const packed_value *value)
{
    return packed_list_insert_all(list, position, value, 1);
}

int packed_list_push_head(packed_list **list, const packed_value *value)
{
    return packed_list_insert_all(list, packed_list_start(*list), value, 1);
}

int packed_list_push_tail(packed_list **list, const packed_value *value)
{
    return packed_list_insert_all(list, 0, value, 1);
}

size_t packed_list_delete(packed_list **list, size_t position, size_t count)
{
    unsigned char *base = (unsigned char *)*list;
    size_t list_end = (*list)->end;
    size_t end = position;
    size_t removed = 0;
    while (removed < count && end < list_end) {
        end += entry_size_at(*list, end);
        removed++;
    }
    /* Where the following entry sits, counted from the first entry: that
     * survives the compaction a shrink may do. */
    size_t start = packed_list_start(*list);
    size_t kept_before = position - start;
    if (both_ways(*list) && position == start) {
        (*list)->start[0] = (uint32_t)end; /* popping the head leaves room */
    } else {
        memmove(base + position, base + end, list_end - end);
        (*list)->end = (uint32_t)(list_end - (end - position));
    }
    (*list)->count = (uint16_t)((*list)->count - removed);
    if ((*list)->count == 0) {
        (*list)->end = (uint32_t)packed_list_header_size(*list);
        set_start(*list, (*list)->end);
    }
    if (!((*list)->flags & PACKED_LIST_COPY_ON_GROW))
        packed_list_shrink_if_sparse(list);
    size_t next = packed_list_start(*list) + kept_before;
    return next < (*list)->end ? next : 0;
}

int packed_list_replace(packed_list **list, size_t position, const packed_value *value)
{
    size_t old_size = entry_size_at(*list, position);
    size_t new_size = packed_list_value_size(*list, value);
    size_t old_end = (*list)->end;
    if (new_size > old_size && new_size - old_size > PACKED_LIST_MAX_BYTES - old_end)
        return DBLITE_ERR_NOMEM;
    size_t new_end = old_end - old_size + new_size;
    if (new_end > old_end && reserve(list, new_end, 1) != DBLITE_OK)
        return DBLITE_ERR_NOMEM;
    unsigned char *base = (unsigned char *)*list;
    memmove(base + position + new_size, base + position + old_size, old_end - position - old_size);
    write_entry(*list, base + position, value);
    (*list)->end = (uint32_t)new_end;
    if (new_end < old_end && !((*list)->flags & PACKED_LIST_COPY_ON_GROW))
        packed_list_shrink_if_sparse(list);
    return DBLITE_OK;
}

int packed_list_split(packed_list **list, size_t position, packed_list **tail)
{
    size_t list_end = (*list)->end;
    if (position == 0)
        position = list_end;
    size_t moved_bytes = list_end - position;
    packed_list *second = packed_list_create((*list)->tag, (*list)->flags, moved_bytes);
    if (second == NULL)
        return DBLITE_ERR_NOMEM;
    size_t moved_count = 0;
    for (size_t cursor = position; cursor < list_end; cursor += entry_size_at(*list, cursor))
        moved_count++;
    memcpy((unsigned char *)second + second->end, (unsigned char *)*list + position, moved_bytes);
    second->end = (uint32_t)(second->end + moved_bytes);
    second->count = (uint16_t)moved_count;
    (*list)->end = (uint32_t)position;
    (*list)->count = (uint16_t)((*list)->count - moved_count);
    if ((*list)->count == 0) {
        (*list)->end = (uint32_t)packed_list_header_size(*list);
        set_start(*list, (*list)->end);
    }
    *tail = second;
    return DBLITE_OK;
}

void packed_list_rejoin(packed_list *list, packed_list *tail)
{
    size_t added = tail->end - packed_list_start(tail);
    memcpy((unsigned char *)list + list->end, (unsigned char *)tail + packed_list_start(tail),
           added);
    list->end += (uint32_t)added;
    list->count = (uint16_t)(list->count + tail->count);
    packed_list_free(tail);
}

int packed_list_append(packed_list **list, const packed_list *source)
{
    size_t added = source->end - packed_list_start(source);
    size_t end = (*list)->end;
    if (!packed_list_fits(*list, source->count, added) ||
        reserve(list, end + added, 0) != DBLITE_OK)
        return DBLITE_ERR_NOMEM;
    memcpy((unsigned char *)*list + end, (const unsigned char *)source + packed_list_start(source),
           added);
    (*list)->end = (uint32_t)(end + added);
    (*list)->count = (uint16_t)((*list)->count + source->count);
    return DBLITE_OK;
}
