/*
 * reply.h - one server reply as a tree, for every RESP2 and RESP3 type.
 *
 * The reader builds these and the formatters walk them.  Text-like replies
 * keep the bytes exactly as the server sent them (a double stays "3.141",
 * not a re-printed number), because the output must match redis-cli's,
 * which prints what it received.
 */
#ifndef DBLITE_CLI_REPLY_H
#define DBLITE_CLI_REPLY_H

#include <stddef.h>

typedef enum reply_type {
    REPLY_STATUS,     /* +OK */
    REPLY_ERROR,      /* -ERR ... and RESP3 blob errors (!) */
    REPLY_INTEGER,    /* :1 */
    REPLY_STRING,     /* $ bulk string (also streamed $? strings) */
    REPLY_NIL,        /* $-1, *-1 and RESP3 _ */
    REPLY_ARRAY,      /* * */
    REPLY_MAP,        /* % : elements alternate key, value */
    REPLY_SET,        /* ~ */
    REPLY_PUSH,       /* > out-of-band data */
    REPLY_DOUBLE,     /* , */
    REPLY_BOOLEAN,    /* #t / #f */
    REPLY_BIG_NUMBER, /* ( */
    REPLY_VERBATIM,   /* = with a three-letter format ("txt", "mkd") */
    REPLY_ATTRIBUTE   /* | : a map describing the reply that follows it */
} reply_type;

typedef struct reply {
    reply_type type;
    long long integer; /* INTEGER; BOOLEAN as 0 or 1 */
    char *text;        /* text types; NUL-terminated, binary-safe */
    size_t length;
    char format[4];          /* VERBATIM's format, NUL-terminated */
    struct reply **elements; /* aggregates; a MAP holds 2 per entry */
    size_t element_count;
    /* Attributes (|) sent just before this reply, or NULL.  Kept so no
     * byte of what the server said is lost, though nothing prints them. */
    struct reply *attribute;
} reply;

/* A reply of that type with no text or elements; NULL on ENOMEM. */
reply *reply_create(reply_type type);
void reply_free(reply *reply);

/* 1 for ARRAY, MAP, SET, PUSH and ATTRIBUTE. */
int reply_is_aggregate(reply_type type);

/* Looks up key in a MAP, or in an ARRAY of alternating keys and values (the
 * RESP2 form of the same data); case-sensitive.  NULL when absent. */
const reply *reply_map_get(const reply *map, const char *key);

/* 1 when the reply is a STRING, STATUS or VERBATIM equal to text. */
int reply_text_equals(const reply *reply, const char *text);

#endif
