/*
 * hll_encoding.c - the dense and sparse HLL encodings (see the header):
 * creating, copying and checking an HLL, register updates with Redis
 * 7.0's exact in-place sparse edits (so the bytes match redis-server's
 * after the same commands), sparse to dense conversion and merging.
 *
 * Every walk over sparse opcodes is bounded by the buffer and checks that
 * the runs cover exactly 16384 registers, so corrupt bytes give an error,
 * never a write out of bounds.
 */
#include "hll_encoding.h"

#include <string.h>

#include "dblite_module.h"

/* Room kept past len: 3 bytes for the largest sparse edit (XZERO split
 * into XZERO VAL XZERO), one for the zero terminator, one spare. */
#define HLL_SLACK 5

static int buffer_reserve(hll_buffer *hll, size_t len)
{
    if (hll->capacity >= len + HLL_SLACK)
        return 0;
    size_t capacity = len + HLL_SLACK;
    uint8_t *ptr = dblite_realloc(hll->ptr, capacity);
    if (ptr == NULL)
        return -1;
    memset(ptr + hll->len, 0, capacity - hll->len);
    hll->ptr = ptr;
    hll->capacity = capacity;
    return 0;
}

static void buffer_set_length(hll_buffer *hll, size_t len)
{
    hll->len = len;
    hll->ptr[len] = 0;
}

int hll_buffer_copy(hll_buffer *hll, const char *ptr, size_t len)
{
    hll->ptr = NULL;
    hll->len = 0;
    hll->capacity = 0;
    if (buffer_reserve(hll, len) != 0)
        return -1;
    memcpy(hll->ptr, ptr, len);
    buffer_set_length(hll, len);
    return 0;
}

int hll_buffer_create_empty(hll_buffer *hll)
{
    size_t len = HLL_HDR_SIZE +
                 ((HLL_REGISTERS + (HLL_SPARSE_XZERO_MAX_LEN - 1)) / HLL_SPARSE_XZERO_MAX_LEN) * 2;
    hll->ptr = NULL;
    hll->len = 0;
    hll->capacity = 0;
    if (buffer_reserve(hll, len) != 0)
        return -1;
    memset(hll->ptr, 0, len);
    memcpy(hll->ptr, "HYLL", 4);
    hll->ptr[HLL_ENCODING_OFFSET] = HLL_SPARSE;
    uint8_t *p = hll->ptr + HLL_HDR_SIZE;
    int remaining = HLL_REGISTERS;
    while (remaining > 0) {
        int run = remaining < HLL_SPARSE_XZERO_MAX_LEN ? remaining : HLL_SPARSE_XZERO_MAX_LEN;
        p[0] = (uint8_t)(((run - 1) >> 8) | 0x40);
        p[1] = (uint8_t)((run - 1) & 0xff);
        p += 2;
        remaining -= run;
    }
    buffer_set_length(hll, len);
    return 0;
}

void hll_buffer_release(hll_buffer *hll)
{
    dblite_free(hll->ptr);
    hll->ptr = NULL;
    hll->len = 0;
    hll->capacity = 0;
}

int hll_bytes_are_valid(const char *ptr, size_t len)
{
    if (ptr == NULL || len < HLL_HDR_SIZE)
        return 0;
    if (memcmp(ptr, "HYLL", 4) != 0)
        return 0;
    uint8_t encoding = (uint8_t)ptr[HLL_ENCODING_OFFSET];
    if (encoding > HLL_MAX_ENCODING)
        return 0;
    if (encoding == HLL_DENSE && len != HLL_DENSE_SIZE)
        return 0;
    return 1;
}

void hll_invalidate_cache(hll_buffer *hll)
{
    hll->ptr[HLL_CARD_OFFSET + 7] |= (1 << 7);
}

int hll_cached_cardinality(const hll_buffer *hll, uint64_t *card)
{
    const uint8_t *bytes = hll->ptr + HLL_CARD_OFFSET;
    if (bytes[7] & (1 << 7))
        return 0;
    uint64_t value = 0;
    for (int i = 7; i >= 0; i--)
        value = (value << 8) | bytes[i];
    *card = value;
    return 1;
}

void hll_set_cached_cardinality(hll_buffer *hll, uint64_t card)
{
    uint8_t *bytes = hll->ptr + HLL_CARD_OFFSET;
    for (int i = 0; i < 8; i++)
        bytes[i] = (uint8_t)((card >> (8 * i)) & 0xff);
}

uint8_t hll_dense_get(const uint8_t *regs, long index)
{
    unsigned long byte = (unsigned long)index * HLL_BITS / 8;
    unsigned long fb = (unsigned long)index * HLL_BITS & 7;
    unsigned long fb8 = 8 - fb;
    unsigned long b0 = regs[byte];
    unsigned long b1 = regs[byte + 1];
    return (uint8_t)(((b0 >> fb) | (b1 << fb8)) & HLL_REGISTER_MAX);
}

