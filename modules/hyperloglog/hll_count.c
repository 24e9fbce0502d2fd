/*
 * hll_count.c - Redis 7.0's hash (MurmurHash64A, seed 0xadc83b19, 14 bits
 * of register index) and its estimator: Otmar Ertl's improved raw
 * estimator over the register histogram (hllSigma, hllTau), so the counts
 * are the very numbers redis-server answers.
 */
#include "hll_count.h"

#include <math.h>
#include <string.h>

#define HLL_HASH_SEED 0xadc83b19U
#define HLL_ALPHA_INF 0.721347520444481703680 /* 0.5 / ln(2) */
/* Histogram slots: values reach HLL_Q + 1 at most in a sane HLL, but a
 * dense register can hold up to 63, so the table covers every 6-bit value. */
#define HLL_HISTOGRAM_SIZE 64

uint64_t hll_murmurhash64a(const void *key, int len, unsigned int seed)
{
    const uint64_t m = 0xc6a4a7935bd1e995ULL;
    const int r = 47;
    uint64_t h = seed ^ ((uint64_t)len * m);
    const uint8_t *data = (const uint8_t *)key;
    const uint8_t *end = data + (len - (len & 7));

    while (data != end) {
        uint64_t k = 0;
        /* Little endian, as Redis reads the words on x86 and ARM. */
        for (int i = 7; i >= 0; i--)
            k = (k << 8) | data[i];
        k *= m;
        k ^= k >> r;
        k *= m;
        h ^= k;
        h *= m;
        data += 8;
    }

    switch (len & 7) {
        case 7:
            h ^= (uint64_t)data[6] << 48;
            /* fall through */
        case 6:
            h ^= (uint64_t)data[5] << 40;
            /* fall through */
        case 5:
            h ^= (uint64_t)data[4] << 32;
            /* fall through */
        case 4:
            h ^= (uint64_t)data[3] << 24;
            /* fall through */
        case 3:
            h ^= (uint64_t)data[2] << 16;
            /* fall through */
        case 2:
            h ^= (uint64_t)data[1] << 8;
            /* fall through */
        case 1:
            h ^= (uint64_t)data[0];
            h *= m;
            break;
        default:
            break;
    }

    h ^= h >> r;
    h *= m;
    h ^= h >> r;
    return h;
}

int hll_pattern_length(const unsigned char *element, size_t size, long *index)
{
    uint64_t hash = hll_murmurhash64a(element, (int)size, HLL_HASH_SEED);
    *index = (long)(hash & HLL_P_MASK);
    hash >>= HLL_P;
    hash |= ((uint64_t)1 << HLL_Q); /* the loop ends, count <= Q + 1 */
    uint64_t bit = 1;
    int count = 1;
    while ((hash & bit) == 0) {
        count++;
        bit <<= 1;
    }
    return count;
}

static void sparse_histogram(const uint8_t *sparse, size_t len, int *invalid, int *histogram)
{
    long idx = 0;
    const uint8_t *end = sparse + len, *p = sparse;
    while (p < end) {
        long runlen;
        if (HLL_SPARSE_IS_ZERO(p)) {
            runlen = HLL_SPARSE_ZERO_LEN(p);
            histogram[0] += (int)runlen;
            p++;
        } else if (HLL_SPARSE_IS_XZERO(p)) {
            runlen = HLL_SPARSE_XZERO_LEN(p);
            histogram[0] += (int)runlen;
            p += 2;
        } else {
            runlen = HLL_SPARSE_VAL_LEN(p);
            histogram[HLL_SPARSE_VAL_VALUE(p)] += (int)runlen;
            p++;
        }
        idx += runlen;
    }
    if (idx != HLL_REGISTERS && invalid != NULL)
        *invalid = 1;
}

static double hll_sigma(double x)
{
    if (x == 1.)
        return INFINITY;
    double z_prime;
    double y = 1;
    double z = x;
    do {
        x *= x;
        z_prime = z;
        z += x * y;
        y += y;
    } while (z_prime != z);
    return z;
}

static double hll_tau(double x)
{
    if (x == 0. || x == 1.)
        return 0.;
    double z_prime;
    double y = 1.0;
    double z = 1 - x;
    do {
        x = sqrt(x);
        z_prime = z;
        y *= 0.5;
        z -= pow(1 - x, 2) * y;
    } while (z_prime != z);
    return z / 3;
}

static uint64_t estimate(const int *histogram)
{
    double m = HLL_REGISTERS;
    double z = m * hll_tau((m - histogram[HLL_Q + 1]) / m);
    for (int j = HLL_Q; j >= 1; --j) {
        z += histogram[j];
        z *= 0.5;
    }
    z += m * hll_sigma(histogram[0] / m);
    /* As Redis: the rounded value goes through a double on its way to the
     * unsigned result (z is 0 for some corrupt dense HLLs; the infinity
     * rounds to LLONG_MIN there, and the same bits come out here). */
    long long rounded = llroundl(HLL_ALPHA_INF * m * m / z);
    double e = (double)rounded;
    return e < 0 ? (uint64_t)rounded : (uint64_t)e;
}

uint64_t hll_count(const hll_buffer *hll, int *invalid)
{
    int histogram[HLL_HISTOGRAM_SIZE];
    memset(histogram, 0, sizeof histogram);
    const uint8_t *regs = hll->ptr + HLL_HDR_SIZE;
    if (hll->ptr[HLL_ENCODING_OFFSET] == HLL_DENSE) {
        for (long j = 0; j < HLL_REGISTERS; j++)
            histogram[hll_dense_get(regs, j)]++;
    } else {
        sparse_histogram(regs, hll->len - HLL_HDR_SIZE, invalid, histogram);
    }
    return estimate(histogram);
}

uint64_t hll_count_raw(const uint8_t registers[HLL_REGISTERS])
{
    int histogram[HLL_HISTOGRAM_SIZE];
    memset(histogram, 0, sizeof histogram);
    for (long j = 0; j < HLL_REGISTERS; j++)
        histogram[registers[j] & (HLL_HISTOGRAM_SIZE - 1)]++;
    return estimate(histogram);
}
