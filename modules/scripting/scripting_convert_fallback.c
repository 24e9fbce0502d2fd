/*
 * scripting_convert_fallback.c - weak stand-ins for scripting_convert.c's
 * two functions (helper s-convert owns the real ones, which replace these
 * at link time): RESP2 rules only, enough for EVAL to run before the
 * conversions land.
 */
#include <math.h>

#include "scripting.h"

__attribute__((weak)) int scripting_push_reply(lua_State *L, const dblite_call_reply *reply,
                                               int resp)
{
    if (!lua_checkstack(L, 4))
        return 0;
    size_t len;
    const char *text;
    switch (dblite_call_reply_kind(reply)) {
        case DBLITE_CALL_REPLY_INTEGER:
            lua_pushnumber(L, (lua_Number)dblite_call_reply_integer(reply));
            return 1;
        case DBLITE_CALL_REPLY_BULK:
            text = dblite_call_reply_string(reply, &len);
            lua_pushlstring(L, text, len);
            return 1;
        case DBLITE_CALL_REPLY_STATUS:
        case DBLITE_CALL_REPLY_ERROR:
            text = dblite_call_reply_string(reply, &len);
            lua_newtable(L);
            lua_pushlstring(L, text, len);
            lua_setfield(L, -2,
                         dblite_call_reply_kind(reply) == DBLITE_CALL_REPLY_STATUS ? "ok" : "err");
            return 1;
        case DBLITE_CALL_REPLY_ARRAY:
        case DBLITE_CALL_REPLY_SET:
            lua_newtable(L);
            for (size_t i = 0; i < dblite_call_reply_length(reply); i++) {
                if (!scripting_push_reply(L, dblite_call_reply_element(reply, i), resp)) {
                    lua_pop(L, 1);
                    return 0;
                }
                lua_rawseti(L, -2, (int)i + 1);
            }
            return 1;
        default:
            lua_pushboolean(L, 0);
            return 1;
    }
}

static void reply_value(dblite_ctx *ctx, lua_State *L, int index, int depth)
{
    if (index < 0)
        index = lua_gettop(L) + index + 1;
    switch (lua_type(L, index)) {
        case LUA_TSTRING: {
            size_t len;
            const char *text = lua_tolstring(L, index, &len);
            dblite_reply_bulk(ctx, text, len);
            return;
        }
        case LUA_TBOOLEAN:
            if (lua_toboolean(L, index))
                dblite_reply_integer(ctx, 1);
            else
                dblite_reply_null(ctx);
            return;
        case LUA_TNUMBER:
            dblite_reply_integer(ctx, (long long)lua_tonumber(L, index));
            return;
        case LUA_TTABLE:
            if (depth > 1000 || !lua_checkstack(L, 4)) {
                dblite_reply_error(ctx, "ERR reached lua stack limit");
                return;
            }
            lua_getfield(L, index, "err");
            if (lua_isstring(L, -1)) {
                dblite_reply_error(ctx, lua_tostring(L, -1));
                lua_pop(L, 1);
                return;
            }
            lua_pop(L, 1);
            lua_getfield(L, index, "ok");
            if (lua_isstring(L, -1)) {
                dblite_reply_simple(ctx, lua_tostring(L, -1));
                lua_pop(L, 1);
                return;
            }
            lua_pop(L, 1);
            {
                void *deferred = dblite_reply_deferred(ctx, DBLITE_AGGREGATE_ARRAY);
                long long count = 0;
                for (;;) {
                    lua_rawgeti(L, index, (int)count + 1);
                    if (lua_isnil(L, -1)) {
                        lua_pop(L, 1);
                        break;
                    }
                    reply_value(ctx, L, -1, depth + 1);
                    lua_pop(L, 1);
                    count++;
                }
                dblite_reply_set_length(ctx, deferred, count);
            }
            return;
        default:
            dblite_reply_null(ctx);
    }
}

__attribute__((weak)) void scripting_reply_lua_value(dblite_ctx *ctx, lua_State *L, int index)
{
    reply_value(ctx, L, index, 0);
}
