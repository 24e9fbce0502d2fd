/*
 * scripting_convert.c - Redis replies to Lua values (redis.call's result)
 * and Lua values to Redis replies (a script's return value), exactly as
 * Redis 7.0's script_lua.c converts them, since scripts and their callers
 * depend on every detail: a null is false in RESP2 and nil in RESP3, an
 * error becomes {err="CODE message"}, a table stops at its first nil, a
 * number is truncated to an integer.
 *
 * The stack is grown with lua_checkstack by the same amounts, at the same
 * points, as Redis grows it, so a deeply nested return value hits Lua's
 * limit (LUAI_MAXCSTACK) at the same depth and gets the same error.
 */
#include "scripting_convert.h"

#include <limits.h>
#include <math.h>
#include <string.h>

/* The registry field where the script's protocol (redis.setresp) is kept. */
#define SCRIPT_RESP_REGISTRY_KEY "dblite_scripting_resp"

/* ---- Redis reply -> Lua value ---------------------------------------------- */

static int push_reply(lua_State *L, const dblite_call_reply *reply, int resp);

/* {field=<the reply's bytes>}: a status, a big number. */
static int push_string_field_table(lua_State *L, const char *field, const dblite_call_reply *reply)
{
    if (!lua_checkstack(L, 3))
        return 0;
    size_t length = 0;
    const char *text = dblite_call_reply_string(reply, &length);
    lua_newtable(L);
    lua_pushstring(L, field);
    lua_pushlstring(L, text ? text : "", length);
    lua_settable(L, -3);
    return 1;
}

/* An error as Redis's luaPushErrorBuff makes it from "-<text>": the code is
 * the text up to the first space ("ERR" when there is none, the whole text
 * then being the message), the message has CR/LF trimmed at both ends, and
 * the text stops at a NUL, as the C strings Redis uses there.  The table
 * also says the error was counted already (ignore_error_stats_update). */
static int push_error_table(lua_State *L, const dblite_call_reply *reply)
{
    if (!lua_checkstack(L, 5))
        return 0;
    size_t length = 0;
    const char *text = dblite_call_reply_string(reply, &length);
    if (!text)
        text = "";
    const char *nul = memchr(text, '\0', length);
    if (nul)
        length = (size_t)(nul - text);
    const char *space = memchr(text, ' ', length);
    const char *code = "ERR";
    size_t code_length = 3;
    const char *message = text;
    size_t message_length = length;
    if (space) {
        code = text;
        code_length = (size_t)(space - text);
        message = space + 1;
        message_length = length - code_length - 1;
    }
    while (message_length > 0 && (message[0] == '\r' || message[0] == '\n')) {
        message++;
        message_length--;
    }
    while (message_length > 0 &&
           (message[message_length - 1] == '\r' || message[message_length - 1] == '\n'))
        message_length--;
    lua_newtable(L);
    lua_pushstring(L, "err");
    lua_pushlstring(L, code, code_length);
    lua_pushlstring(L, " ", 1);
    lua_pushlstring(L, message, message_length);
    lua_concat(L, 3);
    lua_settable(L, -3);
    lua_pushstring(L, "ignore_error_stats_update");
    lua_pushboolean(L, 1);
    lua_settable(L, -3);
    return 1;
}

/* An array (or a push frame): a table of its elements from index 1. */
static int push_array_table(lua_State *L, const dblite_call_reply *reply, int resp)
{
    if (!lua_checkstack(L, 2))
        return 0;
    lua_newtable(L);
    size_t count = dblite_call_reply_length(reply);
    for (size_t i = 0; i < count; i++) {
        lua_pushnumber(L, (lua_Number)(i + 1));
        if (!push_reply(L, dblite_call_reply_element(reply, i), resp)) {
            lua_pop(L, 2); /* the index and the table */
            return 0;
        }
        lua_settable(L, -3);
    }
    return 1;
}

