/*
 * lzf.c - LZF decompression, written from the format's description:
 * a control byte below 32 starts a literal run of control+1 bytes; any other
 * control byte is a back reference whose top three bits give the length
 * minus two (7 means a length byte follows) and whose low five bits, with
 * the next byte, give the distance minus one.  Every read and write is
 * bounds-checked because the input comes from files.
 */
#include "lzf.h"

int lzf_decompress(const unsigned char *input, size_t input_length, unsigned char *output,
                   size_t output_length)
{
    size_t in = 0, out = 0;
    while (in < input_length) {
        unsigned control = input[in++];
        if (control < 32) {
            size_t run = (size_t)control + 1;
            if (run > input_length - in || run > output_length - out)
                return -1;
            for (size_t i = 0; i < run; i++)
                output[out + i] = input[in + i];
            in += run;
            out += run;
            continue;
        }
        size_t length = control >> 5;
        if (length == 7) {
            if (in >= input_length)
                return -1;
            length += input[in++];
        }
        length += 2;
        if (in >= input_length)
            return -1;
        size_t distance = (((size_t)control & 0x1f) << 8) + input[in++] + 1;
        if (distance > out || length > output_length - out)
            return -1;
        /* Byte by byte: the source may overlap what is being written. */
        for (size_t i = 0; i < length; i++)
            output[out + i] = output[out - distance + i];
        out += length;
    }
    return out == output_length ? 0 : -1;
}
