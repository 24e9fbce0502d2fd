/*
 * integer_text.h - decimal text of 64-bit integers.
 *
 * Several replies and propagated commands carry integers as text (integer
 * values, PXAT deadlines); this is the one formatter they share.
 */
#ifndef STRINGS_INTEGER_TEXT_H
#define STRINGS_INTEGER_TEXT_H

#include <stddef.h>

/* Longest text: "-9223372036854775808" is 20 characters. */
#define INTEGER_TEXT_SIZE 24

/* Writes number in base 10 without a terminator; returns the length. */
size_t integer_text_format(char buffer[INTEGER_TEXT_SIZE], long long number);

#endif