/* A RESP3 map: {map={key=value...}}. */
static int push_map_table(lua_State *L, const dblite_call_reply *reply, int resp)
{
    if (!lua_checkstack(L, 3))
        return 0;
    lua_newtable(L);
    lua_pushstring(L, "map");
    lua_newtable(L);
    size_t pairs = dblite_call_reply_length(reply);
    for (size_t i = 0; i < pairs; i++) {
        if (!push_reply(L, dblite_call_reply_map_key(reply, i), resp)) {
            lua_pop(L, 3);
            return 0;
        }
        if (!push_reply(L, dblite_call_reply_map_value(reply, i), resp)) {
            lua_pop(L, 4);
            return 0;
        }
        lua_settable(L, -3);
    }
    lua_settable(L, -3);
    return 1;
}

/* A RESP3 set: {set={member=true...}}. */
static int push_set_table(lua_State *L, const dblite_call_reply *reply, int resp)
{
    if (!lua_checkstack(L, 3))
        return 0;
    lua_newtable(L);
    lua_pushstring(L, "set");
    lua_newtable(L);
    size_t count = dblite_call_reply_length(reply);
    for (size_t i = 0; i < count; i++) {
        if (!push_reply(L, dblite_call_reply_element(reply, i), resp)) {
            lua_pop(L, 3);
            return 0;
        }
        /* The member may have used the room grown before: check again. */
        if (!lua_checkstack(L, 1)) {
            lua_pop(L, 4);
            return 0;
        }
        lua_pushboolean(L, 1);
        lua_settable(L, -3);
    }
    lua_settable(L, -3);
    return 1;
}

/* {verbatim_string={string=<text>, format=<3 letters>}}. */
static int push_verbatim_table(lua_State *L, const dblite_call_reply *reply)
{
    if (!lua_checkstack(L, 5))
        return 0;
    size_t length = 0;
    const char *text = dblite_call_reply_string(reply, &length);
    const char *format = dblite_call_reply_verbatim_format(reply);
    lua_newtable(L);
    lua_pushstring(L, "verbatim_string");
    lua_newtable(L);
    lua_pushstring(L, "string");
    lua_pushlstring(L, text ? text : "", length);
    lua_settable(L, -3);
    lua_pushstring(L, "format");
    lua_pushlstring(L, format ? format : "txt", format ? strnlen(format, 3) : 3);
    lua_settable(L, -3);
    lua_settable(L, -3);
    return 1;
}

/* {double=<number>}. */
static int push_double_table(lua_State *L, const dblite_call_reply *reply)
{
    if (!lua_checkstack(L, 3))
        return 0;
    lua_newtable(L);
    lua_pushstring(L, "double");
    lua_pushnumber(L, (lua_Number)dblite_call_reply_double(reply));
    lua_settable(L, -3);
    return 1;
}

static int push_reply(lua_State *L, const dblite_call_reply *reply, int resp)
{
    switch (dblite_call_reply_kind(reply)) {
        case DBLITE_CALL_REPLY_STATUS:
            return push_string_field_table(L, "ok", reply);
        case DBLITE_CALL_REPLY_ERROR:
            return push_error_table(L, reply);
        case DBLITE_CALL_REPLY_INTEGER:
            if (!lua_checkstack(L, 1))
                return 0;
            lua_pushnumber(L, (lua_Number)dblite_call_reply_integer(reply));
            return 1;
        case DBLITE_CALL_REPLY_BULK: {
            if (!lua_checkstack(L, 1))
                return 0;
            size_t length = 0;
            const char *text = dblite_call_reply_string(reply, &length);
            lua_pushlstring(L, text ? text : "", length);
            return 1;
        }
        case DBLITE_CALL_REPLY_ARRAY:
        case DBLITE_CALL_REPLY_PUSH:
            return push_array_table(L, reply, resp);
        case DBLITE_CALL_REPLY_MAP:
            return push_map_table(L, reply, resp);
        case DBLITE_CALL_REPLY_SET:
            return push_set_table(L, reply, resp);
        case DBLITE_CALL_REPLY_DOUBLE:
            return push_double_table(L, reply);
        case DBLITE_CALL_REPLY_BOOL:
            if (!lua_checkstack(L, 1))
                return 0;
            lua_pushboolean(L, dblite_call_reply_integer(reply) != 0);
            return 1;
        case DBLITE_CALL_REPLY_BIGNUM:
            return push_string_field_table(L, "big_number", reply);
        case DBLITE_CALL_REPLY_VERBATIM:
            return push_verbatim_table(L, reply);
        case DBLITE_CALL_REPLY_NULL:
        default:
            /* RESP2's null bulk and null array are false; RESP3's null is nil. */
            if (!lua_checkstack(L, 1))
                return 0;
            if (resp == 3)
                lua_pushnil(L);
            else
                lua_pushboolean(L, 0);
            return 1;
    }
}

