/*
 * hash_value.c - the packed and table encodings of hashes, and the move
 * from one to the other.
 *
 * Packed: a packed_list tagged HASH_ENCODING_PACKED, field and value
 * entries alternating, walked forwards only and growing by copy (the
 * keyspace may hold the old block).  Everything is stored as text, since
 * reads hand out pointers to the bytes.  Table: a small header (tag +
 * element_table) whose entries hold the field as the key, then the value's
 * length (4 bytes, unaligned) and the value.
 */
#include "hash_value.h"

#include <stdint.h>
#include <string.h>

#include "common/element_table.h"
#include "common/packed_list.h"

struct hash_value {
    uint8_t encoding;
};

typedef struct hash_table_value {
    uint8_t encoding;
    element_table table;
} hash_table_value;

#define VALUE_LENGTH_SIZE sizeof(uint32_t)

static inline packed_list *as_packed(hash_value *value)
{
    return (packed_list *)value;
}

static inline const packed_list *as_const_packed(const hash_value *value)
{
    return (const packed_list *)value;
}

static inline element_table *as_table(hash_value *value)
{
    return &((hash_table_value *)value)->table;
}

static inline const element_table *as_const_table(const hash_value *value)
{
    return &((const hash_table_value *)value)->table;
}

/* The bytes of a packed entry: a hash writes only text entries. */
static inline dblite_bytes entry_text(const packed_entry *entry)
{
    dblite_bytes text = {(const char *)entry->string, entry->length};
    return text;
}

/* ---- table entries ------------------------------------------------------ */

static size_t entry_size_for(size_t field_length, size_t content_length)
{
    return sizeof(table_entry) + field_length + VALUE_LENGTH_SIZE + content_length;
}

static size_t entry_size(const table_entry *entry)
{
    uint32_t content_length;
    memcpy(&content_length, entry->bytes + entry->key_length, VALUE_LENGTH_SIZE);
    return entry_size_for(entry->key_length, content_length);
}

static dblite_bytes entry_content(const table_entry *entry)
{
    uint32_t content_length;
    memcpy(&content_length, entry->bytes + entry->key_length, VALUE_LENGTH_SIZE);
    dblite_bytes content = {entry->bytes + entry->key_length + VALUE_LENGTH_SIZE, content_length};
    return content;
}

static void write_content(table_entry *entry, dblite_bytes content)
{
    uint32_t content_length = (uint32_t)content.len;
    char *at = entry->bytes + entry->key_length;
    memcpy(at, &content_length, VALUE_LENGTH_SIZE);
    if (content.len > 0)
        memcpy(at + VALUE_LENGTH_SIZE, content.ptr, content.len);
}

static table_entry *entry_create(dblite_bytes field, uint32_t hash, dblite_bytes content)
{
    if (content.len > UINT32_MAX)
        return NULL;
    table_entry *entry =
        table_entry_create(field.ptr, field.len, hash, VALUE_LENGTH_SIZE + content.len);
    if (entry != NULL)
        write_content(entry, content);
    return entry;
}

/* Makes the entry at position hold content instead of its old value: in
 * the same block when it fits without wasting most of it, else in a
 * reallocated one.  DBLITE_ERR_NOMEM leaves the entry unchanged. */
static int replace_content(element_table *table, size_t position, dblite_bytes content)
{
    if (content.len > UINT32_MAX)
        return DBLITE_ERR_NOMEM;
    table_entry *entry = element_table_entry(table, position);
    size_t needed = entry_size_for(entry->key_length, content.len);
    size_t allocated = dblite_alloc_size(entry);
    if (needed > allocated || (allocated > 64 && needed < allocated / 2)) {
        entry = element_table_resize_entry(table, position, needed);
        if (entry == NULL)
            return DBLITE_ERR_NOMEM;
    }
    write_content(entry, content);
    return DBLITE_OK;
}

/* ---- creation and conversion --------------------------------------------- */

static hash_value *table_create(size_t pairs)
{
    hash_table_value *value = dblite_alloc(sizeof *value);
    if (value == NULL)
        return NULL;
    value->encoding = HASH_ENCODING_TABLE;
    if (element_table_init(&value->table, pairs) != DBLITE_OK) {
        dblite_free(value);
        return NULL;
    }
    return (hash_value *)value;
}

static int packed_allowed(const hash_limits *limits, size_t pairs, size_t longest,
                          size_t payload_bytes)
{
    return pairs <= limits->max_packed_pairs && longest <= limits->max_packed_length &&
           pairs <= PACKED_LIST_MAX_COUNT / 2 && payload_bytes <= PACKED_LIST_MAX_BYTES / 2;
}

