/*
 * test_lists.c - the lists module over real sockets, where differential
 * cases cannot go: clients blocked in BLPOP, BRPOP, BLMOVE, BRPOPLPUSH and
 * BLMPOP served in the order they blocked, timeouts (fractional seconds),
 * a client disconnecting while blocked, BLMOVE chains served within one
 * write, a producer and two consumers moving 100k items through a list
 * with nothing lost or duplicated, blocked_clients in INFO, and the
 * list-max-listpack-size setting.
 *
 * Each test starts its own server with tests/configs/lists-only.ini.
 * argv[1] names another config ("-" for none), which lets the test itself
 * be checked against a stock redis-server (DBLITE_SERVER=redis-server, no
 * DBLITE_MODULE_PATH, config "-"); dblite-only checks are then skipped.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "reply_checks.h"
#include "server_process.h"

#define QUEUE_ITEMS 100000

static char config_path[4096];
static const char *config_name;
static int against_redis;

typedef struct fixture {
    server_process *server;
    redisContext *context;
} fixture;

static int start_server_with(void **state, const char *const *extra_args)
{
    fixture *f = calloc(1, sizeof *f);
    if (f == NULL)
        return -1;
    *state = f;
    f->server = server_start(config_name, extra_args);
    if (f->server == NULL)
        return -1;
    f->context = server_connect(f->server);
    return f->context != NULL ? 0 : -1;
}

static int start_server(void **state)
{
    return start_server_with(state, NULL);
}

static int start_server_with_tiny_nodes(void **state)
{
    static const char *const dblite_args[] = {"--lists.list-max-listpack-size", "3", NULL};
    return start_server_with(state, against_redis ? NULL : dblite_args);
}

/* With hooktest.so (tests/modules), whose HOOKTEST.PROPAGATED returns the
 * commands propagated so far. */
static int start_server_with_propagation_log(void **state)
{
    static char module_path[4096];
    const char *binary_dir = getenv("DBLITE_BINARY_DIR");
    if (against_redis || binary_dir == NULL)
        return start_server_with(state, NULL);
    snprintf(module_path, sizeof module_path, "%s/test-modules/hooktest.so", binary_dir);
    const char *const args[] = {"--load-module", module_path, NULL};
    return start_server_with(state, args);
}

static int stop_server(void **state)
{
    fixture *f = *state;
    if (f == NULL)
        return 0;
    if (f->context != NULL)
        redisFree(f->context);
    int status = server_stop(f->server);
    free(f);
    return status == 0 ? 0 : -1;
}

/* ---- Helpers ------------------------------------------------------------ */

static long long now_ms(void)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (long long)now.tv_sec * 1000 + now.tv_nsec / 1000000;
}

static long long blocked_clients(redisContext *context)
{
    return reply_info_number(context, "clients", "blocked_clients");
}

/* Waits (up to 5 s) until INFO shows exactly count blocked clients. */
static void wait_for_blocked(redisContext *context, long long count)
{
    long long deadline = now_ms() + 5000;
    long long seen;
    while ((seen = blocked_clients(context)) != count) {
        if (now_ms() > deadline)
            fail_msg("blocked_clients stayed %lld, expected %lld", seen, count);
        usleep(2000);
    }
}

/* Connects a client and blocks it with the given command, returning once
 * the server counts it as blocked (so clients block in a known order). */
static redisContext *block_client(fixture *f, long long blocked_before, const char *format, ...)
{
    redisContext *client = server_connect(f->server);
    assert_non_null(client);
    va_list arguments;
    va_start(arguments, format);
    int status = redisvAppendCommand(client, format, arguments);
    va_end(arguments);
    assert_int_equal(status, REDIS_OK);
    int done = 0;
    while (!done)
        assert_int_equal(redisBufferWrite(client, &done), REDIS_OK);
    wait_for_blocked(f->context, blocked_before + 1);
    return client;
}

static void assert_key_value_reply(redisReply *reply, const char *key, const char *value)
{
    assert_int_equal(reply->type, REDIS_REPLY_ARRAY);
    assert_int_equal(reply->elements, 2);
    assert_string_equal(reply->element[0]->str, key);
    assert_string_equal(reply->element[1]->str, value);
}

