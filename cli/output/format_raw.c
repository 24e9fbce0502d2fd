/*
 * format_raw.c - redis-cli's --raw reply form (see reply_format.h): values
 * without quotes or type tags, aggregate elements on separate lines, map
 * entries as "key value".  An error keeps a newline of its own, so in raw
 * mode an error reply is followed by an empty line, exactly as redis-cli
 * prints it.
 */
#include "output/reply_format.h"

int format_reply_raw(byte_buffer *out, const reply *reply)
{
    switch (reply->type) {
        case REPLY_ERROR:
            if (byte_buffer_append(out, reply->text, reply->length) != 0)
                return -1;
            return byte_buffer_append_char(out, '\n');
        case REPLY_STATUS:
        case REPLY_STRING:
        case REPLY_VERBATIM:
        case REPLY_DOUBLE:
        case REPLY_BIG_NUMBER:
            return byte_buffer_append(out, reply->text, reply->length);
        case REPLY_INTEGER:
            return byte_buffer_append_format(out, "%lld", reply->integer);
        case REPLY_BOOLEAN:
            return byte_buffer_append_string(out, reply->integer ? "(true)" : "(false)");
        case REPLY_NIL:
            return 0;
        case REPLY_MAP:
            for (size_t index = 0; index + 1 < reply->element_count; index += 2) {
                if ((index > 0 && byte_buffer_append_char(out, '\n') != 0) ||
                    format_reply_raw(out, reply->elements[index]) != 0 ||
                    byte_buffer_append_char(out, ' ') != 0 ||
                    format_reply_raw(out, reply->elements[index + 1]) != 0)
                    return -1;
            }
            return 0;
        default:
            for (size_t index = 0; index < reply->element_count; index++) {
                if ((index > 0 && byte_buffer_append_char(out, '\n') != 0) ||
                    format_reply_raw(out, reply->elements[index]) != 0)
                    return -1;
            }
            return 0;
    }
}
