#!/usr/bin/env python3
# test_geo.py - randomized differential test of the geo commands: the same
# random points (spread over the globe, packed in small clusters, near the
# poles' limits and the antimeridian) are added to a stock redis-server 7.0
# and to dblite, in both sorted-set encodings, then random GEOSEARCH,
# GEOSEARCHSTORE, GEORADIUS(_RO), GEORADIUSBYMEMBER(_RO), GEODIST, GEOHASH
# and GEOPOS calls (every unit, shape, sort, COUNT [ANY] and WITH* option),
# between GEOADD NX/XX/CH edits and ZREMs, must get byte-identical replies,
# in RESP2 and RESP3.  Stored results are read back with ZRANGE WITHSCORES
# and OBJECT ENCODING.
#
# Usage: test_geo.py [--seed N] [--rounds N]   (the seed is printed, so a
# failure can be replayed).  Exits 1 on any mismatch.

import argparse
import math
import os
import random
import shutil
import sys

sys.dont_write_bytecode = True
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "diff"))

from raw_client import Client, check, failures  # noqa: E402
from resp_wire import escape  # noqa: E402
from run_diff import default_paths  # noqa: E402
from server_runner import ServerProcess  # noqa: E402

LAT_LIMIT = 85.05112878
UNITS = ["m", "km", "ft", "mi", "KM", "Mi"]
UNIT_METERS = {"m": 1, "km": 1000, "ft": 0.3048, "mi": 1609.34}


def number(value):
    """A coordinate or size as a client would type it."""
    return repr(round(value, random.choice([0, 3, 6, 9, 14])))


class Pair:
    """The same connection shape on both servers: RESP2 and RESP3 each."""

    def __init__(self, redis_server, dblite_server):
        self.clients = []
        for protocol in (2, 3):
            redis_client, dblite_client = Client(redis_server), Client(dblite_server)
            if protocol == 3:
                redis_client.call("HELLO", "3")
                dblite_client.call("HELLO", "3")
            self.clients.append((protocol, redis_client, dblite_client))
        self.compared = 0
        self.substantial = 0  # replies holding more than an empty or short answer

    def same(self, *arguments, protocols=(2, 3)):
        replies = None
        for protocol, redis_client, dblite_client in self.clients:
            if protocol not in protocols:
                continue
            want = redis_client.call(*arguments)
            got = dblite_client.call(*arguments)
            self.compared += 1
            check(want == got, "[RESP%d] %s\n    redis:  %s\n    dblite: %s" % (
                protocol, " ".join(str(a) for a in arguments), escape(want), escape(got)))
            replies = want
            if len(want) > 64:
                self.substantial += 1
        return replies

    def both(self, *arguments):
        """Runs a setup command on both servers (RESP2 connection)."""
        return self.same(*arguments, protocols=(2,))


def random_point():
    kind = random.random()
    if kind < 0.15:  # near the latitude limits
        return random.uniform(-180, 180), random.choice([-1, 1]) * random.uniform(80, LAT_LIMIT)
    if kind < 0.3:  # near the antimeridian
        return random.choice([-1, 1]) * random.uniform(175, 180), random.uniform(-60, 60)
    return random.uniform(-180, 180), random.uniform(-LAT_LIMIT, LAT_LIMIT)


def cluster_points(count):
    longitude, latitude = random_point()
    spread = random.choice([0.001, 0.01, 0.1, 1.0])
    points = []
    for _ in range(count):
        x = min(180, max(-180, longitude + random.uniform(-spread, spread)))
        y = min(LAT_LIMIT, max(-LAT_LIMIT, latitude + random.uniform(-spread, spread)))
        points.append((x, y))
    return points


def fill(pair, key, members):
    """Adds random points under key; returns their names."""
    points = []
    while len(points) < members:
        if random.random() < 0.5:
            points += cluster_points(random.randint(5, 60))
        else:
            points.append(random_point())
    points = points[:members]
    names = []
    for start in range(0, len(points), 50):
        arguments = ["GEOADD", key]
        for index, (x, y) in enumerate(points[start:start + 50], start):
            name = str(index) if random.random() < 0.2 else "p%d-%d" % (index, random.randint(0, 999))
            names.append(name)
            arguments += [number(x), number(y), name]
        pair.both(*arguments)
    return names


def search_options(store=False):
    options = []
    if not store:
        for option in ("WITHDIST", "WITHHASH", "WITHCOORD"):
            if random.random() < 0.4:
                options.append(option)
    if random.random() < 0.5:
        options.append(random.choice(["ASC", "DESC"]))
    if random.random() < 0.4:
        options += ["COUNT", str(random.choice([1, 2, 5, 10, 50, 1000]))]
        if random.random() < 0.4:
            options.append("ANY")
    random.shuffle(options) if random.random() < 0.2 and "COUNT" not in options else None
    return options


def random_radius():
    unit = random.choice(UNITS)
    meters = 10 ** random.uniform(0, 7.3)
    if random.random() < 0.05:
        meters = 0
    return number(meters / UNIT_METERS[unit.lower()]), unit


