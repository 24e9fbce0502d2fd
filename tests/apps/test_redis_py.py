# test_redis_py.py - redis-py (python3-redis) transactions as applications
# use them: the default pipeline() (transaction=True: MULTI ... EXEC), its
# error handling, Redis.transaction()'s WATCH helper, and a WATCH retry
# loop where 20 clients each increment one key through WATCH/GET/MULTI/
# SET/EXEC, retrying on WatchError: the final count must be exact, which
# only holds if every EXEC after a concurrent write answers null.
#
# Run against dblite (default) or redis-server (--server redis); see
# app_support.py for the verdict when commands are missing.

import threading

import redis

from app_support import check, run

CLIENTS = 20
INCREMENTS = 25


def scenario_pipeline(r):
    pipe = r.pipeline()  # transaction=True is redis-py's default
    pipe.set("p:a", "1").incr("p:a").rpush("p:list", "x", "y").lrange("p:list", 0, -1)
    pipe.hset("p:hash", mapping={"f": "v", "g": "w"}).hgetall("p:hash").get("p:missing")
    results = pipe.execute()
    check(results == [True, 2, 2, [b"x", b"y"], 2, {b"f": b"v", b"g": b"w"}, None],
          "pipeline results %r" % results)

    # A runtime error inside EXEC is that command's reply; the others run.
    pipe = r.pipeline()
    pipe.set("p:b", "1").lpush("p:a", "wrong type").incr("p:b")
    try:
        pipe.execute()
        check(False, "a WRONGTYPE inside EXEC raised nothing")
    except redis.ResponseError as error:
        check("WRONGTYPE" in str(error), "runtime error text: %s" % error)
    check(r.get("p:b") == b"2", "commands after the runtime error ran")
    results = r.pipeline().set("p:c", "1").lpush("p:a", "x").execute(raise_on_error=False)
    check(results[0] is True and isinstance(results[1], redis.ResponseError),
          "raise_on_error=False results %r" % results)

    # An error while queueing (wrong arity) discards the whole transaction.
    pipe = r.pipeline()
    pipe.set("p:d", "1").execute_command("GET").set("p:e", "1")
    try:
        pipe.execute()
        check(False, "a queueing error raised nothing")
    except redis.ResponseError as error:
        check("wrong number of arguments" in str(error), "queueing error text: %s" % error)
    check(r.exists("p:d", "p:e") == 0, "EXECABORT applied nothing")

    # transaction=False is a plain pipeline: no MULTI, same results.
    results = r.pipeline(transaction=False).incr("p:n").incr("p:n").execute()
    check(results == [1, 2], "non-transactional pipeline %r" % results)


def scenario_transaction_helper(r):
    r.set("t:balance", "100")

    def withdraw(pipe):
        balance = int(pipe.get("t:balance"))
        pipe.multi()
        pipe.set("t:balance", balance - 30)
        pipe.rpush("t:log", "withdrew 30")

    results = r.transaction(withdraw, "t:balance")
    check(results == [True, 1], "transaction() results %r" % results)
    check(r.get("t:balance") == b"70", "balance after the transaction")

    # A write by another client between WATCH and EXEC aborts EXEC.
    other = redis.Redis(port=r.connection_pool.connection_kwargs["port"])
    with r.pipeline() as pipe:
        pipe.watch("t:balance")
        other.set("t:balance", "0")
        pipe.multi()
        pipe.set("t:balance", "999")
        try:
            pipe.execute()
            check(False, "EXEC ran although the watched key changed")
        except redis.WatchError:
            pass
    check(r.get("t:balance") == b"0", "the aborted transaction wrote nothing")
    other.close()


def scenario_watch_loop(port):
    redis.Redis(port=port).set("counter", "0")
    retries = [0] * CLIENTS
    errors = []

    def worker(index):
        client = redis.Redis(port=port, socket_timeout=120)
        try:
            with client.pipeline() as pipe:
                for _ in range(INCREMENTS):
                    while True:
                        try:
                            pipe.watch("counter")
                            value = int(pipe.get("counter"))
                            pipe.multi()
                            pipe.set("counter", value + 1)
                            pipe.execute()
                            break
                        except redis.WatchError:
                            retries[index] += 1
        except Exception as error:  # noqa: BLE001 - reported to the main thread
            errors.append("client %d: %r" % (index, error))
        finally:
            client.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise RuntimeError("; ".join(errors))
    final = int(redis.Redis(port=port).get("counter"))
    print("watch loop: %d clients x %d increments, %d retries, final %d"
          % (CLIENTS, INCREMENTS, sum(retries), final))
    check(final == CLIENTS * INCREMENTS, "final count %d, expected %d"
          % (final, CLIENTS * INCREMENTS))


def scenario(server, evidence):
    r = redis.Redis(port=server.port, socket_timeout=120)
    scenario_pipeline(r)
    scenario_transaction_helper(r)
    scenario_watch_loop(server.port)
    r.close()


if __name__ == "__main__":
    run("redis-py", ["multi", "exec", "discard", "watch", "unwatch"], scenario)
