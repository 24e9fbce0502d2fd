/*
 * hll_encoding.h - Redis 7.0's HyperLogLog representation, byte for byte,
 * so a value written by redis-server counts the same here and back: the
 * 16-byte "HYLL" header (encoding, three reserved bytes, the cached
 * cardinality in card[8], little endian, whose top bit marks it invalid),
 * then 16384 registers of 6 bits (dense, 12288 bytes) or the sparse run
 * opcodes ZERO 00xxxxxx, XZERO 01xxxxxx yyyyyyyy and VAL 1vvvvvxx.
 *
 * An HLL being worked on is an hll_buffer: a private, growable copy of
 * the string's bytes, always followed by at least one zero byte (Redis's
 * code reads one byte past the end, where an sds has its terminator, and
 * the same bytes must give the same answers here).
 */
#ifndef HYPERLOGLOG_HLL_ENCODING_H
#define HYPERLOGLOG_HLL_ENCODING_H

#include <stddef.h>
#include <stdint.h>

#define HLL_P 14
#define HLL_Q (64 - HLL_P)
#define HLL_REGISTERS (1 << HLL_P)
#define HLL_P_MASK (HLL_REGISTERS - 1)
#define HLL_BITS 6
#define HLL_REGISTER_MAX ((1 << HLL_BITS) - 1)
#define HLL_HDR_SIZE 16
#define HLL_DENSE_SIZE (HLL_HDR_SIZE + ((HLL_REGISTERS * HLL_BITS + 7) / 8))
#define HLL_DENSE 0
#define HLL_SPARSE 1
#define HLL_MAX_ENCODING 1

/* Header field offsets. */
#define HLL_ENCODING_OFFSET 4
#define HLL_CARD_OFFSET 8

#define HLL_SPARSE_VAL_MAX_VALUE 32
#define HLL_SPARSE_VAL_MAX_LEN 4
#define HLL_SPARSE_ZERO_MAX_LEN 64
#define HLL_SPARSE_XZERO_MAX_LEN 16384

#define HLL_SPARSE_IS_ZERO(p) (((*(p)) & 0xc0) == 0)
#define HLL_SPARSE_IS_XZERO(p) (((*(p)) & 0xc0) == 0x40)
#define HLL_SPARSE_IS_VAL(p) ((*(p)) & 0x80)
#define HLL_SPARSE_ZERO_LEN(p) (((*(p)) & 0x3f) + 1)
#define HLL_SPARSE_XZERO_LEN(p) (((((*(p)) & 0x3f) << 8) | (*((p) + 1))) + 1)
#define HLL_SPARSE_VAL_VALUE(p) ((((*(p)) >> 2) & 0x1f) + 1)
#define HLL_SPARSE_VAL_LEN(p) (((*(p)) & 0x3) + 1)

/* An HLL's bytes being read or changed; ptr[len] is always 0. */
typedef struct hll_buffer {
    uint8_t *ptr;
    size_t len;
    size_t capacity;
} hll_buffer;

/* A fresh, empty sparse HLL (Redis's createHLLObject).  0, or -1 when
 * memory runs out. */
int hll_buffer_create_empty(hll_buffer *hll);
/* A private copy of ptr[0..len).  0, or -1 when memory runs out. */
int hll_buffer_copy(hll_buffer *hll, const char *ptr, size_t len);
void hll_buffer_release(hll_buffer *hll);

/* 1 when ptr[0..len) is an HLL as Redis's isHLLObjectOrReply accepts it
 * (magic, known encoding, a dense one of exactly the dense size). */
int hll_bytes_are_valid(const char *ptr, size_t len);

static inline int hll_encoding(const hll_buffer *hll)
{
    return hll->ptr[HLL_ENCODING_OFFSET];
}

static inline uint8_t *hll_registers(hll_buffer *hll)
{
    return hll->ptr + HLL_HDR_SIZE;
}

void hll_invalidate_cache(hll_buffer *hll);
/* 1 and *card set when the cached cardinality is valid. */
int hll_cached_cardinality(const hll_buffer *hll, uint64_t *card);
void hll_set_cached_cardinality(hll_buffer *hll, uint64_t card);

/* Dense registers (regs points past the header; one byte past the last
 * register is read, so it must exist). */
uint8_t hll_dense_get(const uint8_t *regs, long index);
void hll_dense_put(uint8_t *regs, long index, uint8_t value);
/* Raises register index to count: 1 when it changed, 0 otherwise. */
int hll_dense_set(uint8_t *regs, long index, uint8_t count);

/* Raises register index of an HLL of either encoding to count, as Redis's
 * hllSparseSet / hllDenseSet: a sparse HLL that would grow past
 * sparse_max_bytes, or needs a value above 32, becomes dense.  1 when it
 * changed, 0 when not, -1 for a corrupt HLL or no memory (*oom set). */
int hll_set(hll_buffer *hll, long index, uint8_t count, long long sparse_max_bytes, int *oom);

/* Converts a sparse HLL to dense (nothing for a dense one).  0, -1 for a
 * corrupt sparse HLL, -2 when memory runs out. */
int hll_sparse_to_dense(hll_buffer *hll);

/* max[i] = MAX(max[i], register i) over the HLL's registers, as Redis's
 * hllMerge.  0, or -1 for a corrupt sparse HLL. */
int hll_merge_into(uint8_t max[HLL_REGISTERS], const hll_buffer *hll);

#endif
