/*
 * scripting_eval.c - EVAL, EVALSHA, EVAL_RO, EVALSHA_RO and SCRIPT
 * LOAD|EXISTS|FLUSH|HELP as Redis 7.0 answers them.
 *
 * The script cache lives in the Lua state's registry: SCRIPTS maps the
 * SHA1 of a body to its compiled function, SCRIPT_FLAGS to its shebang
 * flags, so SCRIPT FLUSH (a fresh Lua state, as Redis's scriptingReset)
 * empties both with the state.  A run sets KEYS and ARGV, reseeds
 * math.random, calls the function under Redis's error handler and replies
 * its value (scripting_convert.c) or the error as Redis words it:
 * "<err> script: <sha>, on @user_script:<line>.".
 */
#include <ctype.h>
#include <string.h>

#include "scripting.h"
#include "scripting_convert.h"

#define SCRIPTS "dblite.scripts"
#define SCRIPT_FLAGS "dblite.script_flags"

static scripting_state *ctx_state(dblite_ctx *ctx)
{
    return dblite_module_get_data(dblite_ctx_module(ctx));
}

/* Pushes the registry table name, creating it when missing. */
static void push_registry_table(lua_State *lua, const char *name)
{
    lua_getfield(lua, LUA_REGISTRYINDEX, name);
    if (lua_istable(lua, -1))
        return;
    lua_pop(lua, 1);
    lua_newtable(lua);
    lua_pushvalue(lua, -1);
    lua_setfield(lua, LUA_REGISTRYINDEX, name);
}

static const struct {
    const char *name;
    int flag;
} shebang_flags[] = {
    {"no-writes", SCRIPT_FLAG_NO_WRITES},
    {"allow-oom", SCRIPT_FLAG_ALLOW_OOM},
    {"allow-stale", SCRIPT_FLAG_ALLOW_STALE},
    {"no-cluster", SCRIPT_FLAG_NO_CLUSTER},
    {"allow-cross-slot-keys", SCRIPT_FLAG_ALLOW_CROSS_SLOT},
};

static int is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

/* Reads a "flags=a,b" list; 0, or -1 after replying the error. */
static int parse_flag_list(dblite_ctx *ctx, const char *list, size_t len, int *flags)
{
    size_t start = 0;
    if (len == 0)
        return 0;
    for (size_t i = 0; i <= len; i++) {
        if (i < len && list[i] != ',')
            continue;
        size_t word = i - start;
        size_t f;
        for (f = 0; f < DBLITE_ARRAY_LENGTH(shebang_flags); f++)
            if (strlen(shebang_flags[f].name) == word &&
                memcmp(shebang_flags[f].name, list + start, word) == 0)
                break;
        if (f == DBLITE_ARRAY_LENGTH(shebang_flags)) {
            dblite_reply_error_format(ctx, "ERR Unexpected flag in script shebang: %.*s", (int)word,
                                      list + start);
            return -1;
        }
        *flags |= shebang_flags[f].flag;
        start = i + 1;
    }
    return 0;
}

/* Redis 7.0's evalExtractShebangFlags: *flags and *skip (the shebang's
 * length, its line feed kept so line numbers stay), or -1 after replying
 * the error.  Words are split on spaces (Redis's sdssplitargs also reads
 * quotes, which no flag needs). */
static int parse_shebang(dblite_ctx *ctx, const char *body, size_t len, int *flags, size_t *skip)
{
    *flags = SCRIPT_FLAG_EVAL_COMPAT;
    *skip = 0;
    if (len < 2 || body[0] != '#' || body[1] != '!')
        return 0;
    const char *end = memchr(body, '\n', len);
    if (!end) {
        dblite_reply_error(ctx, "ERR Invalid script shebang");
        return -1;
    }
    *skip = (size_t)(end - body);
    *flags = 0;
    size_t i = 0;
    int word_index = 0;
    while (i < *skip) {
        while (i < *skip && is_space(body[i]))
            i++;
        if (i >= *skip)
            break;
        size_t start = i;
        while (i < *skip && !is_space(body[i]))
            i++;
        const char *word = body + start;
        size_t word_len = i - start;
        if (word_index++ == 0) {
            if (word_len != 5 || memcmp(word, "#!lua", 5) != 0) {
                dblite_reply_error_format(ctx, "ERR Unexpected engine in script shebang: %.*s",
                                          (int)word_len, word);
                return -1;
            }
        } else if (word_len >= 6 && memcmp(word, "flags=", 6) == 0) {
            if (parse_flag_list(ctx, word + 6, word_len - 6, flags) < 0)
                return -1;
        } else {
            dblite_reply_error_format(ctx, "ERR Unknown lua shebang option: %.*s", (int)word_len,
                                      word);
            return -1;
        }
    }
    return 0;
}

