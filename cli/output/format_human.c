/*
 * format_human.c - redis-cli's human-readable reply form (see
 * reply_format.h).
 *
 * Aggregates number their elements "1) ", right-aligned to the widest
 * index, and indent nested aggregates by that width plus two so nested
 * numbers line up under the parent's content.  The first line of a nested
 * aggregate follows its parent's number on the same line, so only the
 * later lines carry the indentation.  Maps print "1# key => value" with the
 * number counting entries, sets use "~", arrays and push data ")"; a
 * map value that spans several lines starts on the next line, indented.
 */
#include "output/reply_format.h"

#include <string.h>

static int is_printable_ascii(unsigned char byte)
{
    return byte >= 0x20 && byte <= 0x7e;
}

int format_quoted(byte_buffer *out, const char *text, size_t length)
{
    if (byte_buffer_reserve(out, length + 2) != 0 || byte_buffer_append_char(out, '"') != 0)
        return -1;
    for (size_t index = 0; index < length; index++) {
        unsigned char byte = (unsigned char)text[index];
        const char *escape = NULL;
        switch (byte) {
            case '\\':
                escape = "\\\\";
                break;
            case '"':
                escape = "\\\"";
                break;
            case '\n':
                escape = "\\n";
                break;
            case '\r':
                escape = "\\r";
                break;
            case '\t':
                escape = "\\t";
                break;
            case '\a':
                escape = "\\a";
                break;
            case '\b':
                escape = "\\b";
                break;
            default:
                break;
        }
        int status;
        if (escape)
            status = byte_buffer_append(out, escape, 2);
        else if (is_printable_ascii(byte))
            status = byte_buffer_append_char(out, (char)byte);
        else
            status = byte_buffer_append_format(out, "\\x%02x", byte);
        if (status != 0)
            return -1;
    }
    return byte_buffer_append_char(out, '"');
}

static const char *empty_aggregate_text(reply_type type)
{
    switch (type) {
        case REPLY_MAP:
            return "(empty hash)\n";
        case REPLY_SET:
            return "(empty set)\n";
        case REPLY_PUSH:
            return "(empty push)\n";
        default:
            return "(empty array)\n";
    }
}

static char index_separator(reply_type type)
{
    if (type == REPLY_SET)
        return '~';
    if (type == REPLY_MAP)
        return '#';
    return ')';
}

static int format_with_prefix(byte_buffer *out, const reply *reply, const char *prefix,
                              size_t prefix_length);

/* Whether an aggregate prints as more than one line, judged by its shape
 * as redis-cli judges it: several elements (or map entries) do, a single
 * one does if it does; scalars never count, even text with newlines.  A
 * map value that does starts on a line of its own. */
static int spans_several_lines(const reply *reply)
{
    if (!reply_is_aggregate(reply->type) || reply->element_count == 0)
        return 0;
    if (reply->type == REPLY_MAP)
        return reply->element_count > 2 || spans_several_lines(reply->elements[1]);
    return reply->element_count > 1 || spans_several_lines(reply->elements[0]);
}

static int format_aggregate(byte_buffer *out, const reply *reply, const char *prefix,
                            size_t prefix_length)
{
    if (reply->element_count == 0)
        return byte_buffer_append_string(out, empty_aggregate_text(reply->type));
    int is_map = reply->type == REPLY_MAP;
    size_t entries = is_map ? reply->element_count / 2 : reply->element_count;
    size_t width = 0;
    size_t remaining = entries;
    do {
        width++;
        remaining /= 10;
    } while (remaining);

    /* The nested prefix: ours plus room for "NN) ". */
    byte_buffer nested;
    byte_buffer_init(&nested);
    if (byte_buffer_append(&nested, prefix, prefix_length) != 0 ||
        byte_buffer_append_repeat(&nested, ' ', width + 2) != 0) {
        byte_buffer_free(&nested);
        return -1;
    }
    char separator = index_separator(reply->type);
    int status = 0;
    size_t step = is_map ? 2 : 1;
    for (size_t index = 0; index + step <= reply->element_count && status == 0; index += step) {
        if (index > 0)
            status = byte_buffer_append(out, prefix, prefix_length);
        if (status == 0)
            status =
                byte_buffer_append_format(out, "%*zu%c ", (int)width, index / step + 1, separator);
        if (status == 0)
            status = format_with_prefix(out, reply->elements[index], nested.data, nested.length);
        if (status == 0 && is_map) {
            /* The key's newline gives way to " => value". */
            byte_buffer_truncate(out, out->length - 1);
            status = byte_buffer_append_string(out, " => ");
            if (status == 0 && spans_several_lines(reply->elements[index + 1])) {
                status = byte_buffer_append_char(out, '\n');
                if (status == 0)
                    status = byte_buffer_append(out, nested.data, nested.length);
            }
            if (status == 0)
                status =
                    format_with_prefix(out, reply->elements[index + 1], nested.data, nested.length);
        }
    }
    byte_buffer_free(&nested);
    return status;
}

static int format_with_prefix(byte_buffer *out, const reply *reply, const char *prefix,
                              size_t prefix_length)
{
    int status;
    switch (reply->type) {
        case REPLY_ERROR:
            status = byte_buffer_append_string(out, "(error) ");
            if (status == 0)
                status = byte_buffer_append(out, reply->text, reply->length);
            break;
        case REPLY_STATUS:
        case REPLY_VERBATIM:
            status = byte_buffer_append(out, reply->text, reply->length);
            break;
        case REPLY_STRING:
            status = format_quoted(out, reply->text, reply->length);
            break;
        case REPLY_INTEGER:
            status = byte_buffer_append_format(out, "(integer) %lld", reply->integer);
            break;
        case REPLY_DOUBLE:
            status = byte_buffer_append_string(out, "(double) ");
            if (status == 0)
                status = byte_buffer_append(out, reply->text, reply->length);
            break;
        case REPLY_BIG_NUMBER:
            status = byte_buffer_append_string(out, "(big number) ");
            if (status == 0)
                status = byte_buffer_append(out, reply->text, reply->length);
            break;
        case REPLY_BOOLEAN:
            status = byte_buffer_append_string(out, reply->integer ? "(true)" : "(false)");
            break;
        case REPLY_NIL:
            status = byte_buffer_append_string(out, "(nil)");
            break;
        default:
            /* Aggregates end each element's line themselves. */
            return format_aggregate(out, reply, prefix, prefix_length);
    }
    return status == 0 ? byte_buffer_append_char(out, '\n') : status;
}

int format_reply_human(byte_buffer *out, const reply *reply)
{
    return format_with_prefix(out, reply, "", 0);
}
