/*
 * strings_commands_lcs.c - LCS: the longest common subsequence of two
 * string keys, as the subsequence itself, its length (LEN) or the matching
 * ranges (IDX, optionally filtered by MINMATCHLEN and WITHMATCHLEN).
 *
 * The classic dynamic-programming table is filled, then walked back from the
 * end.  Where both directions keep the same length the walk moves along the
 * second string first; that choice decides which of several equally long
 * subsequences is reported, and it is the one Redis makes, so replies agree
 * byte for byte.  Ranges are reported from the end of the strings backwards.
 * The walk runs twice when ranges are wanted, once to count them (the reply
 * announces its length first) and once to emit them; it is linear, the
 * table is not.
 */
#include <stdint.h>
#include <string.h>

#include "string_access.h"
#include "string_value.h"
#include "strings.h"

typedef struct lcs_request {
    int want_length;
    int want_ranges;
    int with_match_length;
    long long min_match_length;
} lcs_request;

typedef struct lcs_table {
    const char *a;
    const char *b;
    uint32_t a_length;
    uint32_t b_length;
    uint32_t *cells; /* (a_length + 1) rows of (b_length + 1) prefix LCS lengths */
} lcs_table;

static inline uint32_t cell(const lcs_table *table, uint32_t i, uint32_t j)
{
    return table->cells[(size_t)i * (table->b_length + 1) + j];
}

static void fill_table(lcs_table *table)
{
    size_t width = (size_t)table->b_length + 1;
    memset(table->cells, 0, width * sizeof(uint32_t));
    for (uint32_t i = 1; i <= table->a_length; i++) {
        uint32_t *row = table->cells + (size_t)i * width;
        const uint32_t *above = row - width;
        row[0] = 0;
        char a_char = table->a[i - 1];
        for (uint32_t j = 1; j <= table->b_length; j++) {
            if (a_char == table->b[j - 1])
                row[j] = above[j - 1] + 1;
            else
                row[j] = above[j] > row[j - 1] ? above[j] : row[j - 1];
        }
    }
}

/* One walk back through the table.  Fills subsequence (when not NULL, sized
 * for the LCS length) and, when emit is set, replies one element per range
 * that passes the minimum length; returns how many ranges passed. */
static long long walk_back(dblite_ctx *ctx, const lcs_table *table, const lcs_request *request,
                           char *subsequence, int emit)
{
    uint32_t i = table->a_length, j = table->b_length;
    uint32_t position = cell(table, i, j);
    int in_range = 0;
    uint32_t a_start = 0, a_end = 0, b_start = 0, b_end = 0;
    long long ranges = 0;

    while (i > 0 && j > 0) {
        int range_ends = 0;
        if (table->a[i - 1] == table->b[j - 1]) {
            if (subsequence != NULL)
                subsequence[position - 1] = table->a[i - 1];
            position--;
            /* Matches only ever follow each other diagonally, so a match
             * either opens a range or extends the open one backwards. */
            if (!in_range) {
                in_range = 1;
                a_start = a_end = i - 1;
                b_start = b_end = j - 1;
            } else {
                a_start--;
                b_start--;
            }
            range_ends = a_start == 0 || b_start == 0;
            i--;
            j--;
        } else {
            if (cell(table, i - 1, j) > cell(table, i, j - 1))
                i--;
            else
                j--;
            range_ends = in_range;
        }
        if (!range_ends)
            continue;
        uint32_t match_length = a_end - a_start + 1;
        if (request->min_match_length == 0 || match_length >= request->min_match_length) {
            if (emit) {
                dblite_reply_array(ctx, request->with_match_length ? 3 : 2);
                dblite_reply_array(ctx, 2);
                dblite_reply_integer(ctx, a_start);
                dblite_reply_integer(ctx, a_end);
                dblite_reply_array(ctx, 2);
                dblite_reply_integer(ctx, b_start);
                dblite_reply_integer(ctx, b_end);
                if (request->with_match_length)
                    dblite_reply_integer(ctx, match_length);
            }
            ranges++;
        }
        in_range = 0;
    }
    return ranges;
}

static void reply_ranges(dblite_ctx *ctx, const lcs_table *table, const lcs_request *request)
{
    long long count = walk_back(ctx, table, request, NULL, 0);
    dblite_reply_map(ctx, 2);
    dblite_reply_bulk_cstring(ctx, "matches");
    dblite_reply_array(ctx, count);
    walk_back(ctx, table, request, NULL, 1);
    dblite_reply_bulk_cstring(ctx, "len");
    dblite_reply_integer(ctx, cell(table, table->a_length, table->b_length));
}