static void assert_bulk(redisReply *reply, const char *value)
{
    if (reply->type != REDIS_REPLY_STRING)
        fail_msg("expected bulk '%s', got type %d (%s)", value, reply->type,
                 reply->str ? reply->str : "");
    assert_string_equal(reply->str, value);
}

static void assert_null_reply(redisReply *reply)
{
    assert_true(reply->type == REDIS_REPLY_NIL);
}

/* ---- Tests -------------------------------------------------------------- */

/* A push wakes the client blocked on the key; the pusher sees the length
 * its push made, and the element is gone by the time it asks again. */
static void push_serves_blocked_pop(void **state)
{
    fixture *f = *state;
    assert_int_equal(blocked_clients(f->context), 0);
    redisContext *waiter = block_client(f, 0, "BLPOP queue 0");
    reply_expect_integer(f->context, 1, "RPUSH queue job-1");
    redisReply *reply = reply_read(waiter);
    assert_key_value_reply(reply, "queue", "job-1");
    freeReplyObject(reply);
    reply_expect_integer(f->context, 0, "EXISTS queue");
    assert_int_equal(blocked_clients(f->context), 0);

    /* BRPOP on several keys is served from the key that got data. */
    redisContext *second = block_client(f, 0, "BRPOP first second third 0");
    reply_expect_integer(f->context, 2, "RPUSH third x y");
    reply = reply_read(second);
    assert_key_value_reply(reply, "third", "y");
    freeReplyObject(reply);
    reply_expect_integer(f->context, 1, "LLEN third");
    redisFree(second);
    redisFree(waiter);
}

/* Clients blocked on one key are served in the order they blocked, one
 * element each, all within the push that fed them. */
static void waiters_are_served_first_in_first_out(void **state)
{
    fixture *f = *state;
    enum { WAITERS = 5 };
    redisContext *waiters[WAITERS];
    for (int i = 0; i < WAITERS; i++)
        waiters[i] = block_client(f, i, i % 2 ? "BRPOP fifo 0" : "BLPOP fifo 0");
    reply_expect_integer(f->context, 3, "RPUSH fifo a b c");
    /* Same turn: the served elements are already gone. */
    reply_expect_integer(f->context, 0, "LLEN fifo");
    assert_int_equal(blocked_clients(f->context), 2);
    const char *expected[] = {"a", "c", "b"}; /* BLPOP takes the head, BRPOP the tail */
    for (int i = 0; i < 3; i++) {
        redisReply *reply = reply_read(waiters[i]);
        assert_key_value_reply(reply, "fifo", expected[i]);
        freeReplyObject(reply);
    }
    reply_expect_integer(f->context, 2, "LPUSH fifo d e");
    for (int i = 3; i < WAITERS; i++) {
        redisReply *reply = reply_read(waiters[i]);
        assert_key_value_reply(reply, "fifo", i == 3 ? "d" : "e"); /* BRPOP, then BLPOP */
        freeReplyObject(reply);
    }
    assert_int_equal(blocked_clients(f->context), 0);
    for (int i = 0; i < WAITERS; i++)
        redisFree(waiters[i]);
}

/* A pipelined push followed by a read: the blocked client is served
 * between them, as in Redis. */
