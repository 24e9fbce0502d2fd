/*
 * hll_commands.c - PFADD, PFCOUNT, PFMERGE and PFDEBUG, step for step as
 * Redis 7.0's hyperloglog.c runs them, so replies, errors, the stored bytes
 * and the keyspace events match redis-server's.
 *
 * Each command works on a private copy of the string (hll_buffer) and
 * stores it back through strings.so's service when it changed; Redis edits
 * the value in place, which is the same thing seen from outside (a
 * command that fails half way keeps what it had already changed).
 */
#include <stdio.h>
#include <string.h>

#include "dblite_strings_service.h"
#include "hll_count.h"
#include "hll_encoding.h"
#include "hyperloglog.h"

#define INVALID_HLL_ERROR "INVALIDOBJ Corrupted HLL object detected"
#define NOT_HLL_ERROR "WRONGTYPE Key is not a valid HyperLogLog string value."
#define NO_STRINGS_ERROR "ERR HyperLogLog commands need the strings module, which is not loaded"
#define OUT_OF_MEMORY_ERROR "ERR out of memory"

/* strings.so's service, or NULL after replying the error. */
static const dblite_strings_service *strings_or_reply(dblite_ctx *ctx)
{
    hyperloglog_state *state = hyperloglog_state_of(ctx);
    if (state->strings == NULL)
        state->strings = dblite_service_lookup(DBLITE_STRINGS_SERVICE);
    if (state->strings == NULL)
        dblite_reply_error(ctx, NO_STRINGS_ERROR);
    return state->strings;
}

/* Loads key as an HLL into *hll, as lookupKey + isHLLObjectOrReply.
 * DBLITE_OK with *exists 0 (hll untouched) for a missing key, DBLITE_OK
 * with a copy to release, or DBLITE_ERR after replying. */
static int load_hll_or_reply(dblite_ctx *ctx, const dblite_strings_service *strings,
                             dblite_bytes key, int flags, hll_buffer *hll, int *exists)
{
    char scratch[DBLITE_STRINGS_SCRATCH_SIZE];
    dblite_bytes bytes;
    *exists = 0;
    int status = strings->read(ctx, key, flags, scratch, &bytes);
    if (status == DBLITE_ERR_WRONGTYPE) {
        dblite_reply_wrongtype(ctx);
        return DBLITE_ERR;
    }
    if (status != DBLITE_OK) {
        dblite_reply_error(ctx, "ERR could not read the key");
        return DBLITE_ERR;
    }
    if (bytes.ptr == NULL)
        return DBLITE_OK;
    if (!hll_bytes_are_valid(bytes.ptr, bytes.len)) {
        dblite_reply_error(ctx, NOT_HLL_ERROR);
        return DBLITE_ERR;
    }
    if (hll_buffer_copy(hll, bytes.ptr, bytes.len) != 0) {
        dblite_reply_error(ctx, OUT_OF_MEMORY_ERROR);
        return DBLITE_ERR;
    }
    *exists = 1;
    return DBLITE_OK;
}

/* Stores hll under key (an update keeping the TTL when the key existed).
 * DBLITE_OK, or DBLITE_ERR when memory ran out (nothing replied). */
static int store_hll(dblite_ctx *ctx, const dblite_strings_service *strings, dblite_bytes key,
                     const hll_buffer *hll, int existed)
{
    return strings->store(ctx, key, (const char *)hll->ptr, hll->len,
                          existed ? DBLITE_SET_KEEP : DBLITE_SET_DEFAULT);
}

