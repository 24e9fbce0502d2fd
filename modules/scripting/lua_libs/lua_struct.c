/*
 * lua_struct.c - the `struct` library of Redis scripts: struct.pack,
 * struct.unpack and struct.size over Roberto Ierusalimschy's format
 * language, written from the library's documented behaviour.
 *
 * A format is a string of options read left to right:
 *   <  >        little / big endian from here on (native is little here)
 *   !n          align fields to at most n bytes (n a power of 2; plain `!`
 *               is the platform's maximum, 8); alignment starts at 1
 *   b B h H     signed / unsigned char, short
 *   l L T       signed / unsigned long, size_t
 *   i[n] I[n]   signed / unsigned integer of n bytes (default sizeof(int),
 *               at most 32; values are 64-bit: packing pads with zero
 *               bytes past the 8th, unpacking keeps the 8 low bytes)
 *   f d         float, double
 *   s           zero-terminated string
 *   c[n]        n raw bytes (default 1); c0 packs the whole string, and on
 *               unpack takes its length from the value just unpacked
 *   x           one zero byte of padding
 *   space       ignored
 *
 * Redis scripts depend on the exact results, so this keeps the reference
 * implementation's corner cases: numbers become integers the way x86-64's
 * conversions do (out-of-range values give 0x8000000000000000), the
 * alignment arithmetic is done as the reference does it even for sizes
 * that are not powers of 2, unpack's offset is checked only for being at
 * least 1, and struct.size skips letters it does not know.  The error messages are the reference's, raised with luaL_error or
 * luaL_argerror as it does (so `bad argument #n to 'pack' (...)` counts the
 * same arguments).
 */
#include <ctype.h>
#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <lauxlib.h>
#include <lua.h>

#include "lua_libs.h"

/* Widest integer option, in bytes. */
#define STRUCT_MAX_INTEGER_SIZE 32

/* What `!` without a number means: the strictest alignment of the machine's
 * scalar types (that of a double after a char). */
struct struct_alignment_probe {
    char c;
    double d;
};
#define STRUCT_MAX_ALIGNMENT ((int)offsetof(struct struct_alignment_probe, d))

/* Where the reader is in a format and what the control options set. */
typedef struct {
    const char *cursor;
    int big_endian;
    int max_alignment;
} struct_format;

static void format_start(struct_format *format, const char *text)
{
    format->cursor = text;
    format->big_endian = 0;
    format->max_alignment = 1;
}

/* The decimal number at the cursor, or fallback when there is none. */
static int format_read_count(lua_State *L, struct_format *format, int fallback)
{
    if (!isdigit((unsigned char)*format->cursor))
        return fallback;
    int count = 0;
    while (isdigit((unsigned char)*format->cursor)) {
        int digit = *format->cursor++ - '0';
        if (count > INT_MAX / 10 || count * 10 > INT_MAX - digit)
            luaL_error(L, "integral size overflow");
        count = count * 10 + digit;
    }
    return count;
}

/* The size in bytes of a data option (reading its count, if it takes one);
 * 0 for options that carry no fixed-size data. */
static size_t option_size(lua_State *L, int option, struct_format *format)
{
    switch (option) {
        case 'b':
        case 'B':
        case 'x':
            return 1;
        case 'h':
        case 'H':
            return sizeof(short);
        case 'l':
        case 'L':
            return sizeof(long);
        case 'T':
            return sizeof(size_t);
        case 'f':
            return sizeof(float);
        case 'd':
            return sizeof(double);
        case 'c':
            return (size_t)format_read_count(L, format, 1);
        case 'i':
        case 'I': {
            int size = format_read_count(L, format, (int)sizeof(int));
            if (size > STRUCT_MAX_INTEGER_SIZE)
                luaL_error(L, "integral size %d is larger than limit of %d", size,
                           STRUCT_MAX_INTEGER_SIZE);
            return (size_t)size;
        }
        default:
            return 0;
    }
}

/* Padding bytes before a field of this size at this offset: the field is
 * aligned to its size, capped by the maximum alignment.  For sizes that are
 * not powers of 2 (i3, i5...) the mask arithmetic gives what the reference
 * gives, which is not always a multiple of anything. */
static size_t padding_before(size_t offset, const struct_format *format, int option, size_t size)
{
    if (size == 0 || option == 'c')
        return 0;
    size_t alignment = size;
    if (alignment > (size_t)format->max_alignment)
        alignment = (size_t)format->max_alignment;
    return (alignment - (offset & (alignment - 1))) & (alignment - 1);
}

/* The options that change how the rest is read; anything else is an
 * error. */
