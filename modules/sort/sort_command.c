/*
 * sort_command.c - SORT and SORT_RO, step by step as Redis 7.0's
 * sortCommandGeneric, so every reply, error and edge case is its own:
 *
 *   1. the options (sort_options.c), whose errors come before the key's;
 *   2. the key: missing is an empty list (and a "keymiss"), a type other
 *      than list, set and sorted set is WRONGTYPE;
 *   3. a set with nothing to sort by that is stored, or sorted for a script
 *      (dblite_ctx_from_script), is sorted ALPHA anyway, so the result
 *      does not depend on the set's internal order;
 *   4. LIMIT is clamped to the length; with nothing to sort by a list or
 *      sorted set is read only over that range, in its own order (reversed
 *      for DESC); the key is read once, so INFO counts one keyspace hit or
 *      miss (and "keymiss") as Redis's single lookup does;
 *   5. the scores or ALPHA values (BY patterns) and the sort itself:
 *      numbers compare as doubles, ties by the elements' bytes; ALPHA with
 *      strcoll (bytes compared as they are when storing, as Redis); a
 *      missing BY value sorts first under ALPHA, as score 0 otherwise;
 *   6. the reply, or with STORE the destination rewritten as a list.
 *
 * STORE runs DEL and RPUSH through dblite_call without their keyspace
 * notifications, then emits Redis's own: "new" when the destination did
 * not exist, then "sortstore" (or only DEL's "del" when the result is
 * empty).  SORT is a write, so it is propagated itself, as Redis does, and
 * the DEL and RPUSH are not (dblite_call's rule).
 */
#define _GNU_SOURCE /* qsort_r */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sort.h"

typedef struct sort_order {
    int desc, alpha, by_pattern, store;
} sort_order;

/* Redis's compareStringObjects: memcmp, then the shorter first. */
static int compare_bytes(const char *a, size_t a_length, const char *b, size_t b_length)
{
    int cmp = memcmp(a, b, a_length < b_length ? a_length : b_length);
    if (cmp != 0)
        return cmp;
    return a_length < b_length ? -1 : a_length > b_length ? 1 : 0;
}

static int compare_elements(const void *left, const void *right, void *privdata)
{
    const sort_element *a = left, *b = right;
    const sort_order *order = privdata;
    int cmp;
    if (!order->alpha) {
        if (a->score > b->score)
            cmp = 1;
        else if (a->score < b->score)
            cmp = -1;
        else
            cmp = compare_bytes(a->ptr, a->len, b->ptr, b->len);
    } else if (order->by_pattern) {
        if (!a->by_value || !b->by_value)
            cmp = a->by_value == b->by_value ? 0 : !a->by_value ? -1 : 1;
        else if (order->store)
            cmp = compare_bytes(a->by_value, a->by_length, b->by_value, b->by_length);
        else
            cmp = strcoll(a->by_value, b->by_value);
    } else if (order->store) {
        cmp = compare_bytes(a->ptr, a->len, b->ptr, b->len);
    } else {
        cmp = strcoll(a->by_value, b->by_value); /* NUL-terminated copies */
    }
    return order->desc ? -cmp : cmp;
}

static char *copy_terminated(const char *ptr, size_t len)
{
    char *copy = dblite_alloc(len + 1);
    if (copy) {
        memcpy(copy, ptr, len);
        copy[len] = '\0';
    }
    return copy;
}

/* Redis reads a score with strtod on the value as a C string: trailing
 * bytes (but a NUL), overflow and NaN make it unusable. */
static int parse_score(const char *ptr, size_t len, double *score)
{
    /* Most values are plain integers: their double is strtod's (both
     * round the same integer to the nearest double), without its cost. */
    long long integer;
    if (len < 20 && dblite_parse_long_long((dblite_bytes){ptr, len}, &integer) == DBLITE_OK) {
        *score = (double)integer;
        return DBLITE_OK;
    }
    char stack[128];
    char *text = len < sizeof(stack) ? stack : copy_terminated(ptr, len);
    if (!text)
        return DBLITE_ERR_NOMEM;
    if (text == stack) {
        memcpy(stack, ptr, len);
        stack[len] = '\0';
    }
    char *end;
    errno = 0;
    *score = strtod(text, &end);
    int bad = end[0] != '\0' || errno == ERANGE || isnan(*score);
    if (text != stack)
        dblite_free(text);
    return bad ? DBLITE_ERR_INVALID : DBLITE_OK;
}