/* Compiles body into the cache under sha (already computed).  1, or 0
 * after replying the error. */
static int create_function(dblite_ctx *ctx, lua_State *lua, const char *sha, dblite_bytes body)
{
    int flags;
    size_t skip;
    if (parse_shebang(ctx, body.ptr, body.len, &flags, &skip) < 0)
        return 0;
    if (luaL_loadbuffer(lua, body.ptr + skip, body.len - skip, "@user_script")) {
        const char *message = lua_tostring(lua, -1);
        dblite_reply_error_format(ctx, "ERR Error compiling script (new function): %s",
                                  message ? message : "out of memory");
        lua_pop(lua, 1);
        return 0;
    }
    push_registry_table(lua, SCRIPTS);
    lua_pushvalue(lua, -2);
    lua_setfield(lua, -2, sha);
    lua_pop(lua, 2);
    push_registry_table(lua, SCRIPT_FLAGS);
    lua_pushnumber(lua, flags);
    lua_setfield(lua, -2, sha);
    lua_pop(lua, 1);
    return 1;
}

/* Pushes the cached function of sha and sets *flags; 0 (nothing pushed)
 * when it is not cached. */
static int push_cached(lua_State *lua, const char *sha, int *flags)
{
    push_registry_table(lua, SCRIPTS);
    lua_getfield(lua, -1, sha);
    lua_remove(lua, -2);
    if (!lua_isfunction(lua, -1)) {
        lua_pop(lua, 1);
        return 0;
    }
    push_registry_table(lua, SCRIPT_FLAGS);
    lua_getfield(lua, -1, sha);
    *flags = (int)lua_tonumber(lua, -1);
    lua_pop(lua, 2);
    return 1;
}

static void set_array_global(lua_State *lua, const char *name, const dblite_bytes *items,
                             long long count)
{
    lua_createtable(lua, (int)count, 0);
    for (long long i = 0; i < count; i++) {
        lua_pushlstring(lua, items[i].ptr, items[i].len);
        lua_rawseti(lua, -2, (int)(i + 1));
    }
    scripting_sandbox_set_global(lua, name);
}

/* Replies the error value a failed run left on the stack (popped). */
static void reply_run_error(dblite_ctx *ctx, lua_State *lua, const char *sha)
{
    if (!lua_istable(lua, -1)) {
        const char *message = lua_isstring(lua, -1) ? lua_tostring(lua, -1) : "execution failure";
        dblite_reply_error_format(ctx, "ERR Error running script %s, %.100s", sha, message);
        lua_pop(lua, 1);
        return;
    }
    lua_getfield(lua, -1, "err");
    lua_getfield(lua, -2, "source");
    lua_getfield(lua, -3, "line");
    const char *message = lua_tostring(lua, -3);
    const char *source = lua_tostring(lua, -2);
    const char *line = lua_tostring(lua, -1);
    if (!message)
        message = "";
    if (source && line)
        dblite_reply_error_format(ctx, "%s script: %s, on %s:%s.", message, sha, source, line);
    else
        dblite_reply_error(ctx, message);
    lua_pop(lua, 4);
}

static int parse_numkeys(dblite_ctx *ctx, int argc, const dblite_bytes *argv, long long *numkeys)
{
    if (dblite_parse_long_long(argv[2], numkeys) != DBLITE_OK) {
        dblite_reply_not_integer(ctx);
        return 0;
    }
    if (*numkeys > argc - 3) {
        dblite_reply_error(ctx, "ERR Number of keys can't be greater than number of args");
        return 0;
    }
    if (*numkeys < 0) {
        dblite_reply_error(ctx, "ERR Number of keys can't be negative");
        return 0;
    }
    return 1;
}

static void reply_noscript(dblite_ctx *ctx)
{
    dblite_reply_error(ctx, "NOSCRIPT No matching script. Please use EVAL.");
}

