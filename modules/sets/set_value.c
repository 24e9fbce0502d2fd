/*
 * set_value.c - the three set encodings behind one interface, and the
 * conversions between them.
 *
 * Integers: an int_set tagged SET_ENCODING_INTEGERS.  Packed: a packed_list
 * tagged SET_ENCODING_PACKED, walked forwards only, growing by copy (the
 * keyspace may hold the old block) and holding text only (reads hand out
 * pointers to the bytes).  Table: a small header (tag + element_table)
 * whose entries hold just the member as their key.
 */
#include "set_value.h"

#include <stdint.h>
#include <string.h>

#include "common/element_table.h"
#include "common/packed_list.h"
#include "int_set.h"

struct set_value {
    uint8_t encoding;
};

typedef struct set_table_value {
    uint8_t encoding;
    element_table table;
} set_table_value;

/* Decimal text of a 64-bit integer is at most this long ("-9223372036854775808"). */
#define INTEGER_TEXT_MAX 20

static inline int_set *as_integers(set_value *set)
{
    return (int_set *)set;
}

static inline const int_set *as_const_integers(const set_value *set)
{
    return (const int_set *)set;
}

static inline packed_list *as_packed(set_value *set)
{
    return (packed_list *)set;
}

static inline const packed_list *as_const_packed(const set_value *set)
{
    return (const packed_list *)set;
}

/* A text probe for searching a packed set. */
static inline packed_value text_probe(dblite_bytes member)
{
    packed_value probe;
    packed_value_text(&probe, member.ptr, member.len);
    return probe;
}

static inline element_table *as_table(set_value *set)
{
    return &((set_table_value *)set)->table;
}

static inline const element_table *as_const_table(const set_value *set)
{
    return &((const set_table_value *)set)->table;
}

/* Writes the decimal text of value and a NUL into out (room for 21 bytes,
 * DBLITE_LONG_LONG_TEXT_SIZE); returns its length. */
static size_t format_integer(long long value, char *out)
{
    return dblite_format_long_long(out, DBLITE_LONG_LONG_TEXT_SIZE, value);
}

static void integer_member(long long value, set_member *member)
{
    member->is_integer = 1;
    member->integer = value;
    member->bytes.ptr = member->digits;
    member->bytes.len = format_integer(value, member->digits);
}

static void bytes_member(dblite_bytes bytes, set_member *member)
{
    member->is_integer = 0;
    member->bytes = bytes;
}

/* A packed set writes only text entries. */
static void packed_member(const packed_entry *entry, set_member *member)
{
    dblite_bytes bytes = {(const char *)entry->string, entry->length};
    bytes_member(bytes, member);
}

/* ---- creation and conversion --------------------------------------------- */

static set_value *table_create(size_t count)
{
    set_table_value *set = dblite_alloc(sizeof *set);
    if (set == NULL)
        return NULL;
    set->encoding = SET_ENCODING_TABLE;
    if (element_table_init(&set->table, count) != DBLITE_OK) {
        dblite_free(set);
        return NULL;
    }
    return (set_value *)set;
}

static int packed_allowed(const set_limits *limits, size_t count, size_t longest, size_t payload)
{
    return count <= limits->max_packed_entries && longest <= limits->max_packed_length &&
           count <= PACKED_LIST_MAX_COUNT && payload <= PACKED_LIST_MAX_BYTES / 2;
}

set_value *set_value_create(const set_limits *limits, const set_shape *shape)
{
    if (shape->all_integers && shape->count <= limits->max_intset_entries) {
        int width = shape->integer_width >= 2 ? shape->integer_width : 2;
        return (set_value *)int_set_create(SET_ENCODING_INTEGERS, shape->count, width);
    }
    if (packed_allowed(limits, shape->count, shape->longest, shape->payload))
        return (set_value *)packed_list_create(SET_ENCODING_PACKED, PACKED_LIST_COPY_ON_GROW,
                                               shape->payload);
    return table_create(shape->count);
}

