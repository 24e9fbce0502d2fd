/*
 * hooktest_queue_type.c - "hookqueue", a FIFO of byte strings: the custom
 * type the tests block on, copy with COPY, and use to check that the core
 * enforces types (GET on it answers WRONGTYPE, TYPE names it).
 * Items live in a ring buffer so popping the oldest is O(1).
 */
#include <string.h>

#include "hooktest.h"

hooktest_queue *hooktest_queue_create(void)
{
    hooktest_queue *queue = dblite_alloc(sizeof(*queue));
    if (queue != NULL)
        memset(queue, 0, sizeof(*queue));
    return queue;
}

static int queue_grow(hooktest_queue *queue)
{
    size_t capacity = queue->capacity ? queue->capacity * 2 : 4;
    dblite_bytes *items = dblite_alloc(capacity * sizeof(*items));
    if (items == NULL)
        return DBLITE_ERR_NOMEM;
    for (size_t i = 0; i < queue->count; i++)
        items[i] = queue->items[(queue->head + i) % queue->capacity];
    dblite_free(queue->items);
    queue->items = items;
    queue->capacity = capacity;
    queue->head = 0;
    return DBLITE_OK;
}

int hooktest_queue_push(hooktest_queue *queue, dblite_bytes value)
{
    if (queue->count == queue->capacity && queue_grow(queue) != DBLITE_OK)
        return DBLITE_ERR_NOMEM;
    char *copy = dblite_alloc(value.len ? value.len : 1);
    if (copy == NULL)
        return DBLITE_ERR_NOMEM;
    if (value.len)
        memcpy(copy, value.ptr, value.len);
    queue->items[(queue->head + queue->count) % queue->capacity] = (dblite_bytes){copy, value.len};
    queue->count++;
    return DBLITE_OK;
}

int hooktest_queue_pop(hooktest_queue *queue, dblite_bytes *value)
{
    if (queue->count == 0)
        return DBLITE_ERR_NOTFOUND;
    *value = queue->items[queue->head];
    queue->head = (queue->head + 1) % queue->capacity;
    queue->count--;
    return DBLITE_OK;
}

void hooktest_queue_free(void *value)
{
    hooktest_queue *queue = value;
    for (size_t i = 0; i < queue->count; i++)
        dblite_free((void *)queue->items[(queue->head + i) % queue->capacity].ptr);
    dblite_free(queue->items);
    dblite_free(queue);
}

/* COPY's method: a deep copy, counted so tests see COPY went through it. */
static void *queue_copy(const void *value)
{
    const hooktest_queue *source = value;
    hooktest_queue *copy = hooktest_queue_create();
    if (copy == NULL)
        return NULL;
    for (size_t i = 0; i < source->count; i++) {
        if (hooktest_queue_push(copy, source->items[(source->head + i) % source->capacity]) !=
            DBLITE_OK) {
            hooktest_queue_free(copy);
            return NULL;
        }
    }
    hooktest_state_get()->copies++;
    return copy;
}

/* Never called: see the methods' api_version below. */
static const char *queue_encoding(const void *value)
{
    (void)value;
    return "never-read";
}

int hooktest_register_queue_type(hooktest_state *state)
{
    /* Declared at version 1, the oldest, as a plugin built long ago: the
     * server must read only the fields version 1 had, so the encoding method
     * (version 3) stays unused and OBJECT ENCODING answers "raw". */
    static const dblite_type_methods methods = {
        .api_version = 1,
        .free = hooktest_queue_free,
        .copy = queue_copy,
        .encoding = queue_encoding,
    };
    state->queue_type =
        dblite_type_register(state->module, "hookqueue", "hookqueue", 0, -1, &methods);
    if (state->queue_type == NULL) {
        dblite_module_fail(state->module, "cannot register type hookqueue");
        return DBLITE_ERR;
    }
    if (dblite_type_find("hookqueue") != state->queue_type) {
        dblite_module_fail(state->module,
                           "dblite_type_find does not find the type just registered");
        return DBLITE_ERR;
    }
    return DBLITE_OK;
}
