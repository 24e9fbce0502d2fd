/*
 * scripting_convert.h - the two conversions between Redis replies and Lua
 * values that scripts rely on, with Redis 7.0's rules: a redis.call reply
 * pushed as a Lua value, and a script's return value replied to the client.
 * Kept apart from the sandbox and the redis table because both directions
 * are pure translation: no state but the script's protocol (redis.setresp).
 */
#ifndef SCRIPTING_CONVERT_H
#define SCRIPTING_CONVERT_H

#include <lua.h>

#include "dblite_module.h"

/* Pushes one Lua value for reply (Redis's RESP2->Lua or RESP3->Lua rules:
 * integer -> number, bulk -> string, null -> false (RESP2) / nil (RESP3),
 * array -> table, status -> {ok=...}, error -> {err="CODE message",
 * ignore_error_stats_update=true}, RESP3 map -> {map={...}}, set ->
 * {set={member=true...}}, double -> {double=...}, bool -> boolean, bignum ->
 * {big_number=...}, verbatim -> {verbatim_string={format=..,string=..}})
 * according to resp (2 or 3, what redis.setresp chose).  A NULL reply is
 * pushed as a null.  Returns 1, or 0 when Lua's stack cannot grow (after
 * pushing nothing). */
int scripting_push_reply(lua_State *L, const dblite_call_reply *reply, int resp);

/* Replies to the client the Lua value at index (a script's return value)
 * with Redis 7.0's Lua->RESP rules for the client's protocol: number ->
 * integer (truncated; NaN and out of range give LLONG_MIN as on x86
 * Redis), string -> bulk, true -> :1 / #t, false -> null (script in RESP2)
 * or #f / :0 (script in RESP3), nil and other types -> null, {err=} ->
 * error ("-" and the text as it is), {ok=} -> status, {double=},
 * {big_number=}, {verbatim_string={format=,string=}}, {map=}, {set=}, else
 * an array up to the first nil.  Fields are read raw, in that order.  The
 * script's protocol (which changes booleans only) is the one recorded by
 * scripting_convert_set_resp, 2 when none was.  Where Lua's stack cannot
 * grow (nesting near 8000 levels) the element is replied as the error
 * "ERR reached lua stack limit", as Redis does.  The stack is left as it
 * was. */
void scripting_reply_lua_value(dblite_ctx *ctx, lua_State *L, int index);

/* The same with the script's protocol given. */
void scripting_reply_lua_value_resp(dblite_ctx *ctx, lua_State *L, int index, int script_resp);

/* Records in L's registry the script's protocol (2 or 3) that
 * scripting_reply_lua_value uses: redis.setresp calls it, and each run
 * starts by setting 2 again (as Redis resets its script client). */
void scripting_convert_set_resp(lua_State *L, int resp);
/* The protocol recorded by scripting_convert_set_resp; 2 when none. */
int scripting_convert_resp(lua_State *L);

#endif /* SCRIPTING_CONVERT_H */
