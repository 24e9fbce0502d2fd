/*
 * test_lua_libs.c - unit tests of the Lua libraries of Redis scripts
 * (modules/scripting/lua_libs): each test runs Lua snippets in a lua_State
 * with the standard libraries and scripting_lua_open_libraries, and checks
 * what they return.  The expected values are redis-server 7.0.15's EVAL
 * answers to the same snippets (tests/lua/test_lua_libs_diff.py compares
 * a thousand more against a live redis-server).
 *
 * The pack buffer's growth goes through realloc, which this test wraps
 * (--wrap=realloc) so that it can fail: cmsgpack.pack must then raise "not
 * enough memory" and the lua_State must go on working.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <lauxlib.h>
#include <lua.h>
#include <lualib.h>

#include "lua_libs.h"

/* realloc calls from the library fail while this is set. */
static int fail_realloc;
void *__real_realloc(void *block, size_t size);
void *__wrap_realloc(void *block, size_t size)
{
    if (fail_realloc)
        return NULL;
    return __real_realloc(block, size);
}

static int setup_state(void **state)
{
    lua_State *L = luaL_newstate();
    if (L == NULL)
        return -1;
    luaL_openlibs(L);
    scripting_lua_open_libraries(L);
    *state = L;
    return 0;
}

static int teardown_state(void **state)
{
    lua_close(*state);
    return 0;
}

/* Runs snippet and returns its result as a string (tostring of the value,
 * "error: message" when it raised); valid until the next call. */
static const char *run(lua_State *L, const char *snippet)
{
    static char result[4096];
    lua_settop(L, 0);
    if (luaL_loadbuffer(L, snippet, strlen(snippet), "@user_script") != 0 ||
        lua_pcall(L, 0, 1, 0) != 0) {
        snprintf(result, sizeof(result), "error: %s", lua_tostring(L, -1));
    } else {
        lua_getglobal(L, "tostring");
        lua_insert(L, -2);
        lua_call(L, 1, 1);
        snprintf(result, sizeof(result), "%s", lua_tostring(L, -1));
    }
    lua_settop(L, 0);
    return result;
}

/* The snippet's result in hex (for binary strings). */
static const char *run_hex(lua_State *L, const char *expression)
{
    char snippet[2048];
    snprintf(snippet, sizeof(snippet),
             "local s = %s return (string.gsub(s, '.', function(c) "
             "return string.format('%%02x', string.byte(c)) end))",
             expression);
    return run(L, snippet);
}

static void test_globals(void **state)
{
    lua_State *L = *state;
    assert_string_equal(run(L, "return type(cjson) .. type(cmsgpack) .. type(struct) .. type(bit)"),
                        "tabletabletabletable");
    assert_string_equal(run(L, "return cjson._VERSION"), "2.1.0");
    assert_string_equal(run(L, "return cmsgpack._VERSION"), "lua-cmsgpack 0.4.0");
    assert_string_equal(run(L, "return type(struct.pack) .. type(struct.unpack) .. "
                               "type(struct.size)"),
                        "functionfunctionfunction");
    assert_string_equal(run(L, "return type(cmsgpack.unpack_one) .. type(cmsgpack.unpack_limit)"),
                        "functionfunction");
    assert_string_equal(run(L, "return bit.tohex(-1)"), "ffffffff");
}

static void test_cjson_as_redis(void **state)
{
    lua_State *L = *state;
    assert_string_equal(run(L, "return cjson.encode({})"), "{}");
    assert_string_equal(run(L, "return cjson.encode({0.1, 1e300, 1/3, 2^53})"),
                        "[0.1,1e+300,0.33333333333333,9.007199254741e+15]");
    assert_string_equal(run(L, "return cjson.encode({[1] = 1, [3] = 3})"), "[1,null,3]");
    assert_string_equal(run(L, "return select(2, pcall(cjson.encode, {[1] = 1, [30] = 3}))"),
                        "Cannot serialise table: excessively sparse array");
    assert_string_equal(run(L, "return select(2, pcall(cjson.encode, 1/0))"),
                        "Cannot serialise number: must not be NaN or Inf");
    assert_string_equal(run(L, "return select(2, pcall(cjson.decode, '[1,'))"),
                        "Expected value but found T_END at character 4");
    assert_string_equal(run(L, "return cjson.decode('\"\\\\u00e9\"')"), "\xc3\xa9");
    assert_string_equal(run(L, "return cjson.decode('null') == cjson.null"), "true");
}

