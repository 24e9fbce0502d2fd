/*
 * sort_options.c - reading SORT's arguments, as Redis 7.0's
 * sortCommandGeneric: left to right, the last ASC/DESC wins, LIMIT and
 * STORE and BY take their arguments only when there are enough left (else
 * the word is a syntax error), the first bad word or LIMIT value stops
 * with its error before the key is even looked up.
 */
#include "sort.h"

static int push_get(sort_options *options, const dblite_bytes *pattern)
{
    const dblite_bytes **grown =
        dblite_realloc(options->gets, sizeof(*grown) * (size_t)(options->get_count + 1));
    if (!grown)
        return DBLITE_ERR_NOMEM;
    options->gets = grown;
    options->gets[options->get_count++] = pattern;
    return DBLITE_OK;
}

int sort_options_parse(dblite_ctx *ctx, int argc, const dblite_bytes *argv, int readonly,
                       sort_options *options)
{
    *options = (sort_options){.limit_count = -1};
    for (int j = 2; j < argc; j++) {
        int left = argc - j - 1;
        const dblite_bytes word = argv[j];
        if (dblite_bytes_equal_nocase(word, "asc")) {
            options->desc = 0;
        } else if (dblite_bytes_equal_nocase(word, "desc")) {
            options->desc = 1;
        } else if (dblite_bytes_equal_nocase(word, "alpha")) {
            options->alpha = 1;
        } else if (dblite_bytes_equal_nocase(word, "limit") && left >= 2) {
            if (dblite_parse_long_long(argv[j + 1], &options->limit_start) != DBLITE_OK ||
                dblite_parse_long_long(argv[j + 2], &options->limit_count) != DBLITE_OK) {
                dblite_reply_not_integer(ctx);
                return DBLITE_ERR;
            }
            j += 2;
        } else if (!readonly && dblite_bytes_equal_nocase(word, "store") && left >= 1) {
            options->store = &argv[++j];
        } else if (dblite_bytes_equal_nocase(word, "by") && left >= 1) {
            options->by = &argv[++j];
            /* A pattern without '*' is constant: nothing to sort by (and,
             * as in Redis, a later BY with a '*' does not undo it). */
            if (!sort_pattern_has_star(*options->by))
                options->dontsort = 1;
        } else if (dblite_bytes_equal_nocase(word, "get") && left >= 1) {
            if (push_get(options, &argv[++j]) != DBLITE_OK) {
                dblite_reply_error(ctx, "ERR out of memory");
                return DBLITE_ERR;
            }
        } else {
            dblite_reply_syntax_error(ctx);
            return DBLITE_ERR;
        }
    }
    return DBLITE_OK;
}

void sort_options_release(sort_options *options)
{
    dblite_free(options->gets);
    options->gets = NULL;
    options->get_count = 0;
}
