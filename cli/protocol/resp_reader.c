/*
 * resp_reader.c - incremental RESP2/RESP3 reply parser (see resp_reader.h).
 *
 * Each step parses one item at the current position: a scalar becomes a
 * finished reply, an aggregate header pushes a frame that collects the next
 * items.  A step that finds its bytes incomplete leaves the position where
 * it was, so the item is parsed again (only its header line, which is
 * short) when more bytes arrive.  Text is copied out of the input buffer,
 * which lets the buffer be compacted at any point.
 */
#include "protocol/resp_reader.h"

#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Larger declared aggregates are allocated as their elements arrive, so a
 * corrupt or hostile count cannot ask for gigabytes up front. */
#define PREALLOCATE_LIMIT 4096
/* Deeper nesting is refused: the formatters and reply_free recurse, and a
 * broken or hostile server must not be able to overflow the stack.  Real
 * replies nest a handful of levels (COMMAND DOCS, the deepest, about 8). */
#define MAX_NESTING 1000
/* Parsed input is dropped from the buffer only once it is this large and
 * most of the buffer, keeping memmove cost linear in the bytes received
 * even when one read brings thousands of small replies. */
#define COMPACT_THRESHOLD 65536

enum step_result { STEP_MORE, STEP_ITEM, STEP_CONTINUE, STEP_ERROR };

void resp_reader_init(resp_reader *reader)
{
    memset(reader, 0, sizeof(*reader));
    byte_buffer_init(&reader->input);
}

static void discard_partial(resp_reader *reader)
{
    /* A frame's aggregate joins its parent only when it is complete, so
     * every frame on the stack owns its aggregate. */
    for (size_t level = 0; level < reader->depth; level++)
        reply_free(reader->stack[level].aggregate);
    reader->depth = 0;
    reply_free(reader->pending_attribute);
    reader->pending_attribute = NULL;
    reply_free(reader->streamed_string);
    reader->streamed_string = NULL;
}

void resp_reader_free(resp_reader *reader)
{
    discard_partial(reader);
    free(reader->stack);
    byte_buffer_free(&reader->input);
    memset(reader, 0, sizeof(*reader));
}

void resp_reader_reset(resp_reader *reader)
{
    discard_partial(reader);
    byte_buffer_truncate(&reader->input, 0);
    reader->position = 0;
    reader->error[0] = '\0';
}

int resp_reader_feed(resp_reader *reader, const char *bytes, size_t length)
{
    return byte_buffer_append(&reader->input, bytes, length);
}

int resp_reader_has_pending(const resp_reader *reader)
{
    return reader->depth > 0 || reader->streamed_string != NULL ||
           reader->pending_attribute != NULL || reader->position < reader->input.length;
}

static enum step_result fail(resp_reader *reader, const char *message)
{
    snprintf(reader->error, sizeof(reader->error), "%s", message);
    return STEP_ERROR;
}

static enum step_result out_of_memory(resp_reader *reader)
{
    return fail(reader, "Out of memory");
}

/* Strict base-10 integer: optional '-', digits only, no overflow. */
static int parse_integer(const char *text, size_t length, long long *value)
{
    if (length == 0 || length > 20)
        return 0;
    size_t index = 0;
    int negative = text[0] == '-';
    if (negative && length == 1)
        return 0;
    index = (size_t)negative;
    unsigned long long magnitude = 0;
    for (; index < length; index++) {
        if (text[index] < '0' || text[index] > '9')
            return 0;
        unsigned digit = (unsigned)(text[index] - '0');
        if (magnitude > (ULLONG_MAX - digit) / 10)
            return 0;
        magnitude = magnitude * 10 + digit;
    }
    unsigned long long limit = (unsigned long long)LLONG_MAX + (negative ? 1u : 0u);
    if (magnitude > limit)
        return 0;
    if (negative)
        *value = magnitude == (unsigned long long)LLONG_MAX + 1 ? LLONG_MIN : -(long long)magnitude;
    else
        *value = (long long)magnitude;
    return 1;
}

static reply *text_reply(reply_type type, const char *text, size_t length)
{
    reply *created = reply_create(type);
    if (!created)
        return NULL;
    created->text = malloc(length + 1);
    if (!created->text) {
        free(created);
        return NULL;
    }
    if (length)
        memcpy(created->text, text, length);
    created->text[length] = '\0';
    created->length = length;
    return created;
}

