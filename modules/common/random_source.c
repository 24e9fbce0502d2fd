/*
 * random_source.c - splitmix64 and unbiased bounded draws.
 *
 * Bounded draws use the multiply-and-keep-the-high-word method with a
 * rejection step, so every value in [0, bound) is exactly as likely: random
 * picks of set members must be fair, and a plain modulo would favour the low
 * indices of large collections.
 */
#define _GNU_SOURCE
#include "random_source.h"

#include <sys/random.h>
#include <time.h>
#include <unistd.h>

void random_fill_from_system(void *buffer, size_t size)
{
    unsigned char *bytes = buffer;
    size_t filled = 0;
    while (filled < size) {
        ssize_t got = getrandom(bytes + filled, size - filled, GRND_NONBLOCK);
        if (got <= 0)
            break;
        filled += (size_t)got;
    }
    if (filled == size)
        return;
    /* The kernel pool is unavailable (very early boot, seccomp): mix what
     * varies between runs through the generator itself. */
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    random_source mixer = {(uint64_t)now.tv_nsec ^ ((uint64_t)now.tv_sec << 30) ^
                           ((uint64_t)getpid() << 16) ^ (uint64_t)(uintptr_t)buffer};
    for (; filled < size; filled++)
        bytes[filled] = (unsigned char)(random_next(&mixer) >> 56);
}

void random_source_seed(random_source *source)
{
    random_fill_from_system(&source->state, sizeof source->state);
}

uint64_t random_next(random_source *source)
{
    uint64_t mixed = (source->state += UINT64_C(0x9e3779b97f4a7c15));
    mixed = (mixed ^ (mixed >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    mixed = (mixed ^ (mixed >> 27)) * UINT64_C(0x94d049bb133111eb);
    return mixed ^ (mixed >> 31);
}

uint64_t random_below(random_source *source, uint64_t bound)
{
    unsigned __int128 product = (unsigned __int128)random_next(source) * bound;
    uint64_t low = (uint64_t)product;
    if (low < bound) {
        /* Values of low below this threshold would make some results more
         * likely than others: draw again for them. */
        uint64_t threshold = (0 - bound) % bound;
        while (low < threshold) {
            product = (unsigned __int128)random_next(source) * bound;
            low = (uint64_t)product;
        }
    }
    return (uint64_t)(product >> 64);
}