void hll_pfadd_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv)
{
    const dblite_strings_service *strings = strings_or_reply(ctx);
    if (strings == NULL)
        return;
    hll_buffer hll;
    int exists;
    if (load_hll_or_reply(ctx, strings, argv[1], DBLITE_LOOKUP_WRITE, &hll, &exists) != DBLITE_OK)
        return;
    long long updated = 0;
    if (!exists) {
        if (hll_buffer_create_empty(&hll) != 0) {
            dblite_reply_error(ctx, OUT_OF_MEMORY_ERROR);
            return;
        }
        updated++;
    }
    long long sparse_max_bytes = hyperloglog_state_of(ctx)->sparse_max_bytes;
    const char *error = NULL;
    for (int j = 2; j < argc; j++) {
        long index;
        int count = hll_pattern_length((const unsigned char *)argv[j].ptr, argv[j].len, &index);
        int oom = 0;
        int result = hll_set(&hll, index, (uint8_t)count, sparse_max_bytes, &oom);
        if (result == 1) {
            updated++;
        } else if (result < 0) {
            error = oom ? OUT_OF_MEMORY_ERROR : INVALID_HLL_ERROR;
            break;
        }
    }
    if (updated && error == NULL)
        hll_invalidate_cache(&hll);
    int stored = !updated || store_hll(ctx, strings, argv[1], &hll, exists) == DBLITE_OK;
    hll_buffer_release(&hll);
    if (!stored) {
        dblite_reply_error(ctx, OUT_OF_MEMORY_ERROR);
        return;
    }
    if (error != NULL) {
        dblite_reply_error(ctx, error);
        return;
    }
    if (updated)
        dblite_notify_keyspace_event(ctx, DBLITE_NOTIFY_STRING, "pfadd", argv[1]);
    dblite_reply_integer(ctx, updated ? 1 : 0);
}

/* PFCOUNT of several keys: the estimate of their union, nothing stored. */
static void pfcount_union(dblite_ctx *ctx, const dblite_strings_service *strings, int argc,
                          const dblite_bytes *argv)
{
    uint8_t *max = dblite_calloc(HLL_REGISTERS);
    if (max == NULL) {
        dblite_reply_error(ctx, OUT_OF_MEMORY_ERROR);
        return;
    }
    for (int j = 1; j < argc; j++) {
        hll_buffer hll;
        int exists;
        if (load_hll_or_reply(ctx, strings, argv[j], DBLITE_LOOKUP_READ, &hll, &exists) !=
            DBLITE_OK) {
            dblite_free(max);
            return;
        }
        if (!exists)
            continue;
        int merged = hll_merge_into(max, &hll);
        hll_buffer_release(&hll);
        if (merged != 0) {
            dblite_free(max);
            dblite_reply_error(ctx, INVALID_HLL_ERROR);
            return;
        }
    }
    uint64_t card = hll_count_raw(max);
    dblite_free(max);
    dblite_reply_integer(ctx, (long long)card);
}

static void propagate_cache_update(dblite_ctx *ctx, dblite_bytes key, const hll_buffer *hll)
{
    const dblite_bytes setrange[] = {
        {"SETRANGE", 8}, key, {"8", 1}, {(const char *)hll->ptr + HLL_CARD_OFFSET, 8}};
    (void)dblite_propagate_extra(ctx, 4, setrange);
}

void hll_pfcount_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv)
{
    const dblite_strings_service *strings = strings_or_reply(ctx);
    if (strings == NULL)
        return;
    if (argc > 2) {
        pfcount_union(ctx, strings, argc, argv);
        return;
    }
    hll_buffer hll;
    int exists;
    if (load_hll_or_reply(ctx, strings, argv[1], DBLITE_LOOKUP_READ, &hll, &exists) != DBLITE_OK)
        return;
    if (!exists) {
        dblite_reply_integer(ctx, 0);
        return;
    }
    uint64_t card;
    if (!hll_cached_cardinality(&hll, &card)) {
        int invalid = 0;
        card = hll_count(&hll, &invalid);
        if (invalid) {
            hll_buffer_release(&hll);
            dblite_reply_error(ctx, INVALID_HLL_ERROR);
            return;
        }
        /* The cache is part of the string: the value changes, and Redis
         * propagates this read-only command for it.  The core sends only
         * writes and the log accepts only writes, so the change goes out
         * as the write it is, SETRANGE key 8 <card[8]>: a replica or the
         * log replays the same bytes.  Failing to queue it loses only the
         * cache there. */
        hll_set_cached_cardinality(&hll, card);
        if (store_hll(ctx, strings, argv[1], &hll, 1) != DBLITE_OK) {
            hll_buffer_release(&hll);
            dblite_reply_error(ctx, OUT_OF_MEMORY_ERROR);
            return;
        }
        propagate_cache_update(ctx, argv[1], &hll);
    }
    hll_buffer_release(&hll);
    dblite_reply_integer(ctx, (long long)card);
}