def random_center(names):
    if random.random() < 0.5:
        return ["FROMMEMBER", random.choice(names)]
    x, y = random_point()
    return ["FROMLONLAT", number(x), number(y)]


def random_area():
    if random.random() < 0.5:
        return ["BYRADIUS", *random_radius()]
    unit = random.choice(UNITS)
    width = 10 ** random.uniform(0, 7.3) / UNIT_METERS[unit.lower()]
    height = 10 ** random.uniform(0, 7.3) / UNIT_METERS[unit.lower()]
    return ["BYBOX", number(width), number(height), unit]


def read_back(pair, key):
    """Everything stored under key, with its scores and encoding."""
    pair.same("ZRANGE", key, "0", "-1", "WITHSCORES")
    pair.same("OBJECT", "ENCODING", key)
    pair.same("EXISTS", key)


def edit(pair, names):
    """Moves, adds (NX/XX/CH) and removes some points."""
    choice = random.random()
    if choice < 0.5:
        arguments = ["GEOADD", "geo"]
        for option in ("NX", "XX", "CH"):
            if random.random() < 0.25:
                arguments.append(option)
        if "NX" in arguments and "XX" in arguments:
            arguments.remove("NX")
        for _ in range(random.randint(1, 4)):
            x, y = random_point()
            name = random.choice(names) if random.random() < 0.6 else "n%d" % random.randint(0, 99)
            if name not in names:
                names.append(name)
            arguments += [number(x), number(y), name]
        pair.same(*arguments)
    else:
        victims = random.sample(names, min(len(names) - 1, random.randint(1, 3)))
        if victims:
            pair.same("ZREM", "geo", *victims)


def one_query(pair, names):
    choice = random.random()
    if choice < 0.35:
        pair.same("GEOSEARCH", "geo", *random_center(names), *random_area(), *search_options())
    elif choice < 0.45:
        store = ["STOREDIST"] if random.random() < 0.5 else []
        pair.same("GEOSEARCHSTORE", "dest", "geo", *random_center(names), *random_area(),
                  *search_options(store=True), *store)
        read_back(pair, "dest")
        if random.random() < 0.1:  # a store into its own source
            pair.same("GEOSEARCHSTORE", "geo", "geo", *random_center(names), *random_area())
            read_back(pair, "geo")
    elif choice < 0.6:
        x, y = random_point()
        command = random.choice(["GEORADIUS", "GEORADIUS_RO"])
        pair.same(command, "geo", number(x), number(y), *random_radius(), *search_options())
    elif choice < 0.7:
        command = random.choice(["GEORADIUSBYMEMBER", "GEORADIUSBYMEMBER_RO"])
        pair.same(command, "geo", random.choice(names), *random_radius(), *search_options())
    elif choice < 0.75:
        x, y = random_point()
        store = random.choice(["STORE", "STOREDIST"])
        pair.same("GEORADIUS", "geo", number(x), number(y), *random_radius(),
                  *search_options(store=True), store, "dest")
        read_back(pair, "dest")
    elif choice < 0.85:
        unit = random.choice(UNITS + [None])
        pair.same("GEODIST", "geo", random.choice(names), random.choice(names),
                  *([unit] if unit else []))
    elif choice < 0.93:
        pair.same("GEOHASH", "geo", *random.sample(names, min(len(names), 5)), "missing")
    else:
        pair.same("GEOPOS", "geo", *random.sample(names, min(len(names), 5)), "missing")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--rounds", type=int, default=12)
    parser.add_argument("--queries", type=int, default=150)
    options = parser.parse_args()
    seed = options.seed if options.seed is not None else random.randrange(1 << 30)
    print("seed %d" % seed)
    random.seed(seed)

    redis_binary = shutil.which("redis-server")
    if not redis_binary:
        print("redis-server not found (scripts/install-deps.sh installs it)")
        return 2
    source_dir, config_dir, binary, module_path = default_paths()
    config = os.path.join(config_dir, "dblite.ini")
    with ServerProcess("redis", redis_binary) as redis_server, \
            ServerProcess("dblite", binary, config, module_path,
                          ["--persistence.save", ""]) as dblite_server:
        pair = Pair(redis_server, dblite_server)
        for round_number in range(options.rounds):
            pair.both("FLUSHALL")
            # Even rounds packed (up to 128 members stay listpack), odd ones
            # skiplists from the first member.
            entries = "128" if round_number % 2 == 0 else "0"
            pair.both("CONFIG", "SET", "zset-max-listpack-entries", entries)
            members = random.choice([3, 20, 100, 120, 400, 1500])
            names = fill(pair, "geo", members)
            pair.same("OBJECT", "ENCODING", "geo")
            for _ in range(options.queries):
                if random.random() < 0.1:
                    edit(pair, names)
                one_query(pair, names)
                if len(failures) > 20:
                    break
        print("%d replies compared (%d of them long), %d mismatches" % (
            pair.compared, pair.substantial, len(failures)))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
