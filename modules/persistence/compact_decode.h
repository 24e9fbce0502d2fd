/*
 * compact_decode.h - decoders for the compact blobs Redis embeds in RDB
 * strings: ziplist (lists, hashes before 7.0), listpack (7.0 hashes and
 * quicklist nodes, 7.2 sets), intset (integer sets) and zipmap (hashes
 * before 2.6).  Each appends the blob's elements, in order, to an
 * element_list; hash encodings yield field, value, field, value...
 *
 * The blobs come from files, so every header, length and offset is
 * checked against the blob's size: a malformed blob is an error, never a
 * read outside it.
 */
#ifndef PERSISTENCE_COMPACT_DECODE_H
#define PERSISTENCE_COMPACT_DECODE_H

#include <stddef.h>

#include "element_list.h"

/* Each returns 0, or -1 with the reason in error. */
int compact_decode_ziplist(const unsigned char *blob, size_t length, element_list *out, char *error,
                           size_t error_size);
int compact_decode_listpack(const unsigned char *blob, size_t length, element_list *out,
                            char *error, size_t error_size);
int compact_decode_intset(const unsigned char *blob, size_t length, element_list *out, char *error,
                          size_t error_size);
int compact_decode_zipmap(const unsigned char *blob, size_t length, element_list *out, char *error,
                          size_t error_size);

#endif
