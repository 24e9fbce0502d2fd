/*
 * clock.c - wall-clock time, cached once per command so that a command sees
 * one instant (Redis does the same with its mstime cache).
 */
#include <sys/time.h>

#include "server.h"

long long wall_clock_ms(void)
{
    struct timeval tv;
    gettimeofday(&tv, NULL);
    return (long long)tv.tv_sec * 1000 + tv.tv_usec / 1000;
}

void update_cached_time(void)
{
    server.cached_time_ms = wall_clock_ms();
}

long long dblite_time_ms(void)
{
    return server.cached_time_ms ? server.cached_time_ms : wall_clock_ms();
}

long long dblite_monotonic_us(void)
{
    return monotonic_us();
}