static void waiter_is_served_before_the_next_command(void **state)
{
    fixture *f = *state;
    redisContext *waiter = block_client(f, 0, "BLPOP pipeline 0");
    reply_send(f->context, "RPUSH pipeline one two");
    reply_send(f->context, "LRANGE pipeline 0 -1");
    redisReply *reply = reply_read(f->context);
    assert_int_equal(reply->integer, 2);
    freeReplyObject(reply);
    reply = reply_read(f->context);
    assert_int_equal(reply->type, REDIS_REPLY_ARRAY);
    assert_int_equal(reply->elements, 1);
    assert_string_equal(reply->element[0]->str, "two");
    freeReplyObject(reply);
    reply = reply_read(waiter);
    assert_key_value_reply(reply, "pipeline", "one");
    freeReplyObject(reply);
    /* Commands the blocked client pipelined behind BLPOP run after it. */
    reply_expect_integer(f->context, 1, "DEL pipeline");
    reply_send(waiter, "BLPOP pipeline 0");
    reply_send(waiter, "ECHO after");
    wait_for_blocked(f->context, 1);
    reply_expect_integer(f->context, 1, "RPUSH pipeline three");
    reply = reply_read(waiter);
    assert_key_value_reply(reply, "pipeline", "three");
    freeReplyObject(reply);
    reply = reply_read(waiter);
    assert_bulk(reply, "after");
    freeReplyObject(reply);
    redisFree(waiter);
}

/* Timeouts, including fractions of a second, answer a null array after
 * about that long; 0 waits until served. */
static void timeouts_answer_null(void **state)
{
    fixture *f = *state;
    struct {
        const char *command;
        long long milliseconds;
    } cases[] = {
        {"BLPOP nothing 0.25", 250},
        {"BRPOP nothing other 0.1", 100},
        {"BLMOVE nothing elsewhere LEFT RIGHT 0.2", 200},
        {"BRPOPLPUSH nothing elsewhere 0.15", 150},
        {"BLMPOP 0.1 2 nothing other LEFT COUNT 3", 100},
        {"BLPOP nothing 1", 1000},
        {"BLPOP nothing 0.0001", 0}, /* rounded up to 1 ms, not 0 = forever */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        long long started = now_ms();
        redisReply *reply = reply_command(f->context, cases[i].command);
        long long elapsed = now_ms() - started;
        assert_null_reply(reply);
        freeReplyObject(reply);
        if (elapsed < cases[i].milliseconds - 5 || elapsed > cases[i].milliseconds + 1500)
            fail_msg("'%s' answered after %lld ms", cases[i].command, elapsed);
    }
    assert_int_equal(blocked_clients(f->context), 0);
    reply_expect_integer(f->context, 0, "EXISTS nothing other elsewhere");

    /* A timed-out client left no trace: the next waiter gets the data. */
    redisContext *late = server_connect(f->server);
    assert_non_null(late);
    redisReply *reply = reply_command(late, "BLPOP nothing 0.05");
    assert_null_reply(reply);
    freeReplyObject(reply);
    redisContext *waiter = block_client(f, 0, "BLPOP nothing 0");
    reply_expect_integer(f->context, 1, "RPUSH nothing here");
    reply = reply_read(waiter);
    assert_key_value_reply(reply, "nothing", "here");
    freeReplyObject(reply);
    redisFree(waiter);
    redisFree(late);

    /* A negative fraction of a millisecond rounds up to 0: wait forever. */
    redisContext *forever = block_client(f, 0, "BLPOP nothing -0.0001");
    usleep(100000);
    assert_int_equal(blocked_clients(f->context), 1);
    reply_expect_integer(f->context, 1, "RPUSH nothing finally");
    reply = reply_read(forever);
    assert_key_value_reply(reply, "nothing", "finally");
    freeReplyObject(reply);
    redisFree(forever);
}

/* A client that disconnects while blocked is forgotten: the element goes
 * to the next waiter, or stays in the list when there is none. */
static void disconnected_waiter_is_skipped(void **state)
{
    fixture *f = *state;
    redisContext *leaving = block_client(f, 0, "BLPOP gone 0");
    redisContext *staying = block_client(f, 1, "BLPOP gone 0");
    redisFree(leaving);
    wait_for_blocked(f->context, 1);
    reply_expect_integer(f->context, 1, "RPUSH gone first");
    redisReply *reply = reply_read(staying);
    assert_key_value_reply(reply, "gone", "first");
    freeReplyObject(reply);
    redisFree(staying);

    redisContext *alone = block_client(f, 0, "BLMOVE gone target LEFT RIGHT 0");
    redisFree(alone);
    wait_for_blocked(f->context, 0);
    reply_expect_integer(f->context, 1, "RPUSH gone kept");
    reply_expect_integer(f->context, 1, "LLEN gone");
    reply_expect_integer(f->context, 0, "EXISTS target");
}