/* The registers of every source merged into max; 1 in *use_dense when one
 * of them is dense.  DBLITE_OK or DBLITE_ERR after replying. */
static int merge_sources_or_reply(dblite_ctx *ctx, const dblite_strings_service *strings, int argc,
                                  const dblite_bytes *argv, uint8_t *max, int *use_dense)
{
    for (int j = 1; j < argc; j++) {
        hll_buffer hll;
        int exists;
        if (load_hll_or_reply(ctx, strings, argv[j], DBLITE_LOOKUP_READ, &hll, &exists) !=
            DBLITE_OK)
            return DBLITE_ERR;
        if (!exists)
            continue;
        if (hll_encoding(&hll) == HLL_DENSE)
            *use_dense = 1;
        int merged = hll_merge_into(max, &hll);
        hll_buffer_release(&hll);
        if (merged != 0) {
            dblite_reply_error(ctx, INVALID_HLL_ERROR);
            return DBLITE_ERR;
        }
    }
    return DBLITE_OK;
}

void hll_pfmerge_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv)
{
    const dblite_strings_service *strings = strings_or_reply(ctx);
    if (strings == NULL)
        return;
    uint8_t *max = dblite_calloc(HLL_REGISTERS);
    if (max == NULL) {
        dblite_reply_error(ctx, OUT_OF_MEMORY_ERROR);
        return;
    }
    int use_dense = 0;
    if (merge_sources_or_reply(ctx, strings, argc, argv, max, &use_dense) != DBLITE_OK) {
        dblite_free(max);
        return;
    }
    hll_buffer hll;
    int exists;
    if (load_hll_or_reply(ctx, strings, argv[1], DBLITE_LOOKUP_WRITE, &hll, &exists) != DBLITE_OK) {
        dblite_free(max);
        return;
    }
    if (!exists && hll_buffer_create_empty(&hll) != 0) {
        dblite_free(max);
        dblite_reply_error(ctx, OUT_OF_MEMORY_ERROR);
        return;
    }
    const char *error = NULL;
    if (use_dense) {
        int status = hll_sparse_to_dense(&hll);
        if (status != 0)
            error = status == -2 ? OUT_OF_MEMORY_ERROR : INVALID_HLL_ERROR;
    }
    long long sparse_max_bytes = hyperloglog_state_of(ctx)->sparse_max_bytes;
    for (long j = 0; j < HLL_REGISTERS && error == NULL; j++) {
        if (max[j] == 0)
            continue;
        int oom = 0;
        /* Redis ignores a failed update here (the HLL was checked). */
        if (hll_set(&hll, j, max[j], sparse_max_bytes, &oom) < 0 && oom)
            error = OUT_OF_MEMORY_ERROR;
    }
    dblite_free(max);
    if (error != NULL) {
        /* Only memory can run out here: the destination was checked as
         * a source already (a new one is a fresh, valid HLL). */
        hll_buffer_release(&hll);
        dblite_reply_error(ctx, error);
        return;
    }
    hll_invalidate_cache(&hll);
    int status = store_hll(ctx, strings, argv[1], &hll, exists);
    hll_buffer_release(&hll);
    if (status != DBLITE_OK) {
        dblite_reply_error(ctx, OUT_OF_MEMORY_ERROR);
        return;
    }
    dblite_notify_keyspace_event(ctx, DBLITE_NOTIFY_STRING, "pfadd", argv[1]);
    dblite_reply_ok(ctx);
}

