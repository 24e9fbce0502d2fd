/*
 * descriptor_limit.c - fitting maxclients to the open-file limit.
 *
 * Every client is a descriptor, and the server needs a few of its own
 * (listeners, the event loop, the log, snapshot and append-only files, the
 * reserve descriptor of listener.c): Redis keeps 32 for those
 * (CONFIG_MIN_RESERVED_FDS).  At startup the soft RLIMIT_NOFILE is raised
 * towards maxclients + 32 as far as the hard limit allows; when that is not
 * enough maxclients is lowered to fit and the operator is told, with
 * Redis's wording, so clients past the limit get "max number of clients
 * reached" instead of an accept(2) that fails.  CONFIG SET maxclients goes
 * through the same step and is refused when the limit cannot follow.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>

#include "config/config.h"
#include "server.h"

#define RESERVED_DESCRIPTORS 32

/* Raises the soft limit towards wanted (never past the hard one); the
 * soft limit in force afterwards, or 0 when it cannot be read. */
static rlim_t raise_soft_limit(rlim_t wanted, rlim_t *original, rlim_t *hard)
{
    struct rlimit limit;
    if (getrlimit(RLIMIT_NOFILE, &limit) != 0)
        return 0;
    *original = limit.rlim_cur;
    *hard = limit.rlim_max;
    if (limit.rlim_cur == RLIM_INFINITY || limit.rlim_cur >= wanted)
        return limit.rlim_cur;
    rlim_t target =
        limit.rlim_max != RLIM_INFINITY && limit.rlim_max < wanted ? limit.rlim_max : wanted;
    struct rlimit raised = {target, limit.rlim_max};
    if (target > limit.rlim_cur && setrlimit(RLIMIT_NOFILE, &raised) == 0)
        return target;
    return limit.rlim_cur;
}

int descriptor_limit_fit_startup(void)
{
    long long requested = server.settings.maxclients;
    rlim_t wanted = (rlim_t)requested + RESERVED_DESCRIPTORS;
    rlim_t original = 0, hard = 0;
    rlim_t limit = raise_soft_limit(wanted, &original, &hard);
    if (limit == 0) {
        server_log(
            LOG_WARNING,
            "Unable to obtain the current NOFILE limit (%s), assuming 1024 and setting the max clients "
            "configuration accordingly.",
            strerror(errno));
        limit = 1024;
    }
    if (limit >= wanted) {
        if (limit != original)
            server_log(
                LOG_NOTICE,
                "Increased maximum number of open files to %llu (it was originally set to %llu).",
                (unsigned long long)limit, (unsigned long long)original);
        return 0;
    }
    if (limit <= RESERVED_DESCRIPTORS) {
        server_log(
            LOG_WARNING,
            "Your current 'ulimit -n' of %llu is not enough for the server to start. Please increase your "
            "open file limit to at least %llu. Exiting.",
            (unsigned long long)limit, (unsigned long long)wanted);
        return -1;
    }
    server.settings.maxclients = (long long)(limit - RESERVED_DESCRIPTORS);
    server_log(LOG_WARNING,
               "You requested maxclients of %lld requiring at least %llu max file descriptors.",
               requested, (unsigned long long)wanted);
    server_log(LOG_WARNING,
               "Server can't set maximum open files to %llu because the hard limit is %llu.",
               (unsigned long long)wanted, (unsigned long long)hard);
    server_log(
        LOG_WARNING,
        "Current maximum open files is %llu. maxclients has been reduced to %lld to compensate for low "
        "ulimit. If you need higher maxclients increase 'ulimit -n'.",
        (unsigned long long)limit, server.settings.maxclients);
    /* CONFIG GET shows what is in force, as Redis does. */
    setting *s = config_find("maxclients");
    char text[32], error[128];
    snprintf(text, sizeof(text), "%lld", server.settings.maxclients);
    if (s && config_set_value(s, text, error, sizeof(error)) != 0)
        server_log(LOG_WARNING, "cannot record the reduced maxclients: %s", error);
    return 0;
}

int descriptor_limit_fit_runtime(long long maxclients, char *error, size_t size)
{
    rlim_t wanted = (rlim_t)maxclients + RESERVED_DESCRIPTORS;
    rlim_t original = 0, hard = 0;
    rlim_t limit = raise_soft_limit(wanted, &original, &hard);
    if (limit >= wanted)
        return 0;
    long long possible =
        limit > RESERVED_DESCRIPTORS ? (long long)(limit - RESERVED_DESCRIPTORS) : 1;
    snprintf(
        error, size,
        "The operating system is not able to handle the specified number of clients, try with %lld",
        possible);
    return -1;
}