void hll_dense_put(uint8_t *regs, long index, uint8_t value)
{
    unsigned long byte = (unsigned long)index * HLL_BITS / 8;
    unsigned long fb = (unsigned long)index * HLL_BITS & 7;
    unsigned long fb8 = 8 - fb;
    unsigned long v = value;
    regs[byte] &= (uint8_t) ~(HLL_REGISTER_MAX << fb);
    regs[byte] |= (uint8_t)(v << fb);
    regs[byte + 1] &= (uint8_t) ~(HLL_REGISTER_MAX >> fb8);
    regs[byte + 1] |= (uint8_t)(v >> fb8);
}

int hll_dense_set(uint8_t *regs, long index, uint8_t count)
{
    if (count > hll_dense_get(regs, index)) {
        hll_dense_put(regs, index, count);
        return 1;
    }
    return 0;
}

int hll_sparse_to_dense(hll_buffer *hll)
{
    if (hll_encoding(hll) == HLL_DENSE)
        return 0;
    hll_buffer dense = {NULL, 0, 0};
    if (buffer_reserve(&dense, HLL_DENSE_SIZE) != 0)
        return -2;
    memset(dense.ptr, 0, HLL_DENSE_SIZE);
    memcpy(dense.ptr, hll->ptr, HLL_HDR_SIZE);
    dense.ptr[HLL_ENCODING_OFFSET] = HLL_DENSE;
    buffer_set_length(&dense, HLL_DENSE_SIZE);

    uint8_t *regs = hll_registers(&dense);
    const uint8_t *p = hll->ptr + HLL_HDR_SIZE, *end = hll->ptr + hll->len;
    long idx = 0;
    while (p < end) {
        if (HLL_SPARSE_IS_ZERO(p)) {
            idx += HLL_SPARSE_ZERO_LEN(p);
            p++;
        } else if (HLL_SPARSE_IS_XZERO(p)) {
            idx += HLL_SPARSE_XZERO_LEN(p);
            p += 2;
        } else {
            long runlen = HLL_SPARSE_VAL_LEN(p);
            uint8_t regval = (uint8_t)HLL_SPARSE_VAL_VALUE(p);
            if (runlen + idx > HLL_REGISTERS) {
                idx = -1; /* overflow: Redis's hllSparseToDense fails at once */
                break;
            }
            while (runlen--)
                hll_dense_put(regs, idx++, regval);
            p++;
        }
    }
    if (idx != HLL_REGISTERS) {
        hll_buffer_release(&dense);
        return -1;
    }
    hll_buffer_release(hll);
    *hll = dense;
    return 0;
}

static void sparse_val_set(uint8_t *p, int value, int len)
{
    *p = (uint8_t)((((value)-1) << 2 | ((len)-1)) | 0x80);
}

/* A ZERO or XZERO run of len registers at n; returns the bytes written. */
static int sparse_zero_run(uint8_t *n, int len)
{
    if (len > HLL_SPARSE_ZERO_MAX_LEN) {
        n[0] = (uint8_t)(((len - 1) >> 8) | 0x40);
        n[1] = (uint8_t)((len - 1) & 0xff);
        return 2;
    }
    n[0] = (uint8_t)(len - 1);
    return 1;
}

/* Redis's hllSparseSet step 4: merge adjacent VAL opcodes of the same
 * value, scanning up to 5 opcodes from start. */
static void sparse_merge_adjacent(hll_buffer *hll, uint8_t *start)
{
    uint8_t *p = start, *end = hll->ptr + hll->len;
    int scanlen = 5;
    while (p < end && scanlen--) {
        if (HLL_SPARSE_IS_XZERO(p)) {
            p += 2;
            continue;
        } else if (HLL_SPARSE_IS_ZERO(p)) {
            p++;
            continue;
        }
        if (p + 1 < end && HLL_SPARSE_IS_VAL(p + 1)) {
            int v1 = HLL_SPARSE_VAL_VALUE(p);
            int v2 = HLL_SPARSE_VAL_VALUE(p + 1);
            if (v1 == v2) {
                int len = HLL_SPARSE_VAL_LEN(p) + HLL_SPARSE_VAL_LEN(p + 1);
                if (len <= HLL_SPARSE_VAL_MAX_LEN) {
                    sparse_val_set(p + 1, v1, len);
                    memmove(p, p + 1, (size_t)(end - p));
                    buffer_set_length(hll, hll->len - 1);
                    end--;
                    continue;
                }
            }
        }
        p++;
    }
}

static int sparse_promote_and_set(hll_buffer *hll, long index, uint8_t count, int *oom)
{
    int status = hll_sparse_to_dense(hll);
    if (status != 0) {
        if (status == -2)
            *oom = 1;
        return -1;
    }
    return hll_dense_set(hll_registers(hll), index, count);
}