/* BLMOVE clients chained a -> b -> c, and a BLPOP on c: one push to a
 * travels the whole chain within that push. */
static void blmove_chain_is_served_in_one_push(void **state)
{
    fixture *f = *state;
    redisContext *first = block_client(f, 0, "BLMOVE chain-a chain-b LEFT RIGHT 0");
    redisContext *second = block_client(f, 1, "BRPOPLPUSH chain-b chain-c 0");
    redisContext *third = block_client(f, 2, "BLMOVE chain-c chain-d RIGHT LEFT 0");
    redisContext *last = block_client(f, 3, "BLPOP chain-d 0");
    reply_expect_integer(f->context, 1, "LPUSH chain-a token");
    reply_expect_integer(f->context, 0, "EXISTS chain-a chain-b chain-c chain-d");
    assert_int_equal(blocked_clients(f->context), 0);
    redisReply *reply = reply_read(first);
    assert_bulk(reply, "token");
    freeReplyObject(reply);
    reply = reply_read(second);
    assert_bulk(reply, "token");
    freeReplyObject(reply);
    reply = reply_read(third);
    assert_bulk(reply, "token");
    freeReplyObject(reply);
    reply = reply_read(last);
    assert_key_value_reply(reply, "chain-d", "token");
    freeReplyObject(reply);

    /* A BLMOVE onto its own source rotates as soon as there is data. */
    redisContext *rotator = block_client(f, 0, "BLMOVE ring ring LEFT RIGHT 0");
    reply_expect_integer(f->context, 1, "RPUSH ring only");
    reply = reply_read(rotator);
    assert_bulk(reply, "only");
    freeReplyObject(reply);
    reply_expect_integer(f->context, 1, "LLEN ring");
    redisFree(rotator);
    redisFree(first);
    redisFree(second);
    redisFree(third);
    redisFree(last);
}

/* BLMPOP takes up to COUNT elements; a key of another type does not wake
 * a waiter; a BLMOVE whose destination turned into another type is told
 * so and the element stays where it was. */
static void blmpop_count_and_type_changes(void **state)
{
    fixture *f = *state;
    redisContext *waiter = block_client(f, 0, "BLMPOP 0 2 m-one m-two RIGHT COUNT 2");
    reply_expect_integer(f->context, 3, "RPUSH m-two a b c");
    redisReply *reply = reply_read(waiter);
    assert_int_equal(reply->type, REDIS_REPLY_ARRAY);
    assert_int_equal(reply->elements, 2);
    assert_string_equal(reply->element[0]->str, "m-two");
    assert_int_equal(reply->element[1]->elements, 2);
    assert_string_equal(reply->element[1]->element[0]->str, "c");
    assert_string_equal(reply->element[1]->element[1]->str, "b");
    freeReplyObject(reply);
    reply_expect_integer(f->context, 1, "LLEN m-two");

    /* A string stored under the awaited key leaves the client waiting. */
    reply_send(waiter, "BLPOP typed 0");
    wait_for_blocked(f->context, 1);
    reply = reply_command(f->context, "SET typed not-a-list");
    freeReplyObject(reply);
    usleep(50000);
    assert_int_equal(blocked_clients(f->context), 1);
    reply_expect_integer(f->context, 1, "DEL typed");
    reply_expect_integer(f->context, 1, "RPUSH typed now-a-list");
    reply = reply_read(waiter);
    assert_key_value_reply(reply, "typed", "now-a-list");
    freeReplyObject(reply);

    reply_send(waiter, "BLMOVE mover blocked-target LEFT RIGHT 0");
    wait_for_blocked(f->context, 1);
    reply = reply_command(f->context, "SET blocked-target string");
    freeReplyObject(reply);
    reply_expect_integer(f->context, 1, "RPUSH mover element");
    reply = reply_read(waiter);
    assert_int_equal(reply->type, REDIS_REPLY_ERROR);
    assert_true(strncmp(reply->str, "WRONGTYPE", 9) == 0);
    freeReplyObject(reply);
    reply_expect_integer(f->context, 1, "LLEN mover");
    assert_int_equal(blocked_clients(f->context), 0);
    redisFree(waiter);
}

