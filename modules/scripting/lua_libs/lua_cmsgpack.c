/*
 * lua_cmsgpack.c - the `cmsgpack` library of Redis scripts (MessagePack),
 * written from the MessagePack specification and the behaviour of Redis's
 * lua-cmsgpack 0.4.0:
 *
 *   cmsgpack.pack(v1, v2, ...)          the encodings of the values, joined
 *   cmsgpack.unpack(s)                  every value encoded in s
 *   cmsgpack.unpack_one(s [, offset])   next offset (-1 at the end), value
 *   cmsgpack.unpack_limit(s, limit [, offset])
 *                                       next offset, then up to limit values
 *
 * Encoding: integral numbers in [-2^63, 2^63) take the smallest integer
 * encoding (positive ones unsigned), other numbers are float32 when a
 * float holds them exactly (so also the infinities and 2^63 and above),
 * else float64; strings take fixstr/str8/str16/str32; a table whose keys
 * are exactly 1..n (n >= 0, keys below 2^31) is an array, any other a map
 * in lua_next order; tables nested 16 deep, and functions, userdata and
 * threads (cjson.null among them), encode as nil.
 *
 * Decoding knows nil, booleans, every integer and float format, str8/16/32
 * and array/map 16/32 (bin and ext are "Bad data format"); integers become
 * Lua numbers (doubles).  Decoded containers are built with lua_newtable
 * and lua_settable one entry at a time, like the reference, so that `#`
 * and pairs() on them see the same table layout.  The Lua stack is checked
 * at the same points with the same messages (every decoded value, every
 * array, before the offset), so inputs with too many values or too much
 * nesting fail exactly where Redis's do.
 */
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <lauxlib.h>
#include <lua.h>

#include "lua_libs.h"

/* Tables this deep in the value being packed encode as nil (this is what
 * stops a table that contains itself). */
#define CMSGPACK_MAX_NESTING 16

#define CMSGPACK_BUFFER_METATABLE "dblite.scripting.cmsgpack_buffer"

/* ---- encoding ---------------------------------------------------------- */

/* The output of pack, grown with realloc.  One per lua_State, kept in a
 * userdata that is pack's upvalue (its __gc frees the bytes), and reused by
 * every call: a Lua error in the middle of packing (out of memory) leaks
 * nothing, and it takes no slot on the stack, whose depth the reference's
 * limits are counted in.  Packing runs no Lua code, so it is never entered
 * twice at once. */
typedef struct {
    unsigned char *bytes;
    size_t length;
    size_t capacity;
} pack_buffer;

/* Past this size the buffer is given back after each pack. */
#define PACK_BUFFER_KEPT_CAPACITY (64 * 1024)

static int pack_buffer_collect(lua_State *L)
{
    pack_buffer *buffer = luaL_checkudata(L, 1, CMSGPACK_BUFFER_METATABLE);
    free(buffer->bytes);
    buffer->bytes = NULL;
    buffer->length = buffer->capacity = 0;
    return 0;
}

static void pack_buffer_append(lua_State *L, pack_buffer *buffer, const void *bytes, size_t size)
{
    if (buffer->capacity - buffer->length < size) {
        size_t wanted = buffer->length + size;
        if (wanted < buffer->length)
            luaL_error(L, "not enough memory");
        size_t capacity = buffer->capacity ? buffer->capacity : 64;
        while (capacity < wanted)
            capacity = capacity > SIZE_MAX / 2 ? wanted : capacity * 2;
        unsigned char *grown = realloc(buffer->bytes, capacity);
        if (grown == NULL)
            luaL_error(L, "not enough memory");
        buffer->bytes = grown;
        buffer->capacity = capacity;
    }
    memcpy(buffer->bytes + buffer->length, bytes, size);
    buffer->length += size;
}

/* A type byte followed by a big-endian unsigned value of width bytes. */
static void pack_header(lua_State *L, pack_buffer *buffer, unsigned char type, uint64_t value,
                        int width)
{
    unsigned char bytes[9];
    bytes[0] = type;
    for (int i = 0; i < width; i++)
        bytes[1 + i] = (unsigned char)(value >> (8 * (width - 1 - i)));
    pack_buffer_append(L, buffer, bytes, (size_t)width + 1);
}