int scripting_push_reply(lua_State *L, const dblite_call_reply *reply, int resp)
{
    return push_reply(L, reply, resp);
}

/* ---- Lua value -> Redis reply ---------------------------------------------- */

/* lua_Number to long long as Redis's (long long) cast does on x86-64:
 * NaN and values out of range give LLONG_MIN (cvttsd2si's "indefinite"),
 * without the undefined behaviour of the plain cast. */
static long long number_to_integer(lua_Number number)
{
    if (isnan(number) || number >= 9223372036854775808.0 || number < -9223372036854775808.0)
        return LLONG_MIN;
    return (long long)number;
}

/* How reply_line replies its text. */
enum line_kind { LINE_STATUS, LINE_ERROR, LINE_NESTED_ERROR };

/* Replies text (cut at a NUL, as Redis's C strings) with CR and LF mapped
 * to spaces: a status line, or an error (whose CR/LF at the end are dropped
 * first, as addReplyErrorFormat trims them); a nested error was counted
 * when the nested call answered it. */
static void reply_line(dblite_ctx *ctx, const char *text, enum line_kind kind)
{
    size_t length = strlen(text);
    if (kind != LINE_STATUS)
        while (length > 0 && (text[length - 1] == '\r' || text[length - 1] == '\n'))
            length--;
    char small[256];
    char *line = length < sizeof(small) ? small : dblite_alloc(length + 1);
    if (!line) {
        dblite_reply_error(ctx, "ERR out of memory");
        return;
    }
    for (size_t i = 0; i < length; i++)
        line[i] = (text[i] == '\r' || text[i] == '\n') ? ' ' : text[i];
    line[length] = '\0';
    if (kind == LINE_STATUS)
        dblite_reply_simple(ctx, line);
    else if (kind == LINE_NESTED_ERROR)
        dblite_reply_nested_error(ctx, line);
    else
        dblite_reply_error(ctx, line);
    if (line != small)
        dblite_free(line);
}

/* A big number's digits with CR and LF mapped to spaces (binary-safe). */
static void reply_big_number(dblite_ctx *ctx, const char *text, size_t length)
{
    char small[256] = "";
    char *digits = length < sizeof(small) ? small : dblite_alloc(length + 1);
    if (!digits) {
        dblite_reply_error(ctx, "ERR out of memory");
        return;
    }
    for (size_t i = 0; i < length; i++)
        digits[i] = (text[i] == '\r' || text[i] == '\n') ? ' ' : text[i];
    dblite_reply_big_number(ctx, digits, length);
    if (digits != small)
        dblite_free(digits);
}

/* Verbatim text: its format is 3 bytes, padded with spaces or cut. */
static void reply_verbatim(dblite_ctx *ctx, const char *format, const char *text, size_t length)
{
    char format3[4] = {' ', ' ', ' ', '\0'};
    for (int i = 0; i < 3 && format[i] != '\0'; i++)
        format3[i] = format[i];
    dblite_reply_verbatim(ctx, format3, text, length);
}

/* Pushes t[field] (raw) and answers its type; the caller pops it. */
static int raw_field(lua_State *L, const char *field)
{
    lua_pushstring(L, field);
    lua_rawget(L, -2);
    return lua_type(L, -1);
}

