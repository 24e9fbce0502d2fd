/*
 * test_cli_text.c - unit tests of dblite-cli's text handling: splitting a
 * typed line into arguments (redis-cli's sdssplitargs rules), the human
 * and raw reply forms, and usage text rendered from COMMAND DOCS.
 *
 * Expected outputs were taken from redis-cli 7.0.15 (the integration
 * tests in this folder compare with the real redis-cli as well); usage
 * strings are those of redis-cli 7.0's built-in help for the same
 * argument trees.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "docs/command_docs.h"
#include "input/command_line.h"
#include "input/split_args.h"
#include "output/reply_format.h"
#include "protocol/resp_reader.h"

/* ---- argument splitting --------------------------------------------------- */

typedef struct split_case {
    const char *line;
    int result;
    size_t count;
    const char *words[4];
    size_t lengths[4]; /* 0: strlen of the word */
} split_case;

static const split_case split_cases[] = {
    {"set a b", SPLIT_OK, 3, {"set", "a", "b"}, {0}},
    {"   leading \t and\ttrailing  \r\n", SPLIT_OK, 3, {"leading", "and", "trailing"}, {0}},
    {"", SPLIT_OK, 0, {NULL}, {0}},
    {" \t \n", SPLIT_OK, 0, {NULL}, {0}},
    {"\"hello world\"", SPLIT_OK, 1, {"hello world"}, {0}},
    {"\"\\x41\\x4a\\x4A\"", SPLIT_OK, 1, {"AJJ"}, {0}},
    {"\"\\xZZ\"", SPLIT_OK, 1, {"xZZ"}, {0}},
    {"\"\\x4\"", SPLIT_OK, 1, {"x4"}, {0}},
    {"\"a\\nb\\r\\t\\b\\a\"", SPLIT_OK, 1, {"a\nb\r\t\b\a"}, {0}},
    {"\"quote\\\"d\" \"back\\\\slash\" \"\\q\"",
     SPLIT_OK,
     3,
     {"quote\"d", "back\\slash", "q"},
     {0}},
    {"'single \\' quote' 'no \\n escape'", SPLIT_OK, 2, {"single ' quote", "no \\n escape"}, {0}},
    {"mid\"dle quoted\" x'y z'", SPLIT_OK, 2, {"middle quoted", "xy z"}, {0}},
    {"\"\" ''", SPLIT_OK, 2, {"", ""}, {0}},
    {"\"\\x00\" end", SPLIT_OK, 2, {"\0", "end"}, {1, 3}},
    {"a\vb \fc", SPLIT_OK, 2, {"a\vb", "c"}, {0}}, /* \v, \f: blank only between words */
    {"\"x\"\t\"y\"", SPLIT_OK, 2, {"x", "y"}, {0}},
    {"\"unterminated", SPLIT_INVALID, 0, {NULL}, {0}},
    {"'unterminated", SPLIT_INVALID, 0, {NULL}, {0}},
    {"\"closed\"trailing", SPLIT_INVALID, 0, {NULL}, {0}},
    {"'closed'x", SPLIT_INVALID, 0, {NULL}, {0}},
    {"set k \"ends with backslash\\", SPLIT_INVALID, 0, {NULL}, {0}},
};

static void test_split_arguments(void **state)
{
    (void)state;
    for (size_t index = 0; index < sizeof(split_cases) / sizeof(split_cases[0]); index++) {
        const split_case *test = &split_cases[index];
        argument_list list;
        int result = split_arguments(test->line, &list);
        if (result != test->result)
            fail_msg("line <%s>: result %d, expected %d", test->line, result, test->result);
        if (result != SPLIT_OK) {
            assert_null(list.values);
            continue;
        }
        if (list.count != test->count)
            fail_msg("line <%s>: %zu words, expected %zu", test->line, list.count, test->count);
        for (size_t word = 0; word < list.count; word++) {
            size_t length = test->lengths[word] ? test->lengths[word] : strlen(test->words[word]);
            if (list.lengths[word] != length ||
                memcmp(list.values[word], test->words[word], length) != 0)
                fail_msg("line <%s>: word %zu is <%s>", test->line, word, list.values[word]);
            assert_int_equal(list.values[word][length], '\0');
        }
        argument_list_free(&list);
    }
}

static void test_command_lines(void **state)
{
    (void)state;
    command_line parsed;
    command_line_parse("3 INCR hits", &parsed);
    assert_int_equal(parsed.kind, LINE_COMMAND);
    assert_int_equal(parsed.repeat, 3);
    assert_int_equal(parsed.command.count, 2);
    assert_string_equal(parsed.command.values[0], "INCR");
    command_line_free(&parsed);

    command_line_parse("42", &parsed); /* a lone number is a command */
    assert_int_equal(parsed.kind, LINE_COMMAND);
    assert_int_equal(parsed.repeat, 1);
    assert_string_equal(parsed.command.values[0], "42");
    command_line_free(&parsed);

    command_line_parse("0 PING", &parsed);
    assert_int_equal(parsed.kind, LINE_BAD_REPEAT);
    command_line_free(&parsed);
    command_line_parse("-2 PING", &parsed);
    assert_int_equal(parsed.kind, LINE_BAD_REPEAT);
    command_line_free(&parsed);

    command_line_parse("QUIT", &parsed);
    assert_int_equal(parsed.kind, LINE_QUIT);
    command_line_free(&parsed);
    command_line_parse("  exit now", &parsed);
    assert_int_equal(parsed.kind, LINE_QUIT);
    command_line_free(&parsed);

    command_line_parse("   ", &parsed);
    assert_int_equal(parsed.kind, LINE_EMPTY);
    command_line_free(&parsed);
    command_line_parse("get \"x", &parsed);
    assert_int_equal(parsed.kind, LINE_INVALID);
    command_line_free(&parsed);
}