static int sparse_set(hll_buffer *hll, long index, uint8_t count, long long sparse_max_bytes,
                      int *oom)
{
    if (count > HLL_SPARSE_VAL_MAX_VALUE)
        return sparse_promote_and_set(hll, index, count, oom);
    if (buffer_reserve(hll, hll->len + 3) != 0) {
        *oom = 1;
        return -1;
    }

    /* Step 1: find the opcode covering index. */
    uint8_t *sparse = hll->ptr + HLL_HDR_SIZE, *p = sparse, *end = hll->ptr + hll->len;
    uint8_t *prev = NULL, *next;
    long first = 0, span = 0;
    while (p < end) {
        long oplen = 1;
        if (HLL_SPARSE_IS_ZERO(p)) {
            span = HLL_SPARSE_ZERO_LEN(p);
        } else if (HLL_SPARSE_IS_VAL(p)) {
            span = HLL_SPARSE_VAL_LEN(p);
        } else {
            span = HLL_SPARSE_XZERO_LEN(p);
            oplen = 2;
        }
        if (index <= first + span - 1)
            break;
        prev = p;
        p += oplen;
        first += span;
    }
    if (span == 0 || p >= end)
        return -1; /* invalid format */

    next = HLL_SPARSE_IS_XZERO(p) ? p + 2 : p + 1;
    if (next >= end)
        next = NULL;

    int is_zero = 0, is_xzero = 0, is_val = 0;
    long runlen;
    if (HLL_SPARSE_IS_ZERO(p)) {
        is_zero = 1;
        runlen = HLL_SPARSE_ZERO_LEN(p);
    } else if (HLL_SPARSE_IS_XZERO(p)) {
        is_xzero = 1;
        runlen = HLL_SPARSE_XZERO_LEN(p);
    } else {
        is_val = 1;
        runlen = HLL_SPARSE_VAL_LEN(p);
    }

    /* Step 2: the trivial in-place cases A, B and C. */
    int updated_in_place = 0;
    if (is_val) {
        int oldcount = HLL_SPARSE_VAL_VALUE(p);
        if (oldcount >= count)
            return 0;
        if (runlen == 1) {
            sparse_val_set(p, count, 1);
            updated_in_place = 1;
        }
    }
    if (!updated_in_place && is_zero && runlen == 1) {
        sparse_val_set(p, count, 1);
        updated_in_place = 1;
    }

    if (!updated_in_place) {
        /* Case D: split the opcode into up to three. */
        uint8_t seq[5], *n = seq;
        long last = first + span - 1;
        if (is_zero || is_xzero) {
            if (index != first)
                n += sparse_zero_run(n, (int)(index - first));
            sparse_val_set(n++, count, 1);
            if (index != last)
                n += sparse_zero_run(n, (int)(last - index));
        } else {
            int curval = HLL_SPARSE_VAL_VALUE(p);
            if (index != first)
                sparse_val_set(n++, curval, (int)(index - first));
            sparse_val_set(n++, count, 1);
            if (index != last)
                sparse_val_set(n++, curval, (int)(last - index));
        }

        /* Step 3: put the new sequence in place of the old opcode. */
        long seqlen = n - seq;
        long oldlen = is_xzero ? 2 : 1;
        long deltalen = seqlen - oldlen;
        if (deltalen > 0 && (long long)hll->len + deltalen > sparse_max_bytes)
            return sparse_promote_and_set(hll, index, count, oom);
        if (deltalen != 0 && next != NULL)
            memmove(next + deltalen, next, (size_t)(end - next));
        buffer_set_length(hll, (size_t)((long)hll->len + deltalen));
        memcpy(p, seq, (size_t)seqlen);
    }

    /* Step 4: merge adjacent values, then drop the cached cardinality. */
    sparse_merge_adjacent(hll, prev != NULL ? prev : sparse);
    hll_invalidate_cache(hll);
    return 1;
}

int hll_set(hll_buffer *hll, long index, uint8_t count, long long sparse_max_bytes, int *oom)
{
    switch (hll_encoding(hll)) {
        case HLL_DENSE:
            return hll_dense_set(hll_registers(hll), index, count);
        case HLL_SPARSE:
            return sparse_set(hll, index, count, sparse_max_bytes, oom);
        default:
            return -1;
    }
}

int hll_merge_into(uint8_t max[HLL_REGISTERS], const hll_buffer *hll)
{
    const uint8_t *regs = hll->ptr + HLL_HDR_SIZE;
    if (hll_encoding(hll) == HLL_DENSE) {
        for (long i = 0; i < HLL_REGISTERS; i++) {
            uint8_t val = hll_dense_get(regs, i);
            if (val > max[i])
                max[i] = val;
        }
        return 0;
    }
    const uint8_t *p = regs, *end = hll->ptr + hll->len;
    long i = 0;
    while (p < end) {
        if (HLL_SPARSE_IS_ZERO(p)) {
            i += HLL_SPARSE_ZERO_LEN(p);
            p++;
        } else if (HLL_SPARSE_IS_XZERO(p)) {
            i += HLL_SPARSE_XZERO_LEN(p);
            p += 2;
        } else {
            long runlen = HLL_SPARSE_VAL_LEN(p);
            uint8_t regval = (uint8_t)HLL_SPARSE_VAL_VALUE(p);
            if (runlen + i > HLL_REGISTERS)
                return -1; /* overflow: Redis's hllMerge fails at once */
            while (runlen--) {
                if (regval > max[i])
                    max[i] = regval;
                i++;
            }
            p++;
        }
    }
    return i == HLL_REGISTERS ? 0 : -1;
}