static int push_frame(resp_reader *reader, reply *aggregate, size_t expected, int streamed)
{
    if (reader->depth >= MAX_NESTING)
        return -1;
    if (reader->depth == reader->stack_capacity) {
        size_t capacity = reader->stack_capacity ? reader->stack_capacity * 2 : 8;
        resp_frame *stack = realloc(reader->stack, capacity * sizeof(*stack));
        if (!stack)
            return -1;
        reader->stack = stack;
        reader->stack_capacity = capacity;
    }
    size_t capacity = streamed ? 16 : (expected < PREALLOCATE_LIMIT ? expected : PREALLOCATE_LIMIT);
    aggregate->elements = malloc(capacity * sizeof(*aggregate->elements));
    if (!aggregate->elements)
        return -1;
    resp_frame *frame = &reader->stack[reader->depth++];
    frame->aggregate = aggregate;
    frame->expected = expected;
    frame->capacity = capacity;
    frame->streamed = streamed;
    return 0;
}

static enum step_result frame_failure(resp_reader *reader)
{
    if (reader->depth >= MAX_NESTING)
        return fail(reader, "Protocol error: aggregates nested too deeply");
    return out_of_memory(reader);
}

static int frame_append(resp_frame *frame, reply *element)
{
    reply *aggregate = frame->aggregate;
    if (aggregate->element_count == frame->capacity) {
        if (frame->capacity > SIZE_MAX / 2 / sizeof(reply *))
            return -1;
        size_t capacity = frame->capacity * 2;
        reply **elements = realloc(aggregate->elements, capacity * sizeof(*elements));
        if (!elements)
            return -1;
        aggregate->elements = elements;
        frame->capacity = capacity;
    }
    aggregate->elements[aggregate->element_count++] = element;
    return 0;
}

/* An attribute describes the reply that follows it; an aggregate takes it
 * when it starts, before its elements can claim it. */
static void take_pending_attribute(resp_reader *reader, reply *item)
{
    if (reader->pending_attribute && item->type != REPLY_ATTRIBUTE) {
        item->attribute = reader->pending_attribute;
        reader->pending_attribute = NULL;
    }
}

/* Hands a finished item to its parent frame, or to the caller (*out) when
 * it is a whole reply.  Finished aggregates cascade upwards.  Attributes
 * are held back and attached to the next item instead of being counted as
 * an element.  Returns STEP_ITEM when *out was set. */
static enum step_result finish_item(resp_reader *reader, reply *item, reply **out)
{
    for (;;) {
        if (item->type == REPLY_ATTRIBUTE) {
            reply_free(reader->pending_attribute);
            reader->pending_attribute = item;
            return STEP_CONTINUE;
        }
        take_pending_attribute(reader, item);
        if (reader->depth == 0) {
            *out = item;
            return STEP_ITEM;
        }
        resp_frame *frame = &reader->stack[reader->depth - 1];
        if (frame_append(frame, item) != 0) {
            reply_free(item);
            return out_of_memory(reader);
        }
        if (frame->streamed || frame->aggregate->element_count < frame->expected)
            return STEP_CONTINUE;
        item = frame->aggregate;
        reader->depth--;
    }
}

/* Completes a streamed aggregate on ".". */
static enum step_result close_streamed(resp_reader *reader, reply **out)
{
    if (reader->depth == 0 || !reader->stack[reader->depth - 1].streamed)
        return fail(reader, "Protocol error: unexpected end of streamed aggregate");
    resp_frame *frame = &reader->stack[reader->depth - 1];
    reply *aggregate = frame->aggregate;
    if (aggregate->type == REPLY_MAP || aggregate->type == REPLY_ATTRIBUTE) {
        if (aggregate->element_count % 2 != 0)
            return fail(reader, "Protocol error: streamed map with a key and no value");
    }
    reader->depth--;
    return finish_item(reader, aggregate, out);
}

static reply_type aggregate_type(char type_byte)
{
    switch (type_byte) {
        case '%':
            return REPLY_MAP;
        case '~':
            return REPLY_SET;
        case '>':
            return REPLY_PUSH;
        case '|':
            return REPLY_ATTRIBUTE;
        default:
            return REPLY_ARRAY;
    }
}