static void test_cmsgpack_encodings(void **state)
{
    lua_State *L = *state;
    static const struct {
        const char *value;
        const char *hex;
    } cases[] = {
        {"0", "00"},
        {"127", "7f"},
        {"128", "cc80"},
        {"256", "cd0100"},
        {"65536", "ce00010000"},
        {"2^32", "cf0000000100000000"},
        {"-1", "ff"},
        {"-32", "e0"},
        {"-33", "d0df"},
        {"-129", "d1ff7f"},
        {"-32769", "d2ffff7fff"},
        {"-2^31 - 1", "d3ffffffff7fffffff"},
        {"-2^63", "d38000000000000000"},
        {"2^63", "ca5f000000"},
        {"1/0", "ca7f800000"},
        {"0.5", "ca3f000000"},
        {"0.1", "cb3fb999999999999a"},
        {"-0.0", "00"},
        {"{}", "90"},
        {"{a = 1}", "81a16101"},
        {"{1, 2}", "920102"},
        {"{[2] = 2}", "810202"},
        {"true", "c3"},
        {"nil", "c0"},
        {"cjson.null", "c0"},
        {"string.rep('a', 31)", "bf61616161616161616161616161616161616161616161616161616161616161"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char expression[256];
        snprintf(expression, sizeof(expression), "cmsgpack.pack(%s)", cases[i].value);
        const char *hex = run_hex(L, expression);
        if (strcmp(hex, cases[i].hex) != 0)
            fail_msg("cmsgpack.pack(%s) = %s, expected %s", cases[i].value, hex, cases[i].hex);
    }
    assert_string_equal(run_hex(L, "string.sub(cmsgpack.pack(string.rep('a', 32)), 1, 3)"),
                        "d92061");
    assert_string_equal(run_hex(L, "string.sub(cmsgpack.pack(string.rep('a', 300)), 1, 3)"),
                        "da012c");
    assert_string_equal(run_hex(L, "string.sub(cmsgpack.pack(string.rep('a', 70000)), 1, 5)"),
                        "db00011170");
    /* Sixteen levels of tables, then nil. */
    assert_string_equal(run_hex(L, "string.sub(cmsgpack.pack((function() local t = 1 "
                                   "for i = 1, 20 do t = {t} end return t end)()), 15)"),
                        "9191c0");
}

static void test_cmsgpack_decoding(void **state)
{
    lua_State *L = *state;
    assert_string_equal(run(L, "local a, b, c = cmsgpack.unpack('\\1\\2\\3') return a + b + c"),
                        "6");
    assert_string_equal(run(L, "return cmsgpack.unpack('\\207\\255\\255\\255\\255\\255\\255\\255"
                               "\\255')"),
                        "-1");
    assert_string_equal(run(L, "local o, v = cmsgpack.unpack_one('\\1\\2\\3', 1) "
                               "return o .. ',' .. v"),
                        "2,2");
    assert_string_equal(run(L, "local o, v = cmsgpack.unpack_one('\\1\\2\\3', 2) "
                               "return o .. ',' .. v"),
                        "-1,3");
    assert_string_equal(run(L, "return select('#', cmsgpack.unpack_limit('\\1\\2\\3', 0, 1))"),
                        "1");
    assert_string_equal(run(L, "return select(2, pcall(cmsgpack.unpack, '\\205\\1'))"),
                        "Missing bytes in input.");
    assert_string_equal(run(L, "return select(2, pcall(cmsgpack.unpack, '\\193'))"),
                        "Bad data format in input.");
    assert_string_equal(run(L, "return select(2, pcall(cmsgpack.unpack_one, '\\1', 2))"),
                        "Start offset 2 greater than input length 1.");
    assert_string_equal(run(L, "return select(2, pcall(cmsgpack.unpack_limit, '\\1\\2\\3', -1))"),
                        "Invalid request to unpack with offset of 0 and limit of 3.");
    assert_string_equal(run(L, "return select(2, pcall(cmsgpack.unpack, string.rep('\\1', 8000)))"),
                        "stack overflow (too many return values at once; use unpack_one or "
                        "unpack_limit instead.)");
    assert_string_equal(run(L, "return select('#', cmsgpack.unpack(string.rep('\\1', 7999)))"),
                        "7999");
    assert_string_equal(run(L, "return select(2, pcall(cmsgpack.unpack, string.rep('\\145', 4000) "
                               ".. '\\1'))"),
                        "stack overflow (in function mp_decode_to_lua_array)");
    assert_string_equal(run(L, "return type(cmsgpack.unpack(string.rep('\\145', 3999) .. '\\1'))"),
                        "table");
    assert_string_equal(run(L, "local t = cmsgpack.unpack(cmsgpack.pack({1, {a = 'x'}, 'y'})) "
                               "return t[1] .. t[2].a .. t[3]"),
                        "1xy");
}

static void test_struct(void **state)
{
    lua_State *L = *state;
    assert_string_equal(run_hex(L, "struct.pack('<i>i', 1, 1)"), "0100000000000001");
    assert_string_equal(run_hex(L, "struct.pack('!4 b i', 1, 2)"), "0100000002000000");
    assert_string_equal(run_hex(L, "struct.pack('I8', 2^63)"), "0000000000000080");
    assert_string_equal(run_hex(L, "struct.pack('I8', 2^64)"), "0000000000000000");
    assert_string_equal(run_hex(L, "struct.pack('s c0', 'ab', 'cd')"), "6162006364");
    assert_string_equal(run(L, "return struct.size('!bhilfd')"), "32");
    assert_string_equal(run(L, "return struct.size('bhilfdT')"), "35");
    assert_string_equal(run(L, "local a, n = struct.unpack('bc0', '\\2abc') "
                               "return a .. ',' .. n"),
                        "ab,4");
    assert_string_equal(run(L,
                            "local a, n = struct.unpack('i9', '\\0\\0\\0\\0\\0\\0\\0\\128\\255') "
                            "return a .. ',' .. n"),
                        "-128,10");
    assert_string_equal(run(L, "return select(2, pcall(struct.pack, 'z', 1))"),
                        "bad argument #1 to '?' (invalid format option 'z')");
    assert_string_equal(run(L, "return select(2, pcall(struct.pack, 'i33', 1))"),
                        "integral size 33 is larger than limit of 32");
    assert_string_equal(run(L, "return select(2, pcall(struct.pack, '!3 i', 1))"),
                        "alignment 3 is not a power of 2");
    assert_string_equal(run(L, "return select(2, pcall(struct.pack, 'i2147483648', 1))"),
                        "integral size overflow");
    assert_string_equal(run(L, "return select(2, pcall(struct.pack, '!4 b i'))"),
                        "bad argument #2 to '?' (number expected, got nil)");
    assert_string_equal(run(L, "return select(2, pcall(struct.unpack, 'i', '\\1\\0\\0\\0', 0))"),
                        "bad argument #3 to '?' (offset must be 1 or greater)");
    assert_string_equal(run(L, "return select(2, pcall(struct.unpack, 's', 'abc'))"),
                        "unfinished string in data");
    assert_string_equal(run(L, "return select(2, pcall(struct.unpack, 'c0', 'abc'))"),
                        "format 'c0' needs a previous size");
    assert_string_equal(run(L, "return select(2, pcall(struct.size, 's'))"),
                        "bad argument #1 to '?' (option 's' has no fixed size)");
}

static void test_pack_out_of_memory(void **state)
{
    lua_State *L = *state;
    /* The buffer is empty in a fresh state: its first growth fails. */
    lua_State *fresh = luaL_newstate();
    assert_non_null(fresh);
    luaL_openlibs(fresh);
    scripting_lua_open_libraries(fresh);
    fail_realloc = 1;
    const char *result = run(fresh, "return select(2, pcall(cmsgpack.pack, string.rep('x', 100)))");
    fail_realloc = 0;
    assert_string_equal(result, "not enough memory");
    assert_string_equal(run(fresh, "return #cmsgpack.pack(string.rep('x', 100))"), "102");
    lua_close(fresh);

    /* A big pack gives its buffer back, so the next one grows again. */
    assert_string_equal(run(L, "return #cmsgpack.pack(string.rep('x', 200000))"), "200005");
    fail_realloc = 1;
    result = run(L, "return select(2, pcall(cmsgpack.pack, string.rep('x', 100)))");
    fail_realloc = 0;
    assert_string_equal(result, "not enough memory");
    assert_string_equal(run(L, "return cmsgpack.unpack(cmsgpack.pack('ok'))"), "ok");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_globals, setup_state, teardown_state),
        cmocka_unit_test_setup_teardown(test_cjson_as_redis, setup_state, teardown_state),
        cmocka_unit_test_setup_teardown(test_cmsgpack_encodings, setup_state, teardown_state),
        cmocka_unit_test_setup_teardown(test_cmsgpack_decoding, setup_state, teardown_state),
        cmocka_unit_test_setup_teardown(test_struct, setup_state, teardown_state),
        cmocka_unit_test_setup_teardown(test_pack_out_of_memory, setup_state, teardown_state),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
