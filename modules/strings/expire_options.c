/*
 * expire_options.c - parsing of SET/GETEX options and deadline arithmetic.
 *
 * The acceptance rules follow Redis 7.0 exactly, because clients see them:
 * an option may repeat (SET k v EX 1 EX 2 keeps the last), NX and XX exclude
 * each other, the four time options and KEEPTTL/PERSIST exclude each other,
 * and a time option with nothing after it is a syntax error.
 */
#include "expire_options.h"

#include <limits.h>

typedef struct option_rule {
    const char *word;
    int flag;
    int excluded;   /* flags already present that make the word a syntax error */
    int takes_time; /* followed by a time argument */
    int grammars;   /* the commands accepting the word, as grammar bits */
} option_rule;

#define FOR_SET (1 << EXPIRE_GRAMMAR_SET)
#define FOR_GETEX (1 << EXPIRE_GRAMMAR_GETEX)
#define FOR_BOTH (FOR_SET | FOR_GETEX)

#define TIME_EXCLUDES (EXPIRE_OPTION_KEEPTTL | EXPIRE_OPTION_PERSIST)

static const option_rule option_rules[] = {
    {"NX", EXPIRE_OPTION_NX, EXPIRE_OPTION_XX, 0, FOR_SET},
    {"XX", EXPIRE_OPTION_XX, EXPIRE_OPTION_NX, 0, FOR_SET},
    {"GET", EXPIRE_OPTION_GET, 0, 0, FOR_SET},
    {"KEEPTTL", EXPIRE_OPTION_KEEPTTL, EXPIRE_OPTION_PERSIST | EXPIRE_OPTION_ANY_TIME, 0, FOR_SET},
    {"PERSIST", EXPIRE_OPTION_PERSIST, EXPIRE_OPTION_KEEPTTL | EXPIRE_OPTION_ANY_TIME, 0,
     FOR_GETEX},
    {"EX", EXPIRE_OPTION_EX, TIME_EXCLUDES | (EXPIRE_OPTION_ANY_TIME & ~EXPIRE_OPTION_EX), 1,
     FOR_BOTH},
    {"PX", EXPIRE_OPTION_PX, TIME_EXCLUDES | (EXPIRE_OPTION_ANY_TIME & ~EXPIRE_OPTION_PX), 1,
     FOR_BOTH},
    {"EXAT", EXPIRE_OPTION_EXAT, TIME_EXCLUDES | (EXPIRE_OPTION_ANY_TIME & ~EXPIRE_OPTION_EXAT), 1,
     FOR_BOTH},
    {"PXAT", EXPIRE_OPTION_PXAT, TIME_EXCLUDES | (EXPIRE_OPTION_ANY_TIME & ~EXPIRE_OPTION_PXAT), 1,
     FOR_BOTH},
};

int expire_options_parse(dblite_ctx *ctx, int argc, const dblite_bytes *argv, int first,
                         expire_options_grammar grammar, expire_options *options)
{
    options->flags = 0;
    options->time = NULL;
    for (int index = first; index < argc; index++) {
        const option_rule *match = NULL;
        for (size_t rule = 0; rule < sizeof option_rules / sizeof option_rules[0]; rule++) {
            if (dblite_bytes_equal_nocase(argv[index], option_rules[rule].word)) {
                match = &option_rules[rule];
                break;
            }
        }
        int has_next = index + 1 < argc;
        if (match == NULL || !(match->grammars & (1 << grammar)) ||
            (options->flags & match->excluded) || (match->takes_time && !has_next)) {
            dblite_reply_syntax_error(ctx);
            return DBLITE_ERR;
        }
        options->flags |= match->flag;
        if (match->takes_time)
            options->time = &argv[++index];
    }
    return DBLITE_OK;
}

int expire_options_deadline(dblite_ctx *ctx, const expire_options *options,
                            const char *command_name, long long *deadline_ms)
{
    long long amount;
    if (dblite_parse_long_long(*options->time, &amount) != DBLITE_OK) {
        dblite_reply_not_integer(ctx);
        return DBLITE_ERR;
    }
    int in_seconds = (options->flags & (EXPIRE_OPTION_EX | EXPIRE_OPTION_EXAT)) != 0;
    int relative = (options->flags & (EXPIRE_OPTION_EX | EXPIRE_OPTION_PX)) != 0;
    if (amount <= 0 || (in_seconds && amount > LLONG_MAX / 1000))
        goto invalid;
    if (in_seconds)
        amount *= 1000;
    if (relative) {
        /* Redis adds the current time with wrap-around and then rejects a
         * non-positive sum; unsigned arithmetic gives that without UB. */
        amount = (long long)((unsigned long long)amount + (unsigned long long)dblite_time_ms());
        if (amount <= 0)
            goto invalid;
    }
    *deadline_ms = amount;
    return DBLITE_OK;

invalid:
    dblite_reply_error_format(ctx, "ERR invalid expire time in '%s' command", command_name);
    return DBLITE_ERR;
}

const dblite_expiry_service *expiry_service(void)
{
    return dblite_service_lookup(DBLITE_EXPIRY_SERVICE);
}

const dblite_expiry_service *expiry_service_or_reply(dblite_ctx *ctx)
{
    const dblite_expiry_service *service = expiry_service();
    if (service == NULL)
        dblite_reply_error(ctx, "ERR TTL options need the expiry module, which is not loaded");
    return service;
}

int expiry_set_deadline_or_reply(dblite_ctx *ctx, const dblite_expiry_service *service,
                                 dblite_bytes key, long long deadline_ms)
{
    int status = service->set_deadline(ctx, key, deadline_ms);
    if (status == DBLITE_OK)
        return DBLITE_OK;
    if (status == DBLITE_ERR_NOMEM)
        dblite_reply_error(ctx, "ERR out of memory");
    else
        dblite_reply_error(ctx, "ERR could not set the expire time");
    return DBLITE_ERR;
}
