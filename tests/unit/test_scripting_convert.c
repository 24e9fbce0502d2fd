/*
 * test_scripting_convert.c - unit tests of modules/scripting/
 * scripting_convert.c, both directions, in a lua_State of their own: reply
 * trees pushed as Lua values (Redis 7.0's RESP2/RESP3 -> Lua rules), and Lua
 * values replied as RESP bytes (Lua -> RESP, for RESP2 and RESP3 clients,
 * scripts in RESP2 and RESP3).
 *
 * The converter only uses the module API, so the test supplies that API
 * itself: a reply tree built by hand (the real ones only come from
 * dblite_call) and a context whose replies are written as RESP into a
 * buffer, the expected bytes being what redis-server 7.0 sends.
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
#include <lualib.h>

#include "scripting_convert.h"

/* ---- A reply tree made by hand -------------------------------------------- */

struct dblite_call_reply {
    dblite_call_kind kind;
    const char *ptr;
    size_t len;
    long long integer;
    double number;
    const char *format;
    size_t count; /* elements; pairs for a map (elements then holds 2*count) */
    const struct dblite_call_reply *elements;
};

dblite_call_kind dblite_call_reply_kind(const dblite_call_reply *reply)
{
    return reply ? reply->kind : DBLITE_CALL_REPLY_NULL;
}
long long dblite_call_reply_integer(const dblite_call_reply *reply)
{
    return reply ? reply->integer : 0;
}
double dblite_call_reply_double(const dblite_call_reply *reply)
{
    return reply ? reply->number : 0.0;
}
const char *dblite_call_reply_string(const dblite_call_reply *reply, size_t *len)
{
    if (len)
        *len = reply && reply->ptr ? reply->len : 0;
    return reply ? reply->ptr : NULL;
}
const char *dblite_call_reply_verbatim_format(const dblite_call_reply *reply)
{
    return reply ? reply->format : NULL;
}
size_t dblite_call_reply_length(const dblite_call_reply *reply)
{
    return reply ? reply->count : 0;
}
const dblite_call_reply *dblite_call_reply_element(const dblite_call_reply *reply, size_t index)
{
    return reply && index < reply->count ? &reply->elements[index] : NULL;
}
const dblite_call_reply *dblite_call_reply_map_key(const dblite_call_reply *reply, size_t index)
{
    return reply && index < reply->count ? &reply->elements[2 * index] : NULL;
}
const dblite_call_reply *dblite_call_reply_map_value(const dblite_call_reply *reply, size_t index)
{
    return reply && index < reply->count ? &reply->elements[2 * index + 1] : NULL;
}

#define BULK(text)                                                             \
    {                                                                          \
        .kind = DBLITE_CALL_REPLY_BULK, .ptr = (text), .len = sizeof(text) - 1 \
    }
#define INTEGER(value)                                        \
    {                                                         \
        .kind = DBLITE_CALL_REPLY_INTEGER, .integer = (value) \
    }
#define NULL_REPLY                     \
    {                                  \
        .kind = DBLITE_CALL_REPLY_NULL \
    }

/* ---- A context writing RESP into a buffer ------------------------------------ */

struct dblite_ctx {
    int protocol;
    char output[1 << 20];
    size_t length;
};

static dblite_ctx test_ctx;

static void append(dblite_ctx *ctx, const char *data, size_t length)
{
    assert_true(ctx->length + length < sizeof(ctx->output));
    memcpy(ctx->output + ctx->length, data, length);
    ctx->length += length;
}

static void append_format(dblite_ctx *ctx, const char *format, ...)
{
    char text[128];
    va_list args;
    va_start(args, format);
    int length = vsnprintf(text, sizeof(text), format, args);
    va_end(args);
    append(ctx, text, (size_t)length);
}

