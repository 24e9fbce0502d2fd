/*
 * glob.c - glob matching with Redis's semantics in bounded time: the one
 * matcher behind KEYS, SCAN MATCH, CONFIG GET, COMMAND LIST and, through the
 * module API (dblite_glob_match, whose comment in dblite_module.h gives the
 * rules), the modules' HSCAN and SSCAN.
 *
 * Every token but '*' matches exactly one byte, so when a match attempt
 * fails only the most recent '*' needs to take one more byte: an earlier
 * '*' swallowing more could only move the text between the two stars
 * further right, which the later star can do as well.  Keeping that single
 * backtrack point makes the matcher iterative and O(pattern * string),
 * where Redis's recursive version needed a nesting limit and an early-exit
 * flag to survive patterns like "a*a*a*a*...b".
 */
#include "dblite_module.h"

static inline int ascii_lower(int character)
{
    return (character >= 'A' && character <= 'Z') ? character + ('a' - 'A') : character;
}

static inline int same_byte(char a, char b, int nocase)
{
    if (nocase)
        return ascii_lower((unsigned char)a) == ascii_lower((unsigned char)b);
    return a == b;
}

/* Matches byte against the '[...]' set starting at pattern[0] and stores the
 * set's length in *token_length.  The set's extent never depends on byte. */
static int set_matches(const char *pattern, size_t length, char byte, int nocase,
                       size_t *token_length)
{
    size_t position = 1;
    int negated = 0;
    int matched = 0;

    if (position < length && pattern[position] == '^') {
        negated = 1;
        position++;
    }
    for (;;) {
        if (position >= length) {
            /* No closing bracket: the set takes the rest of the pattern. */
            *token_length = length;
            break;
        }
        char member = pattern[position];
        if (member == '\\' && length - position >= 2) {
            /* An escaped member compares exactly, even under nocase (as Redis). */
            position++;
            if (pattern[position] == byte)
                matched = 1;
        } else if (member == ']') {
            *token_length = position + 1;
            break;
        } else if (length - position >= 3 && pattern[position + 1] == '-') {
            /* Redis compares range ends as (signed) chars and swaps reversed
             * ends before folding case; "[a-]" is the range 'a'..']'. */
            int start = (signed char)member;
            int end = (signed char)pattern[position + 2];
            int value = (signed char)byte;
            if (start > end) {
                int swapped = start;
                start = end;
                end = swapped;
            }
            if (nocase) {
                start = ascii_lower(start);
                end = ascii_lower(end);
                value = ascii_lower(value);
            }
            if (value >= start && value <= end)
                matched = 1;
            position += 2;
        } else if (same_byte(member, byte, nocase)) {
            matched = 1;
        }
        position++;
    }
    return negated ? !matched : matched;
}

/* Matches byte against the single-byte token (anything but '*') at
 * pattern[0] and stores the token's length in *token_length. */
static inline __attribute__((always_inline)) int
token_matches(const char *pattern, size_t length, char byte, int nocase, size_t *token_length)
{
    switch (pattern[0]) {
        case '?':
            *token_length = 1;
            return 1;
        case '[': {
            /* Through a local of its own, so that only sets pay for a length
         * kept in memory (its address is taken) and the caller's stays in
         * a register. */
            size_t set_length;
            int matched = set_matches(pattern, length, byte, nocase, &set_length);
            *token_length = set_length;
            return matched;
        }
        case '\\':
            /* A trailing backslash stands for itself. */
            if (length >= 2) {
                *token_length = 2;
                return same_byte(pattern[1], byte, nocase);
            }
            *token_length = 1;
            return same_byte('\\', byte, nocase);
        default:
            *token_length = 1;
            return same_byte(pattern[0], byte, nocase);
    }
}

/* The matcher, forced inline into dblite_glob_match once per value of
 * nocase: with the flag a constant, the case-sensitive match that SCAN, KEYS
 * and the modules' HSCAN/SSCAN use tests no flag per byte. */
static inline __attribute__((always_inline)) int match_pattern(const char *pattern,
                                                               size_t pattern_length,
                                                               const char *string,
                                                               size_t string_length, int nocase)
{
    /* Redis's matcher never enters its loop for an empty string. */
    if (string_length == 0)
        return pattern_length == 0;

    /* A literal prefix (the usual "user:*") needs none of the backtracking
     * state below: no '*' comes before it, so each of its bytes must equal
     * the string's.  Comparing it first refuses most strings cheaply. */
    size_t prefix = 0;
    while (prefix < pattern_length && prefix < string_length) {
        char token = pattern[prefix];
        if (token == '*' || token == '?' || token == '[' || token == '\\')
            break;
        if (!same_byte(token, string[prefix], nocase))
            return 0;
        prefix++;
    }

    size_t pattern_position = prefix;
    size_t string_position = prefix;
    /* Pattern position just past the last '*' run, 0 while there is none
     * (a '*' run ends at position 1 at the earliest), and the string
     * position that run matches up to. */
    size_t after_star = 0;
    size_t star_resume = 0;

    while (string_position < string_length) {
        if (pattern_position < pattern_length) {
            if (pattern[pattern_position] == '*') {
                do
                    pattern_position++;
                while (pattern_position < pattern_length && pattern[pattern_position] == '*');
                if (pattern_position == pattern_length)
                    return 1;
                after_star = pattern_position;
                star_resume = string_position;
                continue;
            }
            size_t token_length;
            if (token_matches(pattern + pattern_position, pattern_length - pattern_position,
                              string[string_position], nocase, &token_length)) {
                pattern_position += token_length;
                string_position++;
                continue;
            }
        }
        if (after_star == 0)
            return 0;
        /* Let the last '*' take one more byte and retry what follows it. */
        star_resume++;
        string_position = star_resume;
        pattern_position = after_star;
    }
    while (pattern_position < pattern_length && pattern[pattern_position] == '*')
        pattern_position++;
    return pattern_position == pattern_length;
}

int dblite_glob_match(const char *pattern, size_t pattern_length, const char *string,
                      size_t string_length, int nocase)
{
    if (nocase)
        return match_pattern(pattern, pattern_length, string, string_length, 1);
    return match_pattern(pattern, pattern_length, string, string_length, 0);
}