/* Step 5's values for every element; *conversion_error set when a score
 * cannot be read.  DBLITE_OK or DBLITE_ERR_NOMEM. */
static int load_sort_values(dblite_ctx *ctx, const sort_options *options, sort_source *source,
                            int *conversion_error)
{
    for (size_t j = 0; j < source->count; j++) {
        sort_element *element = &source->elements[j];
        dblite_bytes self = {element->ptr, element->len};
        dblite_bytes value = self;
        dblite_call_reply *holder = NULL;
        if (options->by) {
            int found;
            if (sort_pattern_lookup(ctx, *options->by, self, &value, &found, &holder) != DBLITE_OK)
                return DBLITE_ERR_NOMEM;
            if (!found)
                continue;
        }
        int status = DBLITE_OK;
        if (options->alpha) {
            /* Without BY the elements compare themselves: strcoll needs
             * them NUL-terminated. */
            if (options->by || !options->store) {
                element->by_value = copy_terminated(value.ptr, value.len);
                element->by_length = value.len;
                if (!element->by_value)
                    status = DBLITE_ERR_NOMEM;
            }
        } else {
            status = parse_score(value.ptr, value.len, &element->score);
            if (status == DBLITE_ERR_INVALID) {
                *conversion_error = 1;
                status = DBLITE_OK;
            }
        }
        dblite_call_reply_free(holder);
        if (status != DBLITE_OK)
            return status;
    }
    return DBLITE_OK;
}

/* Replies the elements start..end, each as itself or as its GET values. */
static void reply_result(dblite_ctx *ctx, const sort_options *options, const sort_source *source,
                         long long start, long long end)
{
    long long rows = end - start + 1;
    dblite_reply_array(ctx, options->get_count ? options->get_count * rows : rows);
    for (long long j = start; j <= end; j++) {
        const sort_element *element = &source->elements[j];
        dblite_bytes self = {element->ptr, element->len};
        if (!options->get_count)
            dblite_reply_bulk(ctx, element->ptr, element->len);
        for (int g = 0; g < options->get_count; g++) {
            dblite_bytes value;
            int found;
            dblite_call_reply *holder;
            /* Out of memory for a lookup: a null, as for nothing found, so
             * the reply keeps its shape. */
            if (sort_pattern_lookup(ctx, *options->gets[g], self, &value, &found, &holder) !=
                DBLITE_OK)
                found = 0;
            if (found)
                dblite_reply_bulk(ctx, value.ptr, value.len);
            else
                dblite_reply_null(ctx);
            dblite_call_reply_free(holder);
        }
    }
}

/* The values STORE writes, with the replies holding their bytes. */
typedef struct store_values {
    dblite_bytes *argv; /* RPUSH destination value... */
    dblite_call_reply **holders;
    size_t count, holder_count;
} store_values;

static void store_values_release(store_values *values)
{
    for (size_t i = 0; i < values->holder_count; i++)
        dblite_call_reply_free(values->holders[i]);
    dblite_free(values->holders);
    dblite_free(values->argv);
}

static int collect_store_values(dblite_ctx *ctx, const sort_options *options,
                                const sort_source *source, long long start, long long end,
                                size_t output_length, store_values *values)
{
    values->argv = dblite_alloc(sizeof(*values->argv) * (output_length + 2));
    values->holders = dblite_alloc(sizeof(*values->holders) * (output_length ? output_length : 1));
    if (!values->argv || !values->holders)
        return DBLITE_ERR_NOMEM;
    values->argv[0] = (dblite_bytes){"RPUSH", 5};
    values->argv[1] = *options->store;
    values->count = 2;
    for (long long j = start; j <= end; j++) {
        const sort_element *element = &source->elements[j];
        dblite_bytes self = {element->ptr, element->len};
        if (!options->get_count)
            values->argv[values->count++] = self;
        for (int g = 0; g < options->get_count; g++) {
            dblite_bytes value;
            int found;
            dblite_call_reply *holder;
            if (sort_pattern_lookup(ctx, *options->gets[g], self, &value, &found, &holder) !=
                DBLITE_OK)
                return DBLITE_ERR_NOMEM;
            if (holder)
                values->holders[values->holder_count++] = holder;
            values->argv[values->count++] = found ? value : (dblite_bytes){"", 0};
        }
    }
    return DBLITE_OK;
}

