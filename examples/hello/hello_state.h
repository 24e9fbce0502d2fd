/*
 * hello_state.h - the little state the hello plugin keeps between calls:
 * the handle of its value type and the storage of its two settings.
 */
#ifndef HELLO_STATE_H
#define HELLO_STATE_H

#include "dblite_module.h"

typedef struct hello_state {
    /* Set once by hello_module_init, read by every rate-limit command. */
    const dblite_type *rate_limit_type;
    /* [hello] default-period: period of HELLO.RATELIMIT when none is given. */
    long long default_period_seconds;
    /* [hello] greeting: the word HELLO.GREET starts with (server-owned copy). */
    char *greeting;
} hello_state;

/* The one state of the loaded plugin. */
hello_state *hello_state_get(void);

#endif
