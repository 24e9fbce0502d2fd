/*
 * element_list.c - see element_list.h.  Elements are spans of one arena
 * rather than separate allocations: a quicklist of a million elements is
 * then two growing buffers, not a million small blocks.
 */
#include "element_list.h"

#include <string.h>

#include "dblite_module.h"

void element_list_init(element_list *list)
{
    memset(list, 0, sizeof(*list));
}

void element_list_release(element_list *list)
{
    dblite_free(list->arena);
    dblite_free(list->items);
    element_list_init(list);
}

void element_list_clear(element_list *list)
{
    list->arena_used = 0;
    list->count = 0;
}

static int grow(void **buffer, size_t *capacity, size_t item_size, size_t needed, size_t first)
{
    if (needed <= *capacity)
        return 0;
    size_t grown = *capacity ? *capacity : first;
    while (grown < needed) {
        if (grown > SIZE_MAX / 2 / item_size)
            return -1;
        grown *= 2;
    }
    void *bigger = dblite_realloc(*buffer, grown * item_size);
    if (bigger == NULL)
        return -1;
    *buffer = bigger;
    *capacity = grown;
    return 0;
}

int element_list_add(element_list *list, const void *bytes, size_t length)
{
    if (length > SIZE_MAX - list->arena_used)
        return -1;
    /* At least one byte, so even an empty element points into an arena. */
    if (grow((void **)&list->arena, &list->arena_capacity, 1, list->arena_used + length + 1, 256) !=
            0 ||
        grow((void **)&list->items, &list->capacity, sizeof(element_span), list->count + 1, 16) !=
            0)
        return -1;
    if (length)
        memcpy(list->arena + list->arena_used, bytes, length);
    list->items[list->count].offset = list->arena_used;
    list->items[list->count].length = length;
    list->count++;
    list->arena_used += length;
    return 0;
}

int element_list_add_integer(element_list *list, int64_t value)
{
    char text[DBLITE_LONG_LONG_TEXT_SIZE];
    size_t length = dblite_format_long_long(text, sizeof(text), (long long)value);
    return element_list_add(list, text, length);
}
