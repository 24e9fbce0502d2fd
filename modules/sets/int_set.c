/*
 * int_set.c - sorted integer arrays.
 *
 * Layout: tag byte, width byte (2, 4 or 8), two reserved bytes, a 32-bit
 * member count, then the members in ascending order at that width in host
 * byte order.  Adding a member too wide for the current width rewrites the
 * whole array at the wider width (the new member then is necessarily the
 * smallest or the largest, so it goes at one end).
 */
#include "int_set.h"

#include <string.h>

#include "dblite_module.h"

struct int_set {
    uint8_t tag;
    uint8_t width;
    uint16_t reserved;
    uint32_t count;
    unsigned char members[];
};

#define HEADER_SIZE (sizeof(struct int_set))

static inline int64_t read_at(const int_set *set, size_t index)
{
    switch (set->width) {
        case 2: {
            int16_t value;
            memcpy(&value, set->members + index * 2, 2);
            return value;
        }
        case 4: {
            int32_t value;
            memcpy(&value, set->members + index * 4, 4);
            return value;
        }
        default: {
            int64_t value;
            memcpy(&value, set->members + index * 8, 8);
            return value;
        }
    }
}

static inline void write_at(int_set *set, size_t index, int64_t value)
{
    switch (set->width) {
        case 2: {
            int16_t narrow = (int16_t)value;
            memcpy(set->members + index * 2, &narrow, 2);
            break;
        }
        case 4: {
            int32_t narrow = (int32_t)value;
            memcpy(set->members + index * 4, &narrow, 4);
            break;
        }
        default:
            memcpy(set->members + index * 8, &value, 8);
            break;
    }
}

int int_set_width_for(int64_t value)
{
    if (value >= INT16_MIN && value <= INT16_MAX)
        return 2;
    if (value >= INT32_MIN && value <= INT32_MAX)
        return 4;
    return 8;
}

int_set *int_set_create(uint8_t tag, size_t capacity, int width)
{
    int_set *set = dblite_alloc(HEADER_SIZE + capacity * (size_t)width);
    if (set == NULL)
        return NULL;
    set->tag = tag;
    set->width = (uint8_t)width;
    set->reserved = 0;
    set->count = 0;
    return set;
}

static size_t used_bytes(const int_set *set)
{
    return HEADER_SIZE + (size_t)set->count * set->width;
}

int_set *int_set_copy(const int_set *set)
{
    size_t size = used_bytes(set);
    int_set *copy = dblite_alloc(size);
    if (copy != NULL)
        memcpy(copy, set, size);
    return copy;
}

void int_set_free(int_set *set)
{
    dblite_free(set);
}

size_t int_set_count(const int_set *set)
{
    return set->count;
}

int int_set_width(const int_set *set)
{
    return set->width;
}

size_t int_set_allocated_bytes(const int_set *set)
{
    return dblite_alloc_size(set);
}

int64_t int_set_get(const int_set *set, size_t index)
{
    return read_at(set, index);
}

/* 1 when found at *position; else 0 with *position where value would go. */
static int search(const int_set *set, int64_t value, size_t *position)
{
    size_t low = 0, high = set->count;
    while (low < high) {
        size_t middle = low + (high - low) / 2;
        int64_t member = read_at(set, middle);
        if (member == value) {
            *position = middle;
            return 1;
        }
        if (member < value)
            low = middle + 1;
        else
            high = middle;
    }
    *position = low;
    return 0;
}

int int_set_contains(const int_set *set, int64_t value)
{
    if (int_set_width_for(value) > set->width)
        return 0;
    size_t position;
    return search(set, value, &position);
}

/* A copy of set at a wider width with room for one more member, the new
 * member (too wide for the old width) placed at the right end. */
static int_set *widen_with(const int_set *set, int64_t value, int width)
{
    int_set *wider = int_set_create(set->tag, (size_t)set->count + 1, width);
    if (wider == NULL)
        return NULL;
    size_t offset = value < 0 ? 1 : 0;
    for (size_t i = 0; i < set->count; i++)
        write_at(wider, i + offset, read_at(set, i));
    write_at(wider, value < 0 ? 0 : set->count, value);
    wider->count = set->count + 1;
    return wider;
}

int_set *int_set_add(int_set *set, int64_t value, int *added)
{
    *added = 0;
    int width = int_set_width_for(value);
    if (set->count >= INT_SET_MAX_COUNT)
        return NULL;
    if (width > set->width) {
        int_set *wider = widen_with(set, value, width);
        if (wider != NULL)
            *added = 1;
        return wider;
    }
    size_t position;
    if (search(set, value, &position))
        return set;
    size_t needed = used_bytes(set) + set->width;
    int_set *target = set;
    if (dblite_alloc_size(set) < needed) {
        target = dblite_alloc(needed);
        if (target == NULL)
            return NULL;
        memcpy(target, set, used_bytes(set));
    }
    unsigned char *at = target->members + position * target->width;
    memmove(at + target->width, at, (target->count - position) * target->width);
    write_at(target, position, value);
    target->count++;
    *added = 1;
    return target;
}

void int_set_remove_at(int_set *set, size_t index)
{
    unsigned char *at = set->members + index * set->width;
    memmove(at, at + set->width, (set->count - index - 1) * set->width);
    set->count--;
}

int int_set_remove(int_set *set, int64_t value)
{
    if (int_set_width_for(value) > set->width)
        return 0;
    size_t position;
    if (!search(set, value, &position))
        return 0;
    int_set_remove_at(set, position);
    return 1;
}

int_set *int_set_trim(int_set *set)
{
    size_t allocated = dblite_alloc_size(set);
    if (allocated <= 2 * used_bytes(set) || allocated < 128)
        return set;
    return int_set_copy(set);
}
