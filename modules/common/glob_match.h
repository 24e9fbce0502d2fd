/*
 * glob_match.h - the MATCH patterns of HSCAN and SSCAN, with exactly
 * Redis's glob rules (stringmatchlen): * ? [abc] [^a-z] and \ escapes.
 */
#ifndef DBLITE_COMMON_GLOB_MATCH_H
#define DBLITE_COMMON_GLOB_MATCH_H

#include <stddef.h>

/* 1 when text[0..text_length) matches pattern[0..pattern_length). */
int glob_match(const char *pattern, size_t pattern_length, const char *text, size_t text_length);

#endif
