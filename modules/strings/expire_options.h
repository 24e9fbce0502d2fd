/*
 * expire_options.h - the optional arguments of SET and GETEX (NX, XX, GET,
 * KEEPTTL, PERSIST, EX, PX, EXAT, PXAT), how their time argument becomes a
 * deadline, and access to the expiry module that applies deadlines.
 */
#ifndef STRINGS_EXPIRE_OPTIONS_H
#define STRINGS_EXPIRE_OPTIONS_H

#include "dblite_expiry_service.h"
#include "dblite_module.h"

#define EXPIRE_OPTION_NX (1 << 0)
#define EXPIRE_OPTION_XX (1 << 1)
#define EXPIRE_OPTION_GET (1 << 2)
#define EXPIRE_OPTION_KEEPTTL (1 << 3)
#define EXPIRE_OPTION_PERSIST (1 << 4)
#define EXPIRE_OPTION_EX (1 << 5)
#define EXPIRE_OPTION_PX (1 << 6)
#define EXPIRE_OPTION_EXAT (1 << 7)
#define EXPIRE_OPTION_PXAT (1 << 8)
#define EXPIRE_OPTION_ANY_TIME \
    (EXPIRE_OPTION_EX | EXPIRE_OPTION_PX | EXPIRE_OPTION_EXAT | EXPIRE_OPTION_PXAT)

/* Which command's grammar applies: SET takes NX XX GET KEEPTTL, GETEX takes
 * PERSIST; both take the four time options. */
typedef enum expire_options_grammar {
    EXPIRE_GRAMMAR_SET,
    EXPIRE_GRAMMAR_GETEX,
} expire_options_grammar;

typedef struct expire_options {
    int flags;                /* EXPIRE_OPTION_* */
    const dblite_bytes *time; /* argument of EX/PX/EXAT/PXAT, or NULL */
} expire_options;

/* Parses argv[first..argc) as Redis does (repeating an option is allowed,
 * conflicting ones are a syntax error).  DBLITE_OK, or DBLITE_ERR after
 * replying the syntax error. */
int expire_options_parse(dblite_ctx *ctx, int argc, const dblite_bytes *argv, int first,
                         expire_options_grammar grammar, expire_options *options);

/* The absolute deadline in Unix milliseconds for the time argument, checked
 * as Redis checks it ("ERR invalid expire time in '<command>' command" for
 * non-positive values and overflow).  DBLITE_OK, or DBLITE_ERR after
 * replying. */
int expire_options_deadline(dblite_ctx *ctx, const expire_options *options,
                            const char *command_name, long long *deadline_ms);

/* The expiry module's service, or NULL after replying that TTL options need
 * the module. */
const dblite_expiry_service *expiry_service_or_reply(dblite_ctx *ctx);

/* The expiry module's service, or NULL when it is not loaded. */
const dblite_expiry_service *expiry_service(void);

/* Gives key the deadline through service; DBLITE_OK, or DBLITE_ERR after
 * replying an error. */
int expiry_set_deadline_or_reply(dblite_ctx *ctx, const dblite_expiry_service *service,
                                 dblite_bytes key, long long deadline_ms);

#endif