/* SWAPDB offers the keys waited on in both databases, as Redis does: a
 * list now under the key serves its waiter; a value of another type leaves
 * its waiter blocked. */
static void swapdb_serves_waiters_of_both_databases(void **state)
{
    fixture *f = *state;
    redisContext *in_db0 = block_client(f, 0, "BLPOP swapped 0");
    redisContext *in_db1 = server_connect(f->server);
    assert_non_null(in_db1);
    reply_expect_status(in_db1, "OK", "SELECT 1");
    reply_send(in_db1, "BLPOP typed-away 0");
    wait_for_blocked(f->context, 2);

    reply_expect_status(f->context, "OK", "SELECT 1");
    reply_expect_integer(f->context, 2, "RPUSH swapped first second");
    reply_expect_status(f->context, "OK", "SELECT 0");
    reply_expect_status(f->context, "OK", "SET typed-away string");
    reply_expect_status(f->context, "OK", "SWAPDB 0 1");

    redisReply *reply = reply_read(in_db0);
    assert_key_value_reply(reply, "swapped", "first");
    freeReplyObject(reply);
    REPLY_EXPECT_STRINGS(f->context, "LRANGE swapped 0 -1", "second");
    usleep(50000);
    assert_int_equal(blocked_clients(f->context), 1);

    /* Swapped back, the string is in db 0 again; a push in db 1 serves the
     * waiter there. */
    reply_expect_status(f->context, "OK", "SWAPDB 1 0");
    reply_expect_status(f->context, "OK", "SELECT 1");
    reply_expect_integer(f->context, 1, "RPUSH typed-away element");
    reply = reply_read(in_db1);
    assert_key_value_reply(reply, "typed-away", "element");
    freeReplyObject(reply);
    assert_int_equal(blocked_clients(f->context), 0);
    redisFree(in_db0);
    redisFree(in_db1);
}

/* ---- Producer and consumers -------------------------------------------- */

/* What the consumers share, under lock. */
typedef struct queue_tally {
    pthread_mutex_t lock;
    unsigned char *seen; /* each item's receive count */
    long long received;  /* by all consumers */
    int producer_done;
} queue_tally;

typedef struct consumer {
    int port;
    int use_blmpop;
    queue_tally *tally;
    long long received;
    long long out_of_order;
    char error[256];
} consumer;

static void *consume(void *argument)
{
    consumer *self = argument;
    redisContext *context = redisConnect("127.0.0.1", self->port);
    if (context == NULL || context->err) {
        snprintf(self->error, sizeof self->error, "consumer could not connect");
        if (context)
            redisFree(context);
        return NULL;
    }
    struct timeval timeout = {30, 0};
    redisSetTimeout(context, timeout);
    long long previous = -1;
    for (;;) {
        redisReply *reply = self->use_blmpop
                                ? redisCommand(context, "BLMPOP 0.5 1 work LEFT COUNT 37")
                                : redisCommand(context, "BLPOP work 0.5");
        if (reply == NULL) {
            snprintf(self->error, sizeof self->error, "consumer lost its connection: %s",
                     context->errstr);
            break;
        }
        if (reply->type == REDIS_REPLY_NIL) {
            freeReplyObject(reply);
            pthread_mutex_lock(&self->tally->lock);
            int finished = self->tally->producer_done || self->tally->received >= QUEUE_ITEMS;
            pthread_mutex_unlock(&self->tally->lock);
            if (finished)
                break; /* the other consumer took the last items */
            continue;
        }
        if (reply->type != REDIS_REPLY_ARRAY || reply->elements != 2) {
            snprintf(self->error, sizeof self->error, "unexpected reply type %d", reply->type);
            freeReplyObject(reply);
            break;
        }
        redisReply **items = &reply->element[1];
        size_t count = 1;
        if (self->use_blmpop) {
            items = reply->element[1]->element;
            count = reply->element[1]->elements;
        }
        for (size_t i = 0; i < count; i++) {
            long long item = atoll(items[i]->str);
            if (item < 0 || item >= QUEUE_ITEMS) {
                snprintf(self->error, sizeof self->error, "item out of range: %s", items[i]->str);
                continue;
            }
            if (item <= previous)
                self->out_of_order++;
            previous = item;
            pthread_mutex_lock(&self->tally->lock);
            self->tally->seen[item]++;
            self->tally->received++;
            pthread_mutex_unlock(&self->tally->lock);
            self->received++;
        }
        freeReplyObject(reply);
        pthread_mutex_lock(&self->tally->lock);
        int finished = self->tally->received >= QUEUE_ITEMS;
        pthread_mutex_unlock(&self->tally->lock);
        if (finished)
            break;
    }
    redisFree(context);
    return NULL;
}

