/*
 * bloom_plugin_test.c - the bloom example plugin (examples/bloom) against
 * the real server started with examples/bloom/bloom.ini, over loopback
 * with hiredis: the BF.* commands and their errors, the false-positive rate
 * measured on fixed item sets, scaling, WRONGTYPE in both directions,
 * COPY / RENAME / DEL, memory as BF.INFO and INFO memory report it,
 * SCANDUMP / LOADCHUNK round trips, the [bloom] settings, INFO bloom,
 * COMMAND INFO metadata and the RESP3 shape of replies (read raw, as this
 * hiredis speaks RESP2 only).  Persistence is in bloom_persistence_test.c.
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "bloom_test_support.h"
#include "reply_checks.h"

#define WRONGTYPE "WRONGTYPE Operation against a key holding the wrong kind of value"

static int group_setup(void **state)
{
    *state = bloom_server_start(NULL);
    return *state != NULL ? 0 : -1;
}

static int group_teardown(void **state)
{
    return bloom_server_stop(*state) == 0 ? 0 : -1;
}

static redisContext *context_of(void **state)
{
    return ((bloom_test_server *)*state)->context;
}

/* ---- the commands ------------------------------------------------------ */

static void add_and_check_items(void **state)
{
    redisContext *context = context_of(state);
    reply_expect_status(context, "OK", "BF.RESERVE basic 0.01 100");
    reply_expect_integer(context, 0, "BF.CARD basic");
    reply_expect_integer(context, 1, "BF.ADD basic apple");
    reply_expect_integer(context, 0, "BF.ADD basic apple");
    reply_expect_integer(context, 1, "BF.EXISTS basic apple");
    reply_expect_integer(context, 0, "BF.EXISTS basic pear");

    const long long madd[] = {0, 1, 1, 0};
    bloom_expect_integers(context, madd, 4, "BF.MADD basic apple pear plum pear");
    const long long mexists[] = {1, 1, 1, 0};
    bloom_expect_integers(context, mexists, 4, "BF.MEXISTS basic apple pear plum fig");
    reply_expect_integer(context, 3, "BF.CARD basic");

    /* Items are bytes: a NUL inside is part of the item. */
    reply_expect_integer(context, 1, "BF.ADD basic %b", "a\0b", (size_t)3);
    reply_expect_integer(context, 1, "BF.EXISTS basic %b", "a\0b", (size_t)3);
    reply_expect_integer(context, 0, "BF.EXISTS basic %b", "a\0c", (size_t)3);
    reply_expect_integer(context, 1, "BF.ADD basic %b", "", (size_t)0);
    reply_expect_integer(context, 1, "BF.EXISTS basic %b", "", (size_t)0);

    bloom_info info = bloom_get_info(context, "basic");
    assert_int_equal(info.capacity, 100);
    assert_int_equal(info.filters, 1);
    assert_int_equal(info.items, 5);
    assert_int_equal(info.expansion, 2);
    assert_true(info.size > 0);

    /* A missing key is an empty filter for the questions... */
    reply_expect_integer(context, 0, "BF.EXISTS nothing apple");
    const long long none[] = {0, 0};
    bloom_expect_integers(context, none, 2, "BF.MEXISTS nothing a b");
    reply_expect_integer(context, 0, "BF.CARD nothing");
    /* ...which do not create it. */
    reply_expect_integer(context, 0, "EXISTS nothing");
    reply_expect_error_prefix(context, "ERR not found", "BF.INFO nothing");
    reply_expect_error_prefix(context, "ERR not found", "BF.SCANDUMP nothing 0");
}