hash_value *hash_value_create(const hash_limits *limits, size_t pairs, size_t longest,
                              size_t payload_bytes)
{
    if (packed_allowed(limits, pairs, longest, payload_bytes))
        return (hash_value *)packed_list_create(HASH_ENCODING_PACKED, PACKED_LIST_COPY_ON_GROW,
                                                payload_bytes);
    return table_create(pairs);
}

/* A table-encoded copy of a packed hash, with room for extra more pairs. */
static hash_value *packed_to_table(const packed_list *list, size_t extra)
{
    size_t pairs = packed_list_count(list) / 2;
    hash_value *converted = table_create(pairs + extra);
    if (converted == NULL)
        return NULL;
    element_table *table = as_table(converted);
    size_t position = packed_list_first(list);
    while (position != 0) {
        packed_entry field_entry, content_entry;
        position = packed_list_read_next(list, position, &field_entry);
        position = packed_list_read_next(list, position, &content_entry);
        dblite_bytes field = entry_text(&field_entry), content = entry_text(&content_entry);
        uint32_t hash = element_table_hash(table, field.ptr, field.len);
        table_entry *entry = entry_create(field, hash, content);
        if (entry == NULL || element_table_add(table, entry) != DBLITE_OK) {
            dblite_free(entry);
            hash_value_free(converted);
            return NULL;
        }
    }
    return converted;
}

/* ---- queries --------------------------------------------------------------- */

int hash_value_encoding(const hash_value *value)
{
    return value->encoding;
}

size_t hash_value_length(const hash_value *value)
{
    if (value->encoding == HASH_ENCODING_PACKED)
        return packed_list_count(as_const_packed(value)) / 2;
    return element_table_count(as_const_table(value));
}

int hash_value_get(const hash_value *value, dblite_bytes field, dblite_bytes *found)
{
    if (value->encoding == HASH_ENCODING_PACKED) {
        const packed_list *list = as_const_packed(value);
        packed_value probe;
        packed_value_text(&probe, field.ptr, field.len);
        size_t position = packed_list_find(list, 0, &probe, 1);
        if (position == 0)
            return 0;
        packed_entry content;
        packed_list_read(list, packed_list_next(list, position), &content);
        *found = entry_text(&content);
        return 1;
    }
    const element_table *table = as_const_table(value);
    size_t position = element_table_find(table, field.ptr, field.len,
                                         element_table_hash(table, field.ptr, field.len));
    if (position == ELEMENT_TABLE_ABSENT)
        return 0;
    *found = entry_content(element_table_entry(table, position));
    return 1;
}

/* ---- edits ----------------------------------------------------------------- */

static int table_set(element_table *table, dblite_bytes field, dblite_bytes content)
{
    uint32_t hash = element_table_hash(table, field.ptr, field.len);
    size_t position = element_table_find(table, field.ptr, field.len, hash);
    if (position != ELEMENT_TABLE_ABSENT) {
        if (replace_content(table, position, content) != DBLITE_OK)
            return DBLITE_ERR_NOMEM;
        return HASH_VALUE_UPDATED;
    }
    table_entry *entry = entry_create(field, hash, content);
    if (entry == NULL)
        return DBLITE_ERR_NOMEM;
    if (element_table_add(table, entry) != DBLITE_OK) {
        dblite_free(entry);
        return DBLITE_ERR_NOMEM;
    }
    return HASH_VALUE_ADDED;
}

/* Sets field in a packed hash if the packed encoding can take it; returns
 * 2 when the hash has to be converted first. */
#define NEEDS_TABLE 2
static int packed_set(value_holder *holder, const hash_limits *limits, dblite_bytes field,
                      dblite_bytes content)
{
    packed_list *list = holder->current;
    if (field.len > limits->max_packed_length || content.len > limits->max_packed_length)
        return NEEDS_TABLE;
    packed_value pair[2];
    packed_value_text(&pair[0], field.ptr, field.len);
    packed_value_text(&pair[1], content.ptr, content.len);
    size_t position = packed_list_find(list, 0, &pair[0], 1);
    if (position != 0) {
        if (packed_list_replace(&list, packed_list_next(list, position), &pair[1]) != DBLITE_OK)
            return DBLITE_ERR_NOMEM;
        value_holder_update(holder, list);
        return HASH_VALUE_UPDATED;
    }
    size_t added_bytes =
        packed_list_value_size(list, &pair[0]) + packed_list_value_size(list, &pair[1]);
    if (packed_list_count(list) / 2 + 1 > limits->max_packed_pairs ||
        !packed_list_fits(list, 2, added_bytes))
        return NEEDS_TABLE;
    if (packed_list_insert_all(&list, 0, pair, 2) != DBLITE_OK)
        return DBLITE_ERR_NOMEM;
    value_holder_update(holder, list);
    return HASH_VALUE_ADDED;
}