static int table_add(element_table *table, dblite_bytes member)
{
    uint32_t hash = element_table_hash(table, member.ptr, member.len);
    if (element_table_find(table, member.ptr, member.len, hash) != ELEMENT_TABLE_ABSENT)
        return 0;
    table_entry *entry = table_entry_create(member.ptr, member.len, hash, 0);
    if (entry == NULL)
        return DBLITE_ERR_NOMEM;
    if (element_table_add(table, entry) != DBLITE_OK) {
        dblite_free(entry);
        return DBLITE_ERR_NOMEM;
    }
    return 1;
}

/* A table holding the members of set, with room for extra more. */
static set_value *convert_to_table(const set_value *set, size_t extra)
{
    set_value *converted = table_create(set_value_length(set) + extra);
    if (converted == NULL)
        return NULL;
    set_iterator iterator;
    set_iterator_init(&iterator, set);
    set_member member;
    while (set_iterator_next(&iterator, &member)) {
        if (table_add(as_table(converted), member.bytes) < 0) {
            set_value_free(converted);
            return NULL;
        }
    }
    return converted;
}

/* A packed list holding the integers of set, with extra_bytes more room. */
static set_value *integers_to_packed(const int_set *integers, size_t extra_bytes)
{
    size_t count = int_set_count(integers);
    char digits[INTEGER_TEXT_MAX + 1];
    size_t payload = extra_bytes;
    for (size_t i = 0; i < count; i++)
        payload += packed_list_text_size(format_integer(int_set_get(integers, i), digits));
    packed_list *list = packed_list_create(SET_ENCODING_PACKED, PACKED_LIST_COPY_ON_GROW, payload);
    if (list == NULL)
        return NULL;
    for (size_t i = 0; i < count; i++) {
        packed_value text;
        packed_value_text(&text, digits, format_integer(int_set_get(integers, i), digits));
        /* Never moves nor fails: the room was reserved above. */
        (void)packed_list_push_tail(&list, &text);
    }
    return (set_value *)list;
}

/* Whether an integer set plus one member of added_length bytes could be a
 * packed set.  Integers take at most 20 digits; the exact check is only
 * needed when the length limit is lower than that. */
static int integers_fit_packed(const int_set *integers, const set_limits *limits,
                               size_t added_length)
{
    size_t count = int_set_count(integers);
    if (!packed_allowed(limits, count + 1, added_length, count * (1 + INTEGER_TEXT_MAX)))
        return 0;
    if (limits->max_packed_length >= INTEGER_TEXT_MAX)
        return 1;
    for (size_t i = 0; i < count; i++) {
        char digits[INTEGER_TEXT_MAX + 1];
        if (format_integer(int_set_get(integers, i), digits) > limits->max_packed_length)
            return 0;
    }
    return 1;
}

/* ---- queries --------------------------------------------------------------- */

int set_value_encoding(const set_value *set)
{
    return set->encoding;
}

size_t set_value_length(const set_value *set)
{
    switch (set->encoding) {
        case SET_ENCODING_INTEGERS:
            return int_set_count(as_const_integers(set));
        case SET_ENCODING_PACKED:
            return packed_list_count(as_const_packed(set));
        default:
            return element_table_count(as_const_table(set));
    }
}

static int table_contains(const element_table *table, dblite_bytes member)
{
    uint32_t hash = element_table_hash(table, member.ptr, member.len);
    return element_table_find(table, member.ptr, member.len, hash) != ELEMENT_TABLE_ABSENT;
}

int set_value_contains(const set_value *set, dblite_bytes member)
{
    switch (set->encoding) {
        case SET_ENCODING_INTEGERS: {
            long long value;
            return dblite_parse_long_long(member, &value) == DBLITE_OK &&
                   int_set_contains(as_const_integers(set), value);
        }
        case SET_ENCODING_PACKED: {
            packed_value probe = text_probe(member);
            return packed_list_find(as_const_packed(set), 0, &probe, 0) != 0;
        }
        default:
            return table_contains(as_const_table(set), member);
    }
}

int set_value_contains_member(const set_value *set, const set_member *member)
{
    if (set->encoding == SET_ENCODING_INTEGERS && member->is_integer)
        return int_set_contains(as_const_integers(set), member->integer);
    return set_value_contains(set, member->bytes);
}

/* ---- adding ------------------------------------------------------------------- */

