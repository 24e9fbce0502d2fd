/*
 * lzf.h - the LZF format of Redis's compressed RDB strings.
 *
 * Decompression (lzf.c) reads Redis's compressed strings; compression
 * (lzf_compress.c) writes them under rdbcompression yes, as Redis does.
 */
#ifndef PERSISTENCE_LZF_H
#define PERSISTENCE_LZF_H

#include <stddef.h>
#include <stdint.h>

/* Entries of the table lzf_compress needs (the caller's, reused freely). */
#define LZF_HASH_BITS 14
#define LZF_TABLE_ENTRIES (1u << LZF_HASH_BITS)

/* Expand input into output, which must be exactly output_length bytes of
 * expanded data.  Returns 0, or -1 when the input is malformed or does not
 * expand to exactly output_length bytes. */
int lzf_decompress(const unsigned char *input, size_t input_length, unsigned char *output,
                   size_t output_length);

/* Compress input into output (at most output_length bytes) with table
 * (LZF_TABLE_ENTRIES entries, any content).  Returns the compressed length,
 * or 0 when it does not fit in output_length (no gain) or input is empty. */
size_t lzf_compress(const unsigned char *input, size_t input_length, unsigned char *output,
                    size_t output_length, uint32_t *table);

#endif
