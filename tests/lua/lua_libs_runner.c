/*
 * lua_libs_runner.c - runs Lua snippets in a lua_State set up like a Redis
 * script's (base, table, string and math libraries, then the libraries of
 * modules/scripting/lua_libs) and prints each result as Redis would send
 * it to a RESP2 client, so that test_lua_libs_diff.py can compare it byte
 * for byte with what redis-server's EVAL replies.
 *
 * Usage: lua_libs_runner 'return cjson.encode({1})'   one snippet
 *        lua_libs_runner < snippets                   many: each is
 *        "<length>\n<length bytes>", each run in a fresh lua_State
 *
 * The result is converted as Redis converts a script's return value: a
 * number becomes an integer (truncated), a string a bulk string, true the
 * integer 1, false and nil a null, a table with a string `err` field an
 * error, one with a string `ok` field a status, any other table an array
 * of its elements up to the first nil; functions and userdata a null.  An
 * error raised by the snippet is printed as "-ERR message" without the
 * "user_script:N: " position (Redis adds its own decorations around it,
 * which the test strips).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lauxlib.h>
#include <lua.h>
#include <lualib.h>

#include "lua_libs.h"

/* Writes text with CR and LF turned into spaces, as Redis does for status
 * and error lines. */
static void write_line_text(const char *text, size_t length)
{
    for (size_t i = 0; i < length; i++) {
        char c = text[i];
        putchar(c == '\r' || c == '\n' ? ' ' : c);
    }
    fputs("\r\n", stdout);
}

static void write_bulk(const char *text, size_t length)
{
    printf("$%zu\r\n", length);
    fwrite(text, 1, length, stdout);
    fputs("\r\n", stdout);
}

/* Redis's (long long) cast of the number on x86-64: out of range and NaN
 * give LLONG_MIN. */
static long long number_to_reply_integer(lua_Number number)
{
    if (number >= -9223372036854775808.0 && number < 9223372036854775808.0)
        return (long long)number;
    return INT64_MIN;
}

/* Returns 1 when the table on top has a string field name (its value is
 * then written as a line starting with prefix). */
static int write_flagged_table(lua_State *L, const char *name, char prefix)
{
    lua_pushstring(L, name);
    lua_rawget(L, -2);
    if (lua_type(L, -1) != LUA_TSTRING) {
        lua_pop(L, 1);
        return 0;
    }
    size_t length;
    const char *text = lua_tolstring(L, -1, &length);
    putchar(prefix);
    write_line_text(text, length);
    lua_pop(L, 1);
    return 1;
}

/* Writes the value on top of the stack (left there). */
static void write_reply(lua_State *L)
{
    if (!lua_checkstack(L, 4)) {
        fputs("-ERR reached lua stack limit\r\n", stdout);
        return;
    }
    switch (lua_type(L, -1)) {
        case LUA_TSTRING: {
            size_t length;
            const char *text = lua_tolstring(L, -1, &length);
            write_bulk(text, length);
            return;
        }
        case LUA_TBOOLEAN:
            fputs(lua_toboolean(L, -1) ? ":1\r\n" : "$-1\r\n", stdout);
            return;
        case LUA_TNUMBER:
            printf(":%lld\r\n", number_to_reply_integer(lua_tonumber(L, -1)));
            return;
        case LUA_TTABLE: {
            if (write_flagged_table(L, "err", '-') || write_flagged_table(L, "ok", '+'))
                return;
            int count = 0;
            for (;; count++) {
                lua_rawgeti(L, -1, count + 1);
                int is_nil = lua_isnil(L, -1);
                lua_pop(L, 1);
                if (is_nil)
                    break;
            }
            printf("*%d\r\n", count);
            for (int i = 1; i <= count; i++) {
                lua_rawgeti(L, -1, i);
                write_reply(L);
                lua_pop(L, 1);
            }
            return;
        }
        default:
            fputs("$-1\r\n", stdout);
            return;
    }
}

/* The error message without Lua's "user_script:N: " position. */
static void write_error(const char *message)
{
    const char *text = message;
    if (strncmp(text, "user_script:", 12) == 0) {
        const char *after = text + 12;
        while (*after >= '0' && *after <= '9')
            after++;
        if (after != text + 12 && after[0] == ':' && after[1] == ' ')
            text = after + 2;
    }
    fputs("-ERR ", stdout);
    write_line_text(text, strlen(text));
}

static void open_library(lua_State *L, const char *name, lua_CFunction open)
{
    lua_pushcfunction(L, open);
    lua_pushstring(L, name);
    lua_call(L, 1, 0);
}

static int run_snippet(const char *snippet, size_t length)
{
    lua_State *L = luaL_newstate();
    if (L == NULL) {
        fputs("lua_libs_runner: out of memory\n", stderr);
        return -1;
    }
    open_library(L, "", luaopen_base);
    open_library(L, LUA_TABLIBNAME, luaopen_table);
    open_library(L, LUA_STRLIBNAME, luaopen_string);
    open_library(L, LUA_MATHLIBNAME, luaopen_math);
    scripting_lua_open_libraries(L);
    if (luaL_loadbuffer(L, snippet, length, "@user_script") != 0 || lua_pcall(L, 0, 1, 0) != 0) {
        /* error({err = "..."}) replies that text, as in Redis. */
        if (!lua_istable(L, -1) || !write_flagged_table(L, "err", '-')) {
            const char *message = lua_tostring(L, -1);
            write_error(message ? message : "(error object is not a string)");
        }
    } else {
        write_reply(L);
    }
    fflush(stdout);
    lua_close(L);
    return 0;
}

/* Reads "<length>\n<bytes>" records from stdin until its end. */
static int run_snippets_from_stdin(void)
{
    size_t length;
    while (scanf("%zu", &length) == 1) {
        if (getchar() != '\n') {
            fputs("lua_libs_runner: expected a newline after the length\n", stderr);
            return 1;
        }
        char *snippet = malloc(length + 1);
        if (snippet == NULL) {
            fputs("lua_libs_runner: out of memory\n", stderr);
            return 1;
        }
        if (fread(snippet, 1, length, stdin) != length) {
            fputs("lua_libs_runner: snippet shorter than its length\n", stderr);
            free(snippet);
            return 1;
        }
        int failed = run_snippet(snippet, length);
        free(snippet);
        if (failed)
            return 1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    if (argc == 2)
        return run_snippet(argv[1], strlen(argv[1])) ? 1 : 0;
    if (argc == 1)
        return run_snippets_from_stdin();
    fprintf(stderr, "usage: %s [snippet]   (without one, length-prefixed snippets on stdin)\n",
            argv[0]);
    return 2;
}
