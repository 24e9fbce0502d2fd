/*
 * reply_budget.c - bounding count-sized replies by proto-max-bulk-len (see
 * the header for the rule).
 */
#include "reply_budget.h"

#include <stdlib.h>
#include <string.h>

/* Redis's default proto-max-bulk-len, used if the server cannot say. */
#define DEFAULT_BOUND (512ULL * 1024 * 1024)

/* proto-max-bulk-len as the server reports it: digits and an optional unit
 * (k=1000, kb=1024, m, mb, g, gb).  The default when unreadable. */
static unsigned long long reply_bound(void)
{
    const char *text = dblite_config_server_value("proto-max-bulk-len");
    if (text == NULL)
        return DEFAULT_BOUND;
    char *end;
    unsigned long long number = strtoull(text, &end, 10);
    if (end == text)
        return DEFAULT_BOUND;
    static const struct {
        const char *suffix;
        unsigned long long multiplier;
    } units[] = {
        {"", 1}, {"k", 1000ULL}, {"kb", 1024ULL}, {"m", 1000ULL * 1000},
        {"mb", 1024ULL * 1024}, {"g", 1000ULL * 1000 * 1000}, {"gb", 1024ULL * 1024 * 1024},
    };
    dblite_bytes suffix = {end, strlen(end)};
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++)
        if (dblite_bytes_equal_nocase(suffix, units[i].suffix))
            return number > ~0ULL / units[i].multiplier ? ~0ULL : number * units[i].multiplier;
    return DEFAULT_BOUND;
}

int reply_budget_check_or_reply(dblite_ctx *ctx, unsigned long long elements,
                                size_t element_bytes)
{
    unsigned long long bound = reply_bound();
    if (element_bytes == 0 || elements <= bound / element_bytes)
        return DBLITE_OK;
    dblite_reply_error(ctx, "ERR value is out of range, the reply would exceed proto-max-bulk-len");
    return DBLITE_ERR;
}