/* Step 6 with STORE: the destination becomes the result, or goes. */
static void store_result(dblite_ctx *ctx, const sort_options *options, const sort_source *source,
                         long long start, long long end)
{
    long long rows = end - start + 1;
    size_t output_length = (size_t)(options->get_count ? options->get_count * rows : rows);
    dblite_bytes destination = *options->store;
    dblite_bytes del[2] = {{"DEL", 3}, destination};
    if (output_length == 0) {
        /* DEL emits its own "del" when there was something to delete. */
        dblite_call_reply_free(dblite_call(ctx, 2, del, DBLITE_CALL_INTERNAL));
        dblite_reply_integer(ctx, 0);
        return;
    }
    if (!dblite_module_loaded("lists")) {
        dblite_reply_error(ctx, "ERR SORT STORE needs the lists module, which is not loaded");
        return;
    }
    store_values values = {0};
    if (collect_store_values(ctx, options, source, start, end, output_length, &values) !=
        DBLITE_OK) {
        store_values_release(&values);
        dblite_reply_error(ctx, "ERR out of memory");
        return;
    }
    int existed = dblite_key_type(ctx, destination, DBLITE_LOOKUP_WRITE) != NULL;
    int quiet = DBLITE_CALL_INTERNAL | DBLITE_CALL_NO_NOTIFY;
    dblite_call_reply_free(dblite_call(ctx, 2, del, quiet));
    dblite_call_reply *pushed = dblite_call(ctx, (int)values.count, values.argv, quiet);
    store_values_release(&values);
    if (!pushed || dblite_call_reply_kind(pushed) == DBLITE_CALL_REPLY_ERROR) {
        if (pushed)
            dblite_call_reply_relay(ctx, pushed);
        else
            dblite_reply_error(ctx, "ERR out of memory");
        dblite_call_reply_free(pushed);
        return;
    }
    dblite_call_reply_free(pushed);
    if (!existed)
        dblite_notify_keyspace_event(ctx, DBLITE_NOTIFY_NEW, "new", destination);
    dblite_notify_keyspace_event(ctx, DBLITE_NOTIFY_LIST, "sortstore", destination);
    dblite_reply_integer(ctx, (long long)output_length);
}

/* Step 2: the family of key; 0 after replying WRONGTYPE.  *missing is set
 * for a key that does not exist (read as an empty list). */
static int key_kind(dblite_ctx *ctx, dblite_bytes key, sort_kind *kind, int *missing)
{
    const dblite_type *type = dblite_key_type(ctx, key, DBLITE_LOOKUP_READ);
    *missing = type == NULL;
    *kind = SORT_KIND_LIST;
    if (!type)
        return 1;
    const char *name = dblite_type_name(type);
    if (strcmp(name, "list") == 0)
        *kind = SORT_KIND_LIST;
    else if (strcmp(name, "set") == 0)
        *kind = SORT_KIND_SET;
    else if (strcmp(name, "zset") == 0)
        *kind = SORT_KIND_ZSET;
    else {
        dblite_reply_wrongtype(ctx);
        return 0;
    }
    return 1;
}

/* Step 4: LIMIT clamped to length as Redis does (no overflow whatever
 * LIMIT says): the ranks start..end of the sorted elements, end < start
 * when none. */
static void limit_range(long long length, const sort_options *options, long long *start,
                        long long *end)
{
    *start = options->limit_start < 0 ? 0 : options->limit_start;
    if (*start > length)
        *start = length;
    long long count = options->limit_count < -1 ? -1 : options->limit_count;
    if (count > length)
        count = length;
    *end = count < 0 ? length - 1 : *start + count - 1;
    if (*start >= length) {
        *start = length - 1;
        *end = length - 2;
    }
    if (*end >= length)
        *end = length - 1;
}

/* Step 4 for a list or sorted set with nothing to sort by: only LIMIT's
 * range is read, in ranks LRANGE and ZRANGE clamp themselves (from the
 * end for DESC), so the one read makes the one keyspace hit Redis counts
 * and needs no length first. */