static void info_fields_one_by_one(void **state)
{
    redisContext *context = context_of(state);
    reply_expect_status(context, "OK", "BF.RESERVE fields 0.001 5000 EXPANSION 4");
    reply_expect_integer(context, 1, "BF.ADD fields x");
    bloom_info info = bloom_get_info(context, "fields");
    const char *names[] = {"CAPACITY", "size", "Filters", "ITEMS", "expansion"};
    long long values[] = {info.capacity, info.size, info.filters, info.items, info.expansion};
    assert_int_equal(values[0], 5000);
    assert_int_equal(values[4], 4);
    for (size_t index = 0; index < 5; index++) {
        redisReply *reply = reply_command(context, "BF.INFO fields %s", names[index]);
        assert_int_equal(reply->type, REDIS_REPLY_ARRAY);
        assert_int_equal(reply->elements, 1);
        assert_int_equal(reply->element[0]->integer, values[index]);
        freeReplyObject(reply);
    }
    reply_expect_error_prefix(context, "ERR unknown field", "BF.INFO fields colour");
    reply_expect_error_prefix(context, "ERR syntax error", "BF.INFO fields size items");

    /* A non-scaling filter has no expansion rate: null. */
    reply_expect_status(context, "OK", "BF.RESERVE fixed-fields 0.01 10 NONSCALING");
    assert_int_equal(bloom_get_info(context, "fixed-fields").expansion, -1);
    redisReply *reply = reply_command(context, "BF.INFO fixed-fields EXPANSION");
    assert_int_equal(reply->type, REDIS_REPLY_ARRAY);
    assert_int_equal(reply->element[0]->type, REDIS_REPLY_NIL);
    freeReplyObject(reply);
}

static void insert_options(void **state)
{
    redisContext *context = context_of(state);
    const long long three[] = {1, 1, 1};
    bloom_expect_integers(context, three, 3,
                          "BF.INSERT ins CAPACITY 500 ERROR 0.001 EXPANSION 3 ITEMS a b c");
    bloom_info info = bloom_get_info(context, "ins");
    assert_int_equal(info.capacity, 500);
    assert_int_equal(info.expansion, 3);
    assert_int_equal(info.items, 3);

    /* Options are ignored once the filter exists. */
    const long long again[] = {0, 1};
    bloom_expect_integers(context, again, 2, "BF.INSERT ins CAPACITY 7 ITEMS a d");
    assert_int_equal(bloom_get_info(context, "ins").capacity, 500);

    const long long one[] = {1};
    bloom_expect_integers(context, one, 1, "BF.INSERT ins NOCREATE ITEMS e");
    reply_expect_error_prefix(context, "ERR not found", "BF.INSERT ins-missing NOCREATE ITEMS e");
    reply_expect_integer(context, 0, "EXISTS ins-missing");
    reply_expect_error_prefix(context, "ERR NOCREATE cannot be used",
                              "BF.INSERT ins-missing NOCREATE CAPACITY 5 ITEMS e");
    reply_expect_error_prefix(context, "ERR nonscaling filters cannot expand",
                              "BF.INSERT ins-missing NONSCALING EXPANSION 2 ITEMS e");
    reply_expect_error_prefix(context, "ERR syntax error", "BF.INSERT ins-missing a b");
    reply_expect_error_prefix(context, "ERR wrong number of arguments",
                              "BF.INSERT ins-missing CAPACITY 5 ITEMS");
    reply_expect_error_prefix(context, "ERR syntax error",
                              "BF.INSERT ins-missing COLOUR 5 ITEMS a");
    /* Items may look like options after ITEMS. */
    const long long words[] = {1, 1};
    bloom_expect_integers(context, words, 2, "BF.INSERT ins-words ITEMS items nocreate");
    reply_expect_integer(context, 1, "BF.EXISTS ins-words items");
}

