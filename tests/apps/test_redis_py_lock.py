# test_redis_py_lock.py - redis-py's Lock (redis.lock.Lock), the distributed
# lock most Python applications take (Django's cache.lock, Celery's once
# helpers): acquire is SET NX PX, while release, extend and reacquire are
# Lua scripts redis-py registers (EVALSHA, EVAL again after NOSCRIPT).
# What is checked, against dblite and against redis-server alike:
#  - acquire/locked/owned, a second lock on the same name refused
#    (blocking=False, and blocking_timeout running out);
#  - extend (adds to the TTL), extend with replace_ttl, reacquire (resets
#    it), each refused with LockNotOwnedError once the token changed;
#  - release, a second release refused, a release after expiry refused;
#  - the scripts survive SCRIPT FLUSH (redis-py reloads them);
#  - 8 threads x 25 increments of a plain GET/SET counter under the lock:
#    the final count is exact only if the lock excludes.
#
# Run against dblite (default) or redis-server (--server redis); see
# app_support.py for the verdict when commands are missing.

import threading
import time

import redis
from redis.exceptions import LockError, LockNotOwnedError

from app_support import check, run

NEEDS = ["eval", "evalsha", "script"]
THREADS = 8
INCREMENTS = 25


def scenario_basic(r):
    lock = r.lock("resource", timeout=10)
    check(lock.acquire(blocking=False) is True, "first acquire")
    check(lock.locked() and lock.owned(), "locked and owned after acquire")
    token = r.get("resource")
    check(token is not None and token == lock.local.token, "the token is the key's value")
    other = r.lock("resource", timeout=10)
    check(other.acquire(blocking=False) is False, "a second lock is refused")
    started = time.monotonic()
    check(other.acquire(blocking_timeout=0.3, sleep=0.05) is False, "blocking_timeout runs out")
    check(time.monotonic() - started >= 0.2, "blocking_timeout waited")
    check(not other.owned(), "the refused lock owns nothing")

    check(lock.extend(20) is True, "extend")
    ttl = r.pttl("resource")
    check(20000 < ttl <= 30000, "extend adds to the TTL (pttl %d)" % ttl)
    check(lock.extend(5, replace_ttl=True) is True, "extend replace_ttl")
    ttl = r.pttl("resource")
    check(0 < ttl <= 5000, "replace_ttl sets the TTL (pttl %d)" % ttl)
    check(lock.reacquire() is True, "reacquire")
    ttl = r.pttl("resource")
    check(5000 < ttl <= 10000, "reacquire resets the TTL to timeout (pttl %d)" % ttl)

    lock.release()
    check(r.exists("resource") == 0 and not lock.locked(), "release deletes the key")
    try:
        lock.release()
        check(False, "a second release raised nothing")
    except LockError:
        pass

    # Another owner's token: every script refuses and leaves the key.
    check(lock.acquire(blocking=False) is True, "acquire again")
    r.set("resource", "someone else", px=10000)
    for name, action in (("extend", lambda: lock.extend(5)),
                         ("reacquire", lock.reacquire), ("release", lock.release)):
        try:
            action()
            check(False, "%s of a lock owned by another token raised nothing" % name)
        except LockNotOwnedError:
            pass
    check(r.get("resource") == b"someone else", "the other owner's key is untouched")
    r.delete("resource")

    # Expiry frees the lock for the next owner; the late release is refused.
    short = r.lock("short", timeout=0.2)
    check(short.acquire(blocking=False), "acquire a short lock")
    time.sleep(0.4)
    check(not short.locked(), "the short lock expired")
    taker = r.lock("short", timeout=10)
    check(taker.acquire(blocking=False), "the expired lock is free")
    try:
        short.release()
        check(False, "a release after expiry raised nothing")
    except LockNotOwnedError:
        pass
    check(taker.owned(), "the new owner still holds it")
    taker.release()

    # The script cache emptied under redis-py: it loads the scripts again.
    check(lock.acquire(blocking=False), "acquire before SCRIPT FLUSH")
    r.script_flush()
    check(lock.extend(1) is True, "extend after SCRIPT FLUSH")
    lock.release()
    check(r.exists("resource") == 0, "release after SCRIPT FLUSH")

    with r.lock("ctx", timeout=5) as held:
        check(held.owned(), "context manager acquires")
    check(r.exists("ctx") == 0, "context manager releases")


def scenario_exclusion(port):
    redis.Redis(port=port).set("counter", "0")
    errors = []

    def worker():
        client = redis.Redis(port=port, socket_timeout=120)
        try:
            for _ in range(INCREMENTS):
                with client.lock("counter-lock", timeout=30, sleep=0.001,
                                 blocking_timeout=120):
                    value = int(client.get("counter"))
                    client.set("counter", value + 1)
        except Exception as error:  # noqa: BLE001 - reported to the main thread
            errors.append(repr(error))
        finally:
            client.close()

    threads = [threading.Thread(target=worker) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise RuntimeError("; ".join(errors))
    final = int(redis.Redis(port=port).get("counter"))
    check(final == THREADS * INCREMENTS, "final count %d, expected %d"
          % (final, THREADS * INCREMENTS))


def scenario(server, evidence):
    r = redis.Redis(port=server.port, socket_timeout=120)
    scenario_basic(r)
    scenario_exclusion(server.port)
    r.close()


if __name__ == "__main__":
    run("redis-py Lock", NEEDS, scenario)
