/*
 * bloom_dump.h - a filter as a header and chunks of bits: the format of
 * BF.SCANDUMP / BF.LOADCHUNK, which is also how log compaction rebuilds a
 * filter exactly (bloom_type.c emits the chunks as BF.LOADCHUNK commands).
 *
 * Iterators: chunk 1 is the header.  A chunk of bits is named by 1 + the
 * offset just past it in the concatenated bits of all sub-filters, so the
 * iterator BF.SCANDUMP returns with a chunk is where it goes in
 * BF.LOADCHUNK and where the next BF.SCANDUMP call starts; 0 ends the scan.
 * Chunks never span two sub-filters, and all-zero chunks are skipped (a
 * header makes a filter whose bits are all clear).
 *
 * The layout is dblite's own (little-endian, versioned), not RedisBloom's.
 */
#ifndef BLOOM_DUMP_H
#define BLOOM_DUMP_H

#include <stddef.h>
#include <stdint.h>

#include "bloom_filter.h"

/* Largest chunk of bits, in bytes. */
#define BLOOM_DUMP_CHUNK_BYTES (1024 * 1024)
#define BLOOM_DUMP_HEADER_ITERATOR 1
/* Largest header: that of a filter with BLOOM_MAX_SUBFILTERS sub-filters. */
#define BLOOM_DUMP_MAX_HEADER_BYTES (26 + 36 * BLOOM_MAX_SUBFILTERS)

/* Bytes the header of filter takes. */
size_t bloom_dump_header_size(const bloom_filter *filter);
/* Writes the header into out (bloom_dump_header_size bytes). */
void bloom_dump_header_write(const bloom_filter *filter, unsigned char *out);
/* A filter with the header's sub-filters, all bits clear: BLOOM_OK with
 * *filter set, BLOOM_ERR_INVALID for a malformed header, BLOOM_ERR_NOMEM. */
int bloom_dump_header_read(const unsigned char *header, size_t length, bloom_filter **filter);

/* The chunk of bits a scan at iterator yields (iterator >= 1): the first
 * non-zero chunk at or after the iterator's offset.  Returns 1 with data,
 * length and *next set, or 0 when no bits are left (the scan is over). */
int bloom_dump_next_chunk(const bloom_filter *filter, long long iterator,
                          const unsigned char **data, size_t *length, long long *next);

/* Copies a chunk named by iterator (>= 2) into filter's bits.  BLOOM_OK, or
 * BLOOM_ERR_INVALID when it does not fall inside one sub-filter. */
int bloom_dump_load_chunk(bloom_filter *filter, long long iterator, const unsigned char *data,
                          size_t length);

#endif
