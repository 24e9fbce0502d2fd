/*
 * string_value.c - how a string value is laid out in memory.
 *
 * Caches hold millions of short strings and counters, so the common values
 * cost no allocation at all: they live inside the pointer the core stores.
 * The low bits of the pointer say which form a value has:
 *
 *   ....x1  held in the pointer itself, and then bit 1 says
 *           0: an integer in bits 2 and up (only text that is a canonical
 *              decimal, so "007" or "+1" stay text and read back unchanged);
 *           1: text of up to sizeof(void *) - 1 bytes, its length in bits 2-4
 *              and byte i in bits 8i+8 .. 8i+15;
 *   ....x0  a block from dblite_alloc (always aligned, so bit 0 is clear):
 *           a length header, then the bytes.  The header is one byte holding
 *           the length when the block can hold at most 254 bytes; otherwise
 *           the byte 255 followed by an 8-byte length.  The room actually
 *           reserved comes from dblite_alloc_size, so a block's spare
 *           capacity costs no header field.
 *   ....10  the same block with bit 1 set on the pointer: a value a dialect
 *           client sent as a RESP integer (see string_value.h).  Blocks are
 *           aligned, so the bit is free; values Redis clients store never
 *           have it, so their forms and costs are unchanged.
 *
 * No value is ever the NULL pointer (the empty string is inline text).
 */
#include "string_value.h"

#include <stdint.h>
#include <string.h>

#define INLINE_BIT ((uintptr_t)1)
#define INLINE_TEXT_BIT ((uintptr_t)2)
#define INLINE_LENGTH_SHIFT 2
#define INLINE_LENGTH_MASK ((uintptr_t)7)
#define INLINE_TEXT_CAPACITY (sizeof(uintptr_t) - 1)
#define INLINE_INTEGER_SHIFT 2
#define INLINE_INTEGER_MAX ((long long)(INTPTR_MAX >> INLINE_INTEGER_SHIFT))
#define INLINE_INTEGER_MIN (-INLINE_INTEGER_MAX - 1)
#define SENT_AS_INTEGER_BIT ((uintptr_t)2)

#define SHORT_HEADER_SIZE 1
#define LONG_HEADER_SIZE (1 + sizeof(uint64_t))
#define SHORT_HEADER_MAX_LENGTH 254
#define LONG_HEADER_MARK 255

/* Spare room for edits: a value below this size doubles, as Redis's sds
 * does.  Past it Redis adds a fixed 1 MB, which makes each step copy the
 * whole value (quadratic over a long APPEND loop) unless realloc can move
 * pages; here the room grows by an eighth of the length instead (at least
 * the same 1 MB), so growth is geometric: a value built by appends is
 * reallocated O(log n) times and at most 1/8 of it is spare. */
#define GROWTH_DOUBLING_LIMIT (1024 * 1024)
#define GROWTH_FRACTION_SHIFT 3

/* Longest text that can be a 64-bit integer, sign included. */
#define INTEGER_TEXT_MAX_LENGTH 20

static inline uintptr_t value_bits(const void *value)
{
    return (uintptr_t)value;
}

static inline int is_inline(const void *value)
{
    return (value_bits(value) & INLINE_BIT) != 0;
}

static inline int is_inline_text(const void *value)
{
    return (value_bits(value) & (INLINE_BIT | INLINE_TEXT_BIT)) == (INLINE_BIT | INLINE_TEXT_BIT);
}

static inline int is_inline_integer(const void *value)
{
    return (value_bits(value) & (INLINE_BIT | INLINE_TEXT_BIT)) == INLINE_BIT;
}

static inline int is_sent_as_integer(const void *value)
{
    return (value_bits(value) & (INLINE_BIT | SENT_AS_INTEGER_BIT)) == SENT_AS_INTEGER_BIT;
}

/* The block of a value that is not inline, without its mark. */
static inline unsigned char *value_block(const void *value)
{
    return (unsigned char *)(value_bits(value) & ~SENT_AS_INTEGER_BIT);
}

static inline long long inline_integer(const void *value)
{
    return (long long)((intptr_t)value_bits(value) >> INLINE_INTEGER_SHIFT);
}

static inline void *make_inline_integer(long long number)
{
    return (void *)(((uintptr_t)(intptr_t)number << INLINE_INTEGER_SHIFT) | INLINE_BIT);
}