int hash_value_set(value_holder *holder, const hash_limits *limits, dblite_bytes field,
                   dblite_bytes content)
{
    hash_value *value = holder->current;
    if (value->encoding == HASH_ENCODING_PACKED) {
        int result = packed_set(holder, limits, field, content);
        if (result != NEEDS_TABLE)
            return result;
        hash_value *converted = packed_to_table(holder->current, 1);
        if (converted == NULL)
            return DBLITE_ERR_NOMEM;
        result = table_set(as_table(converted), field, content);
        if (result < 0) {
            hash_value_free(converted);
            return result;
        }
        value_holder_update(holder, converted);
        return result;
    }
    return table_set(as_table(value), field, content);
}

int hash_value_delete(hash_value *value, dblite_bytes field)
{
    if (value->encoding == HASH_ENCODING_PACKED) {
        packed_list *list = as_packed(value);
        packed_value probe;
        packed_value_text(&probe, field.ptr, field.len);
        size_t position = packed_list_find(list, 0, &probe, 1);
        if (position == 0)
            return 0;
        /* In place: a copy-on-grow list does not shrink on deletion
         * (hash_value_trim gives memory back through the holder). */
        (void)packed_list_delete(&list, position, 2);
        return 1;
    }
    element_table *table = as_table(value);
    size_t position = element_table_find(table, field.ptr, field.len,
                                         element_table_hash(table, field.ptr, field.len));
    if (position == ELEMENT_TABLE_ABSENT)
        return 0;
    dblite_free(element_table_remove(table, position));
    return 1;
}

void hash_value_trim(value_holder *holder)
{
    hash_value *value = holder->current;
    if (value->encoding != HASH_ENCODING_PACKED)
        return;
    packed_list *list = as_packed(value);
    packed_list_shrink_if_sparse(&list);
    value_holder_update(holder, list);
}

/* ---- walking ----------------------------------------------------------------- */

void hash_iterator_init(hash_iterator *iterator, const hash_value *value)
{
    iterator->value = value;
    iterator->position =
        value->encoding == HASH_ENCODING_PACKED ? packed_list_first(as_const_packed(value)) : 0;
}

int hash_iterator_next(hash_iterator *iterator, dblite_bytes *field, dblite_bytes *content)
{
    const hash_value *value = iterator->value;
    if (value->encoding == HASH_ENCODING_PACKED) {
        const packed_list *list = as_const_packed(value);
        if (iterator->position == 0)
            return 0;
        packed_entry field_entry, content_entry;
        iterator->position = packed_list_read_next(list, iterator->position, &field_entry);
        iterator->position = packed_list_read_next(list, iterator->position, &content_entry);
        *field = entry_text(&field_entry);
        *content = entry_text(&content_entry);
        return 1;
    }
    const element_table *table = as_const_table(value);
    if (iterator->position >= element_table_count(table))
        return 0;
    const table_entry *entry = element_table_entry(table, iterator->position++);
    field->ptr = entry->bytes;
    field->len = entry->key_length;
    *content = entry_content(entry);
    return 1;
}

void hash_value_pair_at(const hash_value *value, size_t index, dblite_bytes *field,
                        dblite_bytes *content)
{
    if (value->encoding == HASH_ENCODING_PACKED) {
        const packed_list *list = as_const_packed(value);
        packed_entry field_entry, content_entry;
        size_t position = packed_list_seek(list, (long long)index * 2);
        packed_list_read(list, packed_list_read_next(list, position, &field_entry), &content_entry);
        *field = entry_text(&field_entry);
        *content = entry_text(&content_entry);
        return;
    }
    const table_entry *entry = element_table_entry(as_const_table(value), index);
    field->ptr = entry->bytes;
    field->len = entry->key_length;
    *content = entry_content(entry);
}

/* ---- type methods ---------------------------------------------------------- */

void hash_value_free(void *opaque)
{
    hash_value *value = opaque;
    if (value->encoding == HASH_ENCODING_TABLE)
        element_table_destroy(as_table(value));
    dblite_free(value);
}

void *hash_value_copy(const void *opaque)
{
    const hash_value *value = opaque;
    if (value->encoding == HASH_ENCODING_PACKED)
        return packed_list_copy(as_const_packed(value));
    hash_table_value *copy = dblite_alloc(sizeof *copy);
    if (copy == NULL)
        return NULL;
    copy->encoding = HASH_ENCODING_TABLE;
    if (element_table_copy(&copy->table, as_const_table(value), entry_size) != DBLITE_OK) {
        dblite_free(copy);
        return NULL;
    }
    return copy;
}

size_t hash_value_memory_usage(const void *opaque)
{
    const hash_value *value = opaque;
    if (value->encoding == HASH_ENCODING_PACKED)
        return packed_list_allocated(as_const_packed(value));
    return dblite_alloc_size(value) + element_table_memory(as_const_table(value));
}
