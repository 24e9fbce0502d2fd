/*
 * hyperloglog.h - the family header of hyperloglog.so, Redis's HyperLogLog
 * commands over ordinary string values: the module's state and the command
 * handlers hyperloglog.c registers.
 *
 * HLLs are strings (TYPE says string, GET returns the HYLL bytes), so every
 * key access goes through strings.so's service (dblite_strings_service.h),
 * looked up on first use; without strings.so the commands answer an error.
 */
#ifndef HYPERLOGLOG_HYPERLOGLOG_H
#define HYPERLOGLOG_HYPERLOGLOG_H

#include "dblite_module.h"
#include "dblite_strings_service.h"

typedef struct hyperloglog_state {
    /* hll-sparse-max-bytes: a sparse HLL growing past it becomes dense. */
    long long sparse_max_bytes;
    /* strings.so's service, NULL until found. */
    const dblite_strings_service *strings;
} hyperloglog_state;

/* The module's state for the running command. */
static inline hyperloglog_state *hyperloglog_state_of(const dblite_ctx *ctx)
{
    return dblite_module_get_data(dblite_ctx_module(ctx));
}

/* hll_commands.c */
void hll_pfadd_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv);
void hll_pfcount_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv);
void hll_pfmerge_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv);
void hll_pfdebug_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv);

/* hll_selftest.c */
void hll_pfselftest_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv);

#endif
