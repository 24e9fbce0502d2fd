/*
 * packed_zset_save.c - see packed_zset_save.h.  The pairs are put in
 * order rather than trusted to come in it: a type may walk its set in
 * either direction (the zset2 payload goes from the highest score down,
 * and is then simply reversed), and a listpack out of order would load
 * into Redis as a corrupt set.
 */
#include "packed_zset_save.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rdb_encode.h"
#include "rdb_format.h"
#include "score_text.h"

/* ---- the collector ---- */

static int collect_unsigned(void *stream, uint64_t value)
{
    packed_zset_writer *writer = stream;
    if (writer->count_seen || writer->pair_count > 0)
        return DBLITE_ERR_INVALID;
    writer->count_seen = 1;
    writer->announced = value;
    return DBLITE_OK;
}

static int collect_signed(void *stream, int64_t value)
{
    (void)stream, (void)value;
    return DBLITE_ERR_INVALID;
}

static int collect_string(void *stream, const char *ptr, size_t len)
{
    packed_zset_writer *writer = stream;
    if (!writer->count_seen || writer->expecting_score)
        return DBLITE_ERR_INVALID;
    if (writer->pair_count == writer->pair_capacity) {
        size_t capacity = writer->pair_capacity ? writer->pair_capacity * 2 : 128;
        zset_pair *grown = dblite_realloc(writer->pairs, capacity * sizeof(*grown));
        if (grown == NULL)
            return DBLITE_ERR_NOMEM;
        writer->pairs = grown;
        writer->pair_capacity = capacity;
    }
    if (element_list_add(&writer->members, ptr, len) != 0)
        return DBLITE_ERR_NOMEM;
    writer->pairs[writer->pair_count].member = writer->members.count - 1;
    writer->expecting_score = 1;
    return DBLITE_OK;
}

static int collect_double(void *stream, double value)
{
    packed_zset_writer *writer = stream;
    if (!writer->expecting_score || isnan(value))
        return DBLITE_ERR_INVALID;
    writer->pairs[writer->pair_count++].score = value;
    writer->expecting_score = 0;
    return DBLITE_OK;
}

static const dblite_io_methods collector_methods = {
    .api_version = DBLITE_API_VERSION,
    .write_unsigned = collect_unsigned,
    .write_signed = collect_signed,
    .write_string = collect_string,
    .write_double = collect_double,
};

int packed_zset_writer_init(packed_zset_writer *writer)
{
    memset(writer, 0, sizeof(*writer));
    element_list_init(&writer->members);
    writer->io = dblite_io_create(&collector_methods, writer);
    return writer->io != NULL ? 0 : -1;
}

void packed_zset_writer_release(packed_zset_writer *writer)
{
    if (writer->io != NULL)
        dblite_io_destroy(writer->io);
    writer->io = NULL;
    element_list_release(&writer->members);
    dblite_free(writer->pairs);
    writer->pairs = NULL;
    writer->pair_count = writer->pair_capacity = 0;
    listpack_builder_release(&writer->listpack);
}

int packed_zset_wanted(const dblite_type *type, const void *value)
{
    const dblite_type_methods *methods = dblite_type_get_methods(type);
    if (methods->api_version < 3 || methods->encoding == NULL)
        return 0;
    const char *encoding = methods->encoding(value);
    return encoding != NULL && strcmp(encoding, "listpack") == 0;
}

/* ---- order and packing ---- */

/* Redis's order: by score, ties by the member bytes (a prefix first). */
static int compare_pairs(const void *a, const void *b)
{
    const zset_pair *left = a, *right = b;
    if (left->score < right->score)
        return -1;
    if (left->score > right->score)
        return 1;
    size_t common = left->length < right->length ? left->length : right->length;
    int order = memcmp(left->ptr, right->ptr, common);
    if (order != 0)
        return order;
    return left->length < right->length ? -1 : left->length > right->length;
}

/* Ascending order: reversed when the type wrote its set from the highest
 * score down (as the zset2 payload goes), sorted otherwise. */
static void order_pairs(zset_pair *pairs, size_t count)
{
    size_t descending = 1;
    while (descending < count && compare_pairs(&pairs[descending - 1], &pairs[descending]) > 0)
        descending++;
    if (descending < count) {
        qsort(pairs, count, sizeof(zset_pair), compare_pairs);
        return;
    }
    for (size_t i = 0, j = count ? count - 1 : 0; i < j; i++, j--) {
        zset_pair swap = pairs[i];
        pairs[i] = pairs[j];
        pairs[j] = swap;
    }
}

static int fail(char *error, size_t error_size, const char *format, ...)
    __attribute__((format(printf, 3, 4)));
static int fail(char *error, size_t error_size, const char *format, ...)
{
    va_list args;
    va_start(args, format);
    vsnprintf(error, error_size, format, args);
    va_end(args);
    return -1;
}

/* Runs the type's save method into the collector. */
static int collect(packed_zset_writer *writer, const dblite_type *type, const void *value,
                   char *error, size_t error_size)
{
    writer->count_seen = 0;
    writer->announced = 0;
    writer->pair_count = 0;
    writer->expecting_score = 0;
    element_list_clear(&writer->members);
    dblite_io_begin_value(writer->io, type);
    const dblite_type_methods *methods = dblite_type_get_methods(type);
    if (methods->save(writer->io, value) != DBLITE_OK || dblite_io_error(writer->io) != NULL) {
        const char *why = dblite_io_error(writer->io);
        return fail(error, error_size, "saving a value of type '%s' failed: %s",
                    dblite_type_name(type), why ? why : "its save method reported an error");
    }
    if (!writer->count_seen || writer->expecting_score || writer->announced != writer->pair_count)
        return fail(error, error_size,
                    "saving a value of type '%s' failed: it announced %llu members and wrote %zu",
                    dblite_type_name(type), (unsigned long long)writer->announced,
                    writer->pair_count);
    for (size_t i = 0; i < writer->pair_count; i++) {
        zset_pair *pair = &writer->pairs[i];
        pair->ptr = element_list_ptr(&writer->members, pair->member);
        pair->length = writer->members.items[pair->member].length;
    }
    order_pairs(writer->pairs, writer->pair_count);
    return 0;
}

int packed_zset_write(packed_zset_writer *writer, output_buffer *out, const dblite_bytes *key,
                      const dblite_type *type, const void *value, char *error, size_t error_size)
{
    if (collect(writer, type, value, error, error_size) != 0)
        return -1;
    listpack_builder *listpack = &writer->listpack;
    if (listpack_builder_start(listpack) != 0)
        return fail(error, error_size, "out of memory packing a sorted set");
    for (size_t i = 0; i < writer->pair_count; i++) {
        char score[SCORE_TEXT_SIZE];
        size_t score_length = score_text_format(score, writer->pairs[i].score);
        if (listpack_builder_append(listpack, writer->pairs[i].ptr, writer->pairs[i].length) != 0 ||
            listpack_builder_append(listpack, score, score_length) != 0)
            break;
    }
    const unsigned char *blob;
    size_t length;
    if (listpack_builder_finish(listpack, &blob, &length) != 0) {
        /* Too big for one listpack (or no memory for it): the plain form
         * holds any set. */
        return 1;
    }
    if (output_buffer_byte(out, RDB_TYPE_ZSET_LISTPACK) != 0 ||
        (key != NULL && rdb_encode_string(out, key->ptr, key->len) != 0) ||
        rdb_encode_string(out, (const char *)blob, length) != 0)
        return fail(error, error_size, "saving a value of type '%s' failed: %s",
                    dblite_type_name(type), output_buffer_error(out));
    return 0;
}
