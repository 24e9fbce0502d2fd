/*
 * reply_budget.c - bounding count-sized replies by proto-max-bulk-len (see
 * the header for the rule).
 */
#include "reply_budget.h"

/* Redis's default proto-max-bulk-len, used if the server cannot say. */
#define DEFAULT_BOUND (512ULL * 1024 * 1024)

/* proto-max-bulk-len in bytes; the default should the server not say. */
static unsigned long long reply_bound(void)
{
    long long bytes = (long long)DEFAULT_BOUND;
    /* Unchanged on failure: the server always has this setting. */
    (void)dblite_config_server_memory("proto-max-bulk-len", &bytes);
    return bytes > 0 ? (unsigned long long)bytes : DEFAULT_BOUND;
}

int reply_budget_check_or_reply(dblite_ctx *ctx, unsigned long long elements, size_t element_bytes)
{
    unsigned long long bound = reply_bound();
    if (element_bytes == 0 || elements <= bound / element_bytes)
        return DBLITE_OK;
    dblite_reply_error(ctx, "ERR value is out of range, the reply would exceed proto-max-bulk-len");
    return DBLITE_ERR;
}
