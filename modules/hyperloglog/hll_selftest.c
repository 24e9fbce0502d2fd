/*
 * hll_selftest.c - PFSELFTEST, Redis's built-in check of the HLL code:
 * random values written to every dense register must read back the same,
 * and unique elements added to a dense and a sparse HLL side by side must
 * give the same estimate, within six standard errors of the truth, at
 * every power of ten (Redis goes to 10M elements; 1M here keeps the
 * command short, the checkpoints are the same up to it).
 */
#include <math.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#include "hll_count.h"
#include "hll_encoding.h"
#include "hyperloglog.h"

#define SELFTEST_REGISTER_CYCLES 1000
#define SELFTEST_ELEMENTS 1000000

static uint64_t next_random(uint64_t *state)
{
    /* xorshift64*: any decent generator will do. */
    uint64_t x = *state;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    *state = x;
    return x * 0x2545F4914F6CDD1DULL;
}

/* Test 1; 0, or 1 after replying the failure. */
static int test_registers(dblite_ctx *ctx, uint8_t *regs, uint8_t *expected, uint64_t *random)
{
    for (int cycle = 0; cycle < SELFTEST_REGISTER_CYCLES; cycle++) {
        for (long i = 0; i < HLL_REGISTERS; i++) {
            uint8_t r = (uint8_t)(next_random(random) & HLL_REGISTER_MAX);
            expected[i] = r;
            hll_dense_put(regs, i, r);
        }
        for (long i = 0; i < HLL_REGISTERS; i++) {
            uint8_t val = hll_dense_get(regs, i);
            if (val != expected[i]) {
                dblite_reply_error_format(ctx,
                                          "TESTFAILED Register error, bytecounter[%ld] = %d, "
                                          "HLL_DENSE_GET_REGISTER = %d",
                                          i, (int)expected[i], (int)val);
                return 1;
            }
        }
    }
    return 0;
}

/* Test 2; 0, or 1 after replying the failure. */
static int test_estimates(dblite_ctx *ctx, hll_buffer *dense, hll_buffer *sparse, uint64_t *random)
{
    long long sparse_max_bytes = hyperloglog_state_of(ctx)->sparse_max_bytes;
    double relerr = 1.04 / sqrt(HLL_REGISTERS);
    long long checkpoint = 1;
    uint64_t seed = next_random(random);
    for (long long j = 1; j <= SELFTEST_ELEMENTS; j++) {
        uint64_t element = (uint64_t)j ^ seed;
        long index;
        int count = hll_pattern_length((const unsigned char *)&element, sizeof element, &index);
        hll_dense_set(hll_registers(dense), index, (uint8_t)count);
        int oom = 0;
        if (hll_set(sparse, index, (uint8_t)count, sparse_max_bytes, &oom) < 0) {
            dblite_reply_error(ctx, oom ? "ERR out of memory" : "TESTFAILED sparse update failed");
            return 1;
        }
        if (j != checkpoint)
            continue;
        if (j < sparse_max_bytes / 2 && hll_encoding(sparse) != HLL_SPARSE) {
            dblite_reply_error(ctx, "TESTFAILED sparse encoding not used");
            return 1;
        }
        uint64_t dense_card = hll_count(dense, NULL);
        if (dense_card != hll_count(sparse, NULL)) {
            dblite_reply_error(ctx, "TESTFAILED dense/sparse disagree");
            return 1;
        }
        long long abserr = checkpoint - (long long)dense_card;
        long long maxerr = (long long)ceil(relerr * 6 * (double)checkpoint);
        if (j == 10)
            maxerr = 1;
        if (abserr < 0)
            abserr = -abserr;
        if (abserr > maxerr) {
            dblite_reply_error_format(ctx, "TESTFAILED Too big error. card:%lld abserr:%lld",
                                      checkpoint, abserr);
            return 1;
        }
        checkpoint *= 10;
    }
    return 0;
}

void hll_pfselftest_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv)
{
    (void)argc;
    (void)argv;
    uint64_t random = (uint64_t)time(NULL) * 0x9E3779B97F4A7C15ULL | 1;
    uint8_t *expected = dblite_alloc(HLL_REGISTERS);
    hll_buffer dense = {NULL, 0, 0}, sparse = {NULL, 0, 0};
    int ready = expected != NULL && hll_buffer_create_empty(&sparse) == 0 &&
                hll_buffer_create_empty(&dense) == 0 && hll_sparse_to_dense(&dense) == 0;
    if (!ready) {
        dblite_reply_error(ctx, "ERR out of memory");
    } else if (test_registers(ctx, hll_registers(&dense), expected, &random) == 0) {
        memset(hll_registers(&dense), 0, HLL_DENSE_SIZE - HLL_HDR_SIZE);
        if (test_estimates(ctx, &dense, &sparse, &random) == 0)
            dblite_reply_ok(ctx);
    }
    dblite_free(expected);
    hll_buffer_release(&dense);
    hll_buffer_release(&sparse);
}