static void reply_value(dblite_ctx *ctx, lua_State *L, int script_resp);

/* The table on the top is {map=M}: M's pairs, in lua_next's order. */
static void reply_map(dblite_ctx *ctx, lua_State *L, int script_resp)
{
    void *deferred = dblite_reply_deferred(ctx, DBLITE_AGGREGATE_MAP);
    long long pairs = 0;
    lua_pushnil(L); /* stack: M, nil */
    while (lua_next(L, -2)) {
        /* stack: M, key, value */
        lua_pushvalue(L, -2);
        reply_value(ctx, L, script_resp);
        lua_pop(L, 1);
        reply_value(ctx, L, script_resp);
        lua_pop(L, 1);
        pairs++;
    }
    dblite_reply_set_length(ctx, deferred, pairs);
}

/* The table on the top is {set=S}: S's keys, in lua_next's order. */
static void reply_set(dblite_ctx *ctx, lua_State *L, int script_resp)
{
    void *deferred = dblite_reply_deferred(ctx, DBLITE_AGGREGATE_SET);
    long long count = 0;
    lua_pushnil(L); /* stack: S, nil */
    while (lua_next(L, -2)) {
        lua_pop(L, 1); /* the value (true) does not matter */
        lua_pushvalue(L, -1);
        reply_value(ctx, L, script_resp);
        lua_pop(L, 1);
        count++;
    }
    dblite_reply_set_length(ctx, deferred, count);
}

/* The elements t[1], t[2]... up to the first nil. */
static void reply_array(dblite_ctx *ctx, lua_State *L, int script_resp)
{
    void *deferred = dblite_reply_deferred(ctx, DBLITE_AGGREGATE_ARRAY);
    long long count = 0;
    for (lua_Number i = 1;; i++) {
        lua_pushnumber(L, i);
        lua_rawget(L, -2);
        if (lua_type(L, -1) == LUA_TNIL) {
            lua_pop(L, 1);
            break;
        }
        reply_value(ctx, L, script_resp);
        lua_pop(L, 1);
        count++;
    }
    dblite_reply_set_length(ctx, deferred, count);
}

/* {verbatim_string={format=F, string=S}} when both are strings: replies it
 * and answers 1; else 0 with the stack as it was. */
static int reply_verbatim_field(dblite_ctx *ctx, lua_State *L)
{
    if (raw_field(L, "verbatim_string") != LUA_TTABLE) {
        lua_pop(L, 1);
        return 0;
    }
    int replied = 0;
    if (raw_field(L, "format") == LUA_TSTRING) {
        const char *format = lua_tostring(L, -1);
        lua_pushstring(L, "string");
        lua_rawget(L, -3);
        if (lua_type(L, -1) == LUA_TSTRING) {
            size_t length = 0;
            const char *text = lua_tolstring(L, -1, &length);
            reply_verbatim(ctx, format, text, length);
            replied = 1;
        }
        lua_pop(L, 1);
    }
    lua_pop(L, 2);
    return replied;
}

/* A table: an error, a status, a double, a big number, a verbatim string,
 * a map, a set (the first of those fields that is there, with its type),
 * else an array. */