static void apply_control_option(lua_State *L, int option, struct_format *format)
{
    switch (option) {
        case ' ':
            return;
        case '>':
            format->big_endian = 1;
            return;
        case '<':
            format->big_endian = 0;
            return;
        case '!': {
            int alignment = format_read_count(L, format, STRUCT_MAX_ALIGNMENT);
            if (alignment <= 0 || (alignment & (alignment - 1)) != 0)
                luaL_error(L, "alignment %d is not a power of 2", alignment);
            format->max_alignment = alignment;
            return;
        }
        default:
            luaL_argerror(L, 1, lua_pushfstring(L, "invalid format option '%c'", option));
    }
}

/* x86-64's double to int64 conversion: values out of range (and NaN) give
 * INT64_MIN, where C leaves the result undefined. */
static int64_t number_to_int64(lua_Number number)
{
    if (number >= -9223372036854775808.0 && number < 9223372036854775808.0)
        return (int64_t)number;
    return INT64_MIN;
}

/* The bits struct.pack stores for a number: negative numbers through int64,
 * others as x86-64 compilers convert a double to uint64 (values from 2^63
 * up have 2^63 subtracted, are converted as int64, and get the top bit
 * flipped back, so those from 2^64 up end as 0; NaN fails the comparison
 * with 2^63 and converts as int64, to 2^63). */
static uint64_t number_to_packed_bits(lua_Number number)
{
    if (number < 0)
        return (uint64_t)number_to_int64(number);
    if (number >= 9223372036854775808.0)
        return (uint64_t)number_to_int64(number - 9223372036854775808.0) ^ (UINT64_C(1) << 63);
    return (uint64_t)number_to_int64(number);
}

static void reverse_bytes(char *bytes, size_t size)
{
    for (size_t low = 0, high = size; low + 1 < high; low++) {
        high--;
        char byte = bytes[low];
        bytes[low] = bytes[high];
        bytes[high] = byte;
    }
}

static void pack_integer(lua_State *L, luaL_Buffer *buffer, int arg, int big_endian, size_t size)
{
    uint64_t bits = number_to_packed_bits(luaL_checknumber(L, arg));
    char bytes[STRUCT_MAX_INTEGER_SIZE];
    for (size_t i = 0; i < size; i++) {
        bytes[big_endian ? size - 1 - i : i] = (char)(bits & 0xff);
        bits >>= 8;
    }
    luaL_addlstring(buffer, bytes, size);
}

static int struct_pack(lua_State *L)
{
    struct_format format;
    format_start(&format, luaL_checkstring(L, 1));
    /* The reference keeps a nil between the arguments and the buffer's
     * pieces: a missing argument right after the last one reads as nil. */
    lua_pushnil(L);
    luaL_Buffer buffer;
    luaL_buffinit(L, &buffer);
    int arg = 2;
    size_t total = 0;
    while (*format.cursor != '\0') {
        int option = *format.cursor++;
        size_t size = option_size(L, option, &format);
        size_t padding = padding_before(total, &format, option, size);
        total += padding;
        for (size_t i = 0; i < padding; i++)
            luaL_addchar(&buffer, '\0');
        switch (option) {
            case 'b':
            case 'B':
            case 'h':
            case 'H':
            case 'l':
            case 'L':
            case 'T':
            case 'i':
            case 'I':
                pack_integer(L, &buffer, arg++, format.big_endian, size);
                break;
            case 'x':
                luaL_addchar(&buffer, '\0');
                break;
            case 'f': {
                float value = (float)luaL_checknumber(L, arg++);
                if (format.big_endian)
                    reverse_bytes((char *)&value, sizeof(value));
                luaL_addlstring(&buffer, (const char *)&value, sizeof(value));
                break;
            }
            case 'd': {
                double value = luaL_checknumber(L, arg++);
                if (format.big_endian)
                    reverse_bytes((char *)&value, sizeof(value));
                luaL_addlstring(&buffer, (const char *)&value, sizeof(value));
                break;
            }
            case 'c':
            case 's': {
                size_t length;
                const char *text = luaL_checklstring(L, arg++, &length);
                if (size == 0)
                    size = length;
                luaL_argcheck(L, length >= size, arg, "string too short");
                luaL_addlstring(&buffer, text, size);
                if (option == 's') {
                    luaL_addchar(&buffer, '\0');
                    size++;
                }
                break;
            }
            default:
                apply_control_option(L, option, &format);
        }
        total += size;
    }
    luaL_pushresult(&buffer);
    return 1;
}

