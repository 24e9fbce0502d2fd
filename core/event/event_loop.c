/*
 * event_loop.c - epoll dispatch plus a timer heap.
 *
 * Why a heap: blocked-client timeouts and module timers can be many, and the
 * loop must know the nearest deadline cheaply to size its epoll_wait.  Each
 * timer remembers its heap slot, and an index (timer_index.c) finds a timer
 * from its id, so removal is O(log n) (10k blocked clients woken at once no
 * longer scan the heap once each) and cancelled timers never linger
 * (bounded memory under timeout churn).
 */
#define _GNU_SOURCE
#include "event/event_loop.h"
#include "event/timer_index.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <time.h>
#include <unistd.h>

typedef struct file_event {
    int mask;
    file_event_fn read_fn;
    file_event_fn write_fn;
    void *privdata;
} file_event;

typedef struct timer_event {
    uint64_t id;
    int64_t when_us;
    size_t heap_index;
    timer_event_fn fn;
    timer_finalizer_fn finalizer;
    void *privdata;
} timer_event;

struct event_loop {
    int epoll_fd;
    int size;
    file_event *events;
    struct epoll_event *fired;
    timer_event **heap;
    size_t heap_length, heap_capacity;
    uint64_t next_timer_id;
    timer_index timers_by_id;
    timer_event *running_timer; /* whose callback is executing */
    int running_timer_removed;  /* it removed itself: free it on return */
    int stop;
    before_sleep_fn before_sleep;
    void *before_sleep_privdata;
};

int64_t monotonic_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

event_loop *event_loop_create(int max_descriptors)
{
    event_loop *loop = calloc(1, sizeof(*loop));
    if (!loop)
        return NULL;
    loop->epoll_fd = epoll_create1(EPOLL_CLOEXEC);
    loop->next_timer_id = 1;
    timer_index_init(&loop->timers_by_id);
    if (loop->epoll_fd == -1 || event_loop_resize(loop, max_descriptors) != 0) {
        event_loop_destroy(loop);
        return NULL;
    }
    return loop;
}

void event_loop_destroy(event_loop *loop)
{
    if (!loop)
        return;
    if (loop->epoll_fd != -1)
        close(loop->epoll_fd);
    for (size_t i = 0; i < loop->heap_length; i++) {
        timer_event *timer = loop->heap[i];
        if (timer->finalizer)
            timer->finalizer(loop, timer->privdata);
        free(timer);
    }
    free(loop->heap);
    timer_index_free(&loop->timers_by_id);
    free(loop->events);
    free(loop->fired);
    free(loop);
}

int event_loop_resize(event_loop *loop, int max_descriptors)
{
    if (max_descriptors <= loop->size)
        return 0;
    file_event *events = realloc(loop->events, sizeof(*events) * (size_t)max_descriptors);
    if (!events)
        return -1;
    loop->events = events;
    struct epoll_event *fired = realloc(loop->fired, sizeof(*fired) * (size_t)max_descriptors);
    if (!fired)
        return -1;
    loop->fired = fired;
    memset(events + loop->size, 0, sizeof(*events) * (size_t)(max_descriptors - loop->size));
    loop->size = max_descriptors;
    return 0;
}

int event_loop_size(const event_loop *loop)
{
    return loop->size;
}

int event_add_file(event_loop *loop, int fd, int mask, file_event_fn fn, void *privdata)
{
    if (fd < 0 || fd >= loop->size) {
        errno = ERANGE;
        return -1;
    }
    file_event *fe = &loop->events[fd];
    struct epoll_event ee = {0};
    int op = fe->mask == 0 ? EPOLL_CTL_ADD : EPOLL_CTL_MOD;
    int merged = fe->mask | mask;
    if (merged & EVENT_READABLE)
        ee.events |= EPOLLIN;
    if (merged & EVENT_WRITABLE)
        ee.events |= EPOLLOUT;
    ee.data.fd = fd;
    if (epoll_ctl(loop->epoll_fd, op, fd, &ee) == -1)
        return -1;
    fe->mask = merged;
    if (mask & EVENT_READABLE)
        fe->read_fn = fn;
    if (mask & EVENT_WRITABLE)
        fe->write_fn = fn;
    fe->privdata = privdata;
    return 0;
}