static inline size_t inline_text_length(const void *value)
{
    return (size_t)((value_bits(value) >> INLINE_LENGTH_SHIFT) & INLINE_LENGTH_MASK);
}

static void *make_inline_text(const char *ptr, size_t len)
{
    uintptr_t bits = INLINE_BIT | INLINE_TEXT_BIT | ((uintptr_t)len << INLINE_LENGTH_SHIFT);
    for (size_t index = 0; index < len; index++)
        bits |= (uintptr_t)(unsigned char)ptr[index] << (8 * (index + 1));
    return (void *)bits;
}

static void inline_text_copy(const void *value, char *out)
{
    uintptr_t bits = value_bits(value);
    size_t len = inline_text_length(value);
    for (size_t index = 0; index < len; index++)
        out[index] = (char)(bits >> (8 * (index + 1)));
}

/* ---- heap blocks ---- */

static inline size_t block_header_size(const unsigned char *block)
{
    return block[0] == LONG_HEADER_MARK ? LONG_HEADER_SIZE : SHORT_HEADER_SIZE;
}

static inline size_t block_length(const unsigned char *block)
{
    if (block[0] != LONG_HEADER_MARK)
        return block[0];
    uint64_t length;
    memcpy(&length, block + 1, sizeof length);
    return (size_t)length;
}

static inline char *block_bytes(unsigned char *block)
{
    return (char *)block + block_header_size(block);
}

static void block_set_length(unsigned char *block, size_t length)
{
    if (block[0] != LONG_HEADER_MARK) {
        block[0] = (unsigned char)length;
    } else {
        uint64_t stored = length;
        memcpy(block + 1, &stored, sizeof stored);
    }
}

/* Room for bytes in block, as far as its header can describe. */
static size_t block_capacity(const unsigned char *block)
{
    size_t header = block_header_size(block);
    size_t room = dblite_alloc_size(block) - header;
    if (header == SHORT_HEADER_SIZE && room > SHORT_HEADER_MAX_LENGTH)
        room = SHORT_HEADER_MAX_LENGTH;
    return room;
}

/* A block able to hold capacity bytes, with length recorded (bytes unset). */
static unsigned char *block_allocate(size_t capacity, size_t length)
{
    size_t header = capacity <= SHORT_HEADER_MAX_LENGTH ? SHORT_HEADER_SIZE : LONG_HEADER_SIZE;
    if (capacity > SIZE_MAX - header)
        return NULL;
    unsigned char *block = dblite_alloc(header + capacity);
    if (block == NULL)
        return NULL;
    block[0] = header == SHORT_HEADER_SIZE ? 0 : LONG_HEADER_MARK;
    block_set_length(block, length);
    return block;
}

static void *block_create(const char *ptr, size_t len)
{
    unsigned char *block = block_allocate(len, len);
    if (block != NULL && len > 0)
        memcpy(block_bytes(block), ptr, len);
    return block;
}

/* ---- public functions ---- */

static int looks_like_integer(const char *ptr, size_t len)
{
    return len > 0 && len <= INTEGER_TEXT_MAX_LENGTH &&
           (ptr[0] == '-' || (ptr[0] >= '0' && ptr[0] <= '9'));
}

void *string_value_create(const char *ptr, size_t len)
{
    if (looks_like_integer(ptr, len)) {
        long long number;
        dblite_bytes text = {ptr, len};
        if (dblite_parse_long_long(text, &number) == DBLITE_OK && number >= INLINE_INTEGER_MIN &&
            number <= INLINE_INTEGER_MAX)
            return make_inline_integer(number);
    }
    if (len <= INLINE_TEXT_CAPACITY)
        return make_inline_text(ptr, len);
    return block_create(ptr, len);
}

void *string_value_from_integer(long long number)
{
    if (number >= INLINE_INTEGER_MIN && number <= INLINE_INTEGER_MAX)
        return make_inline_integer(number);
    char text[DBLITE_LONG_LONG_TEXT_SIZE];
    size_t len = dblite_format_long_long(text, sizeof text, number);
    return block_create(text, len);
}

void *string_value_create_sent_as_integer(const char *ptr, size_t len)
{
    unsigned char *block = block_create(ptr, len);
    if (block == NULL)
        return NULL;
    return (void *)(value_bits(block) | SENT_AS_INTEGER_BIT);
}

