/*
 * resp_writer.c - command encoding (see resp_writer.h).  The header digits
 * are written by hand: this runs once per argument in --pipe-like loops.
 */
#include "protocol/resp_writer.h"

static size_t format_unsigned(char *digits, size_t value)
{
    char reversed[24];
    size_t count = 0;
    do {
        reversed[count++] = (char)('0' + value % 10);
        value /= 10;
    } while (value);
    for (size_t index = 0; index < count; index++)
        digits[index] = reversed[count - 1 - index];
    return count;
}

static int append_header(byte_buffer *out, char type_byte, size_t value)
{
    char header[32];
    header[0] = type_byte;
    size_t length = 1 + format_unsigned(header + 1, value);
    header[length++] = '\r';
    header[length++] = '\n';
    return byte_buffer_append(out, header, length);
}

int resp_write_command(byte_buffer *out, size_t argc, char *const *argv, const size_t *lengths)
{
    size_t original_length = out->length;
    if (append_header(out, '*', argc) != 0)
        goto failed;
    for (size_t index = 0; index < argc; index++) {
        if (append_header(out, '$', lengths[index]) != 0 ||
            byte_buffer_append(out, argv[index], lengths[index]) != 0 ||
            byte_buffer_append(out, "\r\n", 2) != 0)
            goto failed;
    }
    return 0;
failed:
    byte_buffer_truncate(out, original_length);
    return -1;
}
