/*
 * list_access.h - what every list command needs: finding a key's list
 * (with Redis's WRONGTYPE reply), creating one, replying elements, parsing
 * LEFT/RIGHT, and tidying up after elements were removed (an emptied list
 * is deleted, as Redis never keeps empty lists).
 */
#ifndef LISTS_LIST_ACCESS_H
#define LISTS_LIST_ACCESS_H

#include "dblite_module.h"
#include "list_value.h"

#define LIST_OUT_OF_MEMORY_ERROR "ERR out of memory"
#define LIST_ELEMENT_TOO_LARGE_ERROR "ERR element too large"

/* Looks key up as a list: DBLITE_OK with *list set (NULL when missing), or
 * DBLITE_ERR_WRONGTYPE after replying the WRONGTYPE error. */
int list_lookup_or_reply(dblite_ctx *ctx, dblite_bytes key, int flags, list_value **list);

/* Stores a new list under key.  Returns DBLITE_OK, or an error after
 * replying it (the list is freed either way on failure). */
int list_store_new_or_reply(dblite_ctx *ctx, dblite_bytes key, list_value *list);

/* Prepares argument bytes for storage, replying an error if they can
 * never fit.  DBLITE_OK, or DBLITE_ERR_INVALID after replying. */
int list_prepare_or_reply(dblite_ctx *ctx, dblite_bytes bytes, packed_value *value);

/* After a command removed elements from key's list: emits event ("lpop",
 * "lrem"...), then deletes the key with a "del" event when the list is
 * empty, else marks it modified - Redis's order. */
void list_removed_elements(dblite_ctx *ctx, dblite_bytes key, list_value *list, const char *event);
/* The keyspace notification of a list command (class l). */
void list_notify(dblite_ctx *ctx, const char *event, dblite_bytes key);
/* "lpop"/"rpop" and "lpush"/"rpush" for an end. */
const char *list_pop_event(int where);
const char *list_push_event(int where);

void list_reply_entry(dblite_ctx *ctx, const packed_entry *entry);
/* Replies the element at position. */
void list_reply_position(dblite_ctx *ctx, const list_value *list, const list_position *position);

/* An element as bytes: a string entry's own bytes, or an integer printed
 * into scratch (at least 24 bytes). */
dblite_bytes list_entry_bytes(const packed_entry *entry, char *scratch, size_t size);

/* LEFT or RIGHT (any case) to LIST_HEAD / LIST_TAIL: DBLITE_OK, or
 * DBLITE_ERR_INVALID after replying the syntax error. */
int list_parse_end_or_reply(dblite_ctx *ctx, dblite_bytes arg, int *where);
const char *list_end_name(int where);

/* Redis's getLongFromObjectOrReply family: DBLITE_OK, or
 * DBLITE_ERR_INVALID after replying the error. */
int list_parse_integer_or_reply(dblite_ctx *ctx, dblite_bytes arg, long long *value);
/* An integer in min..max; message (without "ERR ") replaces both the
 * parse and the range error when not NULL. */
int list_parse_range_or_reply(dblite_ctx *ctx, dblite_bytes arg, long long min, long long max,
                              const char *message, long long *value);

#endif