/* PFDEBUG DECODE: the sparse opcodes as text ("z:3 Z:16000 v:2,1"). */
static void reply_decoded(dblite_ctx *ctx, const hll_buffer *hll)
{
    /* At most "v:32,4 " (7 bytes) per opcode byte. */
    size_t capacity = (hll->len - HLL_HDR_SIZE) * 8 + 1;
    char *text = dblite_alloc(capacity);
    if (text == NULL) {
        dblite_reply_error(ctx, OUT_OF_MEMORY_ERROR);
        return;
    }
    size_t used = 0;
    const uint8_t *p = hll->ptr + HLL_HDR_SIZE, *end = hll->ptr + hll->len;
    while (p < end) {
        int written;
        if (HLL_SPARSE_IS_ZERO(p)) {
            written = snprintf(text + used, capacity - used, "z:%d ", HLL_SPARSE_ZERO_LEN(p));
            p++;
        } else if (HLL_SPARSE_IS_XZERO(p)) {
            written = snprintf(text + used, capacity - used, "Z:%d ", HLL_SPARSE_XZERO_LEN(p));
            p += 2;
        } else {
            written = snprintf(text + used, capacity - used, "v:%d,%d ", HLL_SPARSE_VAL_VALUE(p),
                               HLL_SPARSE_VAL_LEN(p));
            p++;
        }
        if (written > 0)
            used += (size_t)written;
    }
    while (used > 0 && text[used - 1] == ' ')
        used--;
    dblite_reply_bulk(ctx, text, used);
    dblite_free(text);
}

/* GETREG and TODENSE turn a sparse HLL dense and store it (Redis counts
 * the change so that it propagates).  0, or 1 after replying an error. */
static int make_dense_or_reply(dblite_ctx *ctx, const dblite_strings_service *strings,
                               dblite_bytes key, hll_buffer *hll, int *converted)
{
    *converted = 0;
    if (hll_encoding(hll) != HLL_SPARSE)
        return 0;
    int status = hll_sparse_to_dense(hll);
    if (status != 0) {
        dblite_reply_error(ctx, status == -2 ? OUT_OF_MEMORY_ERROR : INVALID_HLL_ERROR);
        return 1;
    }
    if (store_hll(ctx, strings, key, hll, 1) != DBLITE_OK) {
        dblite_reply_error(ctx, OUT_OF_MEMORY_ERROR);
        return 1;
    }
    *converted = 1;
    return 0;
}

void hll_pfdebug_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv)
{
    (void)argc;
    const dblite_strings_service *strings = strings_or_reply(ctx);
    if (strings == NULL)
        return;
    hll_buffer hll;
    int exists;
    if (load_hll_or_reply(ctx, strings, argv[2], DBLITE_LOOKUP_WRITE, &hll, &exists) != DBLITE_OK)
        return;
    if (!exists) {
        dblite_reply_error(ctx, "ERR The specified key does not exist");
        return;
    }
    /* The subcommand as C text, cut at a NUL as Redis's %s is. */
    char name[64];
    size_t name_len = strnlen(argv[1].ptr, argv[1].len);
    if (name_len >= sizeof name)
        name_len = sizeof name - 1;
    memcpy(name, argv[1].ptr, name_len);
    name[name_len] = '\0';
    int converted;

    if (dblite_bytes_equal_nocase(argv[1], "getreg")) {
        if (make_dense_or_reply(ctx, strings, argv[2], &hll, &converted) == 0) {
            const uint8_t *regs = hll_registers(&hll);
            dblite_reply_array(ctx, HLL_REGISTERS);
            for (long j = 0; j < HLL_REGISTERS; j++)
                dblite_reply_integer(ctx, hll_dense_get(regs, j));
        }
    } else if (dblite_bytes_equal_nocase(argv[1], "decode")) {
        if (hll_encoding(&hll) != HLL_SPARSE)
            dblite_reply_error(ctx, "ERR HLL encoding is not sparse");
        else
            reply_decoded(ctx, &hll);
    } else if (dblite_bytes_equal_nocase(argv[1], "encoding")) {
        dblite_reply_simple(ctx, hll_encoding(&hll) == HLL_DENSE ? "dense" : "sparse");
    } else if (dblite_bytes_equal_nocase(argv[1], "todense")) {
        if (make_dense_or_reply(ctx, strings, argv[2], &hll, &converted) == 0)
            dblite_reply_integer(ctx, converted);
    } else {
        dblite_reply_error_format(ctx, "ERR Unknown PFDEBUG subcommand '%s'", name);
    }
    hll_buffer_release(&hll);
}
