/*
 * alloc.c - the server's allocator wrappers with usage accounting.
 *
 * Every byte the dataset takes goes through here (core and modules alike,
 * via dblite_alloc), so INFO's used_memory is honest.  The block's real size
 * comes from malloc_usable_size, so no header is added per allocation.
 */
#define _GNU_SOURCE
#include <malloc.h>
#include <stdlib.h>
#include <string.h>

#include "server.h"

void *server_alloc(size_t size)
{
    void *ptr = malloc(size ? size : 1);
    if (ptr)
        server.used_memory += malloc_usable_size(ptr);
    return ptr;
}

void *server_calloc(size_t size)
{
    void *ptr = calloc(1, size ? size : 1);
    if (ptr)
        server.used_memory += malloc_usable_size(ptr);
    return ptr;
}

void *server_realloc(void *ptr, size_t size)
{
    if (!ptr)
        return server_alloc(size);
    size_t old = malloc_usable_size(ptr);
    void *grown = realloc(ptr, size ? size : 1);
    if (!grown)
        return NULL;
    server.used_memory += malloc_usable_size(grown);
    server.used_memory -= old;
    return grown;
}

void server_free(void *ptr)
{
    if (!ptr)
        return;
    server.used_memory -= malloc_usable_size(ptr);
    free(ptr);
}

char *server_strndup(const char *text, size_t length)
{
    char *copy = server_alloc(length + 1);
    if (!copy)
        return NULL;
    memcpy(copy, text, length);
    copy[length] = '\0';
    return copy;
}

char *server_strdup(const char *text)
{
    return server_strndup(text, strlen(text));
}

int array_grow(void **items, size_t *capacity, size_t item_size, size_t wanted)
{
    if (wanted <= *capacity)
        return 0;
    size_t grown = *capacity ? *capacity * 2 : 4;
    while (grown < wanted)
        grown *= 2;
    void *bigger = realloc(*items, grown * item_size);
    if (!bigger)
        return -1;
    *items = bigger;
    *capacity = grown;
    return 0;
}

void *dblite_alloc(size_t size)
{
    return server_alloc(size);
}
void *dblite_calloc(size_t size)
{
    return server_calloc(size);
}
void *dblite_realloc(void *ptr, size_t size)
{
    return server_realloc(ptr, size);
}
void dblite_free(void *ptr)
{
    server_free(ptr);
}
size_t dblite_alloc_size(const void *ptr)
{
    return ptr ? malloc_usable_size((void *)ptr) : 0;
}