static enum step_result start_aggregate(resp_reader *reader, char type_byte, const char *line,
                                        size_t line_length, reply **out)
{
    reply_type type = aggregate_type(type_byte);
    int pairs = type == REPLY_MAP || type == REPLY_ATTRIBUTE;
    if (line_length == 1 && line[0] == '?') {
        reply *aggregate = reply_create(type);
        if (!aggregate || push_frame(reader, aggregate, 0, 1) != 0) {
            reply_free(aggregate);
            return frame_failure(reader);
        }
        take_pending_attribute(reader, aggregate);
        return STEP_CONTINUE;
    }
    long long count;
    if (!parse_integer(line, line_length, &count) || count < -1)
        return fail(reader, "Protocol error: invalid aggregate length");
    if (count == -1) {
        /* RESP2's null array. */
        reply *nil = reply_create(REPLY_NIL);
        return nil ? finish_item(reader, nil, out) : out_of_memory(reader);
    }
    if ((unsigned long long)count > SIZE_MAX / 4)
        return fail(reader, "Protocol error: aggregate too large");
    size_t expected = (size_t)count * (pairs ? 2u : 1u);
    reply *aggregate = reply_create(type);
    if (!aggregate)
        return out_of_memory(reader);
    if (expected == 0)
        return finish_item(reader, aggregate, out);
    if (push_frame(reader, aggregate, expected, 0) != 0) {
        reply_free(aggregate);
        return frame_failure(reader);
    }
    take_pending_attribute(reader, aggregate);
    return STEP_CONTINUE;
}

/* Appends one ";N" chunk of a streamed string; ";0" ends it. */
static enum step_result streamed_chunk(resp_reader *reader, const char *payload, long long length,
                                       reply **out)
{
    reply *string = reader->streamed_string;
    if (length == 0) {
        reader->streamed_string = NULL;
        return finish_item(reader, string, out);
    }
    char *text = realloc(string->text, string->length + (size_t)length + 1);
    if (!text)
        return out_of_memory(reader);
    memcpy(text + string->length, payload, (size_t)length);
    string->length += (size_t)length;
    text[string->length] = '\0';
    string->text = text;
    return STEP_CONTINUE;
}

/* Types whose line is followed by a payload of the announced length. */
static enum step_result parse_blob(resp_reader *reader, char type_byte, const char *line,
                                   size_t line_length, size_t line_end, size_t *consumed,
                                   reply **out)
{
    if (type_byte == '$' && line_length == 1 && line[0] == '?') {
        if (reader->streamed_string)
            return fail(reader, "Protocol error: nested streamed string");
        reader->streamed_string = text_reply(REPLY_STRING, "", 0);
        if (!reader->streamed_string)
            return out_of_memory(reader);
        take_pending_attribute(reader, reader->streamed_string);
        *consumed = line_end;
        return STEP_CONTINUE;
    }
    long long length;
    if (!parse_integer(line, line_length, &length) || length < -1)
        return fail(reader, "Protocol error: invalid bulk length");
    if (length == -1) {
        if (type_byte != '$')
            return fail(reader, "Protocol error: invalid bulk length");
        *consumed = line_end;
        reply *nil = reply_create(REPLY_NIL);
        return nil ? finish_item(reader, nil, out) : out_of_memory(reader);
    }
    if (type_byte == ';' && length == 0) {
        /* The closing chunk has no payload, not even a CRLF. */
        *consumed = line_end;
        return streamed_chunk(reader, NULL, 0, out);
    }
    size_t available = reader->input.length - line_end;
    if ((unsigned long long)length > SIZE_MAX - 2 || available < (size_t)length + 2)
        return STEP_MORE;
    const char *payload = reader->input.data + line_end;
    if (payload[length] != '\r' || payload[length + 1] != '\n')
        return fail(reader, "Protocol error: bulk payload not followed by CRLF");
    *consumed = line_end + (size_t)length + 2;
    if (type_byte == ';')
        return streamed_chunk(reader, payload, length, out);
    reply *item;
    if (type_byte == '=') {
        if (length < 4 || payload[3] != ':')
            return fail(reader, "Protocol error: verbatim string without a format");
        item = text_reply(REPLY_VERBATIM, payload + 4, (size_t)length - 4);
        if (item)
            memcpy(item->format, payload, 3);
    } else {
        item = text_reply(type_byte == '!' ? REPLY_ERROR : REPLY_STRING, payload, (size_t)length);
    }
    return item ? finish_item(reader, item, out) : out_of_memory(reader);
}

