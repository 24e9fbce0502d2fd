/*
 * trim.c - giving freed memory back to the system a little at a time.
 *
 * glibc keeps freed pages mapped until malloc_trim returns them, and a trim
 * costs in proportion to the pages it gives back (about 0.35 ms per MB on a
 * small VM), all of it a pause for every client.  One trim after a million
 * keys expired (some 90 MB) stalled clients for 28 ms.  So the cron trims as
 * soon as a few MB more are free than at the last trim - a wave then costs
 * a series of pauses under 2 ms - and once more when freeing has stopped,
 * so resident memory follows the dataset all the way down.
 *
 * Fast bins are switched off at startup.  They defer the merging of freed
 * small blocks, and freeing a whole dataset then ends in malloc_consolidate
 * merging them all at once: FLUSHALL of a million keys took 510 ms, 300 ms
 * without them (Redis 7.0: 355 ms), and a million-key expiry wave drained
 * in 2.6 s instead of 3.1 s.  The per-thread cache still serves the churn
 * of small blocks, so command throughput measured the same.
 */
#define _GNU_SOURCE
#include <malloc.h>

#include "server.h"

/* Trim while memory is still falling once this much was freed. */
#define TRIM_STEP_BYTES ((size_t)4 << 20)
/* Trim once memory stopped falling if at least this much was freed. */
#define TRIM_SETTLED_BYTES ((size_t)1 << 20)

void memory_allocator_init(void)
{
#ifdef M_MXFAST
    mallopt(M_MXFAST, 0);
#endif
}

void memory_trim_step(void)
{
    size_t used = server.used_memory;
    if (used > server.trim_high_water)
        server.trim_high_water = used;
    size_t freed = server.trim_high_water - used;
    int settled = used >= server.trim_last_used;
    server.trim_last_used = used;
    if (freed >= TRIM_STEP_BYTES || (settled && freed >= TRIM_SETTLED_BYTES)) {
        malloc_trim(0);
        server.trim_high_water = used;
    }
}
