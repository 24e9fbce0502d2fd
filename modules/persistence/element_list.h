/*
 * element_list.h - the strings of one value decoded from a compact RDB
 * encoding (ziplist, listpack, intset, zipmap, quicklist), in order, with
 * their bytes copied into one arena the list owns.  Integers stored in
 * binary are kept as their decimal text, which is what the types read.
 */
#ifndef PERSISTENCE_ELEMENT_LIST_H
#define PERSISTENCE_ELEMENT_LIST_H

#include <stddef.h>
#include <stdint.h>

typedef struct element_span {
    size_t offset, length;
} element_span;

typedef struct element_list {
    char *arena;
    size_t arena_used, arena_capacity;
    element_span *items;
    size_t count, capacity;
} element_list;

void element_list_init(element_list *list);
void element_list_release(element_list *list);
void element_list_clear(element_list *list);
/* Append a copy of bytes / the decimal text of value.  0, or -1 when out
 * of memory. */
int element_list_add(element_list *list, const void *bytes, size_t length);
int element_list_add_integer(element_list *list, int64_t value);
static inline const char *element_list_ptr(const element_list *list, size_t index)
{
    return list->arena + list->items[index].offset;
}

#endif
