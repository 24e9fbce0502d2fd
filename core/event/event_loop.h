/*
 * event_loop.h - epoll-based event loop with timers (the server's heartbeat).
 *
 * One thread, one loop: file events are dispatched by descriptor, timers sit
 * in a binary min-heap ordered by their monotonic deadline, and a
 * before-sleep callback runs once per turn (replies go out there, after the
 * append-only log had its chance to flush).
 */
#ifndef DBLITE_EVENT_LOOP_H
#define DBLITE_EVENT_LOOP_H

#include <stddef.h>
#include <stdint.h>

#define EVENT_READABLE 1
#define EVENT_WRITABLE 2

typedef struct event_loop event_loop;
typedef void (*file_event_fn)(event_loop *loop, int fd, void *privdata, int mask);
/* Returns the delay in ms before the next run, or -1 to delete the timer. */
typedef long long (*timer_event_fn)(event_loop *loop, uint64_t id, void *privdata);
typedef void (*timer_finalizer_fn)(event_loop *loop, void *privdata);
typedef void (*before_sleep_fn)(event_loop *loop, void *privdata);

event_loop *event_loop_create(int max_descriptors);
void event_loop_destroy(event_loop *loop);
/* Grow the descriptor table (maxclients changed); returns 0 or -1. */
int event_loop_resize(event_loop *loop, int max_descriptors);
int event_loop_size(const event_loop *loop);

/* Add mask to the events watched on fd; handlers for read and write are
 * kept separately, as in Redis's ae. Returns 0, or -1 with errno set. */
int event_add_file(event_loop *loop, int fd, int mask, file_event_fn fn, void *privdata);
void event_remove_file(event_loop *loop, int fd, int mask);

/* Timers: ids are never reused; 0 means "no timer". */
uint64_t event_add_timer(event_loop *loop, long long delay_ms, timer_event_fn fn,
                         timer_finalizer_fn finalizer, void *privdata);
/* O(log n).  0, or -1 when no such timer is pending. */
int event_remove_timer(event_loop *loop, uint64_t id);
/* Pending timers, and the index slots inspected so far by removals (a
 * deterministic measure of their cost, for tests). */
size_t event_timer_count(const event_loop *loop);
uint64_t event_timer_probes(const event_loop *loop);
/* The number of milliseconds until the earliest timer, or -1 if none. */
long long event_next_timer_ms(event_loop *loop);

void event_set_before_sleep(event_loop *loop, before_sleep_fn fn, void *privdata);
/* Process what is ready, waiting at most timeout_ms (-1: until something
 * happens); runs expired timers.  Does not call before-sleep. */
int event_process(event_loop *loop, long long timeout_ms);
void event_loop_run(event_loop *loop);
void event_loop_stop(event_loop *loop);

/* Monotonic clock in microseconds. */
int64_t monotonic_us(void);

#endif
