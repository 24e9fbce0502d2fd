/*
 * sort_patterns.c - BY and GET patterns, as Redis 7.0's lookupKeyByPattern:
 * "#" is the element itself; otherwise the first '*' is replaced by the
 * element, and "key->field" (a non-empty field after the first "->" that
 * follows the '*') names a hash field.  Redis scans the pattern as a C
 * string, so a NUL byte ends the search for '*' and "->" (the lengths of
 * the parts still count every byte), and so it is here.
 *
 * The key is read with GET, the field with HGET, through dblite_call: a
 * key of another type counts as missing, so any reply but a bulk string
 * (a WRONGTYPE error, internal: not counted) is "nothing found"; a missing
 * key counts its miss and emits "keymiss" as Redis's lookupKeyRead does.
 */
#include <string.h>

#include "sort.h"

/* The bytes Redis's C-string functions see: up to the first NUL. */
static size_t c_string_length(dblite_bytes pattern)
{
    const char *nul = memchr(pattern.ptr, '\0', pattern.len);
    return nul ? (size_t)(nul - pattern.ptr) : pattern.len;
}

int sort_pattern_has_star(dblite_bytes pattern)
{
    return memchr(pattern.ptr, '*', c_string_length(pattern)) != NULL;
}

/* strstr(from, "->") within the first visible bytes; NULL when absent. */
static const char *find_arrow(const char *from, const char *visible_end)
{
    for (const char *p = from; p + 1 < visible_end; p++)
        if (p[0] == '-' && p[1] == '>')
            return p;
    return NULL;
}

/* Reads key (and field when field.ptr is set); *holder gets the reply
 * when it is a value. */
static int read_value(dblite_ctx *ctx, dblite_bytes key, dblite_bytes field, dblite_bytes *value,
                      int *found, dblite_call_reply **holder)
{
    dblite_bytes argv[3] = {field.ptr ? (dblite_bytes){"HGET", 4} : (dblite_bytes){"GET", 3}, key,
                            field};
    dblite_call_reply *reply =
        dblite_call(ctx, field.ptr ? 3 : 2, argv, DBLITE_CALL_INTERNAL | DBLITE_CALL_RESP2);
    if (!reply)
        return DBLITE_ERR_NOMEM;
    if (dblite_call_reply_kind(reply) != DBLITE_CALL_REPLY_BULK) {
        dblite_call_reply_free(reply);
        return DBLITE_OK;
    }
    value->ptr = dblite_call_reply_string(reply, &value->len);
    *found = 1;
    *holder = reply;
    return DBLITE_OK;
}

/* Where the pattern's parts are: the first '*' (NULL without one) and the
 * length of the hash field after its "->" (0 for a string key). */
static const char *pattern_star(dblite_bytes pattern, size_t *field_length)
{
    size_t visible = c_string_length(pattern);
    const char *star = memchr(pattern.ptr, '*', visible);
    *field_length = 0;
    if (!star)
        return NULL;
    const char *visible_end = pattern.ptr + visible;
    const char *arrow = find_arrow(star + 1, visible_end);
    if (arrow && arrow + 2 < visible_end)
        *field_length = pattern.len - (size_t)(arrow - pattern.ptr) - 2;
    return star;
}

const char *sort_pattern_missing_module(dblite_bytes pattern)
{
    size_t field_length;
    if (c_string_length(pattern) == 1 && pattern.ptr[0] == '#')
        return NULL;
    if (!pattern_star(pattern, &field_length))
        return NULL;
    const char *needed = field_length ? "hashes" : "strings";
    return dblite_module_loaded(needed) ? NULL : needed;
}

int sort_pattern_lookup(dblite_ctx *ctx, dblite_bytes pattern, dblite_bytes element,
                        dblite_bytes *value, int *found, dblite_call_reply **holder)
{
    *found = 0;
    *holder = NULL;
    if (c_string_length(pattern) == 1 && pattern.ptr[0] == '#') {
        *value = element;
        *found = 1;
        return DBLITE_OK;
    }
    size_t field_length;
    const char *star = pattern_star(pattern, &field_length);
    if (!star)
        return DBLITE_OK; /* a fixed key makes no sense to GET */
    size_t prefix_length = (size_t)(star - pattern.ptr);
    size_t postfix_length =
        pattern.len - (prefix_length + 1) - (field_length ? field_length + 2 : 0);

    size_t key_length = prefix_length + element.len + postfix_length;
    char stack[256];
    char *key = key_length <= sizeof(stack) ? stack : dblite_alloc(key_length);
    if (!key)
        return DBLITE_ERR_NOMEM;
    memcpy(key, pattern.ptr, prefix_length);
    memcpy(key + prefix_length, element.ptr, element.len);
    memcpy(key + prefix_length + element.len, star + 1, postfix_length);
    dblite_bytes field = {NULL, 0};
    if (field_length)
        field = (dblite_bytes){pattern.ptr + pattern.len - field_length, field_length};
    int status = read_value(ctx, (dblite_bytes){key, key_length}, field, value, found, holder);
    if (key != stack)
        dblite_free(key);
    return status;
}
