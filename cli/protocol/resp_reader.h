/*
 * resp_reader.h - incremental parser for server replies, RESP2 and RESP3.
 *
 * Bytes are fed as they arrive from the socket; resp_reader_next() hands out
 * each reply once it is complete.  Aggregates are built on an explicit stack
 * so a reply split over many reads is parsed once, not re-parsed from its
 * start on every read: a million-element KEYS reply costs the same whether
 * it arrives in one read or in a thousand.
 *
 * Every RESP3 type is understood, including the rarely used ones: blob
 * errors, verbatim strings, big numbers, attributes (attached to the reply
 * they precede), push data, and streamed strings and aggregates.
 */
#ifndef DBLITE_CLI_RESP_READER_H
#define DBLITE_CLI_RESP_READER_H

#include <stddef.h>

#include "protocol/reply.h"
#include "util/byte_buffer.h"

typedef struct resp_frame {
    reply *aggregate;
    size_t expected; /* declared element count; unused when streamed */
    size_t capacity; /* room in aggregate->elements */
    int streamed;    /* count unknown ("*?"): ends with "." */
} resp_frame;

typedef struct resp_reader {
    byte_buffer input;
    size_t position; /* input bytes already parsed */
    resp_frame *stack;
    size_t depth;
    size_t stack_capacity;
    reply *pending_attribute; /* an attribute waiting for its reply */
    reply *streamed_string;   /* a "$?" string still receiving chunks */
    char error[128];          /* why the last RESP_READ_ERROR happened */
} resp_reader;

enum {
    RESP_READ_ERROR = -1, /* protocol error (see error) or ENOMEM */
    RESP_READ_MORE = 0,   /* no complete reply yet: feed more bytes */
    RESP_READ_REPLY = 1   /* *out holds a reply the caller now owns */
};

void resp_reader_init(resp_reader *reader);
/* Frees the buffered input and any half-built reply. */
void resp_reader_free(resp_reader *reader);
/* Forgets everything buffered (after a reconnect). */
void resp_reader_reset(resp_reader *reader);
/* 0 on success, -1 on ENOMEM. */
int resp_reader_feed(resp_reader *reader, const char *bytes, size_t length);
int resp_reader_next(resp_reader *reader, reply **out);
/* 1 while a reply is partly received or bytes wait unparsed. */
int resp_reader_has_pending(const resp_reader *reader);

#endif
