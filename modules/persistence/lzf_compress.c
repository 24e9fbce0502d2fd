/*
 * lzf_compress.c - LZF compression (the format lzf.c decodes), as Redis
 * compresses RDB strings under rdbcompression yes.
 *
 * Greedy: at each position the last position with the same three bytes
 * (from a hash table) is tried as a back reference; a match is extended as
 * far as the format allows (264 bytes, 8 KiB back), everything else goes
 * out as literal runs of up to 32 bytes.  The table is never cleared: an
 * entry left by an earlier string or position is only used after its bytes
 * are compared in the current input, so a stale entry costs a miss, never
 * a wrong reference.
 */
#include "lzf.h"

#include <stdint.h>
#include <string.h>

#define MAX_LITERAL_RUN 32
#define MAX_DISTANCE 8192
#define MIN_MATCH 3
#define MAX_MATCH (7 + 255 + 2)

static inline uint32_t hash3(const unsigned char *p)
{
    uint32_t v = ((uint32_t)p[0] << 16) | ((uint32_t)p[1] << 8) | p[2];
    return (v * 2654435761u) >> (32 - LZF_HASH_BITS);
}

/* The literal bytes in runs; 0, or -1 when out is full. */
static int put_literals(const unsigned char *bytes, size_t count, unsigned char *out,
                        size_t out_length, size_t *op)
{
    while (count > 0) {
        size_t run = count < MAX_LITERAL_RUN ? count : MAX_LITERAL_RUN;
        if (out_length - *op < run + 1)
            return -1;
        out[(*op)++] = (unsigned char)(run - 1);
        memcpy(out + *op, bytes, run);
        *op += run;
        bytes += run;
        count -= run;
    }
    return 0;
}

/* A back reference of length (3..264) to distance (1..8192) bytes back. */
static int put_reference(size_t length, size_t distance, unsigned char *out, size_t out_length,
                         size_t *op)
{
    size_t code = length - 2, offset = distance - 1;
    if (code < 7) {
        if (out_length - *op < 2)
            return -1;
        out[(*op)++] = (unsigned char)((code << 5) | (offset >> 8));
    } else {
        if (out_length - *op < 3)
            return -1;
        out[(*op)++] = (unsigned char)((7 << 5) | (offset >> 8));
        out[(*op)++] = (unsigned char)(code - 7);
    }
    out[(*op)++] = (unsigned char)(offset & 0xff);
    return 0;
}

size_t lzf_compress(const unsigned char *input, size_t input_length, unsigned char *output,
                    size_t output_length, uint32_t *table)
{
    if (input_length == 0 || input_length > UINT32_MAX)
        return 0;
    size_t ip = 0, op = 0, literals_from = 0;
    while (ip + MIN_MATCH <= input_length) {
        uint32_t slot = hash3(input + ip);
        size_t candidate = table[slot];
        table[slot] = (uint32_t)ip;
        if (candidate >= ip || ip - candidate > MAX_DISTANCE ||
            memcmp(input + candidate, input + ip, MIN_MATCH) != 0) {
            ip++;
            continue;
        }
        size_t limit = input_length - ip < MAX_MATCH ? input_length - ip : MAX_MATCH;
        size_t length = MIN_MATCH;
        while (length < limit && input[candidate + length] == input[ip + length])
            length++;
        if (put_literals(input + literals_from, ip - literals_from, output, output_length, &op) !=
                0 ||
            put_reference(length, ip - candidate, output, output_length, &op) != 0)
            return 0;
        /* Index the positions inside the match too: long repeats then
         * chain into each other. */
        for (size_t k = ip + 1; k < ip + length && k + MIN_MATCH <= input_length; k++)
            table[hash3(input + k)] = (uint32_t)k;
        ip += length;
        literals_from = ip;
    }
    if (put_literals(input + literals_from, input_length - literals_from, output, output_length,
                     &op) != 0)
        return 0;
    return op;
}