static int load_unsorted_range(dblite_ctx *ctx, sort_kind kind, dblite_bytes key,
                               const sort_options *options, sort_source *source)
{
    const long long far = 1LL << 62; /* past any length, and no overflow below */
    long long start = options->limit_start < 0 ? 0 : options->limit_start;
    long long count = options->limit_count < -1 ? -1 : options->limit_count;
    if (start > far)
        start = far;
    if (count > far)
        count = far;
    long long first, last;
    if (count == 0) {
        first = 1; /* an empty range, still read */
        last = 0;
    } else if (!options->desc) {
        first = start;
        last = count < 0 ? -1 : start + count - 1;
    } else {
        first = count < 0 ? 0 : -(start + count);
        last = -(start + 1);
    }
    return sort_source_load(ctx, kind, key, 0, first, last, options->desc, source);
}

/* A BY or GET pattern that needs a family which is not loaded gets an
 * error instead of reading as missing keys: without the hashes module
 * "w_*->f" could never find anything, which is a deployment mistake to
 * name, not an empty answer.  1 after replying. */
static int reply_missing_pattern_module(dblite_ctx *ctx, const sort_options *options)
{
    const char *module = NULL;
    if (options->by && !options->dontsort)
        module = sort_pattern_missing_module(*options->by);
    for (int g = 0; g < options->get_count && !module; g++)
        module = sort_pattern_missing_module(*options->gets[g]);
    if (!module)
        return 0;
    dblite_reply_error_format(
        ctx, "ERR SORT %s need the %s module, which is not loaded",
        strcmp(module, "hashes") == 0 ? "BY/GET patterns with ->" : "BY/GET patterns", module);
    return 1;
}

static void sort_generic(dblite_ctx *ctx, int argc, const dblite_bytes *argv, int readonly)
{
    sort_options options;
    if (sort_options_parse(ctx, argc, argv, readonly, &options) != DBLITE_OK) {
        sort_options_release(&options);
        return;
    }
    if (reply_missing_pattern_module(ctx, &options)) {
        sort_options_release(&options);
        return;
    }
    sort_kind kind;
    int missing;
    if (!key_kind(ctx, argv[1], &kind, &missing)) {
        sort_options_release(&options);
        return;
    }
    if (options.dontsort && kind == SORT_KIND_SET &&
        (options.store || dblite_ctx_from_script(ctx))) {
        options.dontsort = 0; /* step 3 */
        options.alpha = 1;
        options.by = NULL;
    }
    sort_source source = {0};
    int status = DBLITE_OK;
    long long start = 0, end = -1;
    if (missing && !dblite_module_loaded("lists")) {
        /* Nothing can read it: the miss is announced here. */
        dblite_notify_keyspace_event(ctx, DBLITE_NOTIFY_KEY_MISS, "keymiss", argv[1]);
    } else if (options.dontsort && kind != SORT_KIND_SET) {
        status = load_unsorted_range(ctx, kind, argv[1], &options, &source);
        end = (long long)source.count - 1;
    } else {
        /* A missing key is read too, as an empty list: its miss counts. */
        status = sort_source_load(ctx, kind, argv[1], 1, 0, -1, 0, &source);
        limit_range((long long)source.count, &options, &start, &end);
    }
    if (status == DBLITE_ERR) {
        dblite_call_reply_relay(ctx, source.reply);
    } else if (status != DBLITE_OK) {
        dblite_reply_error(ctx, "ERR out of memory");
    } else {
        int conversion_error = 0;
        if (!options.dontsort) {
            status = load_sort_values(ctx, &options, &source, &conversion_error);
            sort_order order = {options.desc, options.alpha, options.by != NULL,
                                options.store != NULL};
            if (status == DBLITE_OK && source.count > 1)
                qsort_r(source.elements, source.count, sizeof(*source.elements), compare_elements,
                        &order);
        }
        if (status != DBLITE_OK)
            dblite_reply_error(ctx, "ERR out of memory");
        else if (conversion_error)
            dblite_reply_error(ctx, "ERR One or more scores can't be converted into double");
        else if (!options.store)
            reply_result(ctx, &options, &source, start, end);
        else
            store_result(ctx, &options, &source, start, end);
    }
    sort_source_release(&source);
    sort_options_release(&options);
}

void sort_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv)
{
    sort_generic(ctx, argc, argv, 0);
}

void sort_ro_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv)
{
    sort_generic(ctx, argc, argv, 1);
}