static void pack_integer(lua_State *L, pack_buffer *buffer, int64_t value)
{
    if (value >= 0) {
        if (value <= 0x7f)
            pack_header(L, buffer, (unsigned char)value, 0, 0);
        else if (value <= 0xff)
            pack_header(L, buffer, 0xcc, (uint64_t)value, 1);
        else if (value <= 0xffff)
            pack_header(L, buffer, 0xcd, (uint64_t)value, 2);
        else if (value <= 0xffffffffLL)
            pack_header(L, buffer, 0xce, (uint64_t)value, 4);
        else
            pack_header(L, buffer, 0xcf, (uint64_t)value, 8);
    } else {
        if (value >= -32)
            pack_header(L, buffer, (unsigned char)(int8_t)value, 0, 0);
        else if (value >= -128)
            pack_header(L, buffer, 0xd0, (uint64_t)value & 0xff, 1);
        else if (value >= -32768)
            pack_header(L, buffer, 0xd1, (uint64_t)value & 0xffff, 2);
        else if (value >= -2147483648LL)
            pack_header(L, buffer, 0xd2, (uint64_t)value & 0xffffffffu, 4);
        else
            pack_header(L, buffer, 0xd3, (uint64_t)value, 8);
    }
}

static void pack_number(lua_State *L, pack_buffer *buffer, lua_Number number)
{
    /* Integral and inside int64's range (NaN fails both comparisons). */
    if (number >= -9223372036854775808.0 && number < 9223372036854775808.0 &&
        (lua_Number)(int64_t)number == number) {
        pack_integer(L, buffer, (int64_t)number);
        return;
    }
    float narrow = (float)number;
    if ((lua_Number)narrow == number) {
        uint32_t bits;
        memcpy(&bits, &narrow, sizeof(bits));
        pack_header(L, buffer, 0xca, bits, 4);
    } else {
        uint64_t bits;
        memcpy(&bits, &number, sizeof(bits));
        pack_header(L, buffer, 0xcb, bits, 8);
    }
}

static void pack_string(lua_State *L, pack_buffer *buffer, const char *text, size_t length)
{
    if (length < 32)
        pack_header(L, buffer, (unsigned char)(0xa0 | length), 0, 0);
    else if (length <= 0xff)
        pack_header(L, buffer, 0xd9, length, 1);
    else if (length <= 0xffff)
        pack_header(L, buffer, 0xda, length, 2);
    else
        pack_header(L, buffer, 0xdb, length, 4);
    pack_buffer_append(L, buffer, text, length);
}

/* A container header: fix form up to 15 entries, else the 16- or 32-bit
 * form (fix_type is 0x90 for arrays, 0x80 for maps; the 16-bit type byte
 * follows, then the 32-bit one). */
static void pack_container_header(lua_State *L, pack_buffer *buffer, unsigned char fix_type,
                                  unsigned char type16, size_t count)
{
    if (count <= 15)
        pack_header(L, buffer, (unsigned char)(fix_type | count), 0, 0);
    else if (count <= 0xffff)
        pack_header(L, buffer, type16, count, 2);
    else
        pack_header(L, buffer, (unsigned char)(type16 + 1), count, 4);
}

/* A key that can be an array index: a number in [1, 2^31) without a
 * fractional part (the reference compares it with its conversion to int). */
static int is_array_index(lua_State *L, int index)
{
    if (lua_type(L, index) != LUA_TNUMBER)
        return 0;
    lua_Number key = lua_tonumber(L, index);
    return key > 0 && key < 2147483648.0 && (lua_Number)(int)key == key;
}

/* Whether the table on top of the stack has exactly the keys 1..n; its
 * length n goes to *length. */
static int table_is_array(lua_State *L, size_t *length)
{
    size_t count = 0;
    lua_Number largest = 0;
    lua_pushnil(L);
    while (lua_next(L, -2)) {
        lua_pop(L, 1);
        if (!is_array_index(L, -1)) {
            lua_pop(L, 1);
            return 0;
        }
        count++;
        if (lua_tonumber(L, -1) > largest)
            largest = lua_tonumber(L, -1);
    }
    *length = count;
    return (lua_Number)count == largest;
}