static enum step_result parse_line_item(resp_reader *reader, char type_byte, const char *line,
                                        size_t line_length, reply **out)
{
    reply *item;
    switch (type_byte) {
        case '+':
            item = text_reply(REPLY_STATUS, line, line_length);
            break;
        case '-':
            item = text_reply(REPLY_ERROR, line, line_length);
            break;
        case ',':
            if (line_length == 0)
                return fail(reader, "Protocol error: empty double");
            item = text_reply(REPLY_DOUBLE, line, line_length);
            break;
        case '(':
            if (line_length == 0)
                return fail(reader, "Protocol error: empty big number");
            item = text_reply(REPLY_BIG_NUMBER, line, line_length);
            break;
        case ':': {
            long long value;
            if (!parse_integer(line, line_length, &value))
                return fail(reader, "Protocol error: invalid integer");
            item = reply_create(REPLY_INTEGER);
            if (item)
                item->integer = value;
            break;
        }
        case '#':
            if (line_length != 1 || (line[0] != 't' && line[0] != 'f'))
                return fail(reader, "Protocol error: invalid boolean");
            item = reply_create(REPLY_BOOLEAN);
            if (item)
                item->integer = line[0] == 't';
            break;
        case '_':
            if (line_length != 0)
                return fail(reader, "Protocol error: invalid null");
            item = reply_create(REPLY_NIL);
            break;
        default: {
            char message[64];
            snprintf(message, sizeof(message), "Protocol error, got \"%c\" as reply type byte",
                     type_byte);
            return fail(reader, message);
        }
    }
    return item ? finish_item(reader, item, out) : out_of_memory(reader);
}

/* Parses the item at the current position. */
static enum step_result step(resp_reader *reader, reply **out)
{
    size_t available = reader->input.length - reader->position;
    if (available < 3)
        return STEP_MORE; /* also keeps a still unallocated buffer untouched */
    const char *start = reader->input.data + reader->position;
    const char *newline = memchr(start, '\n', available);
    if (!newline)
        return STEP_MORE;
    if (newline == start || newline[-1] != '\r')
        return fail(reader, "Protocol error: line not ended by CRLF");
    char type_byte = start[0];
    const char *line = start + 1;
    size_t line_length = (size_t)(newline - 1 - line);
    size_t line_end = reader->position + (size_t)(newline + 1 - start);
    if (reader->streamed_string && type_byte != ';')
        return fail(reader, "Protocol error: expected a streamed string chunk");

    enum step_result result;
    size_t consumed = line_end;
    switch (type_byte) {
        case '$':
        case '!':
        case '=':
        case ';':
            if (type_byte == ';' && !reader->streamed_string)
                return fail(reader, "Protocol error: chunk outside a streamed string");
            result = parse_blob(reader, type_byte, line, line_length, line_end, &consumed, out);
            break;
        case '*':
        case '%':
        case '~':
        case '>':
        case '|':
            result = start_aggregate(reader, type_byte, line, line_length, out);
            break;
        case '.':
            result = close_streamed(reader, out);
            break;
        default:
            result = parse_line_item(reader, type_byte, line, line_length, out);
            break;
    }
    if (result == STEP_ITEM || result == STEP_CONTINUE)
        reader->position = consumed;
    return result;
}

static void compact(resp_reader *reader, int force)
{
    if (reader->position == 0)
        return;
    if (force ||
        (reader->position >= COMPACT_THRESHOLD && reader->position * 2 >= reader->input.length)) {
        byte_buffer_consume(&reader->input, reader->position);
        reader->position = 0;
    }
}

int resp_reader_next(resp_reader *reader, reply **out)
{
    *out = NULL;
    for (;;) {
        switch (step(reader, out)) {
            case STEP_ITEM:
                compact(reader, reader->position == reader->input.length);
                return RESP_READ_REPLY;
            case STEP_CONTINUE:
                continue;
            case STEP_MORE:
                compact(reader, 1);
                return RESP_READ_MORE;
            case STEP_ERROR:
            default:
                return RESP_READ_ERROR;
        }
    }
}
