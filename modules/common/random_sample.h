/*
 * random_sample.h - drawing several distinct positions at once, for
 * SRANDMEMBER and HRANDFIELD with a positive count.
 */
#ifndef DBLITE_COMMON_RANDOM_SAMPLE_H
#define DBLITE_COMMON_RANDOM_SAMPLE_H

#include <stddef.h>

#include "random_source.h"

/* Fills picks[0..count) with count distinct positions drawn uniformly from
 * [0, total), count <= total, in random order: every subset of count
 * positions is equally likely.  Temporary memory is O(count) when count is
 * small against total and O(total) otherwise.  DBLITE_OK or
 * DBLITE_ERR_NOMEM. */
int random_distinct_positions(random_source *random, size_t total, size_t count, size_t *picks);

#endif