static void pack_value(lua_State *L, pack_buffer *buffer, int level);

static void pack_table(lua_State *L, pack_buffer *buffer, int level)
{
    luaL_checkstack(L, 3, "in function pack_table");
    size_t length;
    if (table_is_array(L, &length)) {
        pack_container_header(L, buffer, 0x90, 0xdc, length);
        for (size_t i = 1; i <= length; i++) {
            lua_rawgeti(L, -1, (int)i);
            pack_value(L, buffer, level + 1);
        }
        return;
    }
    size_t count = 0;
    lua_pushnil(L);
    while (lua_next(L, -2)) {
        lua_pop(L, 1);
        count++;
    }
    pack_container_header(L, buffer, 0x80, 0xde, count);
    lua_pushnil(L);
    while (lua_next(L, -2)) {
        lua_pushvalue(L, -2);
        pack_value(L, buffer, level + 1); /* the key */
        pack_value(L, buffer, level + 1); /* the value */
    }
}

/* Encodes the value on top of the stack and pops it. */
static void pack_value(lua_State *L, pack_buffer *buffer, int level)
{
    switch (lua_type(L, -1)) {
        case LUA_TBOOLEAN:
            pack_header(L, buffer, lua_toboolean(L, -1) ? 0xc3 : 0xc2, 0, 0);
            break;
        case LUA_TNUMBER:
            pack_number(L, buffer, lua_tonumber(L, -1));
            break;
        case LUA_TSTRING: {
            size_t length;
            const char *text = lua_tolstring(L, -1, &length);
            pack_string(L, buffer, text, length);
            break;
        }
        case LUA_TTABLE:
            if (level < CMSGPACK_MAX_NESTING)
                pack_table(L, buffer, level);
            else
                pack_header(L, buffer, 0xc0, 0, 0); /* too deep: nil */
            break;
        default:
            pack_header(L, buffer, 0xc0, 0, 0);
            break;
    }
    lua_pop(L, 1);
}

static int cmsgpack_pack(lua_State *L)
{
    int arguments = lua_gettop(L);
    if (arguments == 0)
        return luaL_argerror(L, 0, "MessagePack pack needs input.");
    if (!lua_checkstack(L, arguments))
        return luaL_argerror(L, 0, "Too many arguments for MessagePack pack.");
    pack_buffer *buffer = lua_touserdata(L, lua_upvalueindex(1));
    /* Each argument's encoding is pushed as a string; they are joined at
     * the end. */
    for (int i = 1; i <= arguments; i++) {
        luaL_checkstack(L, 1, "in function mp_check");
        lua_pushvalue(L, i);
        buffer->length = 0;
        pack_value(L, buffer, 0);
        lua_pushlstring(L, (const char *)buffer->bytes, buffer->length);
    }
    buffer->length = 0;
    if (buffer->capacity > PACK_BUFFER_KEPT_CAPACITY) {
        free(buffer->bytes);
        buffer->bytes = NULL;
        buffer->capacity = 0;
    }
    lua_concat(L, arguments);
    return 1;
}

/* ---- decoding ---------------------------------------------------------- */

typedef enum {
    UNPACK_OK = 0,
    UNPACK_MISSING_BYTES,
    UNPACK_BAD_FORMAT,
} unpack_status;

typedef struct {
    const unsigned char *cursor;
    size_t left;
    unpack_status status;
} unpack_input;

/* Takes size bytes from the input, or marks it truncated and returns NULL. */
static const unsigned char *unpack_take(unpack_input *input, size_t size)
{
    if (input->left < size) {
        input->status = UNPACK_MISSING_BYTES;
        return NULL;
    }
    const unsigned char *bytes = input->cursor;
    input->cursor += size;
    input->left -= size;
    return bytes;
}

/* A big-endian unsigned value of width bytes (1, 2, 4 or 8); 0 with the
 * status set when the input is short. */
static uint64_t unpack_unsigned(unpack_input *input, int width)
{
    const unsigned char *bytes = unpack_take(input, (size_t)width);
    if (bytes == NULL)
        return 0;
    uint64_t value = 0;
    for (int i = 0; i < width; i++)
        value = (value << 8) | bytes[i];
    return value;
}

