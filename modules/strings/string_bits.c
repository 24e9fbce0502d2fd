/*
 * string_bits.c - bit offsets, counting and finding bits (see the header).
 *
 * Counting and finding walk whole 64-bit words between the two partial
 * edge bytes, so BITCOUNT and BITPOS over a 512 MB bitmap read it once at
 * memory speed; the edges are masked so a range may start and end at any
 * bit (BITCOUNT/BITPOS ... BIT).
 */
#include "string_bits.h"

#include <string.h>

#include "string_access.h"

#define BIT_OFFSET_ERROR "ERR bit offset is not an integer or out of range"
#define WORD_SIZE sizeof(uint64_t)
/* proto-max-bulk-len is never below 1 MB: offsets within it need no look
 * at the setting. */
#define SMALLEST_MAX_LENGTH (1LL << 20)

int string_bit_offset_or_reply(dblite_ctx *ctx, dblite_bytes arg, int field_bits, uint64_t *offset)
{
    int counted_in_fields = field_bits > 0 && arg.len > 0 && arg.ptr[0] == '#';
    if (counted_in_fields) {
        arg.ptr++;
        arg.len--;
    }
    long long number;
    if (dblite_parse_long_long(arg, &number) != DBLITE_OK) {
        dblite_reply_error(ctx, BIT_OFFSET_ERROR);
        return DBLITE_ERR;
    }
    if (counted_in_fields && __builtin_mul_overflow(number, (long long)field_bits, &number)) {
        dblite_reply_error(ctx, BIT_OFFSET_ERROR);
        return DBLITE_ERR;
    }
    if (number < 0 ||
        ((number >> 3) >= SMALLEST_MAX_LENGTH && (number >> 3) >= string_max_length())) {
        dblite_reply_error(ctx, BIT_OFFSET_ERROR);
        return DBLITE_ERR;
    }
    *offset = (uint64_t)number;
    return DBLITE_OK;
}

/* The bits of byte index that lie in first_bit..last_bit, as a mask. */
static unsigned edge_mask(uint64_t index, uint64_t first_bit, uint64_t last_bit)
{
    unsigned mask = 0xff;
    if (index == first_bit >> 3)
        mask &= 0xffu >> (first_bit & 7);
    if (index == last_bit >> 3)
        mask &= (0xff00u >> ((last_bit & 7) + 1)) & 0xff;
    return mask;
}

long long string_bits_count(const unsigned char *bytes, uint64_t first_bit, uint64_t last_bit)
{
    uint64_t first = first_bit >> 3, last = last_bit >> 3;
    long long count = __builtin_popcount(bytes[first] & edge_mask(first, first_bit, last_bit));
    if (first == last)
        return count;
    count += __builtin_popcount(bytes[last] & edge_mask(last, first_bit, last_bit));
    uint64_t index = first + 1;
    for (; index + WORD_SIZE <= last; index += WORD_SIZE) {
        uint64_t word;
        memcpy(&word, bytes + index, WORD_SIZE);
        count += __builtin_popcountll(word);
    }
    for (; index < last; index++)
        count += __builtin_popcount(bytes[index]);
    return count;
}

/* The first position in byte index holding bit among the mask's bits, or
 * -1. */
static long long find_in_byte(unsigned char byte, uint64_t index, unsigned mask, int bit)
{
    unsigned wanted = (bit ? byte : (unsigned char)~byte) & mask;
    if (wanted == 0)
        return -1;
    return (long long)(index * 8 + (uint64_t)(__builtin_clz(wanted) - 24));
}

long long string_bits_find(const unsigned char *bytes, uint64_t first_bit, uint64_t last_bit,
                           int bit)
{
    uint64_t first = first_bit >> 3, last = last_bit >> 3;
    long long found = find_in_byte(bytes[first], first, edge_mask(first, first_bit, last_bit), bit);
    if (found >= 0 || first == last)
        return found;
    /* Whole words that hold no wanted bit are skipped at once. */
    uint64_t skip = bit ? 0 : UINT64_MAX;
    uint64_t index = first + 1;
    for (; index + WORD_SIZE <= last; index += WORD_SIZE) {
        uint64_t word;
        memcpy(&word, bytes + index, WORD_SIZE);
        if (word != skip)
            break;
    }
    for (; index < last; index++) {
        found = find_in_byte(bytes[index], index, 0xff, bit);
        if (found >= 0)
            return found;
    }
    return find_in_byte(bytes[last], last, edge_mask(last, first_bit, last_bit), bit);
}