int string_value_sent_as_integer(const void *value)
{
    return is_sent_as_integer(value);
}

dblite_bytes string_value_bytes(const void *value, char scratch[STRING_VALUE_SCRATCH_SIZE])
{
    dblite_bytes bytes;
    if (!is_inline(value)) {
        unsigned char *block = value_block(value);
        bytes.ptr = block_bytes(block);
        bytes.len = block_length(block);
    } else if (is_inline_integer(value)) {
        bytes.ptr = scratch;
        bytes.len =
            dblite_format_long_long(scratch, STRING_VALUE_SCRATCH_SIZE, inline_integer(value));
    } else {
        inline_text_copy(value, scratch);
        bytes.ptr = scratch;
        bytes.len = inline_text_length(value);
    }
    return bytes;
}

size_t string_value_length(const void *value)
{
    if (!is_inline(value))
        return block_length(value_block(value));
    if (is_inline_text(value))
        return inline_text_length(value);
    char scratch[DBLITE_LONG_LONG_TEXT_SIZE];
    return dblite_format_long_long(scratch, sizeof scratch, inline_integer(value));
}

int string_value_to_integer(const void *value, long long *number)
{
    if (is_inline_integer(value)) {
        *number = inline_integer(value);
        return DBLITE_OK;
    }
    char scratch[STRING_VALUE_SCRATCH_SIZE];
    dblite_bytes bytes = string_value_bytes(value, scratch);
    if (!looks_like_integer(bytes.ptr, bytes.len))
        return DBLITE_ERR_INVALID;
    return dblite_parse_long_long(bytes, number) == DBLITE_OK ? DBLITE_OK : DBLITE_ERR_INVALID;
}

int string_value_to_long_double(const void *value, long double *number)
{
    if (is_inline_integer(value)) {
        *number = (long double)inline_integer(value);
        return DBLITE_OK;
    }
    char scratch[STRING_VALUE_SCRATCH_SIZE];
    dblite_bytes bytes = string_value_bytes(value, scratch);
    return dblite_parse_long_double(bytes, number) == DBLITE_OK ? DBLITE_OK : DBLITE_ERR_INVALID;
}

/* Room to reserve for a value that is being edited and reached length. */
static size_t grown_capacity(size_t length)
{
    if (length < GROWTH_DOUBLING_LIMIT)
        return length * 2;
    size_t step = length >> GROWTH_FRACTION_SHIFT;
    if (step < GROWTH_DOUBLING_LIMIT)
        step = GROWTH_DOUBLING_LIMIT;
    if (length > SIZE_MAX - step - LONG_HEADER_SIZE)
        return length;
    return length + step;
}

/* Lay out old bytes, a zero gap up to offset, then the new bytes. */
static void write_spliced(char *out, dblite_bytes old, size_t offset, const char *ptr, size_t len)
{
    if (old.len > 0)
        memcpy(out, old.ptr, old.len);
    if (offset > old.len)
        memset(out + old.len, 0, offset - old.len);
    if (len > 0)
        memcpy(out + offset, ptr, len);
}

/* Writes the edit into a block that has room for new_length bytes. */
static void *splice_in_place(unsigned char *block, size_t old_length, size_t new_length,
                             size_t offset, const char *ptr, size_t len)
{
    char *bytes = block_bytes(block);
    if (offset > old_length)
        memset(bytes + old_length, 0, offset - old_length);
    if (len > 0)
        memcpy(bytes + offset, ptr, len);
    block_set_length(block, new_length);
    return block;
}