static void eval_generic(dblite_ctx *ctx, int argc, const dblite_bytes *argv, int by_sha,
                         int read_only)
{
    scripting_state *state = ctx_state(ctx);
    long long numkeys;
    if (!parse_numkeys(ctx, argc, argv, &numkeys))
        return;
    lua_State *lua = state->lua;
    if (!lua) {
        state->lua = lua = scripting_sandbox_create(state);
        if (!lua) {
            dblite_reply_error(ctx, "ERR out of memory: cannot create the Lua interpreter");
            return;
        }
    }
    char sha[41];
    if (by_sha) {
        if (argv[1].len != 40) {
            reply_noscript(ctx);
            return;
        }
        for (int i = 0; i < 40; i++)
            sha[i] = (char)tolower((unsigned char)argv[1].ptr[i]);
        sha[40] = '\0';
    } else {
        scripting_sha1_hex(sha, argv[1].ptr, argv[1].len);
    }
    int base = lua_gettop(lua);
    lua_getfield(lua, LUA_REGISTRYINDEX, "dblite.globals");
    lua_getfield(lua, -1, "__redis__err__handler");
    lua_remove(lua, -2);
    int flags;
    if (!push_cached(lua, sha, &flags)) {
        if (by_sha) {
            lua_settop(lua, base);
            reply_noscript(ctx);
            return;
        }
        if (!create_function(ctx, lua, sha, argv[1]) || !push_cached(lua, sha, &flags)) {
            lua_settop(lua, base);
            return;
        }
    }
    set_array_global(lua, "KEYS", argv + 3, numkeys);
    set_array_global(lua, "ARGV", argv + 3 + numkeys, argc - 3 - numkeys);
    state->run_ctx = ctx;
    state->run_read_only = read_only || (flags & SCRIPT_FLAG_NO_WRITES);
    state->run_resp = 2;
    int failed = lua_pcall(lua, 0, 1, base + 1);
    if (failed)
        reply_run_error(ctx, lua, sha);
    else
        scripting_reply_lua_value_resp(ctx, lua, -1, state->run_resp);
    state->run_ctx = NULL;
    lua_settop(lua, base);
    lua_gc(lua, LUA_GCSTEP, 1);
}

static void eval_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv)
{
    eval_generic(ctx, argc, argv, 0, 0);
}

static void evalsha_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv)
{
    eval_generic(ctx, argc, argv, 1, 0);
}

static void eval_ro_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv)
{
    eval_generic(ctx, argc, argv, 0, 1);
}

static void evalsha_ro_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv)
{
    eval_generic(ctx, argc, argv, 1, 1);
}

static const char *const script_help[] = {
    "SCRIPT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
    "EXISTS <sha1> [<sha1> ...]",
    "    Return information about the existence of the scripts in the script cache.",
    "FLUSH [ASYNC|SYNC]",
    "    Flush the Lua scripts cache. Very dangerous on replicas.",
    "    When called without the optional mode argument, the behavior is determined by the",
    "    lazyfree-lazy-user-flush configuration directive. Valid modes are:",
    "    * ASYNC: Asynchronously flush the scripts cache.",
    "    * SYNC: Synchronously flush the scripts cache.",
    "LOAD <script>",
    "    Load a script into the scripts cache without executing it.",
    "HELP",
    "    Prints this help.",
};

static void reply_subcommand_arity(dblite_ctx *ctx, const char *name)
{
    dblite_reply_error_format(ctx, "ERR wrong number of arguments for 'script|%s' command", name);
}

static void script_load(dblite_ctx *ctx, scripting_state *state, dblite_bytes body)
{
    if (!state->lua) {
        state->lua = scripting_sandbox_create(state);
        if (!state->lua) {
            dblite_reply_error(ctx, "ERR out of memory: cannot create the Lua interpreter");
            return;
        }
    }
    char sha[41];
    int flags;
    scripting_sha1_hex(sha, body.ptr, body.len);
    if (push_cached(state->lua, sha, &flags))
        lua_pop(state->lua, 1);
    else if (!create_function(ctx, state->lua, sha, body))
        return;
    dblite_reply_bulk(ctx, sha, 40);
}

static void script_exists(dblite_ctx *ctx, scripting_state *state, int argc,
                          const dblite_bytes *argv)
{
    dblite_reply_array(ctx, argc - 2);
    for (int i = 2; i < argc; i++) {
        int found = 0;
        if (state->lua && argv[i].len == 40) {
            char sha[41];
            int flags;
            for (int j = 0; j < 40; j++)
                sha[j] = (char)tolower((unsigned char)argv[i].ptr[j]);
            sha[40] = '\0';
            found = push_cached(state->lua, sha, &flags);
            if (found)
                lua_pop(state->lua, 1);
        }
        dblite_reply_integer(ctx, found);
    }
}