static void unpack_value(lua_State *L, unpack_input *input);

static void unpack_array(lua_State *L, unpack_input *input, uint64_t count)
{
    lua_newtable(L);
    luaL_checkstack(L, 1, "in function mp_decode_to_lua_array");
    for (uint64_t index = 1; index <= count; index++) {
        lua_pushnumber(L, (lua_Number)index);
        unpack_value(L, input);
        if (input->status != UNPACK_OK)
            return;
        lua_settable(L, -3);
    }
}

static void unpack_map(lua_State *L, unpack_input *input, uint64_t count)
{
    lua_newtable(L);
    for (uint64_t i = 0; i < count; i++) {
        unpack_value(L, input); /* the key */
        if (input->status != UNPACK_OK)
            return;
        unpack_value(L, input); /* the value */
        if (input->status != UNPACK_OK)
            return;
        lua_settable(L, -3);
    }
}

static void unpack_string(lua_State *L, unpack_input *input, uint64_t length)
{
    if (input->status != UNPACK_OK)
        return;
    const unsigned char *bytes = unpack_take(input, (size_t)length);
    if (bytes != NULL)
        lua_pushlstring(L, (const char *)bytes, (size_t)length);
}

/* Decodes one value and pushes it; on bad input pushes nothing more and
 * sets input->status. */
static void unpack_value(lua_State *L, unpack_input *input)
{
    luaL_checkstack(L, 1,
                    "too many return values at once; use unpack_one or unpack_limit instead.");
    const unsigned char *type_byte = unpack_take(input, 1);
    if (type_byte == NULL)
        return;
    unsigned char type = *type_byte;
    if (type <= 0x7f) {
        lua_pushnumber(L, type);
        return;
    }
    if (type >= 0xe0) {
        lua_pushnumber(L, (int8_t)type);
        return;
    }
    if (type >= 0xa0 && type <= 0xbf) {
        unpack_string(L, input, type & 0x1f);
        return;
    }
    if (type >= 0x90 && type <= 0x9f) {
        unpack_array(L, input, type & 0x0f);
        return;
    }
    if (type <= 0x8f) {
        unpack_map(L, input, type & 0x0f);
        return;
    }
    switch (type) {
        case 0xc0:
            lua_pushnil(L);
            return;
        case 0xc2:
            lua_pushboolean(L, 0);
            return;
        case 0xc3:
            lua_pushboolean(L, 1);
            return;
        case 0xca: {
            uint32_t bits = (uint32_t)unpack_unsigned(input, 4);
            float value;
            memcpy(&value, &bits, sizeof(value));
            if (input->status == UNPACK_OK)
                lua_pushnumber(L, value);
            return;
        }
        case 0xcb: {
            uint64_t bits = unpack_unsigned(input, 8);
            double value;
            memcpy(&value, &bits, sizeof(value));
            if (input->status == UNPACK_OK)
                lua_pushnumber(L, value);
            return;
        }
        case 0xcc:
        case 0xcd:
        case 0xce:
        case 0xcf: {
            /* uint64 goes through int64 as in the reference: values from
             * 2^63 up come out negative. */
            uint64_t value = unpack_unsigned(input, 1 << (type - 0xcc));
            if (input->status == UNPACK_OK)
                lua_pushnumber(L, (lua_Number)(int64_t)value);
            return;
        }
        case 0xd0:
        case 0xd1:
        case 0xd2:
        case 0xd3: {
            int width = 1 << (type - 0xd0);
            uint64_t value = unpack_unsigned(input, width);
            if (width < 8 && (value >> (8 * width - 1)))
                value |= ~UINT64_C(0) << (8 * width); /* sign extension */
            if (input->status == UNPACK_OK)
                lua_pushnumber(L, (lua_Number)(int64_t)value);
            return;
        }
        case 0xd9:
        case 0xda:
        case 0xdb: {
            uint64_t length = unpack_unsigned(input, 1 << (type - 0xd9));
            unpack_string(L, input, length);
            return;
        }
        case 0xdc:
        case 0xdd: {
            uint64_t count = unpack_unsigned(input, type == 0xdc ? 2 : 4);
            if (input->status == UNPACK_OK)
                unpack_array(L, input, count);
            return;
        }
        case 0xde:
        case 0xdf: {
            uint64_t count = unpack_unsigned(input, type == 0xde ? 2 : 4);
            if (input->status == UNPACK_OK)
                unpack_map(L, input, count);
            return;
        }
        default:
            input->status = UNPACK_BAD_FORMAT;
            return;
    }
}