void *dblite_alloc(size_t size)
{
    return malloc(size);
}
void dblite_free(void *ptr)
{
    free(ptr);
}
void dblite_reply_simple(dblite_ctx *ctx, const char *text)
{
    assert_null(strpbrk(text, "\r\n"));
    append_format(ctx, "+%s\r\n", text);
}
void dblite_reply_error(dblite_ctx *ctx, const char *text)
{
    assert_null(strpbrk(text, "\r\n"));
    append(ctx, "-", 1);
    append(ctx, text, strlen(text));
    append(ctx, "\r\n", 2);
}
/* Written as an error with a '!' before it, to tell it apart. */
void dblite_reply_nested_error(dblite_ctx *ctx, const char *text)
{
    append(ctx, "!", 1);
    dblite_reply_error(ctx, text);
}
void dblite_reply_integer(dblite_ctx *ctx, long long value)
{
    append_format(ctx, ":%lld\r\n", value);
}
void dblite_reply_bulk(dblite_ctx *ctx, const char *ptr, size_t len)
{
    append_format(ctx, "$%zu\r\n", len);
    append(ctx, ptr, len);
    append(ctx, "\r\n", 2);
}
void dblite_reply_null(dblite_ctx *ctx)
{
    append_format(ctx, ctx->protocol == 3 ? "_\r\n" : "$-1\r\n");
}
void dblite_reply_bool(dblite_ctx *ctx, int value)
{
    if (ctx->protocol == 3)
        append_format(ctx, value ? "#t\r\n" : "#f\r\n");
    else
        dblite_reply_integer(ctx, value ? 1 : 0);
}
void dblite_reply_double(dblite_ctx *ctx, double value)
{
    char text[64];
    snprintf(text, sizeof(text), "%.17g", value);
    if (ctx->protocol == 3)
        append_format(ctx, ",%s\r\n", text);
    else
        dblite_reply_bulk(ctx, text, strlen(text));
}
void dblite_reply_verbatim(dblite_ctx *ctx, const char *format3, const char *ptr, size_t len)
{
    assert_int_equal(strlen(format3), 3);
    if (ctx->protocol != 3) {
        dblite_reply_bulk(ctx, ptr, len);
        return;
    }
    append_format(ctx, "=%zu\r\n%s:", len + 4, format3);
    append(ctx, ptr, len);
    append(ctx, "\r\n", 2);
}
void dblite_reply_big_number(dblite_ctx *ctx, const char *ptr, size_t len)
{
    if (ctx->protocol != 3) {
        dblite_reply_bulk(ctx, ptr, len);
        return;
    }
    append(ctx, "(", 1);
    append(ctx, ptr, len);
    append(ctx, "\r\n", 2);
}

/* A deferred header: its offset and kind, inserted by set_length. */
void *dblite_reply_deferred(dblite_ctx *ctx, int kind)
{
    return (void *)(uintptr_t)((ctx->length << 2 | (size_t)kind) + 4);
}
void dblite_reply_set_length(dblite_ctx *ctx, void *deferred, long long count)
{
    uintptr_t handle = (uintptr_t)deferred - 4;
    int kind = (int)(handle & 3);
    size_t offset = handle >> 2;
    char prefix = kind == DBLITE_AGGREGATE_MAP ? '%' : kind == DBLITE_AGGREGATE_SET ? '~' : '*';
    if (ctx->protocol != 3) {
        if (prefix == '%')
            count *= 2;
        prefix = '*';
    }
    char header[32];
    int length = snprintf(header, sizeof(header), "%c%lld\r\n", prefix, count);
    assert_true(ctx->length + (size_t)length < sizeof(ctx->output));
    memmove(ctx->output + offset + length, ctx->output + offset, ctx->length - offset);
    memcpy(ctx->output + offset, header, (size_t)length);
    ctx->length += (size_t)length;
}

/* ---- Helpers -------------------------------------------------------------- */

static lua_State *new_state(void)
{
    lua_State *L = luaL_newstate();
    assert_non_null(L);
    luaL_openlibs(L);
    return L;
}

/* Runs "return <expression>" and leaves its value on the top. */
static void evaluate(lua_State *L, const char *chunk)
{
    char code[4096];
    snprintf(code, sizeof(code), "return %s", chunk);
    if (luaL_loadstring(L, code) != 0 || lua_pcall(L, 0, 1, 0) != 0)
        fail_msg("Lua: %s", lua_tostring(L, -1));
}

/* The bytes replied for the Lua expression, for a client of
 * client_protocol and a script in script_resp, must be expected. */