static void reply_subsequence(dblite_ctx *ctx, const lcs_table *table, const lcs_request *request)
{
    uint32_t length = cell(table, table->a_length, table->b_length);
    char *subsequence = dblite_alloc(length);
    if (subsequence == NULL) {
        string_reply_out_of_memory(ctx);
        return;
    }
    walk_back(ctx, table, request, subsequence, 0);
    dblite_reply_bulk(ctx, subsequence, length);
    dblite_free(subsequence);
}

/* Parses the options after the two keys; DBLITE_OK or DBLITE_ERR after
 * replying. */
static int parse_request(dblite_ctx *ctx, int argc, const dblite_bytes *argv, lcs_request *request)
{
    memset(request, 0, sizeof *request);
    for (int index = 3; index < argc; index++) {
        int more = index + 1 < argc;
        if (dblite_bytes_equal_nocase(argv[index], "IDX")) {
            request->want_ranges = 1;
        } else if (dblite_bytes_equal_nocase(argv[index], "LEN")) {
            request->want_length = 1;
        } else if (dblite_bytes_equal_nocase(argv[index], "WITHMATCHLEN")) {
            request->with_match_length = 1;
        } else if (dblite_bytes_equal_nocase(argv[index], "MINMATCHLEN") && more) {
            if (dblite_parse_long_long(argv[++index], &request->min_match_length) != DBLITE_OK) {
                dblite_reply_not_integer(ctx);
                return DBLITE_ERR;
            }
            if (request->min_match_length < 0)
                request->min_match_length = 0;
        } else {
            dblite_reply_syntax_error(ctx);
            return DBLITE_ERR;
        }
    }
    if (request->want_ranges && request->want_length) {
        dblite_reply_error(ctx,
                           "ERR If you want both the length and indexes, please just use IDX.");
        return DBLITE_ERR;
    }
    return DBLITE_OK;
}

/* Both keys are read before the options, so a key of another type is
 * reported even when the options are malformed (Redis's order). */
static int lookup_pair(dblite_ctx *ctx, const dblite_bytes *argv, void **a, void **b)
{
    const dblite_type *type = string_type(ctx);
    int a_status = dblite_key_lookup(ctx, argv[1], type, DBLITE_LOOKUP_READ, a);
    int b_status = dblite_key_lookup(ctx, argv[2], type, DBLITE_LOOKUP_READ, b);
    /* WRONGTYPE is the one failure a lookup has; LCS words it its own way. */
    if (a_status == DBLITE_OK && b_status == DBLITE_OK)
        return DBLITE_OK;
    dblite_reply_error(ctx, "ERR The specified keys must contain string values");
    return DBLITE_ERR_WRONGTYPE;
}

static dblite_bytes bytes_or_empty(const void *value, char scratch[STRING_VALUE_SCRATCH_SIZE])
{
    if (value == NULL)
        return (dblite_bytes){"", 0};
    return string_value_bytes(value, scratch);
}

void strings_lcs_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv)
{
    void *a_value, *b_value;
    if (lookup_pair(ctx, argv, &a_value, &b_value) != DBLITE_OK)
        return;
    lcs_request request;
    if (parse_request(ctx, argc, argv, &request) != DBLITE_OK)
        return;

    char a_scratch[STRING_VALUE_SCRATCH_SIZE], b_scratch[STRING_VALUE_SCRATCH_SIZE];
    dblite_bytes a = bytes_or_empty(a_value, a_scratch);
    dblite_bytes b = bytes_or_empty(b_value, b_scratch);
    if (a.len >= UINT32_MAX - 1 || b.len >= UINT32_MAX - 1) {
        dblite_reply_error(ctx, "ERR String too long for LCS");
        return;
    }
    lcs_table table = {a.ptr, b.ptr, (uint32_t)a.len, (uint32_t)b.len, NULL};
    unsigned long long cell_count = (unsigned long long)(a.len + 1) * (b.len + 1);
    unsigned long long table_bytes = cell_count * sizeof(uint32_t);
    if (table_bytes / sizeof(uint32_t) == cell_count && table_bytes < SIZE_MAX) {
        if (table_bytes > (unsigned long long)string_max_length()) {
            dblite_reply_error(ctx, "ERR Insufficient memory, transient memory for LCS exceeds "
                                    "proto-max-bulk-len");
            return;
        }
        table.cells = dblite_alloc((size_t)table_bytes);
    }
    if (table.cells == NULL) {
        dblite_reply_error(ctx, "ERR Insufficient memory, failed allocating transient memory "
                                "for LCS");
        return;
    }
    fill_table(&table);

    if (request.want_ranges)
        reply_ranges(ctx, &table, &request);
    else if (request.want_length)
        dblite_reply_integer(ctx, cell(&table, table.a_length, table.b_length));
    else
        reply_subsequence(ctx, &table, &request);
    dblite_free(table.cells);
}
