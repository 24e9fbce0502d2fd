/*
 * glob_match.c - glob matching with Redis's exact semantics, quirks
 * included, because MATCH filters must select the same members as Redis:
 *  - an empty string is matched only by an empty pattern (a lone "*" is
 *    special-cased by the callers, as Redis's SCAN does);
 *  - an unterminated [ class ends at the end of the pattern;
 *  - class ranges compare bytes as signed chars, and a reversed range
 *    (z-a) is the same as a-z.
 *
 * A star tries the rest of the pattern at each later position.  Once the
 * rest fails at every position, no earlier star can do better (it would only
 * start the rest later), so the whole match is abandoned at once: without
 * that, patterns like "a*a*a*a*b" take exponential time.
 */
#include "glob_match.h"

typedef struct match_cursor {
    const char *pattern;
    size_t pattern_length;
    const char *text;
    size_t text_length;
} match_cursor;

static int match_from(match_cursor at, int *give_up);

/* Matches one [class] against the current text byte, advancing the pattern
 * to the class's closing bracket (or its last byte when unterminated). */
static int match_class(match_cursor *at)
{
    at->pattern++;
    at->pattern_length--;
    int negate = at->pattern_length > 0 && at->pattern[0] == '^';
    if (negate) {
        at->pattern++;
        at->pattern_length--;
    }
    int byte = (signed char)at->text[0];
    int matched = 0;
    for (;;) {
        if (at->pattern_length == 0) {
            /* Unterminated: step back so the caller's advance lands on the
             * pattern's end. */
            at->pattern--;
            at->pattern_length++;
            break;
        }
        if (at->pattern[0] == '\\' && at->pattern_length >= 2) {
            at->pattern++;
            at->pattern_length--;
            if ((signed char)at->pattern[0] == byte)
                matched = 1;
        } else if (at->pattern[0] == ']') {
            break;
        } else if (at->pattern_length >= 3 && at->pattern[1] == '-') {
            int start = (signed char)at->pattern[0];
            int end = (signed char)at->pattern[2];
            if (start > end) {
                int swap = start;
                start = end;
                end = swap;
            }
            at->pattern += 2;
            at->pattern_length -= 2;
            if (byte >= start && byte <= end)
                matched = 1;
        } else if ((signed char)at->pattern[0] == byte) {
            matched = 1;
        }
        at->pattern++;
        at->pattern_length--;
    }
    return negate ? !matched : matched;
}

static int match_star(match_cursor at, int *give_up)
{
    while (at.pattern_length > 1 && at.pattern[1] == '*') {
        at.pattern++;
        at.pattern_length--;
    }
    if (at.pattern_length == 1)
        return 1;
    match_cursor rest = {at.pattern + 1, at.pattern_length - 1, at.text, at.text_length};
    while (rest.text_length > 0) {
        if (match_from(rest, give_up))
            return 1;
        if (*give_up)
            return 0;
        rest.text++;
        rest.text_length--;
    }
    *give_up = 1;
    return 0;
}

static int match_from(match_cursor at, int *give_up)
{
    while (at.pattern_length > 0 && at.text_length > 0) {
        switch (at.pattern[0]) {
        case '*':
            return match_star(at, give_up);
        case '?':
            break;
        case '[':
            if (!match_class(&at))
                return 0;
            break;
        case '\\':
            if (at.pattern_length >= 2) {
                at.pattern++;
                at.pattern_length--;
            }
            if (at.pattern[0] != at.text[0])
                return 0;
            break;
        default:
            if (at.pattern[0] != at.text[0])
                return 0;
            break;
        }
        at.pattern++;
        at.pattern_length--;
        at.text++;
        at.text_length--;
        if (at.text_length == 0) {
            while (at.pattern_length > 0 && at.pattern[0] == '*') {
                at.pattern++;
                at.pattern_length--;
            }
            break;
        }
    }
    return at.pattern_length == 0 && at.text_length == 0;
}

int glob_match(const char *pattern, size_t pattern_length, const char *text, size_t text_length)
{
    match_cursor at = {pattern, pattern_length, text, text_length};
    int give_up = 0;
    return match_from(at, &give_up);
}