static void argument_errors(void **state)
{
    redisContext *context = context_of(state);
    reply_expect_error_prefix(context, "ERR bad error rate", "BF.RESERVE bad abc 100");
    reply_expect_error_prefix(context, "ERR (0 < error rate range < 1)", "BF.RESERVE bad 0 100");
    reply_expect_error_prefix(context, "ERR (0 < error rate range < 1)", "BF.RESERVE bad 1 100");
    reply_expect_error_prefix(context, "ERR (0 < error rate range < 1)", "BF.RESERVE bad -0.5 100");
    reply_expect_error_prefix(context, "ERR bad capacity", "BF.RESERVE bad 0.01 1.5");
    reply_expect_error_prefix(context, "ERR (capacity should be larger than 0)",
                              "BF.RESERVE bad 0.01 0");
    reply_expect_error_prefix(context, "ERR capacity too large",
                              "BF.RESERVE bad 0.01 2000000000000");
    reply_expect_error_prefix(context, "ERR bad expansion", "BF.RESERVE bad 0.01 10 EXPANSION x");
    reply_expect_error_prefix(context, "ERR expansion should be greater or equal to 1",
                              "BF.RESERVE bad 0.01 10 EXPANSION 0");
    reply_expect_error_prefix(context, "ERR nonscaling filters cannot expand",
                              "BF.RESERVE bad 0.01 10 EXPANSION 2 NONSCALING");
    reply_expect_error_prefix(context, "ERR syntax error", "BF.RESERVE bad 0.01 10 FAST");
    reply_expect_error_prefix(context, "ERR syntax error", "BF.RESERVE bad 0.01 10 EXPANSION");
    /* 512 MB per sub-filter at most: 10^9 items at 10^-6 need 3.6 GB. */
    reply_expect_error_prefix(context, "ERR filter too large",
                              "BF.RESERVE bad 0.000001 1000000000");
    reply_expect_error_prefix(context, "ERR wrong number of arguments for 'bf.reserve'",
                              "BF.RESERVE bad 0.01");
    reply_expect_error_prefix(context, "ERR wrong number of arguments for 'bf.add'", "BF.ADD bad");
    reply_expect_error_prefix(context, "ERR wrong number of arguments", "BF.EXISTS bad a b");
    reply_expect_error_prefix(context, "ERR wrong number of arguments", "BF.MADD bad");
    reply_expect_integer(context, 0, "EXISTS bad");

    reply_expect_status(context, "OK", "BF.RESERVE taken 0.01 10");
    reply_expect_error_prefix(context, "ERR item exists", "BF.RESERVE taken 0.01 10");
}

static void non_scaling_filter_refuses_when_full(void **state)
{
    redisContext *context = context_of(state);
    const long long answers[] = {1, 1, 1, -1};
    bloom_expect_integers(context, answers, 4,
                          "BF.INSERT full CAPACITY 3 NONSCALING ITEMS a b c d");
    /* An item that may be there is still answered; a new one is refused. */
    reply_expect_integer(context, 0, "BF.ADD full a");
    reply_expect_error_prefix(context, "ERR non scaling filter is full", "BF.ADD full z");
    bloom_info info = bloom_get_info(context, "full");
    assert_int_equal(info.filters, 1);
    assert_int_equal(info.items, 3);
    assert_int_equal(info.capacity, 3);
}

/* ---- accuracy -------------------------------------------------------------- */

static void false_positive_rate_of_a_full_filter(void **state)
{
    redisContext *context = context_of(state);
    const long long members = 10000, strangers = 100000;
    reply_expect_status(context, "OK", "BF.RESERVE accuracy 0.01 %lld NONSCALING", members);
    long long added = bloom_add_range(context, "accuracy", "member:", 0, members);
    /* A few members may collide with earlier ones: a false positive. */
    assert_true(added > members - members / 50);
    reply_expect_integer(context, added, "BF.CARD accuracy");
    /* No false negatives, ever. */
    assert_int_equal(bloom_count_present(context, "accuracy", "member:", 0, members), members);
    long long false_positives = bloom_count_present(context, "accuracy", "stranger:", 0, strangers);
    double rate = (double)false_positives / (double)strangers;
    printf("# full non-scaling filter at 0.01: %lld false positives in %lld (%.4f)\n",
           false_positives, strangers, rate);
    /* Sized for 1%: filled to capacity it must be close to 1%, neither far
     * above (undersized, or a poor hash) nor far below (wasted memory). */
    assert_true(rate <= 0.0125);
    assert_true(rate >= 0.005);
    /* 10 bits per item at 1%, about 12.5 KB. */
    bloom_info info = bloom_get_info(context, "accuracy");
    assert_in_range(info.size, 11980, 13000);
}