/* An integer of size bytes (only the last 8 read count), sign-extended
 * from its top bit when signed, with the shift taken modulo 64 as x86-64
 * does (so sizes over 8 extend from bit (8 * size - 1) % 64). */
static lua_Number unpack_integer(const char *bytes, int big_endian, int is_signed, size_t size)
{
    uint64_t bits = 0;
    for (size_t i = 0; i < size; i++) {
        unsigned char byte = (unsigned char)bytes[big_endian ? i : size - 1 - i];
        bits = (bits << 8) | byte;
    }
    if (!is_signed)
        return (lua_Number)bits;
    uint64_t sign_mask = ~UINT64_C(0) << ((size * 8 - 1) & 63);
    if (bits & sign_mask)
        bits |= sign_mask;
    return (lua_Number)(int64_t)bits;
}

static int has_room(size_t data_length, size_t position, size_t size)
{
    return size <= data_length && position <= data_length - size;
}

static int struct_unpack(lua_State *L)
{
    struct_format format;
    format_start(&format, luaL_checkstring(L, 1));
    size_t data_length;
    const char *data = luaL_checklstring(L, 2, &data_length);
    /* Checked as unsigned, as the reference does: only 0 is refused here;
     * negative offsets become huge and fail the length checks below. */
    size_t position = (size_t)luaL_optinteger(L, 3, 1);
    luaL_argcheck(L, position > 0, 3, "offset must be 1 or greater");
    position--;
    int results = 0;
    while (*format.cursor != '\0') {
        int option = *format.cursor++;
        size_t size = option_size(L, option, &format);
        position += padding_before(position, &format, option, size);
        luaL_argcheck(L, has_room(data_length, position, size), 2, "data string too short");
        luaL_checkstack(L, 2, "too many results");
        switch (option) {
            case 'b':
            case 'B':
            case 'h':
            case 'H':
            case 'l':
            case 'L':
            case 'T':
            case 'i':
            case 'I':
                lua_pushnumber(
                    L, unpack_integer(data + position, format.big_endian, islower(option), size));
                results++;
                break;
            case 'x':
                break;
            case 'f': {
                float value;
                memcpy(&value, data + position, sizeof(value));
                if (format.big_endian)
                    reverse_bytes((char *)&value, sizeof(value));
                lua_pushnumber(L, value);
                results++;
                break;
            }
            case 'd': {
                double value;
                memcpy(&value, data + position, sizeof(value));
                if (format.big_endian)
                    reverse_bytes((char *)&value, sizeof(value));
                lua_pushnumber(L, value);
                results++;
                break;
            }
            case 'c':
                if (size == 0) {
                    if (results == 0 || !lua_isnumber(L, -1))
                        luaL_error(L, "format 'c0' needs a previous size");
                    size = (size_t)number_to_packed_bits(lua_tonumber(L, -1));
                    lua_pop(L, 1);
                    results--;
                    luaL_argcheck(L, has_room(data_length, position, size), 2,
                                  "data string too short");
                }
                lua_pushlstring(L, data + position, size);
                results++;
                break;
            case 's': {
                const char *end = memchr(data + position, '\0', data_length - position);
                if (end == NULL)
                    luaL_error(L, "unfinished string in data");
                size = (size_t)(end - (data + position)) + 1;
                lua_pushlstring(L, data + position, size - 1);
                results++;
                break;
            }
            default:
                apply_control_option(L, option, &format);
        }
        position += size;
    }
    lua_pushinteger(L, (lua_Integer)(position + 1));
    return results + 1;
}

static int struct_size(lua_State *L)
{
    struct_format format;
    format_start(&format, luaL_checkstring(L, 1));
    size_t position = 0;
    while (*format.cursor != '\0') {
        int option = *format.cursor++;
        size_t size = option_size(L, option, &format);
        position += padding_before(position, &format, option, size);
        if (option == 's')
            luaL_argerror(L, 1, "option 's' has no fixed size");
        else if (option == 'c' && size == 0)
            luaL_argerror(L, 1, "option 'c0' has no fixed size");
        /* Letters and digits without a meaning count for nothing here. */
        if (!isalnum((unsigned char)option))
            apply_control_option(L, option, &format);
        position += size;
    }
    lua_pushinteger(L, (lua_Integer)position);
    return 1;
}

static const luaL_Reg struct_functions[] = {
    {"pack", struct_pack},
    {"unpack", struct_unpack},
    {"size", struct_size},
    {NULL, NULL},
};

int scripting_lua_open_struct(lua_State *L)
{
    lua_newtable(L);
    luaL_register(L, NULL, struct_functions);
    return 1;
}