/* Adds to a set that is (or has just become) packed or a table, converting a
 * packed set that would outgrow its limits. */
static int add_bytes(value_holder *holder, const set_limits *limits, dblite_bytes member)
{
    set_value *set = holder->current;
    if (set->encoding == SET_ENCODING_PACKED) {
        packed_list *list = as_packed(set);
        packed_value value = text_probe(member);
        if (packed_list_find(list, 0, &value, 0) != 0)
            return 0;
        size_t entry_size = packed_list_value_size(list, &value);
        if (packed_list_count(list) + 1 <= limits->max_packed_entries &&
            member.len <= limits->max_packed_length && packed_list_fits(list, 1, entry_size)) {
            if (packed_list_push_tail(&list, &value) != DBLITE_OK)
                return DBLITE_ERR_NOMEM;
            value_holder_update(holder, list);
            return 1;
        }
        set_value *converted = convert_to_table(set, 1);
        if (converted == NULL)
            return DBLITE_ERR_NOMEM;
        value_holder_update(holder, converted);
        set = converted;
    }
    return table_add(as_table(set), member);
}

/* Converts an integer set that cannot take member text as it is: to a
 * packed set when that can hold everything, else to a table. */
static int convert_integers(value_holder *holder, const set_limits *limits, dblite_bytes text)
{
    const int_set *integers = holder->current;
    set_value *converted = integers_fit_packed(integers, limits, text.len)
                               ? integers_to_packed(integers, packed_list_text_size(text.len))
                               : convert_to_table(holder->current, 1);
    if (converted == NULL)
        return DBLITE_ERR_NOMEM;
    value_holder_update(holder, converted);
    return DBLITE_OK;
}

/* Adds to an integer set; parsed is the member's value when it is a
 * canonical integer, NULL otherwise. */
static int add_to_integers(value_holder *holder, const set_limits *limits, dblite_bytes member,
                           const long long *parsed)
{
    int_set *integers = holder->current;
    if (parsed != NULL && int_set_count(integers) + 1 <= limits->max_intset_entries) {
        int added;
        int_set *updated = int_set_add(integers, *parsed, &added);
        if (updated == NULL)
            return DBLITE_ERR_NOMEM;
        value_holder_update(holder, updated);
        return added;
    }
    if (parsed != NULL && int_set_contains(integers, *parsed))
        return 0;
    if (convert_integers(holder, limits, member) != DBLITE_OK)
        return DBLITE_ERR_NOMEM;
    return add_bytes(holder, limits, member);
}

int set_value_add(value_holder *holder, const set_limits *limits, dblite_bytes member)
{
    set_value *set = holder->current;
    if (set->encoding == SET_ENCODING_INTEGERS) {
        long long value;
        int is_integer = dblite_parse_long_long(member, &value) == DBLITE_OK;
        return add_to_integers(holder, limits, member, is_integer ? &value : NULL);
    }
    return add_bytes(holder, limits, member);
}

int set_value_add_member(value_holder *holder, const set_limits *limits, const set_member *member)
{
    set_value *set = holder->current;
    if (set->encoding == SET_ENCODING_INTEGERS && member->is_integer)
        return add_to_integers(holder, limits, member->bytes, &member->integer);
    return set_value_add(holder, limits, member->bytes);
}

/* ---- removing ------------------------------------------------------------------- */

int set_value_remove(set_value *set, dblite_bytes member)
{
    switch (set->encoding) {
        case SET_ENCODING_INTEGERS: {
            long long value;
            return dblite_parse_long_long(member, &value) == DBLITE_OK &&
                   int_set_remove(as_integers(set), value);
        }
        case SET_ENCODING_PACKED: {
            packed_list *list = as_packed(set);
            packed_value probe = text_probe(member);
            size_t position = packed_list_find(list, 0, &probe, 0);
            if (position == 0)
                return 0;
            /* In place: a copy-on-grow list does not shrink on deletion
         * (set_value_trim gives memory back through the holder). */
            (void)packed_list_delete(&list, position, 1);
            return 1;
        }
        default: {
            element_table *table = as_table(set);
            uint32_t hash = element_table_hash(table, member.ptr, member.len);
            size_t position = element_table_find(table, member.ptr, member.len, hash);
            if (position == ELEMENT_TABLE_ABSENT)
                return 0;
            dblite_free(element_table_remove(table, position));
            return 1;
        }
    }
}

