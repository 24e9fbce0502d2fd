/*
 * string_access.h - the steps every string command shares: store a value,
 * reply a value, and the size limit on strings.  (Commands find a key as a
 * string with dblite_key_lookup_or_reply and string_type().)  Each
 * function that can fail has already replied when it returns an error.
 */
#ifndef STRINGS_STRING_ACCESS_H
#define STRINGS_STRING_ACCESS_H

#include "dblite_module.h"

/* Stores value under key (ownership passes to the core even on failure);
 * DBLITE_OK, or DBLITE_ERR after replying an error. */
int string_store_or_reply(dblite_ctx *ctx, dblite_bytes key, void *value, int flags);

/* A new value holding argument argv[index]; one a dialect client sent as a
 * RESP integer keeps that mark (see string_value.h).  NULL when memory runs
 * out (nothing replied). */
void *string_create_from_argument(dblite_ctx *ctx, const dblite_bytes *argv, int index);

/* Replies the value as a bulk string, or as an integer to a dialect client
 * when the value was sent as one. */
void string_reply_value(dblite_ctx *ctx, const void *value);

/* Replies the value when there is one, a null bulk otherwise. */
void string_reply_value_or_null(dblite_ctx *ctx, const void *value);

void string_reply_out_of_memory(dblite_ctx *ctx);

/* Replicates argv in place of the running command (dblite_propagate_replace).
 * Should the core fail to copy it, the command goes out as received. */
void string_propagate_as(dblite_ctx *ctx, int argc, const dblite_bytes *argv);

/* The largest string the server accepts (proto-max-bulk-len). */
long long string_max_length(void);

/* Checks that a string of size bytes may grow by growth bytes, as Redis's
 * checkStringLength; DBLITE_OK, or DBLITE_ERR after replying the error. */
int string_check_length_or_reply(dblite_ctx *ctx, long long size, long long growth);

#endif