/* ---- reply forms ------------------------------------------------------------- */

static reply *parse(const char *resp)
{
    resp_reader reader;
    resp_reader_init(&reader);
    assert_int_equal(resp_reader_feed(&reader, resp, strlen(resp)), 0);
    reply *parsed = NULL;
    assert_int_equal(resp_reader_next(&reader, &parsed), RESP_READ_REPLY);
    resp_reader_free(&reader);
    return parsed;
}

typedef struct format_case {
    const char *resp;
    const char *human;
    const char *raw;
} format_case;

static const format_case format_cases[] = {
    {"+OK\r\n", "OK\n", "OK"},
    {"-ERR no\r\n", "(error) ERR no\n", "ERR no\n"},
    {":-7\r\n", "(integer) -7\n", "-7"},
    {"$-1\r\n", "(nil)\n", ""},
    {"$8\r\na\"b\\c\n\x01\xc3\r\n", "\"a\\\"b\\\\c\\n\\x01\\xc3\"\n", "a\"b\\c\n\x01\xc3"},
    {"$3\r\n\a\b\t\r\n", "\"\\a\\b\\t\"\n", "\a\b\t"},
    {"*0\r\n", "(empty array)\n", ""},
    {"%0\r\n", "(empty hash)\n", ""},
    {"~0\r\n", "(empty set)\n", ""},
    {">0\r\n", "(empty push)\n", ""},
    {"#t\r\n", "(true)\n", "(true)"},
    {",1.5\r\n", "(double) 1.5\n", "1.5"},
    {"(12345678901234567890\r\n", "(big number) 12345678901234567890\n", "12345678901234567890"},
    {"=9\r\ntxt:a\nb c\r\n", "a\nb c\n", "a\nb c"},
    {"*3\r\n:1\r\n*2\r\n$1\r\na\r\n*1\r\n$1\r\nb\r\n$-1\r\n",
     "1) (integer) 1\n2) 1) \"a\"\n   2) 1) \"b\"\n3) (nil)\n", "1\na\nb\n"},
    {"%2\r\n$1\r\nk\r\n*2\r\n:1\r\n:2\r\n$1\r\nm\r\n~1\r\n$1\r\nx\r\n",
     "1# \"k\" => \n   1) (integer) 1\n   2) (integer) 2\n2# \"m\" => 1~ \"x\"\n", "k 1\n2\nm x"},
    {"*2\r\n*0\r\n%0\r\n", "1) (empty array)\n2) (empty hash)\n", "\n"},
    {"|1\r\n+a\r\n:1\r\n:5\r\n", "(integer) 5\n", "5"},
};

static void test_reply_forms(void **state)
{
    (void)state;
    for (size_t index = 0; index < sizeof(format_cases) / sizeof(format_cases[0]); index++) {
        reply *parsed = parse(format_cases[index].resp);
        byte_buffer human, raw;
        byte_buffer_init(&human);
        byte_buffer_init(&raw);
        assert_int_equal(format_reply_human(&human, parsed), 0);
        assert_int_equal(format_reply_raw(&raw, parsed), 0);
        byte_buffer_append(&raw, "", 0);
        if (strcmp(human.data, format_cases[index].human) != 0)
            fail_msg("case %zu human form:\n%s\nexpected:\n%s", index, human.data,
                     format_cases[index].human);
        if (strcmp(raw.data, format_cases[index].raw) != 0)
            fail_msg("case %zu raw form:\n%s\nexpected:\n%s", index, raw.data,
                     format_cases[index].raw);
        byte_buffer_free(&human);
        byte_buffer_free(&raw);
        reply_free(parsed);
    }
}

/* Numbers are right-aligned to the widest index and nested lines indent
 * by that width plus two. */
static void test_wide_index_alignment(void **state)
{
    (void)state;
    byte_buffer resp, expected;
    byte_buffer_init(&resp);
    byte_buffer_init(&expected);
    byte_buffer_append_string(&resp, "*11\r\n");
    for (int index = 1; index <= 10; index++) {
        byte_buffer_append_format(&resp, ":%d\r\n", index);
        byte_buffer_append_format(&expected, "%2d) (integer) %d\n", index, index);
    }
    byte_buffer_append_string(&resp, "*2\r\n+x\r\n+y\r\n");
    byte_buffer_append_string(&expected, "11) 1) x\n    2) y\n");
    reply *parsed = parse(resp.data);
    byte_buffer human;
    byte_buffer_init(&human);
    assert_int_equal(format_reply_human(&human, parsed), 0);
    assert_string_equal(human.data, expected.data);
    byte_buffer_free(&human);
    byte_buffer_free(&resp);
    byte_buffer_free(&expected);
    reply_free(parsed);
}