static void scaling_keeps_the_error_bound(void **state)
{
    redisContext *context = context_of(state);
    const long long members = 20000, strangers = 100000;
    reply_expect_status(context, "OK", "BF.RESERVE growing 0.01 1000 EXPANSION 2");
    long long size_before = bloom_get_info(context, "growing").size;
    long long added = bloom_add_range(context, "growing", "member:", 0, members);
    assert_int_equal(bloom_count_present(context, "growing", "member:", 0, members), members);
    bloom_info info = bloom_get_info(context, "growing");
    /* 1000 + 2000 + 4000 + 8000 = 15000 < 20000 <= 31000: five. */
    assert_int_equal(info.filters, 5);
    assert_int_equal(info.capacity, 31000);
    assert_int_equal(info.items, added);
    assert_true(info.size > size_before * 16);
    long long false_positives = bloom_count_present(context, "growing", "stranger:", 0, strangers);
    double rate = (double)false_positives / (double)strangers;
    printf("# scaled filter (5 sub-filters) at 0.01: %lld false positives in %lld (%.4f)\n",
           false_positives, strangers, rate);
    assert_true(rate <= 0.01);
}

/* ---- keys and types --------------------------------------------------------- */

static void wrong_types_are_refused_both_ways(void **state)
{
    redisContext *context = context_of(state);
    reply_expect_status(context, "OK", "SET text value");
    reply_expect_error_prefix(context, WRONGTYPE, "BF.ADD text x");
    reply_expect_error_prefix(context, WRONGTYPE, "BF.MADD text x y");
    reply_expect_error_prefix(context, WRONGTYPE, "BF.INSERT text ITEMS x");
    reply_expect_error_prefix(context, WRONGTYPE, "BF.EXISTS text x");
    reply_expect_error_prefix(context, WRONGTYPE, "BF.MEXISTS text x");
    reply_expect_error_prefix(context, WRONGTYPE, "BF.CARD text");
    reply_expect_error_prefix(context, WRONGTYPE, "BF.INFO text");
    reply_expect_error_prefix(context, WRONGTYPE, "BF.RESERVE text 0.01 10");
    reply_expect_error_prefix(context, WRONGTYPE, "BF.SCANDUMP text 0");
    reply_expect_error_prefix(context, WRONGTYPE, "BF.LOADCHUNK text 2 x");
    redisReply *reply = reply_command(context, "GET text");
    assert_int_equal(reply->type, REDIS_REPLY_STRING);
    assert_string_equal(reply->str, "value");
    freeReplyObject(reply);

    reply_expect_integer(context, 1, "BF.ADD filter x");
    reply_expect_status(context, "bloom", "TYPE filter");
    reply_expect_error_prefix(context, WRONGTYPE, "GET filter");
    reply_expect_error_prefix(context, WRONGTYPE, "APPEND filter x");
    reply_expect_error_prefix(context, WRONGTYPE, "STRLEN filter");
    /* SET replaces any type. */
    reply_expect_status(context, "OK", "SET filter now-a-string");
    reply_expect_status(context, "string", "TYPE filter");
    reply_expect_error_prefix(context, WRONGTYPE, "BF.ADD filter x");
}