static void reply_table(dblite_ctx *ctx, lua_State *L, int script_resp)
{
    if (raw_field(L, "err") == LUA_TSTRING) {
        lua_pop(L, 1);
        /* Redis reads the message again through lua_getfield, and an
         * error that redis.call/pcall made says it was counted already. */
        lua_getfield(L, -1, "ignore_error_stats_update");
        int counted = lua_isboolean(L, -1) && lua_toboolean(L, -1);
        lua_pop(L, 1);
        lua_getfield(L, -1, "err");
        const char *text = lua_tostring(L, -1);
        reply_line(ctx, text ? text : "", counted ? LINE_NESTED_ERROR : LINE_ERROR);
        lua_pop(L, 1);
        return;
    }
    lua_pop(L, 1);

    if (raw_field(L, "ok") == LUA_TSTRING) {
        reply_line(ctx, lua_tostring(L, -1), LINE_STATUS);
        lua_pop(L, 1);
        return;
    }
    lua_pop(L, 1);

    if (raw_field(L, "double") == LUA_TNUMBER) {
        dblite_reply_double(ctx, (double)lua_tonumber(L, -1));
        lua_pop(L, 1);
        return;
    }
    lua_pop(L, 1);

    if (raw_field(L, "big_number") == LUA_TSTRING) {
        size_t length = 0;
        const char *text = lua_tolstring(L, -1, &length);
        reply_big_number(ctx, text, length);
        lua_pop(L, 1);
        return;
    }
    lua_pop(L, 1);

    if (reply_verbatim_field(ctx, L))
        return;

    if (raw_field(L, "map") == LUA_TTABLE) {
        reply_map(ctx, L, script_resp);
        lua_pop(L, 1);
        return;
    }
    lua_pop(L, 1);

    if (raw_field(L, "set") == LUA_TTABLE) {
        reply_set(ctx, L, script_resp);
        lua_pop(L, 1);
        return;
    }
    lua_pop(L, 1);

    reply_array(ctx, L, script_resp);
}

/* Replies the value on the top of the stack, leaving it there. */
static void reply_value(dblite_ctx *ctx, lua_State *L, int script_resp)
{
    /* A map needs 4 more slots in the worst case (Redis checks the same). */
    if (!lua_checkstack(L, 4)) {
        dblite_reply_error(ctx, "ERR reached lua stack limit");
        return;
    }
    switch (lua_type(L, -1)) {
        case LUA_TSTRING: {
            size_t length = 0;
            const char *text = lua_tolstring(L, -1, &length);
            dblite_reply_bulk(ctx, text, length);
            break;
        }
        case LUA_TBOOLEAN:
            if (script_resp == 2) {
                if (lua_toboolean(L, -1))
                    dblite_reply_integer(ctx, 1);
                else
                    dblite_reply_null(ctx);
            } else {
                dblite_reply_bool(ctx, lua_toboolean(L, -1));
            }
            break;
        case LUA_TNUMBER:
            dblite_reply_integer(ctx, number_to_integer(lua_tonumber(L, -1)));
            break;
        case LUA_TTABLE:
            reply_table(ctx, L, script_resp);
            break;
        default:
            dblite_reply_null(ctx);
            break;
    }
}

void scripting_reply_lua_value_resp(dblite_ctx *ctx, lua_State *L, int index, int script_resp)
{
    int top = lua_gettop(L);
    int absolute = index > 0 || index <= LUA_REGISTRYINDEX ? index : top + index + 1;
    if (absolute == top) {
        /* Already on the top: no copy, so the stack depth is Redis's. */
        reply_value(ctx, L, script_resp);
        return;
    }
    if (!lua_checkstack(L, 1)) {
        dblite_reply_error(ctx, "ERR reached lua stack limit");
        return;
    }
    lua_pushvalue(L, index);
    reply_value(ctx, L, script_resp);
    lua_pop(L, 1);
}

void scripting_reply_lua_value(dblite_ctx *ctx, lua_State *L, int index)
{
    scripting_reply_lua_value_resp(ctx, L, index, scripting_convert_resp(L));
}

void scripting_convert_set_resp(lua_State *L, int resp)
{
    lua_pushstring(L, SCRIPT_RESP_REGISTRY_KEY);
    lua_pushnumber(L, resp == 3 ? 3 : 2);
    lua_rawset(L, LUA_REGISTRYINDEX);
}

int scripting_convert_resp(lua_State *L)
{
    lua_pushstring(L, SCRIPT_RESP_REGISTRY_KEY);
    lua_rawget(L, LUA_REGISTRYINDEX);
    int resp = lua_tonumber(L, -1) == 3 ? 3 : 2;
    lua_pop(L, 1);
    return resp;
}
