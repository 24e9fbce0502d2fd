/*
 * scripting.h - what the files of scripting.so share: the module state
 * (one Lua interpreter for the whole server, as Redis has, and the run of
 * the script in progress), and each file's entry points.
 *
 * One lua_State serves every script, so cjson's settings and the script
 * cache live as long as the server (SCRIPT FLUSH makes a fresh state, as
 * Redis's scriptingReset does).  Scripts never nest: EVAL is noscript, so
 * at most one run is in progress and its context is kept here for
 * redis.call.
 */
#ifndef DBLITE_SCRIPTING_H
#define DBLITE_SCRIPTING_H

#include <lauxlib.h>
#include <lua.h>
#include <stdint.h>

#include "dblite_module.h"

/* Shebang flags of Redis 7.0 (#!lua flags=...). */
#define SCRIPT_FLAG_NO_WRITES (1 << 0)
#define SCRIPT_FLAG_ALLOW_OOM (1 << 1)
#define SCRIPT_FLAG_ALLOW_STALE (1 << 2)
#define SCRIPT_FLAG_NO_CLUSTER (1 << 3)
#define SCRIPT_FLAG_ALLOW_CROSS_SLOT (1 << 4)
/* No shebang: Redis's EVAL compatibility mode. */
#define SCRIPT_FLAG_EVAL_COMPAT (1 << 5)

typedef struct scripting_state {
    dblite_module *module;
    lua_State *lua;
    /* The script being run (NULL between runs): redis.call's context. */
    dblite_ctx *run_ctx;
    int run_read_only;   /* EVAL_RO, EVALSHA_RO or flags=no-writes */
    int run_resp;        /* what redis.setresp chose, 2 by default */
    uint64_t rand_state; /* redisLrand48's 48-bit state, reseeded per run */
} scripting_state;

/* scripting_sha1.c: the 40 lowercase hex digits of SHA1(data) and a NUL. */
void scripting_sha1_hex(char hex[41], const char *data, size_t len);

/* scripting_sandbox.c: a new Lua state with Redis's globals, libraries,
 * readonly tables and error handler; NULL when memory ran out. */
lua_State *scripting_sandbox_create(scripting_state *state);
/* Stores value (popped) as global name, bypassing the readonly _G. */
void scripting_sandbox_set_global(lua_State *lua, const char *name);
/* redisSrand48 / redisLrand48 on state->rand_state. */
void scripting_rand_seed(scripting_state *state, int32_t seed);
int32_t scripting_rand_next(scripting_state *state);

/* scripting_redis_api.c: opens the `redis` table (leaves it on the stack). */
void scripting_redis_api_open(lua_State *lua, scripting_state *state);
/* Pushes Redis's error table {err="CODE msg"} for text ("-CODE msg" or "msg"). */
void scripting_push_error(lua_State *lua, const char *text);

/* scripting_eval.c: the command table. */
int scripting_register_commands(dblite_module *module);

/* scripting_convert.c (helper s-convert): reply <-> Lua value. */
int scripting_push_reply(lua_State *L, const dblite_call_reply *reply, int resp);
void scripting_reply_lua_value(dblite_ctx *ctx, lua_State *L, int index);

#endif /* DBLITE_SCRIPTING_H */
