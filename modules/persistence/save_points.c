/*
 * save_points.c - the 'save' setting: pairs "SECONDS CHANGES" meaning
 * "save when at least CHANGES writes happened and SECONDS passed since the
 * last save", as in Redis.  A failed background save is retried only after
 * a pause, so a full disk does not fork a child ten times a second.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "persistence.h"

#define RETRY_AFTER_FAILURE_SECONDS 5

/* Parses the next number of text at *cursor; 1 when found, 0 at the end,
 * -1 when the word is not a non-negative integer. */
static int next_number(const char **cursor, long long *value)
{
    const char *p = *cursor;
    while (*p == ' ' || *p == '\t')
        p++;
    if (*p == '\0') {
        *cursor = p;
        return 0;
    }
    char *end;
    if (*p < '0' || *p > '9')
        return -1;
    long long number = strtoll(p, &end, 10);
    if (end == p || (*end != '\0' && *end != ' ' && *end != '\t') || number < 0)
        return -1;
    *value = number;
    *cursor = end;
    return 1;
}

int snapshot_save_points_validate(const char *text, char *error, size_t error_size)
{
    const char *cursor = text ? text : "";
    /* Redis accepts save "" to mean none. */
    if (strcmp(cursor, "\"\"") == 0)
        return 0;
    long long seconds, changes;
    for (;;) {
        int found = next_number(&cursor, &seconds);
        if (found == 0)
            return 0;
        if (found < 0 || next_number(&cursor, &changes) != 1) {
            snprintf(
                error, error_size,
                "'save' must be pairs of numbers \"SECONDS CHANGES ...\" (e.g. \"900 1 300 10\") or empty");
            return -1;
        }
    }
}

int snapshot_save_points_configured(const persistence_state *state)
{
    const char *cursor = state->settings.save ? state->settings.save : "";
    long long value;
    char error[8];
    return snapshot_save_points_validate(cursor, error, sizeof(error)) == 0 &&
           next_number(&cursor, &value) == 1;
}

int snapshot_save_point_due(persistence_state *state, long long now_seconds)
{
    const char *cursor = state->settings.save ? state->settings.save : "";
    if (state->changes_since_save == 0)
        return 0;
    /* Redis's CONFIG_BGSAVE_RETRY_DELAY: strictly more than 5 s later. */
    if (!state->last_bgsave_ok &&
        now_seconds - state->last_bgsave_try <= RETRY_AFTER_FAILURE_SECONDS)
        return 0;
    long long seconds, changes;
    while (next_number(&cursor, &seconds) == 1) {
        if (next_number(&cursor, &changes) != 1)
            return 0;
        if (state->changes_since_save >= changes && now_seconds - state->last_save_time > seconds)
            return 1;
    }
    return 0;
}