static void copy_rename_and_delete(void **state)
{
    redisContext *context = context_of(state);
    reply_expect_status(context, "OK", "BF.RESERVE original 0.01 100");
    const long long two[] = {1, 1};
    bloom_expect_integers(context, two, 2, "BF.MADD original a b");
    reply_expect_integer(context, 1, "COPY original copied");
    reply_expect_status(context, "bloom", "TYPE copied");
    bloom_dump original_dump = bloom_get_dump(context, "original");
    bloom_dump copied_dump = bloom_get_dump(context, "copied");
    bloom_expect_same_dump(&original_dump, &copied_dump);
    bloom_dump_free(&copied_dump);

    /* The copy is a filter of its own. */
    reply_expect_integer(context, 1, "BF.ADD copied c");
    reply_expect_integer(context, 1, "BF.EXISTS copied c");
    reply_expect_integer(context, 0, "BF.EXISTS original c");
    reply_expect_integer(context, 2, "BF.CARD original");
    reply_expect_integer(context, 3, "BF.CARD copied");
    bloom_dump unchanged = bloom_get_dump(context, "original");
    bloom_expect_same_dump(&original_dump, &unchanged);
    bloom_dump_free(&unchanged);
    bloom_dump_free(&original_dump);

    reply_expect_status(context, "OK", "RENAME copied renamed");
    reply_expect_integer(context, 0, "EXISTS copied");
    reply_expect_status(context, "bloom", "TYPE renamed");
    reply_expect_integer(context, 1, "BF.EXISTS renamed c");

    reply_expect_integer(context, 2, "DEL original renamed");
    reply_expect_integer(context, 0, "BF.EXISTS original a");
    reply_expect_error_prefix(context, "ERR not found", "BF.INFO renamed");
}

static void memory_is_reported_and_released(void **state)
{
    redisContext *context = context_of(state);
    long long before = reply_info_number(context, "memory", "used_memory");
    /* 10^6 items at 0.1%: 14.4 bits each, about 1.8 MB. */
    reply_expect_status(context, "OK", "BF.RESERVE big 0.001 1000000 NONSCALING");
    bloom_info info = bloom_get_info(context, "big");
    assert_in_range(info.size, 1797200, 1900000);
    long long with_filter = reply_info_number(context, "memory", "used_memory");
    /* The server counts what the filter allocated (within what a client
     * buffer or a keyspace resize may move meanwhile). */
    assert_in_range(with_filter - before, info.size - 65536, info.size + 65536);
    reply_expect_integer(context, 1, "DEL big");
    long long after = reply_info_number(context, "memory", "used_memory");
    assert_true(with_filter - after > info.size - 65536);

    /* A filter that scales takes more memory, and says so. */
    reply_expect_status(context, "OK", "BF.RESERVE swelling 0.01 100");
    long long small = bloom_get_info(context, "swelling").size;
    bloom_add_range(context, "swelling", "item:", 0, 1000);
    assert_true(bloom_get_info(context, "swelling").size > small * 4);
}

