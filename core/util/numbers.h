/*
 * numbers.h - strict number parsing and fast formatting, with Redis's rules
 * (string2ll, strtold-based floats, ld2string's human format).
 */
#ifndef DBLITE_NUMBERS_H
#define DBLITE_NUMBERS_H

#include <stddef.h>

/* Writes value in base 10 and a NUL into buffer, which needs 21 bytes
 * (DBLITE_LONG_LONG_TEXT_SIZE); returns the length.  The reply writers'
 * fast path; dblite_format_long_long is the same with a size check. */
size_t format_long_long(char *buffer, long long value);
/* 1 on success: the whole string is a canonical long long. */
int parse_long_long(const char *text, size_t length, long long *value);
/* A SCAN cursor as Redis 7.0 reads it (strtoul rules, see numbers.c). */
int parse_scan_cursor(const char *text, size_t length, unsigned long long *cursor);
int parse_long_double(const char *text, size_t length, long double *value);
int parse_double(const char *text, size_t length, double *value);
/* Parses sizes like "512mb", "1gb", "100" (Redis memtoull); 1 on success. */
int parse_memory_size(const char *text, long long *value);

#endif