static void check_reply_n(int client_protocol, int script_resp, const char *expression,
                          const char *expected, size_t expected_length)
{
    lua_State *L = new_state();
    evaluate(L, expression);
    int top = lua_gettop(L);
    test_ctx.protocol = client_protocol;
    test_ctx.length = 0;
    scripting_convert_set_resp(L, script_resp);
    scripting_reply_lua_value(&test_ctx, L, -1);
    assert_int_equal(lua_gettop(L), top);
    if (test_ctx.length != expected_length ||
        memcmp(test_ctx.output, expected, expected_length) != 0)
        fail_msg("%s (RESP%d client, RESP%d script): got \"%.*s\", expected \"%s\"", expression,
                 client_protocol, script_resp, (int)test_ctx.length, test_ctx.output, expected);
    lua_close(L);
}

#define CHECK_REPLY(protocol, resp, expression, expected) \
    check_reply_n(protocol, resp, expression, expected, sizeof(expected) - 1)

/* Pushes reply with resp, stores it as the global "r" and runs the Lua
 * assertion chunk (which errors when it does not hold). */
static void check_pushed(const dblite_call_reply *reply, int resp, const char *assertions)
{
    lua_State *L = new_state();
    int top = lua_gettop(L);
    assert_int_equal(scripting_push_reply(L, reply, resp), 1);
    assert_int_equal(lua_gettop(L), top + 1);
    lua_setglobal(L, "r");
    if (luaL_loadstring(L, assertions) != 0 || lua_pcall(L, 0, 0, 0) != 0)
        fail_msg("RESP%d: %s: %s", resp, assertions, lua_tostring(L, -1));
    lua_close(L);
}

/* ---- Redis reply -> Lua ----------------------------------------------------- */

static void test_push_scalars(void **state)
{
    (void)state;
    dblite_call_reply integer = INTEGER(-42);
    check_pushed(&integer, 2, "assert(r == -42)");
    dblite_call_reply bulk = {.kind = DBLITE_CALL_REPLY_BULK, .ptr = "a\0b", .len = 3};
    check_pushed(&bulk, 2, "assert(r == 'a\\0b')");
    dblite_call_reply empty = {.kind = DBLITE_CALL_REPLY_BULK, .ptr = "", .len = 0};
    check_pushed(&empty, 3, "assert(r == '')");
    dblite_call_reply null = NULL_REPLY;
    check_pushed(&null, 2, "assert(r == false)");
    check_pushed(&null, 3, "assert(r == nil)");
    check_pushed(NULL, 2, "assert(r == false)");
    dblite_call_reply status = {.kind = DBLITE_CALL_REPLY_STATUS, .ptr = "OK", .len = 2};
    check_pushed(&status, 2,
                 "assert(type(r) == 'table' and r.ok == 'OK' and next(r, 'ok') == nil)");
    dblite_call_reply yes = {.kind = DBLITE_CALL_REPLY_BOOL, .integer = 1};
    check_pushed(&yes, 3, "assert(r == true)");
    dblite_call_reply no = {.kind = DBLITE_CALL_REPLY_BOOL, .integer = 0};
    check_pushed(&no, 3, "assert(r == false)");
    dblite_call_reply number = {
        .kind = DBLITE_CALL_REPLY_DOUBLE, .number = 3.5, .ptr = "3.5", .len = 3};
    check_pushed(&number, 3, "assert(r.double == 3.5)");
    dblite_call_reply big = {
        .kind = DBLITE_CALL_REPLY_BIGNUM, .ptr = "-123456789012345678901", .len = 22};
    check_pushed(&big, 3, "assert(r.big_number == '-123456789012345678901')");
    dblite_call_reply verbatim = {
        .kind = DBLITE_CALL_REPLY_VERBATIM, .ptr = "# Server", .len = 8, .format = "txt"};
    check_pushed(
        &verbatim, 3,
        "assert(r.verbatim_string.format == 'txt' and r.verbatim_string.string == '# Server')");
}

