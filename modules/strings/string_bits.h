/*
 * string_bits.h - what the bit commands (SETBIT GETBIT BITCOUNT BITPOS
 * BITOP BITFIELD) share: reading a bit offset argument with Redis's limits,
 * and counting or finding bits in a range of a byte string.
 *
 * Bits are numbered as Redis numbers them: bit 0 is the most significant
 * bit of the first byte, so a bitmap reads left to right as written.
 */
#ifndef STRINGS_STRING_BITS_H
#define STRINGS_STRING_BITS_H

#include <stddef.h>
#include <stdint.h>

#include "dblite_module.h"

/* Reads a bit offset as Redis's getBitOffsetFromArgument: a canonical
 * integer, not negative, whose byte (offset / 8) lies below
 * proto-max-bulk-len.  With field_bits > 0 (BITFIELD) the form "#N" means
 * N * field_bits.  DBLITE_OK, or DBLITE_ERR after replying
 * "ERR bit offset is not an integer or out of range". */
int string_bit_offset_or_reply(dblite_ctx *ctx, dblite_bytes arg, int field_bits, uint64_t *offset);

/* Bits set in bytes[first_bit / 8 .. last_bit / 8], counting only bit
 * positions first_bit..last_bit (inclusive, first_bit <= last_bit, both
 * inside the string). */
long long string_bits_count(const unsigned char *bytes, uint64_t first_bit, uint64_t last_bit);

/* The position of the first bit equal to bit (0 or 1) among positions
 * first_bit..last_bit (inclusive, inside the string), or -1 when there is
 * none. */
long long string_bits_find(const unsigned char *bytes, uint64_t first_bit, uint64_t last_bit,
                           int bit);

#endif