/* One producer pushing 100k numbered items in pipelined bursts (with
 * pauses, so consumers keep blocking and waking), two consumers popping
 * concurrently with BLPOP and BLMPOP: every item arrives exactly once, and
 * each consumer sees its items in the order they were pushed. */
static void producer_and_consumers_lose_nothing(void **state)
{
    fixture *f = *state;
    queue_tally tally = {.lock = PTHREAD_MUTEX_INITIALIZER, .seen = calloc(QUEUE_ITEMS, 1)};
    assert_non_null(tally.seen);
    consumer consumers[2];
    pthread_t threads[2];
    for (int i = 0; i < 2; i++) {
        memset(&consumers[i], 0, sizeof consumers[i]);
        consumers[i].port = server_port(f->server);
        consumers[i].use_blmpop = i;
        consumers[i].tally = &tally;
        assert_int_equal(pthread_create(&threads[i], NULL, consume, &consumers[i]), 0);
    }
    wait_for_blocked(f->context, 2);
    redisContext *producer = server_connect(f->server);
    assert_non_null(producer);
    const int burst = 500;
    for (int first = 0; first < QUEUE_ITEMS; first += burst) {
        for (int item = first; item < first + burst && item < QUEUE_ITEMS; item++)
            assert_int_equal(redisAppendCommand(producer, "RPUSH work %d", item), REDIS_OK);
        for (int item = first; item < first + burst && item < QUEUE_ITEMS; item++) {
            redisReply *reply = reply_read(producer);
            assert_int_equal(reply->type, REDIS_REPLY_INTEGER);
            freeReplyObject(reply);
        }
        if ((first / burst) % 20 == 0)
            usleep(5000);
    }
    redisFree(producer);
    pthread_mutex_lock(&tally.lock);
    tally.producer_done = 1;
    pthread_mutex_unlock(&tally.lock);
    for (int i = 0; i < 2; i++)
        assert_int_equal(pthread_join(threads[i], NULL), 0);
    for (int i = 0; i < 2; i++) {
        if (consumers[i].error[0])
            fail_msg("consumer %d: %s", i, consumers[i].error);
        assert_int_equal(consumers[i].out_of_order, 0);
    }
    assert_int_equal(consumers[0].received + consumers[1].received, QUEUE_ITEMS);
    long long missing = 0, duplicated = 0;
    for (int item = 0; item < QUEUE_ITEMS; item++) {
        missing += tally.seen[item] == 0;
        duplicated += tally.seen[item] > 1;
    }
    if (missing || duplicated)
        fail_msg("%lld items lost, %lld delivered twice", missing, duplicated);
    /* Both consumers took part. */
    assert_true(consumers[0].received > 0 && consumers[1].received > 0);
    reply_expect_integer(f->context, 0, "EXISTS work");
    free(tally.seen);
}

/* ---- Settings and encodings ------------------------------------------- */

/* --lists.list-max-listpack-size reaches the module and CONFIG SET changes
 * it; lists keep their contents across node sizes. */