void event_remove_file(event_loop *loop, int fd, int mask)
{
    if (fd < 0 || fd >= loop->size)
        return;
    file_event *fe = &loop->events[fd];
    if (fe->mask == 0)
        return;
    fe->mask &= ~mask;
    struct epoll_event ee = {0};
    if (fe->mask & EVENT_READABLE)
        ee.events |= EPOLLIN;
    if (fe->mask & EVENT_WRITABLE)
        ee.events |= EPOLLOUT;
    ee.data.fd = fd;
    /* Failure here means the descriptor is already gone; nothing to undo. */
    (void)epoll_ctl(loop->epoll_fd, fe->mask ? EPOLL_CTL_MOD : EPOLL_CTL_DEL, fd, &ee);
}

/* ---- timer heap ---- */

static void heap_swap(event_loop *loop, size_t a, size_t b)
{
    timer_event *t = loop->heap[a];
    loop->heap[a] = loop->heap[b];
    loop->heap[b] = t;
    loop->heap[a]->heap_index = a;
    loop->heap[b]->heap_index = b;
}

static void heap_sift_up(event_loop *loop, size_t index)
{
    while (index > 0) {
        size_t parent = (index - 1) / 2;
        if (loop->heap[parent]->when_us <= loop->heap[index]->when_us)
            break;
        heap_swap(loop, parent, index);
        index = parent;
    }
}

static void heap_sift_down(event_loop *loop, size_t index)
{
    for (;;) {
        size_t left = index * 2 + 1, right = left + 1, smallest = index;
        if (left < loop->heap_length && loop->heap[left]->when_us < loop->heap[smallest]->when_us)
            smallest = left;
        if (right < loop->heap_length && loop->heap[right]->when_us < loop->heap[smallest]->when_us)
            smallest = right;
        if (smallest == index)
            return;
        heap_swap(loop, index, smallest);
        index = smallest;
    }
}

static void heap_remove_at(event_loop *loop, size_t index)
{
    timer_index_remove(&loop->timers_by_id, loop->heap[index]->id);
    loop->heap_length--;
    if (index != loop->heap_length) {
        loop->heap[index] = loop->heap[loop->heap_length];
        loop->heap[index]->heap_index = index;
        heap_sift_down(loop, index);
        heap_sift_up(loop, index);
    }
}

/* now + delay_ms in microseconds, saturated: a module may ask for any
 * delay, and a far one must not overflow into the past. */
static int64_t deadline_after(long long delay_ms)
{
    int64_t now = monotonic_us();
    if (delay_ms <= 0)
        return now;
    if (delay_ms > (INT64_MAX - now) / 1000)
        return INT64_MAX;
    return now + (int64_t)delay_ms * 1000;
}

uint64_t event_add_timer(event_loop *loop, long long delay_ms, timer_event_fn fn,
                         timer_finalizer_fn finalizer, void *privdata)
{
    if (loop->heap_length == loop->heap_capacity) {
        size_t capacity = loop->heap_capacity ? loop->heap_capacity * 2 : 16;
        timer_event **heap = realloc(loop->heap, capacity * sizeof(*heap));
        if (!heap)
            return 0;
        loop->heap = heap;
        loop->heap_capacity = capacity;
    }
    timer_event *timer = malloc(sizeof(*timer));
    if (!timer)
        return 0;
    if (timer_index_add(&loop->timers_by_id, loop->next_timer_id, timer) != 0) {
        free(timer);
        return 0;
    }
    if (delay_ms < 0)
        delay_ms = 0;
    /* Beyond ~30 years is "never"; also keeps the arithmetic from overflowing. */
    if (delay_ms > 1000000000000LL)
        delay_ms = 1000000000000LL;
    timer->id = loop->next_timer_id++;
    timer->when_us = deadline_after(delay_ms);
    timer->fn = fn;
    timer->finalizer = finalizer;
    timer->privdata = privdata;
    timer->heap_index = loop->heap_length;
    loop->heap[loop->heap_length++] = timer;
    heap_sift_up(loop, timer->heap_index);
    return timer->id;
}

