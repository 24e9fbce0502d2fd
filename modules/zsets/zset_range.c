/*
 * zset_range.c - score and lex interval arguments, read as Redis 7.0's
 * zslParseRange and zslParseLexRange read them.
 *
 * Redis hands the argument (an sds, so NUL-terminated) to strtod and
 * accepts it when strtod stops at a NUL: the text up to a first NUL byte
 * is what counts, leading spaces and hex floats pass, an overflow becomes
 * an infinity, and "(" alone reads as an exclusive 0.  The same is done
 * here on a NUL-terminated copy.  Lex items compare their first byte only
 * and, for "+" and "-", that the second is the terminating NUL.
 */
#include "zset_range.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/collection_access.h"

/* Most bounds are short; longer ones (spaces, many digits) get a block. */
#define BOUND_STACK_SIZE 128

int zset_parse_score_bound(dblite_bytes argument, double *value, int *exclusive)
{
    const char *text = argument.ptr;
    size_t length = argument.len;
    *exclusive = 0;
    if (length > 0 && text[0] == '(') {
        *exclusive = 1;
        text++;
        length--;
    }
    const char *nul = memchr(text, '\0', length);
    if (nul != NULL)
        length = (size_t)(nul - text);
    char stack_copy[BOUND_STACK_SIZE];
    char *copy = stack_copy;
    if (length >= sizeof stack_copy) {
        copy = dblite_alloc(length + 1);
        if (copy == NULL)
            return DBLITE_ERR_NOMEM;
    }
    memcpy(copy, text, length);
    copy[length] = '\0';
    char *end;
    double parsed = strtod(copy, &end);
    int valid = *end == '\0' && !isnan(parsed);
    if (copy != stack_copy)
        dblite_free(copy);
    if (!valid)
        return DBLITE_ERR_INVALID;
    *value = parsed;
    return DBLITE_OK;
}

int zset_parse_score_range_or_reply(dblite_ctx *ctx, dblite_bytes min, dblite_bytes max,
                                    zset_score_range *range)
{
    int status = zset_parse_score_bound(min, &range->min, &range->min_exclusive);
    if (status == DBLITE_OK)
        status = zset_parse_score_bound(max, &range->max, &range->max_exclusive);
    if (status == DBLITE_OK)
        return DBLITE_OK;
    if (status == DBLITE_ERR_NOMEM)
        collection_reply_out_of_memory(ctx);
    else
        dblite_reply_error(ctx, ZSET_SCORE_RANGE_ERROR);
    return DBLITE_ERR;
}

int zset_parse_lex_bound(dblite_bytes argument, dblite_bytes *member, int *kind, int *exclusive)
{
    member->ptr = NULL;
    member->len = 0;
    *exclusive = 0;
    if (argument.len == 0)
        return DBLITE_ERR_INVALID;
    /* "+" and "-" must end there (Redis checks for the sds's NUL). */
    int alone = argument.len == 1 || argument.ptr[1] == '\0';
    switch (argument.ptr[0]) {
        case '+':
            if (!alone)
                return DBLITE_ERR_INVALID;
            *kind = ZSET_LEX_PLUS_INFINITY;
            return DBLITE_OK;
        case '-':
            if (!alone)
                return DBLITE_ERR_INVALID;
            *kind = ZSET_LEX_MINUS_INFINITY;
            return DBLITE_OK;
        case '(':
        case '[':
            *kind = ZSET_LEX_BOUNDED;
            *exclusive = argument.ptr[0] == '(';
            member->ptr = argument.ptr + 1;
            member->len = argument.len - 1;
            return DBLITE_OK;
        default:
            return DBLITE_ERR_INVALID;
    }
}

int zset_parse_lex_range_or_reply(dblite_ctx *ctx, dblite_bytes min, dblite_bytes max,
                                  zset_lex_range *range)
{
    if (zset_parse_lex_bound(min, &range->min, &range->min_kind, &range->min_exclusive) !=
            DBLITE_OK ||
        zset_parse_lex_bound(max, &range->max, &range->max_kind, &range->max_exclusive) !=
            DBLITE_OK) {
        dblite_reply_error(ctx, ZSET_LEX_RANGE_ERROR);
        return DBLITE_ERR;
    }
    return DBLITE_OK;
}