static void scandump_and_loadchunk_round_trip(void **state)
{
    redisContext *context = context_of(state);
    reply_expect_status(context, "OK", "BF.RESERVE source 0.001 500 EXPANSION 2");
    bloom_add_range(context, "source", "member:", 0, 2000);
    bloom_dump dump = bloom_get_dump(context, "source");
    /* A header and at least one chunk per sub-filter (3: 500, 1000, 2000). */
    assert_int_equal(bloom_get_info(context, "source").filters, 3);
    assert_true(dump.count >= 4);
    assert_int_equal(dump.chunks[0].iterator, 1);

    bloom_load_dump(context, "target", &dump);
    bloom_dump loaded = bloom_get_dump(context, "target");
    bloom_expect_same_dump(&dump, &loaded);
    bloom_dump_free(&loaded);
    bloom_info source = bloom_get_info(context, "source");
    bloom_info target = bloom_get_info(context, "target");
    assert_memory_equal(&source, &target, sizeof(source));
    assert_int_equal(bloom_count_present(context, "target", "member:", 0, 2000), 2000);
    assert_int_equal(bloom_count_present(context, "target", "stranger:", 0, 5000),
                     bloom_count_present(context, "source", "stranger:", 0, 5000));

    /* A header over an existing filter replaces it. */
    reply_expect_integer(context, 1, "BF.ADD replaced only-here");
    bloom_load_dump(context, "replaced", &dump);
    reply_expect_integer(context, 0, "BF.EXISTS replaced only-here");

    /* An empty filter dumps as its header alone: clear bits are skipped. */
    reply_expect_status(context, "OK", "BF.RESERVE empty 0.01 100000");
    bloom_dump empty = bloom_get_dump(context, "empty");
    assert_int_equal(empty.count, 1);
    bloom_dump_free(&empty);

    reply_expect_error_prefix(context, "ERR invalid header", "BF.LOADCHUNK junk 1 %s",
                              "not a header");
    reply_expect_integer(context, 0, "EXISTS junk");
    reply_expect_error_prefix(context, "ERR not found", "BF.LOADCHUNK junk 5 abcd");
    reply_expect_error_prefix(context, "ERR invalid iterator", "BF.LOADCHUNK target -1 abcd");
    reply_expect_error_prefix(context, "ERR invalid iterator", "BF.SCANDUMP target x");
    /* A chunk that would end past the filter's bits. */
    reply_expect_error_prefix(context, "ERR invalid chunk", "BF.LOADCHUNK target 99999999 abcd");
    /* A chunk that would start before offset 0. */
    reply_expect_error_prefix(context, "ERR invalid chunk", "BF.LOADCHUNK target 3 abcd");
    /* A header whose counts are out of range (a byte changed). */
    char *header = malloc(dump.chunks[0].length);
    assert_non_null(header);
    memcpy(header, dump.chunks[0].data, dump.chunks[0].length);
    header[22] = 100; /* sub-filter count: 100 > 64 */
    reply_expect_error_prefix(context, "ERR invalid header", "BF.LOADCHUNK junk 1 %b", header,
                              dump.chunks[0].length);
    free(header);
    bloom_dump_free(&dump);
}

/* ---- settings, INFO, metadata, protocol ----------------------------------- */

static void settings_shape_new_filters(void **state)
{
    redisContext *context = context_of(state);
    /* bloom.ini: default-capacity 1000, default-expansion 2. */
    reply_expect_integer(context, 1, "BF.ADD defaults x");
    bloom_info info = bloom_get_info(context, "defaults");
    assert_int_equal(info.capacity, 1000);
    assert_int_equal(info.expansion, 2);

    reply_expect_status(context, "OK", "CONFIG SET bloom.default-capacity 50");
    reply_expect_status(context, "OK", "CONFIG SET bloom.default-expansion 5");
    reply_expect_integer(context, 1, "BF.ADD defaults-changed x");
    info = bloom_get_info(context, "defaults-changed");
    assert_int_equal(info.capacity, 50);
    assert_int_equal(info.expansion, 5);
    /* BF.RESERVE takes the default expansion too, not the capacity. */
    reply_expect_status(context, "OK", "BF.RESERVE reserved-changed 0.01 70");
    info = bloom_get_info(context, "reserved-changed");
    assert_int_equal(info.capacity, 70);
    assert_int_equal(info.expansion, 5);

    /* A tighter error rate takes more bits per item. */
    long long loose = bloom_get_info(context, "defaults-changed").size;
    reply_expect_status(context, "OK", "CONFIG SET bloom.default-error-rate 0.0001");
    reply_expect_integer(context, 1, "BF.ADD defaults-tight x");
    assert_true(bloom_get_info(context, "defaults-tight").size > loose);

    reply_expect_status(context, "OK", "CONFIG SET bloom.default-error-rate nonsense");
    reply_expect_error_prefix(context, "ERR bloom.default-error-rate is not a number",
                              "BF.ADD defaults-bad x");
    reply_expect_integer(context, 0, "EXISTS defaults-bad");
    /* Existing filters and explicit rates do not need the setting. */
    reply_expect_integer(context, 1, "BF.ADD defaults y");
    const long long one[] = {1};
    bloom_expect_integers(context, one, 1, "BF.INSERT defaults-bad ERROR 0.01 ITEMS x");

    reply_expect_error_prefix(context, "ERR", "CONFIG SET bloom.default-capacity 0");
    reply_expect_error_prefix(context, "ERR", "CONFIG SET bloom.default-expansion 0");
    reply_expect_status(context, "OK", "CONFIG SET bloom.default-error-rate 0.01");
    reply_expect_status(context, "OK", "CONFIG SET bloom.default-capacity 1000");
    reply_expect_status(context, "OK", "CONFIG SET bloom.default-expansion 2");
    redisReply *reply = reply_command(context, "CONFIG GET bloom.default-error-rate");
    assert_int_equal(reply->type, REDIS_REPLY_ARRAY);
    assert_int_equal(reply->elements, 2);
    assert_string_equal(reply->element[1]->str, "0.01");
    freeReplyObject(reply);
}

