/*
 * test_timer_heap.c - unit tests of the event loop's timers (core/event),
 * issue 19 item 13: removal by id is O(log n) through the id index, and
 * removing arbitrary timers (before they fire, from inside other timers'
 * callbacks, a timer removing itself) keeps the heap in deadline order;
 * ids are never reused; every timer's finalizer runs exactly once.
 *
 * Cost is checked by a count, not a clock: the index counts the slots it
 * inspects, and removing 10k timers must inspect O(10k) of them (a linear
 * scan of the heap, as before, is 10k x 10k).  Deadlines are 40 ms apart,
 * far more than adding all the timers takes, so the expected firing order
 * is known exactly (adding them all takes well under STEP_MS, even in the
 * sanitizer build).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "event/event_loop.h"

#define TIMERS 3000
#define STEP_MS 40
#define CLASSES 8

typedef struct timer_case {
    uint64_t id;
    int delay_class; /* deadline = class * STEP_MS */
    int removed;     /* removed before it fired */
    int fired, finalized;
    int remove_other; /* index of a timer its callback removes, or -1 */
    int remove_self;  /* its callback removes itself, then returns 0 */
} timer_case;

typedef struct fixture {
    event_loop *loop;
    timer_case cases[TIMERS];
    int fired_order[TIMERS];
    int fired_count;
} fixture;

static fixture *current;

static long long on_fire(event_loop *loop, uint64_t id, void *privdata)
{
    timer_case *c = privdata;
    assert_int_equal(c->id, id);
    assert_false(c->removed);
    c->fired++;
    current->fired_order[current->fired_count++] = (int)(c - current->cases);
    if (c->remove_other >= 0) {
        timer_case *other = &current->cases[c->remove_other];
        int pending = !other->fired && !other->removed;
        assert_int_equal(event_remove_timer(loop, other->id), pending ? 0 : -1);
        if (pending)
            other->removed = 1;
    }
    if (c->remove_self) {
        assert_int_equal(event_remove_timer(loop, id), 0);
        assert_int_equal(event_remove_timer(loop, id), -1); /* only once */
        return 0;
    }
    return -1;
}

static void on_finalize(event_loop *loop, void *privdata)
{
    (void)loop;
    timer_case *c = privdata;
    c->finalized++;
}

static void test_removal_keeps_order(void **state)
{
    (void)state;
    fixture *f = calloc(1, sizeof *f);
    assert_non_null(f);
    current = f;
    f->loop = event_loop_create(64);
    assert_non_null(f->loop);
    srand(19);
    uint64_t last_id = 0;
    for (int i = 0; i < TIMERS; i++) {
        timer_case *c = &f->cases[i];
        c->delay_class = rand() % CLASSES;
        c->remove_other = rand() % 4 == 0 ? rand() % TIMERS : -1;
        if (c->remove_other == i)
            c->remove_other = -1;
        c->remove_self = rand() % 5 == 0;
        c->id = event_add_timer(f->loop, c->delay_class * STEP_MS, on_fire, on_finalize, c);
        assert_true(c->id > last_id); /* never reused: strictly increasing */
        last_id = c->id;
    }
    assert_int_equal(event_timer_count(f->loop), TIMERS);
    /* Remove a third at random before anything fires. */
    for (int i = 0; i < TIMERS; i++) {
        if (rand() % 3 != 0)
            continue;
        timer_case *c = &f->cases[i];
        assert_int_equal(event_remove_timer(f->loop, c->id), 0);
        assert_int_equal(event_remove_timer(f->loop, c->id), -1);
        c->removed = 1;
        assert_int_equal(c->finalized, 1);
    }
    while (event_timer_count(f->loop) > 0)
        event_process(f->loop, 1000);
    int last_class = -1;
    for (int n = 0; n < f->fired_count; n++) {
        timer_case *c = &f->cases[f->fired_order[n]];
        assert_true(c->delay_class >= last_class);
        last_class = c->delay_class;
    }
    for (int i = 0; i < TIMERS; i++) {
        timer_case *c = &f->cases[i];
        assert_int_equal(c->fired + c->removed, 1);
        assert_int_equal(c->finalized, 1);
        assert_int_equal(event_remove_timer(f->loop, c->id), -1);
    }
    /* New timers get new ids, past every id handed out before. */
    uint64_t id = event_add_timer(f->loop, 1000, on_fire, NULL, &f->cases[0]);
    assert_true(id > last_id);
    event_loop_destroy(f->loop);
    free(f);
}

static long long never_fires(event_loop *loop, uint64_t id, void *privdata)
{
    (void)loop;
    (void)id;
    (void)privdata;
    fail_msg("a removed timer fired");
    return -1;
}

/* Removing 10k timers in an arbitrary order inspects O(10k) index slots. */
static void test_removal_cost_is_not_linear(void **state)
{
    (void)state;
    enum { COUNT = 10000 };
    event_loop *loop = event_loop_create(64);
    assert_non_null(loop);
    uint64_t *ids = malloc(COUNT * sizeof *ids);
    assert_non_null(ids);
    for (int i = 0; i < COUNT; i++) {
        ids[i] = event_add_timer(loop, 100000 + (i * 7919) % 1000, never_fires, NULL, NULL);
        assert_true(ids[i] != 0);
    }
    uint64_t before = event_timer_probes(loop);
    /* A fixed permutation (7919 is prime to COUNT). */
    for (int i = 0; i < COUNT; i++)
        assert_int_equal(event_remove_timer(loop, ids[(i * 7919) % COUNT]), 0);
    uint64_t probes = event_timer_probes(loop) - before;
    assert_true(probes <= 4 * (uint64_t)COUNT);
    assert_int_equal(event_timer_count(loop), 0);
    free(ids);
    event_loop_destroy(loop);
}

static long long count_fire(event_loop *loop, uint64_t id, void *privdata)
{
    (void)loop;
    (void)id;
    (*(int *)privdata)++;
    return -1;
}

/* A delay of any size is a deadline far away, never one in the past (the
 * conversion to microseconds overflowed before: UBSan aborts there). */
static void test_huge_delays_saturate(void **state)
{
    (void)state;
    event_loop *loop = event_loop_create(64);
    assert_non_null(loop);
    int far_fired = 0, near_fired = 0;
    assert_true(event_add_timer(loop, 9223372036854775807LL, count_fire, NULL, &far_fired) != 0);
    assert_true(event_add_timer(loop, 9223372036854775LL, count_fire, NULL, &far_fired) != 0);
    assert_true(event_add_timer(loop, 1, count_fire, NULL, &near_fired) != 0);
    assert_true(event_add_timer(loop, -9223372036854775807LL - 1, count_fire, NULL, &near_fired) !=
                0);
    while (near_fired < 2)
        event_process(loop, 100);
    assert_int_equal(far_fired, 0);
    assert_int_equal(event_timer_count(loop), 2);
    assert_true(event_next_timer_ms(loop) > 1000LL * 1000 * 1000);
    event_loop_destroy(loop);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_removal_keeps_order),
        cmocka_unit_test(test_removal_cost_is_not_linear),
        cmocka_unit_test(test_huge_delays_saturate),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