/* ---- usage text from COMMAND DOCS -------------------------------------------- */

static void test_usage_from_full_argument_trees(void **state)
{
    (void)state;
    /* SORT-like: optional token arguments, a repeated token, a oneof. */
    reply *docs = parse(
        "%1\r\n$4\r\nsort\r\n%4\r\n$7\r\nsummary\r\n$4\r\nSort\r\n$5\r\nsince\r\n$5\r\n1.0.0\r\n"
        "$5\r\ngroup\r\n$7\r\ngeneric\r\n$9\r\narguments\r\n*4\r\n"
        "%2\r\n$4\r\nname\r\n$3\r\nkey\r\n$4\r\ntype\r\n$3\r\nkey\r\n"
        "%4\r\n$4\r\nname\r\n$7\r\npattern\r\n$4\r\ntype\r\n$7\r\npattern\r\n"
        "$5\r\ntoken\r\n$3\r\nGET\r\n$5\r\nflags\r\n*3\r\n+optional\r\n+multiple\r\n"
        "+multiple_token\r\n"
        "%4\r\n$4\r\nname\r\n$5\r\norder\r\n$4\r\ntype\r\n$5\r\noneof\r\n$5\r\nflags\r\n*1\r\n"
        "+optional\r\n$9\r\narguments\r\n*2\r\n"
        "%3\r\n$4\r\nname\r\n$3\r\nasc\r\n$4\r\ntype\r\n$10\r\npure-token\r\n$5\r\ntoken\r\n$3\r\nASC\r\n"
        "%3\r\n$4\r\nname\r\n$4\r\ndesc\r\n$4\r\ntype\r\n$10\r\npure-token\r\n$5\r\ntoken\r\n$4\r\nDESC\r\n"
        "%3\r\n$4\r\nname\r\n$4\r\npair\r\n$4\r\ntype\r\n$5\r\nblock\r\n$9\r\narguments\r\n*2\r\n"
        "%3\r\n$4\r\nname\r\n$1\r\nk\r\n$4\r\ntype\r\n$3\r\nkey\r\n$5\r\nflags\r\n*0\r\n"
        "%2\r\n$4\r\nname\r\n$1\r\nv\r\n$4\r\ntype\r\n$6\r\nstring\r\n");
    command_docs table;
    assert_int_equal(command_docs_load(&table, docs), 0);
    const command_doc *sort = command_docs_find(&table, "SoRt");
    assert_non_null(sort);
    assert_string_equal(sort->name, "SORT");
    assert_string_equal(sort->usage, "key [GET pattern [GET pattern ...]] [ASC|DESC] k v");
    assert_string_equal(sort->summary, "Sort");
    assert_string_equal(sort->group, "generic");
    command_docs_free(&table);
    reply_free(docs);
}

/* dblite's own COMMAND DOCS (RESP2 here) give the whole usage as one
 * argument name; subcommands become entries of their own. */
static void test_flat_docs_and_subcommands(void **state)
{
    (void)state;
    reply *docs = parse(
        "*4\r\n$3\r\nget\r\n*8\r\n$7\r\nsummary\r\n$3\r\nGet\r\n$5\r\nsince\r\n$5\r\n1.0.0\r\n"
        "$5\r\ngroup\r\n$6\r\nstring\r\n$9\r\narguments\r\n*1\r\n*4\r\n$4\r\nname\r\n$3\r\nkey\r\n"
        "$4\r\ntype\r\n$6\r\nstring\r\n"
        "$6\r\nconfig\r\n*8\r\n$7\r\nsummary\r\n$1\r\nC\r\n$5\r\nsince\r\n$5\r\n2.0.0\r\n"
        "$5\r\ngroup\r\n$6\r\nserver\r\n$11\r\nsubcommands\r\n*2\r\n$10\r\nconfig|get\r\n"
        "*6\r\n$7\r\nsummary\r\n$2\r\nCG\r\n$5\r\nsince\r\n$5\r\n2.0.0\r\n$5\r\ngroup\r\n$6\r\nserver\r\n");
    command_docs table;
    assert_int_equal(command_docs_load(&table, docs), 0);
    assert_int_equal(table.count, 3);
    assert_string_equal(table.entries[0].name, "CONFIG");
    assert_string_equal(table.entries[1].name, "CONFIG GET");
    assert_true(table.entries[1].is_subcommand);
    assert_string_equal(table.entries[2].name, "GET");
    assert_string_equal(table.entries[2].usage, "key");
    assert_string_equal(table.entries[1].usage, "");
    command_docs_free(&table);
    reply_free(docs);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_split_arguments),
        cmocka_unit_test(test_command_lines),
        cmocka_unit_test(test_reply_forms),
        cmocka_unit_test(test_wide_index_alignment),
        cmocka_unit_test(test_usage_from_full_argument_trees),
        cmocka_unit_test(test_flat_docs_and_subcommands),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