static void info_section_counts_the_work(void **state)
{
    redisContext *context = context_of(state);
    long long created = reply_info_number(context, "bloom", "bloom_filters_created");
    long long added = reply_info_number(context, "bloom", "bloom_items_added");
    long long checked = reply_info_number(context, "bloom", "bloom_items_checked");
    long long found = reply_info_number(context, "bloom", "bloom_items_found");
    long long grown = reply_info_number(context, "bloom", "bloom_subfilters_added");

    reply_expect_status(context, "OK", "BF.RESERVE counted 0.01 2");
    const long long madd[] = {1, 1, 0, 1};
    bloom_expect_integers(context, madd, 4, "BF.MADD counted a b a c");
    const long long mexists[] = {1, 1, 0};
    bloom_expect_integers(context, mexists, 3, "BF.MEXISTS counted a c zzz");

    assert_int_equal(reply_info_number(context, "bloom", "bloom_filters_created"), created + 1);
    assert_int_equal(reply_info_number(context, "bloom", "bloom_items_added"), added + 3);
    assert_int_equal(reply_info_number(context, "bloom", "bloom_items_checked"), checked + 3);
    assert_int_equal(reply_info_number(context, "bloom", "bloom_items_found"), found + 2);
    /* Capacity 2: the third item needed a second sub-filter. */
    assert_int_equal(reply_info_number(context, "bloom", "bloom_subfilters_added"), grown + 1);
}

static int has_flag(const redisReply *flags, const char *name)
{
    for (size_t index = 0; index < flags->elements; index++)
        if (strcmp(flags->element[index]->str, name) == 0)
            return 1;
    return 0;
}

static void command_info_shows_flags_and_keys(void **state)
{
    redisContext *context = context_of(state);
    redisReply *reply =
        reply_command(context, "COMMAND INFO bf.add bf.exists bf.loadchunk bf.insert");
    assert_int_equal(reply->type, REDIS_REPLY_ARRAY);
    assert_int_equal(reply->elements, 4);
    const redisReply *add = reply->element[0];
    assert_string_equal(add->element[0]->str, "bf.add");
    assert_int_equal(add->element[1]->integer, 3);
    assert_true(has_flag(add->element[2], "write"));
    assert_true(has_flag(add->element[2], "denyoom"));
    const redisReply *exists = reply->element[1];
    assert_true(has_flag(exists->element[2], "readonly"));
    assert_false(has_flag(exists->element[2], "write"));
    const redisReply *loadchunk = reply->element[2];
    assert_int_equal(loadchunk->element[1]->integer, 4);
    assert_true(has_flag(loadchunk->element[2], "write"));
    const redisReply *insert = reply->element[3];
    assert_int_equal(insert->element[1]->integer, -4);
    for (size_t index = 0; index < 4; index++) {
        const redisReply *spec = reply->element[index];
        assert_int_equal(spec->element[3]->integer, 1);
        assert_int_equal(spec->element[4]->integer, 1);
        assert_int_equal(spec->element[5]->integer, 1);
    }
    freeReplyObject(reply);
}