static void test_push_errors(void **state)
{
    (void)state;
    dblite_call_reply wrongtype = {
        .kind = DBLITE_CALL_REPLY_ERROR, .ptr = "WRONGTYPE Operation against a key", .len = 33};
    check_pushed(&wrongtype, 2,
                 "assert(r.err == 'WRONGTYPE Operation against a key' and "
                 "r.ignore_error_stats_update == true)");
    /* No space: the whole text is the message of an ERR. */
    dblite_call_reply bare = {.kind = DBLITE_CALL_REPLY_ERROR, .ptr = "NOSCRIPT", .len = 8};
    check_pushed(&bare, 2, "assert(r.err == 'ERR NOSCRIPT')");
    dblite_call_reply empty = {.kind = DBLITE_CALL_REPLY_ERROR, .ptr = "", .len = 0};
    check_pushed(&empty, 2, "assert(r.err == 'ERR ')");
    /* CR/LF trimmed at both ends of the message; text cut at a NUL. */
    dblite_call_reply trimmed = {
        .kind = DBLITE_CALL_REPLY_ERROR, .ptr = "MY \r\nmsg x\n\0tail", .len = 16};
    check_pushed(&trimmed, 2, "assert(r.err == 'MY msg x', r.err)");
}

static void test_push_aggregates(void **state)
{
    (void)state;
    const dblite_call_reply inner[] = {BULK("x"), NULL_REPLY};
    const dblite_call_reply elements[] = {
        INTEGER(1),
        BULK("two"),
        NULL_REPLY,
        {.kind = DBLITE_CALL_REPLY_ARRAY, .count = 2, .elements = inner}};
    dblite_call_reply array = {.kind = DBLITE_CALL_REPLY_ARRAY, .count = 4, .elements = elements};
    check_pushed(&array, 2,
                 "assert(r[1] == 1 and r[2] == 'two' and r[3] == false and r[4][1] == 'x' and "
                 "r[4][2] == false and r[5] == nil)");
    check_pushed(&array, 3, "assert(r[1] == 1 and r[3] == nil and r[4][1] == 'x')");
    dblite_call_reply empty = {.kind = DBLITE_CALL_REPLY_ARRAY, .count = 0};
    check_pushed(&empty, 2, "assert(type(r) == 'table' and next(r) == nil)");

    const dblite_call_reply pairs[] = {BULK("a"), INTEGER(1), BULK("b"), BULK("2")};
    dblite_call_reply map = {.kind = DBLITE_CALL_REPLY_MAP, .count = 2, .elements = pairs};
    check_pushed(&map, 3, "assert(r.map.a == 1 and r.map.b == '2' and next(r, 'map') == nil)");
    const dblite_call_reply members[] = {BULK("m1"), BULK("m2")};
    dblite_call_reply set = {.kind = DBLITE_CALL_REPLY_SET, .count = 2, .elements = members};
    check_pushed(&set, 3, "assert(r.set.m1 == true and r.set.m2 == true and r.set.m3 == nil)");
}

/* Lua's stack cannot hold a reply nested past LUAI_MAXCSTACK: 0, nothing
 * pushed. */
static void test_push_too_deep(void **state)
{
    (void)state;
    enum { DEPTH = 9000 };
    dblite_call_reply *levels = calloc(DEPTH, sizeof(*levels));
    assert_non_null(levels);
    for (int i = 0; i < DEPTH - 1; i++) {
        levels[i].kind = DBLITE_CALL_REPLY_ARRAY;
        levels[i].count = 1;
        levels[i].elements = &levels[i + 1];
    }
    levels[DEPTH - 1].kind = DBLITE_CALL_REPLY_INTEGER;
    lua_State *L = new_state();
    int top = lua_gettop(L);
    assert_int_equal(scripting_push_reply(L, levels, 2), 0);
    assert_int_equal(lua_gettop(L), top);
    /* A depth that fits is pushed whole. */
    levels[99].kind = DBLITE_CALL_REPLY_INTEGER;
    assert_int_equal(scripting_push_reply(L, levels, 2), 1);
    assert_int_equal(lua_gettop(L), top + 1);
    lua_close(L);
    free(levels);
}

/* ---- Lua -> RESP ---------------------------------------------------------- */