void set_value_remove_at(set_value *set, size_t index)
{
    switch (set->encoding) {
        case SET_ENCODING_INTEGERS:
            int_set_remove_at(as_integers(set), index);
            break;
        case SET_ENCODING_PACKED: {
            packed_list *list = as_packed(set);
            (void)packed_list_delete(&list, packed_list_seek(list, (long long)index), 1);
            break;
        }
        default:
            dblite_free(element_table_remove(as_table(set), index));
            break;
    }
}

void set_value_trim(value_holder *holder)
{
    set_value *set = holder->current;
    void *trimmed = NULL;
    if (set->encoding == SET_ENCODING_INTEGERS)
        trimmed = int_set_trim(as_integers(set));
    else if (set->encoding == SET_ENCODING_PACKED) {
        packed_list *list = as_packed(set);
        packed_list_shrink_if_sparse(&list);
        trimmed = list;
    }
    if (trimmed != NULL)
        value_holder_update(holder, trimmed);
}

/* ---- reading members ------------------------------------------------------- */

void set_value_member_at(const set_value *set, size_t index, set_member *member)
{
    switch (set->encoding) {
        case SET_ENCODING_INTEGERS:
            integer_member(int_set_get(as_const_integers(set), index), member);
            break;
        case SET_ENCODING_PACKED: {
            const packed_list *list = as_const_packed(set);
            packed_entry entry;
            packed_list_read(list, packed_list_seek(list, (long long)index), &entry);
            packed_member(&entry, member);
            break;
        }
        default: {
            const table_entry *entry = element_table_entry(as_const_table(set), index);
            dblite_bytes bytes = {entry->bytes, entry->key_length};
            bytes_member(bytes, member);
            break;
        }
    }
}

void set_iterator_init(set_iterator *iterator, const set_value *set)
{
    iterator->set = set;
    iterator->position =
        set->encoding == SET_ENCODING_PACKED ? packed_list_first(as_const_packed(set)) : 0;
}

int set_iterator_next(set_iterator *iterator, set_member *member)
{
    const set_value *set = iterator->set;
    if (set->encoding == SET_ENCODING_PACKED) {
        const packed_list *list = as_const_packed(set);
        if (iterator->position == 0)
            return 0;
        packed_entry entry;
        iterator->position = packed_list_read_next(list, iterator->position, &entry);
        packed_member(&entry, member);
        return 1;
    }
    if (iterator->position >= set_value_length(set))
        return 0;
    set_value_member_at(set, iterator->position++, member);
    return 1;
}

/* ---- type methods ---------------------------------------------------------- */

void set_value_free(void *opaque)
{
    set_value *set = opaque;
    if (set->encoding == SET_ENCODING_TABLE)
        element_table_destroy(as_table(set));
    dblite_free(set);
}

static size_t table_entry_size(const table_entry *entry)
{
    return sizeof(table_entry) + entry->key_length;
}

void *set_value_copy(const void *opaque)
{
    const set_value *set = opaque;
    switch (set->encoding) {
        case SET_ENCODING_INTEGERS:
            return int_set_copy(as_const_integers(set));
        case SET_ENCODING_PACKED:
            return packed_list_copy(as_const_packed(set));
        default: {
            set_table_value *copy = dblite_alloc(sizeof *copy);
            if (copy == NULL)
                return NULL;
            copy->encoding = SET_ENCODING_TABLE;
            if (element_table_copy(&copy->table, as_const_table(set), table_entry_size) !=
                DBLITE_OK) {
                dblite_free(copy);
                return NULL;
            }
            return copy;
        }
    }
}

size_t set_value_memory_usage(const void *opaque)
{
    const set_value *set = opaque;
    switch (set->encoding) {
        case SET_ENCODING_INTEGERS:
            return int_set_allocated_bytes(as_const_integers(set));
        case SET_ENCODING_PACKED:
            return packed_list_allocated(as_const_packed(set));
        default:
            return dblite_alloc_size(set) + element_table_memory(as_const_table(set));
    }
}