static void node_size_setting_applies(void **state)
{
    fixture *f = *state;
    if (against_redis)
        skip();
    redisReply *reply = reply_command(f->context, "CONFIG GET lists.list-max-listpack-size");
    assert_int_equal(reply->type, REDIS_REPLY_ARRAY);
    assert_int_equal(reply->elements, 2);
    assert_string_equal(reply->element[1]->str, "3");
    freeReplyObject(reply);
    for (int i = 0; i < 1000; i++)
        reply_expect_integer(f->context, i + 1, "RPUSH tiny %d", i);
    reply = reply_command(f->context, "CONFIG SET lists.list-max-listpack-size -1");
    assert_int_equal(reply->type, REDIS_REPLY_STATUS);
    freeReplyObject(reply);
    for (int i = 1000; i < 2000; i++)
        reply_expect_integer(f->context, i + 1, "RPUSH tiny %d", i);
    reply = reply_command(f->context, "LRANGE tiny 0 -1");
    assert_int_equal(reply->elements, 2000);
    for (int i = 0; i < 2000; i++)
        assert_int_equal(atoi(reply->element[i]->str), i);
    freeReplyObject(reply);
    reply_expect_integer(f->context, 1990, "LPOS tiny 1990");
    reply = reply_command(f->context, "LTRIM tiny 500 504");
    freeReplyObject(reply);
    reply = reply_command(f->context, "LRANGE tiny 0 -1");
    assert_int_equal(reply->elements, 5);
    assert_string_equal(reply->element[0]->str, "500");
    assert_string_equal(reply->element[4]->str, "504");
    freeReplyObject(reply);
    reply = reply_command(f->context, "CONFIG SET lists.list-max-listpack-size nonsense");
    assert_int_equal(reply->type, REDIS_REPLY_ERROR);
    freeReplyObject(reply);
}

/* Large values and many elements through the blocking path: what arrives
 * is byte-identical to what was pushed. */
static void large_elements_survive_blocking_moves(void **state)
{
    fixture *f = *state;
    size_t length = 300000;
    char *value = malloc(length);
    assert_non_null(value);
    for (size_t i = 0; i < length; i++)
        value[i] = (char)(i * 31 + 7);
    redisContext *waiter = block_client(f, 0, "BLMOVE big-source big-target RIGHT LEFT 0");
    redisReply *reply = reply_command(f->context, "RPUSH big-source %b", value, length);
    freeReplyObject(reply);
    reply = reply_read(waiter);
    assert_int_equal(reply->type, REDIS_REPLY_STRING);
    assert_int_equal(reply->len, length);
    assert_memory_equal(reply->str, value, length);
    freeReplyObject(reply);
    reply = reply_command(f->context, "LINDEX big-target 0");
    assert_int_equal(reply->len, length);
    assert_memory_equal(reply->str, value, length);
    freeReplyObject(reply);
    redisFree(waiter);
    free(value);
}

/* The propagated log (HOOKTEST.PROPAGATED) must be exactly these lines. */
#define EXPECT_PROPAGATED(context, ...) \
    REPLY_EXPECT_STRINGS(context, "HOOKTEST.PROPAGATED", __VA_ARGS__)

/* What replicas and the append-only log would see: blocking commands as
 * the non-blocking command they amounted to, served waiters after the push
 * that served them, nothing for timeouts, LMPOP with its actual count. */