static void test_reply_scalars(void **state)
{
    (void)state;
    CHECK_REPLY(2, 2, "'hello'", "$5\r\nhello\r\n");
    check_reply_n(2, 2, "'a\\0b'", "$3\r\na\0b\r\n", 9);
    CHECK_REPLY(2, 2, "3.99", ":3\r\n");
    CHECK_REPLY(2, 2, "-3.99", ":-3\r\n");
    CHECK_REPLY(2, 2, "1/0", ":-9223372036854775808\r\n");
    CHECK_REPLY(2, 2, "0/0", ":-9223372036854775808\r\n");
    CHECK_REPLY(2, 2, "2^63", ":-9223372036854775808\r\n");
    CHECK_REPLY(2, 2, "nil", "$-1\r\n");
    CHECK_REPLY(3, 2, "nil", "_\r\n");
    CHECK_REPLY(2, 2, "print", "$-1\r\n");
    /* Booleans follow the script's protocol, then the client's. */
    CHECK_REPLY(2, 2, "true", ":1\r\n");
    CHECK_REPLY(2, 2, "false", "$-1\r\n");
    CHECK_REPLY(3, 2, "true", ":1\r\n");
    CHECK_REPLY(3, 2, "false", "_\r\n");
    CHECK_REPLY(3, 3, "true", "#t\r\n");
    CHECK_REPLY(3, 3, "false", "#f\r\n");
    CHECK_REPLY(2, 3, "true", ":1\r\n");
    CHECK_REPLY(2, 3, "false", ":0\r\n");
}

static void test_reply_status_and_errors(void **state)
{
    (void)state;
    CHECK_REPLY(2, 2, "{ok='fine'}", "+fine\r\n");
    CHECK_REPLY(2, 2, "{ok='a\\r\\nb'}", "+a  b\r\n");
    CHECK_REPLY(2, 2, "{ok='a\\0b'}", "+a\r\n");
    CHECK_REPLY(2, 2, "redis_status", "$-1\r\n"); /* an unknown global: nil */
    CHECK_REPLY(2, 2, "{err='My Error'}", "-My Error\r\n");
    CHECK_REPLY(2, 2, "{err='x'}", "-x\r\n");
    CHECK_REPLY(2, 2, "{err=''}", "-\r\n");
    CHECK_REPLY(2, 2, "{err='-x'}", "--x\r\n");
    CHECK_REPLY(2, 2, "{err='a\\nb\\r\\n'}", "-a b\r\n");
    /* err wins over ok; a field of another type is not one. */
    CHECK_REPLY(2, 2, "{err='E1', ok='fine'}", "-E1\r\n");
    CHECK_REPLY(2, 2, "{err=12, ok='fine'}", "+fine\r\n");
    CHECK_REPLY(2, 2, "{ok=12}", "*0\r\n");
    /* redis.call/pcall's errors were counted by the nested call. */
    CHECK_REPLY(2, 2, "{err='ERR x', ignore_error_stats_update=true}", "!-ERR x\r\n");
    CHECK_REPLY(2, 2, "{err='ERR x', ignore_error_stats_update=false}", "-ERR x\r\n");
    CHECK_REPLY(2, 2, "{err='ERR x', ignore_error_stats_update=1}", "-ERR x\r\n");
}

static void test_reply_resp3_types(void **state)
{
    (void)state;
    CHECK_REPLY(3, 3, "{double=3.5}", ",3.5\r\n");
    CHECK_REPLY(2, 3, "{double=3.5}", "$3\r\n3.5\r\n");
    CHECK_REPLY(2, 2, "{double='3.5'}", "*0\r\n");
    CHECK_REPLY(3, 3, "{big_number='123456789012345678901'}", "(123456789012345678901\r\n");
    CHECK_REPLY(2, 3, "{big_number='12'}", "$2\r\n12\r\n");
    CHECK_REPLY(3, 3, "{big_number='1\\r\\n2'}", "(1  2\r\n");
    CHECK_REPLY(3, 3, "{verbatim_string={format='txt', string='hi'}}", "=6\r\ntxt:hi\r\n");
    CHECK_REPLY(3, 3, "{verbatim_string={format='t', string='hi'}}", "=6\r\nt  :hi\r\n");
    CHECK_REPLY(3, 3, "{verbatim_string={format='markdown', string='hi'}}", "=6\r\nmar:hi\r\n");
    CHECK_REPLY(2, 3, "{verbatim_string={format='txt', string='hi'}}", "$2\r\nhi\r\n");
    CHECK_REPLY(3, 3, "{verbatim_string={format='txt'}}", "*0\r\n");
    CHECK_REPLY(3, 3, "{map={a=1}}", "%1\r\n$1\r\na\r\n:1\r\n");
    CHECK_REPLY(2, 3, "{map={a=1}}", "*2\r\n$1\r\na\r\n:1\r\n");
    CHECK_REPLY(3, 3, "{map={}}", "%0\r\n");
    CHECK_REPLY(3, 3, "{set={a=true}}", "~1\r\n$1\r\na\r\n");
    CHECK_REPLY(2, 3, "{set={a=true}}", "*1\r\n$1\r\na\r\n");
    CHECK_REPLY(3, 3, "{map={[1]={ok='x'}}}", "%1\r\n:1\r\n+x\r\n");
}

