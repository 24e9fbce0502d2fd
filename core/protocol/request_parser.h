/*
 * request_parser.h - turns the bytes a client sent into one request (argc/argv).
 *
 * Two wire forms are accepted, exactly as Redis 7.0 accepts them
 * (processMultibulkBuffer / processInlineBuffer): RESP arrays of bulk strings
 * ("*2\r\n$4\r\nECHO\r\n$2\r\nhi\r\n") and inline lines split like
 * sdssplitargs ("ECHO \"hi\\n\"\r\n").  The parser is incremental: the caller
 * keeps the unparsed bytes of one connection in a buffer that starts at the
 * first byte of the current request, calls request_parse() whenever more
 * bytes arrived (the buffer may have moved), and only drops bytes from the
 * front after REQUEST_COMPLETE.  Progress is kept as offsets, so every byte
 * is examined once however the request is split.
 */
#ifndef DBLITE_PROTOCOL_REQUEST_PARSER_H
#define DBLITE_PROTOCOL_REQUEST_PARSER_H

#include <limits.h>
#include <stddef.h>

#include "dblite_module.h"

/* Redis 7.0's defaults: proto-max-bulk-len, the multibulk cap (Redis 7.0
 * refuses only counts above INT_MAX; argument memory grows with what really
 * arrived, never with the announced count) and PROTO_INLINE_MAX_SIZE. */
#define REQUEST_DEFAULT_MAX_BULK_LENGTH (512LL * 1024 * 1024)
#define REQUEST_DEFAULT_MAX_MULTIBULK_COUNT ((long long)INT_MAX)
#define REQUEST_DEFAULT_MAX_INLINE_LENGTH ((size_t)64 * 1024)

typedef struct request_limits {
    long long max_bulk_length;     /* proto-max-bulk-len: a longer bulk is "invalid bulk length" */
    long long max_multibulk_count; /* a larger count is "invalid multibulk length" */
    size_t max_inline_length;      /* more unterminated line bytes than this: "too big ..." */
    int accept_integer_elements;   /* ':123\r\n' elements inside a request array are arguments */
} request_limits;

/* Fills limits with the defaults above (integer elements refused). */
void request_limits_set_defaults(request_limits *limits);

typedef enum { REQUEST_INCOMPLETE, REQUEST_COMPLETE, REQUEST_ERROR } request_status;

typedef struct request_parser {
    /* ---- public results ---- */
    /* Valid after REQUEST_COMPLETE until the next request_parse() or reset.
     * Multibulk arguments point into the buffer of the last call.  Inline
     * arguments point into that buffer too, except quoted ones, which are
     * unescaped into memory the parser owns. */
    int argc;
    dblite_bytes *argv;
    /* Per argument: 1 when it was sent as a RESP integer element (only
     * possible with accept_integer_elements), 0 otherwise. */
    unsigned char *argument_is_integer;
    /* After REQUEST_COMPLETE: bytes of the buffer the request used, to drop
     * from the front (also when argc is 0: "*0\r\n", "*-1\r\n", empty line). */
    size_t consumed;
    /* After REQUEST_ERROR: the Redis 7.0 error text without the leading '-',
     * e.g. "ERR Protocol error: invalid multibulk length".  The caller sends
     * it and closes the connection. */
    const char *error;

    /* ---- private incremental state ---- */
    int state;                    /* a request_parser_state from request_parser.c */
    size_t position;              /* first byte not parsed yet: a line start or bulk data */
    size_t scan_position;         /* where the search for the current line's end resumes */
    size_t line_end;              /* inline: offset of the line terminator found */
    long long elements_remaining; /* multibulk elements still to read */
    long long bulk_length;        /* length of the bulk being read; -1 while its header is */
    size_t *argument_offsets; /* multibulk: where each argument starts, from the request start */
    int argument_capacity;    /* entries allocated in argv, offsets and flags */
    char *unescaped;          /* inline: bytes of quoted arguments after unescaping */
    size_t unescaped_capacity;
    int authentication_required; /* see request_parser_require_authentication() */
    char error_text[48];         /* the one error that embeds a byte of the request */
} request_parser;

/* DBLITE_OK, or DBLITE_ERR_NOMEM (then nothing needs freeing). */
int request_parser_init(request_parser *parser);
void request_parser_free(request_parser *parser);
/* Prepares for the next request, after a complete one was executed (or
 * skipped because argc was 0).  Large argument arrays are released here. */
void request_parser_reset(request_parser *parser);

/* While the client still has to AUTH, Redis refuses arrays of more than 10
 * elements ("unauthenticated multibulk length") and bulks of more than 16384
 * bytes ("unauthenticated bulk length").  Off after init; reset keeps it.
 * Kept here rather than in request_limits so that limits a caller fills
 * field by field can never carry it uninitialised. */
void request_parser_require_authentication(request_parser *parser, int required);

/* Parses the request that starts at buffer[0].  length counts every byte
 * received so far, pipelined requests after this one included.  Once
 * REQUEST_COMPLETE or REQUEST_ERROR was returned, further calls return the
 * same answer until request_parser_reset(). */
request_status request_parse(request_parser *parser, const char *buffer, size_t length,
                             const request_limits *limits);

/* While a bulk argument is being received: the buffer length (from the
 * request start) needed to hold it with its CRLF, so the caller can grow its
 * buffer once for a large value instead of step by step.  0 otherwise. */
size_t request_parser_wanted_length(const request_parser *parser);

#endif /* DBLITE_PROTOCOL_REQUEST_PARSER_H */
