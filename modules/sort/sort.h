/*
 * sort.h - what the files of sort.so share: the parsed options of one
 * SORT, the elements being sorted, and the steps of sort_command.c.
 *
 * sort.so knows no data type's internals: everything it reads or writes
 * goes through dblite_call, so it works with whichever of the lists, sets
 * and zsets modules are loaded (a missing family's keys cannot exist).
 */
#ifndef DBLITE_SORT_H
#define DBLITE_SORT_H

#include <stddef.h>

#include "dblite_module.h"

/* What the arguments asked for (sort_options.c), as Redis 7.0's
 * sortCommandGeneric reads them. */
typedef struct sort_options {
    int desc, alpha;
    int dontsort;              /* BY without '*': nothing to sort by */
    long long limit_start;     /* LIMIT offset, 0 without LIMIT */
    long long limit_count;     /* LIMIT count, -1 without LIMIT */
    const dblite_bytes *by;    /* the BY pattern, NULL without BY */
    const dblite_bytes *store; /* the STORE key, NULL without STORE */
    int get_count;
    const dblite_bytes **gets; /* the GET patterns, in order (dblite_alloc'd) */
} sort_options;

/* Parses argv[2..argc) into options; on an error replies it (syntax error,
 * a LIMIT that is not an integer) and returns DBLITE_ERR.  readonly:
 * SORT_RO, which has no STORE.  Free with sort_options_release. */
int sort_options_parse(dblite_ctx *ctx, int argc, const dblite_bytes *argv, int readonly,
                       sort_options *options);
void sort_options_release(sort_options *options);

/* One element to sort: its bytes (inside the reply that listed them), and
 * what it sorts by: a score, or under ALPHA a NUL-terminated copy for
 * strcoll: of the BY value (NULL when the lookup found nothing), or of the
 * element itself without BY unless storing (stored results compare the
 * bytes as they are). */
typedef struct sort_element {
    const char *ptr;
    size_t len;
    double score;
    char *by_value;
    size_t by_length;
} sort_element;

/* The elements of the key to sort, as the family's own read command lists
 * them (sort_source.c). */
typedef struct sort_source {
    dblite_call_reply *reply; /* owns the elements' bytes */
    sort_element *elements;   /* dblite_alloc'd */
    size_t count;
} sort_source;

/* The families SORT reads, by dblite_type_name of the key's type. */
typedef enum sort_kind { SORT_KIND_LIST, SORT_KIND_SET, SORT_KIND_ZSET } sort_kind;

/* Loads the elements of key, all of them (all set) or those of ranks
 * first..last (inclusive, 0-based, of a list or sorted set), in the
 * family's order, or from last down to first when reverse is set.
 * DBLITE_OK; DBLITE_ERR_NOMEM; DBLITE_ERR when the read answered an error,
 * left in source->reply for the caller to relay. */
int sort_source_load(dblite_ctx *ctx, sort_kind kind, dblite_bytes key, int all, long long first,
                     long long last, int reverse, sort_source *source);
void sort_source_release(sort_source *source);

/* What a BY or GET pattern gives for element (sort_patterns.c), as Redis's
 * lookupKeyByPattern: "#" is the element itself; otherwise the first '*'
 * is replaced by the element and the key read with GET (a string key) or,
 * for "key->field", HGET (a hash key).  *found is 0 when nothing was
 * found (no '*', a missing key or field, a key of another type), else
 * *value holds the bytes, which live in *holder (a reply the caller frees,
 * NULL when value is the element itself).  DBLITE_OK or DBLITE_ERR_NOMEM. */
int sort_pattern_lookup(dblite_ctx *ctx, dblite_bytes pattern, dblite_bytes element,
                        dblite_bytes *value, int *found, dblite_call_reply **holder);

/* The module a BY or GET pattern reads through that is not loaded
 * ("strings" for a key, "hashes" for "key->field"), or NULL when the
 * pattern can be read ("#", no '*', or its module is there). */
const char *sort_pattern_missing_module(dblite_bytes pattern);

/* 1 when the pattern holds a '*' before any NUL byte (Redis's strchr). */
int sort_pattern_has_star(dblite_bytes pattern);

/* The two commands (sort_command.c). */
void sort_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv);
void sort_ro_command(dblite_ctx *ctx, int argc, const dblite_bytes *argv);

#endif