void *string_value_splice(void *value, size_t offset, const char *ptr, size_t len)
{
    size_t old_length = value != NULL ? string_value_length(value) : 0;
    size_t end = offset + len;
    size_t new_length = end > old_length ? end : old_length;

    /* A marked value is never edited in place: the edit yields a new,
     * unmarked value, since the text may no longer be the integer sent. */
    int editable = value != NULL && !is_inline(value) && !is_sent_as_integer(value);
    if (editable) {
        unsigned char *block = value;
        if (new_length <= block_capacity(block))
            return splice_in_place(block, old_length, new_length, offset, ptr, len);
        /* A block whose header already holds any length grows in place (for
         * big blocks realloc moves pages instead of copying bytes). */
        size_t capacity = grown_capacity(new_length);
        if (block[0] == LONG_HEADER_MARK && capacity <= SIZE_MAX - LONG_HEADER_SIZE) {
            unsigned char *grown = dblite_realloc(block, LONG_HEADER_SIZE + capacity);
            if (grown == NULL)
                return NULL;
            return splice_in_place(grown, old_length, new_length, offset, ptr, len);
        }
    }

    char scratch[STRING_VALUE_SCRATCH_SIZE];
    dblite_bytes old = {"", 0};
    if (value != NULL)
        old = string_value_bytes(value, scratch);

    void *result;
    if (new_length <= INLINE_TEXT_CAPACITY) {
        char small[INLINE_TEXT_CAPACITY];
        write_spliced(small, old, offset, ptr, len);
        result = string_value_create(small, new_length);
    } else {
        /* A brand-new key gets exactly its size; an edited one gets spare room. */
        size_t capacity = value != NULL ? grown_capacity(new_length) : new_length;
        unsigned char *block = block_allocate(capacity, new_length);
        if (block != NULL)
            write_spliced(block_bytes(block), old, offset, ptr, len);
        result = block;
    }
    if (result != NULL && value != NULL)
        string_value_free(value);
    return result;
}

void *string_value_make_writable(void *value, size_t length, char **bytes)
{
    if (value != NULL && !is_inline(value) && !is_sent_as_integer(value)) {
        unsigned char *block = value;
        size_t old_length = block_length(block);
        if (length <= old_length) {
            *bytes = block_bytes(block);
            return block;
        }
        if (length <= block_capacity(block)) {
            splice_in_place(block, old_length, length, length, NULL, 0);
            *bytes = block_bytes(block);
            return block;
        }
        size_t capacity = grown_capacity(length);
        if (block[0] == LONG_HEADER_MARK && capacity <= SIZE_MAX - LONG_HEADER_SIZE) {
            unsigned char *grown = dblite_realloc(block, LONG_HEADER_SIZE + capacity);
            if (grown == NULL)
                return NULL;
            splice_in_place(grown, old_length, length, length, NULL, 0);
            *bytes = block_bytes(grown);
            return grown;
        }
        /* A short header cannot describe the new length: a new block. */
    }
    char scratch[STRING_VALUE_SCRATCH_SIZE];
    dblite_bytes old = {"", 0};
    if (value != NULL)
        old = string_value_bytes(value, scratch);
    size_t new_length = length > old.len ? length : old.len;
    /* A brand-new key gets exactly its size; an edited one gets spare room. */
    size_t capacity = value != NULL ? grown_capacity(new_length) : new_length;
    unsigned char *block = block_allocate(capacity, new_length);
    if (block == NULL)
        return NULL;
    write_spliced(block_bytes(block), old, new_length, NULL, 0);
    if (value != NULL)
        string_value_free(value);
    *bytes = block_bytes(block);
    return block;
}

void string_value_free(void *value)
{
    if (!is_inline(value))
        dblite_free(value_block(value));
}

void *string_value_copy(const void *value)
{
    if (is_inline(value))
        return (void *)value;
    unsigned char *block = value_block(value);
    unsigned char *copy = block_create(block_bytes(block), block_length(block));
    if (copy == NULL || !is_sent_as_integer(value))
        return copy;
    return (void *)(value_bits(copy) | SENT_AS_INTEGER_BIT);
}

size_t string_value_memory_usage(const void *value)
{
    return is_inline(value) ? 0 : dblite_alloc_size(value_block(value));
}

/* Longest text Redis embeds in its object header (OBJ_ENCODING_EMBSTR). */
#define EMBEDDED_STRING_MAX_LENGTH 44

/* OBJECT ENCODING in Redis's words, from what the text is: a canonical
 * 64-bit integer is "int", other text "embstr" up to 44 bytes and "raw"
 * past that, as Redis encodes a value SET stores.  Redis also answers "raw"
 * for a short value APPEND or SETRANGE edited; this layout does not keep
 * that history. */
const char *string_value_encoding(const void *value)
{
    long long number;
    if (string_value_to_integer(value, &number) == DBLITE_OK)
        return "int";
    return string_value_length(value) <= EMBEDDED_STRING_MAX_LENGTH ? "embstr" : "raw";
}