/* The three unpack functions: decodes up to limit values from offset
 * (limit 0 with offset 0: all of them, and no offset returned).  The
 * values go above what is on the stack; with a limit the next offset (-1
 * when the input is used up) is returned before them. */
static int unpack_values(lua_State *L, lua_Integer limit, lua_Integer offset)
{
    size_t length;
    const char *text = luaL_checklstring(L, 1, &length);
    /* The reference prints the input length where it says "limit", and
     * both numbers as C ints. */
    if (offset < 0 || limit < 0)
        return luaL_error(L, "Invalid request to unpack with offset of %d and limit of %d.",
                          (int)offset, (int)length);
    if ((size_t)offset > length)
        return luaL_error(L, "Start offset %d greater than input length %d.", (int)offset,
                          (int)length);
    int everything = limit == 0 && offset == 0;
    if (everything)
        limit = INT_MAX;
    unpack_input input = {(const unsigned char *)text + offset, length - (size_t)offset, UNPACK_OK};
    lua_Integer count = 0;
    while (input.left > 0 && count < limit) {
        unpack_value(L, &input);
        if (input.status == UNPACK_MISSING_BYTES)
            return luaL_error(L, "Missing bytes in input.");
        if (input.status == UNPACK_BAD_FORMAT)
            return luaL_error(L, "Bad data format in input.");
        count++;
    }
    if (everything)
        return (int)count;
    luaL_checkstack(L, 1, "in function mp_unpack_full");
    lua_pushinteger(L, input.left == 0 ? -1 : (lua_Integer)(length - input.left));
    lua_insert(L, -(int)(count + 1));
    return (int)count + 1;
}

static int cmsgpack_unpack(lua_State *L)
{
    return unpack_values(L, 0, 0);
}

static int cmsgpack_unpack_one(lua_State *L)
{
    lua_Integer offset = luaL_optinteger(L, 2, 0);
    /* Keeps only the input, and an empty stack empty (the reference pops
     * gettop - 1 values). */
    lua_pop(L, lua_gettop(L) - 1);
    return unpack_values(L, 1, offset);
}

static int cmsgpack_unpack_limit(lua_State *L)
{
    lua_Integer limit = luaL_checkinteger(L, 2);
    lua_Integer offset = luaL_optinteger(L, 3, 0);
    lua_pop(L, lua_gettop(L) - 1);
    return unpack_values(L, limit, offset);
}

static const luaL_Reg cmsgpack_unpack_functions[] = {
    {"unpack", cmsgpack_unpack},
    {"unpack_one", cmsgpack_unpack_one},
    {"unpack_limit", cmsgpack_unpack_limit},
    {NULL, NULL},
};

int scripting_lua_open_cmsgpack(lua_State *L)
{
    lua_newtable(L);
    luaL_register(L, NULL, cmsgpack_unpack_functions);

    pack_buffer *buffer = lua_newuserdata(L, sizeof(*buffer));
    buffer->bytes = NULL;
    buffer->length = buffer->capacity = 0;
    luaL_newmetatable(L, CMSGPACK_BUFFER_METATABLE);
    lua_pushcfunction(L, pack_buffer_collect);
    lua_setfield(L, -2, "__gc");
    lua_setmetatable(L, -2);
    lua_pushcclosure(L, cmsgpack_pack, 1);
    lua_setfield(L, -2, "pack");

    lua_pushliteral(L, "Copyright (C) 2012, Salvatore Sanfilippo");
    lua_setfield(L, -2, "_COPYRIGHT");
    lua_pushliteral(L, "MessagePack C implementation for Lua");
    lua_setfield(L, -2, "_DESCRIPTION");
    lua_pushliteral(L, "cmsgpack");
    lua_setfield(L, -2, "_NAME");
    lua_pushliteral(L, "lua-cmsgpack 0.4.0");
    lua_setfield(L, -2, "_VERSION");
    return 1;
}