static void blocking_commands_propagate_as_their_effect(void **state)
{
    fixture *f = *state;
    if (against_redis || getenv("DBLITE_BINARY_DIR") == NULL)
        skip();
    redisReply *reply = reply_command(f->context, "HOOKTEST.PROPAGATED");
    freeReplyObject(reply);

    reply = reply_command(f->context, "RPUSH k a b c d e f");
    freeReplyObject(reply);
    reply = reply_command(f->context, "BLPOP k 0");
    freeReplyObject(reply);
    reply = reply_command(f->context, "BRPOP k 0");
    freeReplyObject(reply);
    reply = reply_command(f->context, "BLMOVE k other LEFT RIGHT 0");
    freeReplyObject(reply);
    reply = reply_command(f->context, "BRPOPLPUSH k other 0");
    freeReplyObject(reply);
    reply = reply_command(f->context, "BLMPOP 0 2 none k LEFT COUNT 5");
    freeReplyObject(reply);
    reply = reply_command(f->context, "LMPOP 1 other RIGHT COUNT 1");
    freeReplyObject(reply);
    reply = reply_command(f->context, "BLPOP none 0.01");
    freeReplyObject(reply);
    reply = reply_command(f->context, "LTRIM other 0 -1");
    freeReplyObject(reply);
    reply = reply_command(f->context, "LPOP none");
    freeReplyObject(reply);
    EXPECT_PROPAGATED(f->context, "0 RPUSH k a b c d e f", "0 LPOP k", "0 RPOP k",
                      "0 LMOVE k other LEFT RIGHT", "0 RPOPLPUSH k other", "0 LPOP k 2",
                      "0 RPOP other 1");

    redisContext *popper = block_client(f, 0, "BLPOP w1 0");
    redisContext *mover = block_client(f, 1, "BLMOVE w2 w3 RIGHT LEFT 0");
    redisContext *multi = block_client(f, 2, "BLMPOP 0 1 w3 RIGHT COUNT 3");
    redisContext *rotator = block_client(f, 3, "BRPOPLPUSH w4 w4 0");
    reply = reply_command(f->context, "RPUSH w1 x y");
    freeReplyObject(reply);
    reply = reply_command(f->context, "LPUSH w2 moved");
    freeReplyObject(reply);
    reply = reply_command(f->context, "RPUSH w4 spin");
    freeReplyObject(reply);
    EXPECT_PROPAGATED(f->context, "0 RPUSH w1 x y", "0 LPOP w1", "0 LPUSH w2 moved",
                      "0 LMOVE w2 w3 RIGHT LEFT", "0 RPOP w3 1", "0 RPUSH w4 spin",
                      "0 RPOPLPUSH w4 w4");
    redisContext *clients[] = {popper, mover, multi, rotator};
    for (int i = 0; i < 4; i++) {
        reply = reply_read(clients[i]);
        assert_int_not_equal(reply->type, REDIS_REPLY_ERROR);
        freeReplyObject(reply);
        redisFree(clients[i]);
    }
}

int main(int argc, char **argv)
{
    const char *source_dir = getenv("DBLITE_SOURCE_DIR");
    snprintf(config_path, sizeof config_path, "%s/tests/configs/lists-only.ini",
             source_dir ? source_dir : ".");
    config_name = config_path;
    if (argc > 1)
        config_name = strcmp(argv[1], "-") == 0 ? NULL : argv[1];
    const char *server = getenv("DBLITE_SERVER");
    against_redis = server != NULL && strstr(server, "redis-server") != NULL;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(push_serves_blocked_pop, start_server, stop_server),
        cmocka_unit_test_setup_teardown(waiters_are_served_first_in_first_out, start_server,
                                        stop_server),
        cmocka_unit_test_setup_teardown(waiter_is_served_before_the_next_command, start_server,
                                        stop_server),
        cmocka_unit_test_setup_teardown(swapdb_serves_waiters_of_both_databases, start_server,
                                        stop_server),
        cmocka_unit_test_setup_teardown(timeouts_answer_null, start_server, stop_server),
        cmocka_unit_test_setup_teardown(disconnected_waiter_is_skipped, start_server, stop_server),
        cmocka_unit_test_setup_teardown(blmove_chain_is_served_in_one_push, start_server,
                                        stop_server),
        cmocka_unit_test_setup_teardown(blmpop_count_and_type_changes, start_server, stop_server),
        cmocka_unit_test_setup_teardown(producer_and_consumers_lose_nothing, start_server,
                                        stop_server),
        cmocka_unit_test_setup_teardown(node_size_setting_applies, start_server_with_tiny_nodes,
                                        stop_server),
        cmocka_unit_test_setup_teardown(large_elements_survive_blocking_moves,
                                        start_server_with_tiny_nodes, stop_server),
        cmocka_unit_test_setup_teardown(blocking_commands_propagate_as_their_effect,
                                        start_server_with_propagation_log, stop_server),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
