# test_django_redis.py - Django's cache API through django-redis
# (python3-django-redis), configured by a minimal settings module made
# here (settings.configure): set/get/add/delete, incr/decr, set_many/
# get_many/delete_many, ttl/expire/persist/touch, keys/iter_keys/
# delete_pattern, get_or_set, has_key, pickled values, a second
# database, clear; values are checked both through the cache and as the
# raw keys django-redis writes (":1:" prefix and version).
#
# Run against dblite (default) or redis-server (--server redis); see
# app_support.py for the verdict when commands are missing.

import datetime
import time

import django
from django.conf import settings

from app_support import Part, check, run

# Commands django-redis 5.2 uses (seen through --list-commands against
# redis-server) that a server may lack.  incr/decr run a Lua script (EVAL)
# so that a key expiring between its EXISTS check and INCRBY is not
# recreated without its timeout: they are a part of their own.
NEEDS_COUNTERS = ["eval", "ttl", "set", "get"]
NEEDS = ["scan", "keys", "mget", "ttl", "pttl", "expire", "pexpire", "persist",
         "flushdb", "dbsize", "select", "multi", "exec"]


def configure(port):
    settings.configure(
        CACHES={
            "default": {
                "BACKEND": "django_redis.cache.RedisCache",
                "LOCATION": "redis://127.0.0.1:%d/0" % port,
                "OPTIONS": {"CLIENT_CLASS": "django_redis.client.DefaultClient",
                            "SOCKET_TIMEOUT": 60},
            },
            "second": {
                "BACKEND": "django_redis.cache.RedisCache",
                "LOCATION": "redis://127.0.0.1:%d/3" % port,
                "KEY_PREFIX": "app",
            },
        },
        USE_TZ=True,
    )
    django.setup()


def connections(port):
    if not settings.configured:
        configure(port)
    from django.core.cache import caches
    from django_redis import get_redis_connection

    return caches, get_redis_connection


def scenario_counters(server, evidence):
    caches, get_redis_connection = connections(server.port)
    cache = caches["default"]
    cache.set("visits", 10, timeout=300)
    check(cache.incr("visits") == 11 and cache.incr("visits", 5) == 16, "incr")
    check(cache.decr("visits", 6) == 10, "decr")
    check(get_redis_connection("default").get(":1:visits") == b"10",
          "integers are stored as plain numbers")
    check(0 < cache.ttl("visits") <= 300, "incr keeps the timeout")
    try:
        cache.incr("absent")
        check(False, "incr of a missing key raised nothing")
    except ValueError:
        pass
    check(cache.get("absent") is None, "incr did not create the missing key")


def scenario_cache(server, evidence):
    caches, get_redis_connection = connections(server.port)
    cache = caches["default"]
    raw = get_redis_connection("default")

    cache.set("greeting", "hello", timeout=None)
    check(cache.get("greeting") == "hello", "get after set")
    check(raw.ttl(":1:greeting") == -1, "timeout=None stores without expiry")
    check(cache.get("absent", "fallback") == "fallback", "get's default")
    check(cache.add("greeting", "other") is False, "add keeps an existing key")
    check(cache.add("fresh", 1) is True, "add creates a missing key")
    check(cache.has_key("fresh") and not cache.has_key("absent"), "has_key")

    cache.set_many({"a": 1, "b": [1, 2, 3], "c": {"k": "v"}}, timeout=300)
    check(cache.get_many(["a", "b", "c", "absent"]) == {"a": 1, "b": [1, 2, 3], "c": {"k": "v"}},
          "get_many")
    when = datetime.datetime(2024, 5, 1, 12, 30, tzinfo=datetime.timezone.utc)
    cache.set("when", when)
    check(cache.get("when") == when, "a pickled datetime round-trips")

    ttl = cache.ttl("a")
    check(0 < ttl <= 300, "ttl %r" % ttl)
    check(cache.ttl("greeting") is None, "ttl of a key without expiry is None")
    check(cache.ttl("absent") == 0, "ttl of a missing key is 0")
    check(cache.expire("greeting", 100) and 0 < cache.ttl("greeting") <= 100, "expire")
    check(cache.persist("greeting") and cache.ttl("greeting") is None, "persist")
    check(cache.touch("a", 50) and 0 < cache.ttl("a") <= 50, "touch")
    check(cache.pttl("a") > 0, "pttl")

    cache.set("short", "lived", timeout=1)
    check(cache.get("short") == "lived", "short-lived key readable at once")
    deadline_ok = False
    for _ in range(200):
        if cache.get("short") is None:
            deadline_ok = True
            break
        time.sleep(0.05)
    check(deadline_ok, "a key with timeout=1 expires")

    for i in range(30):
        cache.set("session:%d" % i, i)
    check(sorted(cache.keys("session:*")) == sorted("session:%d" % i for i in range(30)),
          "keys(pattern)")
    check(sorted(cache.iter_keys("session:1*")) ==
          sorted(["session:1"] + ["session:1%d" % i for i in range(10)]), "iter_keys (SCAN)")
    check(cache.delete_pattern("session:2*") == 11, "delete_pattern count")
    check(len(cache.keys("session:*")) == 19, "delete_pattern removed its keys")

    check(cache.delete("fresh") is True and cache.get("fresh") is None, "delete")
    check(cache.delete("fresh") is False, "delete of a missing key")
    cache.delete_many(["a", "b"])
    check(cache.get_many(["a", "b", "c"]) == {"c": {"k": "v"}}, "delete_many")
    check(cache.get_or_set("computed", lambda: 42) == 42, "get_or_set computes")
    check(cache.get_or_set("computed", lambda: 0) == 42, "get_or_set keeps")

    cache.set("versioned", "v1", version=1)
    cache.set("versioned", "v2", version=2)
    check(cache.get("versioned", version=2) == "v2" and cache.get("versioned") == "v1",
          "versions are separate keys")

    second = caches["second"]
    second.set("shared", "in db 3")
    check(second.get("shared") == "in db 3" and cache.get("shared") is None,
          "a cache in another database")
    check(get_redis_connection("second").get("app:1:shared") is not None,
          "KEY_PREFIX and the database number reach the server")

    cache.clear()
    check(cache.get("greeting") is None and raw.dbsize() == 0, "clear empties database 0")
    check(second.get("shared") == "in db 3", "clear leaves database 3")


if __name__ == "__main__":
    run("django-redis", [Part("django-redis cache API", NEEDS, scenario_cache),
                         Part("django-redis incr/decr", NEEDS_COUNTERS, scenario_counters)])