static void resp3_replies_are_booleans_and_maps(void **state)
{
    bloom_test_server *test = *state;
    redisContext *raw = server_connect(test->server);
    assert_non_null(raw);
    static const char request[] = "HELLO 3\r\n"
                                  "BF.RESERVE resp3 0.01 10 NONSCALING\r\n"
                                  "BF.ADD resp3 a\r\n"
                                  "BF.MEXISTS resp3 a b\r\n"
                                  "BF.INFO resp3\r\n"
                                  "PING\r\n";
    char buffer[8192];
    reply_raw_exchange(raw, request, buffer, sizeof(buffer), "+PONG");
    redisFree(raw);
    const char *add = strstr(buffer, "+OK\r\n#t\r\n*2\r\n#t\r\n#f\r\n");
    assert_non_null(add);
    const char *info = strstr(add, "%5\r\n+Capacity\r\n:10\r\n+Size\r\n:");
    assert_non_null(info);
    assert_non_null(strstr(info, "+Number of filters\r\n:1\r\n+Number of items inserted\r\n:1\r\n"
                                 "+Expansion rate\r\n_\r\n"));
}

static void unknown_setting_stops_startup(void **state)
{
    (void)state;
    char *config = bloom_ini_path();
    assert_non_null(config);
    const char *module_path = getenv("DBLITE_MODULE_PATH");
    assert_non_null(module_path);
    const char *const args[] = {
        "--port", "0", "--module-path", module_path, "--bloom.no-such-setting", "1", NULL};
    char output[4096];
    int status = server_start_expect_failure(config, args, output, sizeof(output));
    free(config);
    assert_true(status > 0);
    assert_non_null(strstr(output, "no-such-setting"));
}

static void command_line_overrides_the_ini(void **state)
{
    (void)state;
    const char *const args[] = {"--bloom.default-capacity", "33", "--bloom.default-error-rate",
                                "bad", NULL};
    bloom_test_server *test = bloom_server_start(args);
    assert_non_null(test);
    reply_expect_error_prefix(test->context, "ERR bloom.default-error-rate", "BF.ADD k x");
    reply_expect_status(test->context, "OK", "CONFIG SET bloom.default-error-rate 0.05");
    reply_expect_integer(test->context, 1, "BF.ADD k x");
    assert_int_equal(bloom_get_info(test->context, "k").capacity, 33);
    char *log = NULL;
    size_t log_size = 0;
    FILE *log_file = fopen(server_log_path(test->server), "r");
    assert_non_null(log_file);
    assert_true(getdelim(&log, &log_size, '\0', log_file) > 0);
    fclose(log_file);
    /* The STARTED hook flagged the bad setting at startup. */
    assert_non_null(strstr(log, "default-error-rate 'bad' is not a number"));
    free(log);
    assert_int_equal(bloom_server_stop(test), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(add_and_check_items),
        cmocka_unit_test(info_fields_one_by_one),
        cmocka_unit_test(insert_options),
        cmocka_unit_test(argument_errors),
        cmocka_unit_test(non_scaling_filter_refuses_when_full),
        cmocka_unit_test(false_positive_rate_of_a_full_filter),
        cmocka_unit_test(scaling_keeps_the_error_bound),
        cmocka_unit_test(wrong_types_are_refused_both_ways),
        cmocka_unit_test(copy_rename_and_delete),
        cmocka_unit_test(memory_is_reported_and_released),
        cmocka_unit_test(scandump_and_loadchunk_round_trip),
        cmocka_unit_test(settings_shape_new_filters),
        cmocka_unit_test(info_section_counts_the_work),
        cmocka_unit_test(command_info_shows_flags_and_keys),
        cmocka_unit_test(resp3_replies_are_booleans_and_maps),
        cmocka_unit_test(unknown_setting_stops_startup),
        cmocka_unit_test(command_line_overrides_the_ini),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