int event_remove_timer(event_loop *loop, uint64_t id)
{
    timer_event *timer = id ? timer_index_find(&loop->timers_by_id, id) : NULL;
    if (!timer)
        return -1;
    if (timer == loop->running_timer) {
        if (loop->running_timer_removed)
            return -1;
        loop->running_timer_removed = 1;
        return 0;
    }
    heap_remove_at(loop, timer->heap_index);
    if (timer->finalizer)
        timer->finalizer(loop, timer->privdata);
    free(timer);
    return 0;
}

size_t event_timer_count(const event_loop *loop)
{
    return loop->heap_length;
}

uint64_t event_timer_probes(const event_loop *loop)
{
    return loop->timers_by_id.probes;
}

long long event_next_timer_ms(event_loop *loop)
{
    if (loop->heap_length == 0)
        return -1;
    int64_t delta = loop->heap[0]->when_us - monotonic_us();
    if (delta <= 0)
        return 0;
    return (delta + 999) / 1000;
}

static void process_timers(event_loop *loop)
{
    int64_t now = monotonic_us();
    /* Timers added while we run get ids above this one and wait for the next
     * turn, so a timer re-arming itself with delay 0 cannot starve I/O. */
    uint64_t max_id = loop->next_timer_id - 1;
    while (loop->heap_length > 0) {
        timer_event *timer = loop->heap[0];
        if (timer->when_us > now)
            break;
        if (timer->id > max_id) {
            /* Defer new zero-delay timers one turn. */
            timer->when_us = now + 1;
            heap_sift_down(loop, 0);
            if (loop->heap[0] == timer)
                break;
            continue;
        }
        uint64_t id = timer->id;
        /* Callbacks may run the loop again (loading progress): keep the
         * outer running timer's state across this one. */
        timer_event *outer_timer = loop->running_timer;
        int outer_removed = loop->running_timer_removed;
        loop->running_timer = timer;
        loop->running_timer_removed = 0;
        long long next_ms = timer->fn(loop, id, timer->privdata);
        int removed = loop->running_timer_removed;
        loop->running_timer = outer_timer;
        loop->running_timer_removed = outer_removed;
        /* The callback may have removed other timers (moving this one in
         * the heap) and this one (left for us to free). */
        if (next_ms < 0 || removed) {
            heap_remove_at(loop, timer->heap_index);
            if (timer->finalizer)
                timer->finalizer(loop, timer->privdata);
            free(timer);
        } else {
            timer->when_us = deadline_after(next_ms);
            heap_sift_down(loop, timer->heap_index);
        }
        now = monotonic_us();
    }
}

void event_set_before_sleep(event_loop *loop, before_sleep_fn fn, void *privdata)
{
    loop->before_sleep = fn;
    loop->before_sleep_privdata = privdata;
}

int event_process(event_loop *loop, long long timeout_ms)
{
    long long next = event_next_timer_ms(loop);
    if (next >= 0 && (timeout_ms < 0 || next < timeout_ms))
        timeout_ms = next;
    int count = epoll_wait(loop->epoll_fd, loop->fired, loop->size,
                           timeout_ms > 1000000 ? 1000000 : (int)timeout_ms);
    int processed = 0;
    for (int i = 0; i < count; i++) {
        int fd = loop->fired[i].data.fd;
        uint32_t what = loop->fired[i].events;
        file_event *fe = &loop->events[fd];
        int fired_read = 0;
        if ((fe->mask & EVENT_READABLE) && (what & (EPOLLIN | EPOLLERR | EPOLLHUP))) {
            fe->read_fn(loop, fd, fe->privdata, EVENT_READABLE);
            fired_read = 1;
        }
        /* The read handler may have closed fd; re-read the slot. */
        fe = &loop->events[fd];
        if ((fe->mask & EVENT_WRITABLE) && (what & (EPOLLOUT | EPOLLERR | EPOLLHUP))) {
            if (!fired_read || fe->write_fn != fe->read_fn)
                fe->write_fn(loop, fd, fe->privdata, EVENT_WRITABLE);
        }
        processed++;
    }
    process_timers(loop);
    return processed;
}

void event_loop_run(event_loop *loop)
{
    loop->stop = 0;
    while (!loop->stop) {
        if (loop->before_sleep)
            loop->before_sleep(loop, loop->before_sleep_privdata);
        if (loop->stop)
            break;
        event_process(loop, -1);
    }
}

void event_loop_stop(event_loop *loop)
{
    loop->stop = 1;
}