static void script_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv)
{
    scripting_state *state = ctx_state(ctx);
    dblite_bytes sub = argv[1];
    if (dblite_bytes_equal_nocase(sub, "help")) {
        if (argc != 2) {
            reply_subcommand_arity(ctx, "help");
            return;
        }
        dblite_reply_array(ctx, (long long)DBLITE_ARRAY_LENGTH(script_help));
        for (size_t i = 0; i < DBLITE_ARRAY_LENGTH(script_help); i++)
            dblite_reply_simple(ctx, script_help[i]);
    } else if (dblite_bytes_equal_nocase(sub, "load")) {
        if (argc != 3)
            reply_subcommand_arity(ctx, "load");
        else
            script_load(ctx, state, argv[2]);
    } else if (dblite_bytes_equal_nocase(sub, "exists")) {
        if (argc < 3)
            reply_subcommand_arity(ctx, "exists");
        else
            script_exists(ctx, state, argc, argv);
    } else if (dblite_bytes_equal_nocase(sub, "flush")) {
        if (argc > 3) {
            dblite_reply_error(ctx, "ERR SCRIPT FLUSH only support SYNC|ASYNC option");
            return;
        }
        if (argc == 3 && !dblite_bytes_equal_nocase(argv[2], "sync") &&
            !dblite_bytes_equal_nocase(argv[2], "async")) {
            dblite_reply_error(ctx, "ERR SCRIPT FLUSH only support SYNC|ASYNC option");
            return;
        }
        if (state->lua)
            lua_close(state->lua);
        state->lua = scripting_sandbox_create(state);
        dblite_reply_ok(ctx);
    } else {
        dblite_reply_error_format(ctx, "ERR unknown subcommand '%.*s'. Try SCRIPT HELP.",
                                  (int)(sub.len > 128 ? 128 : sub.len), sub.ptr);
    }
}

/* The keys of an EVAL: numkeys arguments after it (none when malformed). */
static int eval_get_keys(int argc, const dblite_bytes *argv, int *positions, int max)
{
    long long numkeys;
    if (argc < 3 || dblite_parse_long_long(argv[2], &numkeys) != DBLITE_OK || numkeys < 0 ||
        numkeys > argc - 3 || numkeys > max)
        return 0;
    for (long long i = 0; i < numkeys; i++)
        positions[i] = (int)(3 + i);
    return (int)numkeys;
}

#define EVAL_ARGUMENTS "numkeys [key [key ...]] [arg [arg ...]]"
static const dblite_command_spec scripting_commands[] = {
    DBLITE_COMMAND(.name = "eval", .arity = -3, .flags = "noscript stale may-replicate movablekeys",
                   .handler = eval_command, .get_keys = eval_get_keys,
                   .summary = "Execute a Lua script server side", .since = "2.6.0",
                   .group = "scripting", .arguments = "script " EVAL_ARGUMENTS),
    DBLITE_COMMAND(.name = "evalsha", .arity = -3,
                   .flags = "noscript stale may-replicate movablekeys", .handler = evalsha_command,
                   .get_keys = eval_get_keys, .summary = "Execute a Lua script server side",
                   .since = "2.6.0", .group = "scripting", .arguments = "sha1 " EVAL_ARGUMENTS),
    DBLITE_COMMAND(.name = "eval_ro", .arity = -3, .flags = "readonly noscript stale movablekeys",
                   .handler = eval_ro_command, .get_keys = eval_get_keys,
                   .summary = "Execute a read-only Lua script server side", .since = "7.0.0",
                   .group = "scripting", .arguments = "script " EVAL_ARGUMENTS),
    DBLITE_COMMAND(.name = "evalsha_ro", .arity = -3,
                   .flags = "readonly noscript stale movablekeys", .handler = evalsha_ro_command,
                   .get_keys = eval_get_keys,
                   .summary = "Execute a read-only Lua script server side", .since = "7.0.0",
                   .group = "scripting", .arguments = "sha1 " EVAL_ARGUMENTS),
    DBLITE_COMMAND(.name = "script", .arity = -2, .flags = "noscript stale",
                   .handler = script_command,
                   .summary = "A container for Lua scripts management commands", .since = "2.6.0",
                   .group = "scripting", .arguments = "subcommand [argument ...]"),
};

int scripting_register_commands(dblite_module *module)
{
    return dblite_command_register_table(module, scripting_commands,
                                         DBLITE_ARRAY_LENGTH(scripting_commands));
}
