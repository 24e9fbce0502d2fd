/*
 * glob.h - glob-style matching as Redis's KEYS, SCAN MATCH, PSUBSCRIBE and
 * CONFIG GET understand it.
 *
 * Pattern syntax: '*' any run of bytes, '?' any one byte, '[abc]' one of a
 * set, '[^abc]' none of it, '[a-z]' a range (ends in either order), '\x' the
 * byte x itself.  Both pattern and string are binary-safe.  The corner cases
 * follow Redis 7.0's stringmatchlen exactly, including its quirks: an
 * unterminated '[' set runs to the end of the pattern, "[a-]" is the range
 * from 'a' to ']', range ends compare as signed chars (as Redis on x86), and
 * an empty string matches only the empty pattern (even "*" does not match
 * it: callers such as KEYS treat a lone "*" as "everything" themselves).
 *
 * Unlike a naive recursive matcher, the time is bounded by
 * pattern_length * string_length, so no pattern can stall the server.
 */
#ifndef DBLITE_GLOB_H
#define DBLITE_GLOB_H

#include <stddef.h>

/* 1 when string matches pattern, else 0.  nocase folds ASCII letters. */
int glob_match(const char *pattern, size_t pattern_length, const char *string,
               size_t string_length, int nocase);

#endif