static void test_reply_arrays(void **state)
{
    (void)state;
    CHECK_REPLY(2, 2, "{}", "*0\r\n");
    CHECK_REPLY(2, 2, "{1, 'two', {3, {ok='OK'}}}", "*3\r\n:1\r\n$3\r\ntwo\r\n*2\r\n:3\r\n+OK\r\n");
    /* An array stops at its first nil; string keys are not elements. */
    CHECK_REPLY(2, 2, "{1, 2, nil, 4}", "*2\r\n:1\r\n:2\r\n");
    CHECK_REPLY(2, 2, "{1, false, 3}", "*3\r\n:1\r\n$-1\r\n:3\r\n");
    CHECK_REPLY(2, 2, "{a=1, 5}", "*1\r\n:5\r\n");
    /* Metatables are not consulted (raw reads). */
    CHECK_REPLY(2, 2, "setmetatable({}, {__index=function() return 1 end})", "*0\r\n");
}

/* A value that is not on the top is replied without disturbing the stack. */
static void test_reply_index(void **state)
{
    (void)state;
    lua_State *L = new_state();
    lua_pushstring(L, "below");
    lua_pushinteger(L, 7);
    test_ctx.protocol = 2;
    test_ctx.length = 0;
    scripting_reply_lua_value_resp(&test_ctx, L, 1, 2);
    scripting_reply_lua_value_resp(&test_ctx, L, -1, 2);
    assert_int_equal(lua_gettop(L), 2);
    assert_int_equal(test_ctx.length, strlen("$5\r\nbelow\r\n:7\r\n"));
    assert_memory_equal(test_ctx.output, "$5\r\nbelow\r\n:7\r\n", test_ctx.length);
    /* No protocol recorded: RESP2. */
    assert_int_equal(scripting_convert_resp(L), 2);
    scripting_convert_set_resp(L, 3);
    assert_int_equal(scripting_convert_resp(L), 3);
    lua_close(L);
}

/* Nesting past Lua's stack gets Redis's error in place of the element, at
 * Redis's depth: redis-server 7.0 replies 7995 arrays of one, the last
 * holding the error, for a script returning a table nested 9000 deep (its
 * stack then holds the error handler below the value, as here). */
static void test_reply_stack_limit(void **state)
{
    (void)state;
    lua_State *L = new_state();
    lua_pushnil(L); /* where Redis's error handler is */
    evaluate(L, "(function() local t = {} local c = t for i = 1, 9000 do c[1] = {} c = c[1] end "
                "return t end)()");
    test_ctx.protocol = 2;
    test_ctx.length = 0;
    scripting_reply_lua_value_resp(&test_ctx, L, -1, 2);
    assert_int_equal(lua_gettop(L), 2);
    const char *error = "-ERR reached lua stack limit\r\n";
    size_t error_length = strlen(error);
    assert_int_equal(test_ctx.length, 7995 * 4 + error_length);
    for (size_t i = 0; i < 7995; i++)
        assert_memory_equal(test_ctx.output + 4 * i, "*1\r\n", 4);
    assert_memory_equal(test_ctx.output + 7995 * 4, error, error_length);
    lua_close(L);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_push_scalars),      cmocka_unit_test(test_push_errors),
        cmocka_unit_test(test_push_aggregates),   cmocka_unit_test(test_push_too_deep),
        cmocka_unit_test(test_reply_scalars),     cmocka_unit_test(test_reply_status_and_errors),
        cmocka_unit_test(test_reply_resp3_types), cmocka_unit_test(test_reply_arrays),
        cmocka_unit_test(test_reply_index),       cmocka_unit_test(test_reply_stack_limit),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
