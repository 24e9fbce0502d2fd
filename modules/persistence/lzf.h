/*
 * lzf.h - the LZF format of Redis's compressed RDB strings.
 *
 * Only decompression: files Redis writes hold compressed strings, while our
 * own writer stores strings plainly, which Redis reads just as well.
 */
#ifndef PERSISTENCE_LZF_H
#define PERSISTENCE_LZF_H

#include <stddef.h>

/* Expand input into output, which must be exactly output_length bytes of
 * expanded data.  Returns 0, or -1 when the input is malformed or does not
 * expand to exactly output_length bytes. */
int lzf_decompress(const unsigned char *input, size_t input_length, unsigned char *output,
                   size_t output_length);

#endif
