#!/usr/bin/env python3
# test_zsets.py - randomized model test of the core sorted-set commands:
# thousands of random ZADD (NX XX GT LT CH INCR), ZINCRBY, ZREM,
# ZREMRANGEBYRANK/SCORE/LEX and ZRANGESTORE runs, each reply checked
# against a python model of the sets, interleaved with every reading form
# (ZRANGE by rank/score/lex with REV, LIMIT and WITHSCORES, the older
# ZRANGEBYSCORE ... ZREVRANGE, ZCOUNT, ZLEXCOUNT, ZRANK, ZREVRANK, ZSCORE,
# ZMSCORE, ZCARD) and a full comparison of every key after each round.
# The sets cross the packed/skiplist conversion both ways it can happen:
# by size (zset-max-listpack-entries set low, then the default 128 with
# sets of up to ~300 members) and by member length (a member longer than
# zset-max-listpack-value), and OBJECT ENCODING must follow the model's
# rule (packed until it outgrows a limit, never back except ZRANGESTORE).
#
# redis-py (python3-redis, for /usr/bin/python3) with its reply parsing
# turned off, so scores are compared as the server's exact text.  Runs
# against dblite by default, or --server redis to check the model itself
# against a stock redis-server.  Exits 1 on the first mismatch (with the
# seed and the command), 0 when every check passed.

import argparse
import os
import random
import shutil
import sys

sys.dont_write_bytecode = True
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "diff"))

import redis  # noqa: E402

from server_runner import ServerProcess  # noqa: E402

KEYS = [b"za", b"zb", b"zc"]
LEX_KEY = b"zlex"
MAX_VALUE = 64  # zset-max-listpack-value, left at its default


class Mismatch(Exception):
    pass


def fmt(score):
    """A score as Redis 7.0 writes it: %.17g, inf/-inf."""
    if score == float("inf"):
        return b"inf"
    if score == float("-inf"):
        return b"-inf"
    return (b"%.17g" % score)


class ModelSet:
    def __init__(self):
        self.scores = {}
        self.packed = True

    def ordered(self):
        return sorted(self.scores.items(), key=lambda item: (item[1], item[0]))


class Model:
    def __init__(self):
        self.sets = {}
        self.max_entries = 128

    def get(self, key):
        return self.sets.get(key)

    def create(self, key, first_member):
        zset = ModelSet()
        zset.packed = self.max_entries > 0 and len(first_member) <= MAX_VALUE
        self.sets[key] = zset
        return zset

    def after_add(self, zset, member):
        if zset.packed and (len(zset.scores) > self.max_entries or len(member) > MAX_VALUE):
            zset.packed = False

    def drop_if_empty(self, key):
        if key in self.sets and not self.sets[key].scores:
            del self.sets[key]


class Tester:
    def __init__(self, client, seed):
        self.r = client
        self.rng = random.Random(seed)
        self.seed = seed
        self.model = Model()
        self.checks = 0
        self.growing = False  # a round that fills the sets past 128

    # ---- helpers ----

    def call(self, *args):
        return self.r.execute_command(*args)

    def expect(self, args, expected):
        try:
            got = self.call(*args)
        except redis.ResponseError as error:
            got = ("error", str(error))
        self.checks += 1
        if got != expected:
            raise Mismatch("seed %d: %s\n  expected %r\n  got      %r" % (
                self.seed, b" ".join(a if isinstance(a, bytes) else str(a).encode()
                                     for a in args).decode("latin-1"), expected, got))

    def random_score(self):
        choice = self.rng.random()
        if choice < 0.02:
            return self.rng.choice([float("inf"), float("-inf")])
        if choice < 0.5:
            return float(self.rng.randint(-20, 20))
        return self.rng.randint(-80, 80) / 4.0

    def score_text(self, score):
        if score == float("inf"):
            return self.rng.choice([b"inf", b"+inf"])
        if score == float("-inf"):
            return b"-inf"
        return fmt(score)

    def random_member(self, long_ok=True):
        if long_ok and self.rng.random() < 0.01:
            return b"long-" + b"x" * self.rng.randint(60, 70)
        return b"m%d" % self.rng.randint(0, 400)

    def members_of(self, key):
        zset = self.model.get(key)
        return list(zset.scores) if zset else []

    def pick_member(self, key):
        members = self.members_of(key)
        if members and self.rng.random() < 0.8:
            return self.rng.choice(members)
        return self.random_member()

    # ---- writes ----

    def op_zadd(self, key):
        flags = [f for f in (b"NX", b"XX", b"GT", b"LT", b"CH") if self.rng.random() < 0.15]
        incr = self.rng.random() < 0.15
        nx, xx, gt, lt, ch = (f in flags for f in (b"NX", b"XX", b"GT", b"LT", b"CH"))
        count = 1 if incr else self.rng.randint(1, 40 if self.growing else 12)
        pairs = [(self.random_score(), self.pick_member(key)) for _ in range(count)]
        args = [b"ZADD", key] + flags + ([b"INCR"] if incr else [])
        for score, member in pairs:
            args += [self.score_text(score), member]
        if nx and xx:
            return self.expect(args, ("error", "XX and NX options at the same time are not compatible"))
        if (gt and nx) or (lt and nx) or (gt and lt):
            return self.expect(args, ("error", "GT, LT, and/or NX options at the same time are not compatible"))
        zset = self.model.get(key)
        if zset is None:
            if xx:
                return self.expect(args, None if incr else 0)
            zset = self.model.create(key, pairs[0][1])
        added = updated = 0
        result = None
        for score, member in pairs:
            current = zset.scores.get(member)
            if current is None:
                if xx:
                    continue
                zset.scores[member] = score
                self.model.after_add(zset, member)
                added += 1
                result = score
                continue
            if nx:
                continue
            if incr:
                score = current + score
                if score != score:
                    return self.expect(args, ("error", "resulting score is not a number (NaN)"))
            if (lt and score >= current) or (gt and score <= current):
                continue
            result = score
            if score != current:
                zset.scores[member] = score
                updated += 1
        if incr:
            expected = fmt(result) if result is not None else None
        else:
            expected = added + updated if ch else added
        self.expect(args, expected)

    def op_zincrby(self, key):
        member = self.pick_member(key)
        increment = self.random_score()
        args = [b"ZINCRBY", key, self.score_text(increment), member]
        zset = self.model.get(key) or self.model.create(key, member)
        current = zset.scores.get(member)
        new = increment if current is None else current + increment
        if new != new:
            self.model.drop_if_empty(key)
            return self.expect(args, ("error", "resulting score is not a number (NaN)"))
        zset.scores[member] = new
        self.model.after_add(zset, member)
        self.expect(args, fmt(new))

    def op_zrem(self, key):
        members = [self.pick_member(key) for _ in range(self.rng.randint(1, 5))]
        zset = self.model.get(key)
        removed = 0
        if zset:
            for member in members:
                if member in zset.scores:
                    del zset.scores[member]
                    removed += 1
                    if not zset.scores:
                        break
            self.model.drop_if_empty(key)
        self.expect([b"ZREM", key] + members, removed)

    def op_zremrange(self, key):
        zset = self.model.get(key)
        ordered = zset.ordered() if zset else []
        kind = self.rng.choice(["rank", "score", "lex"] if key == LEX_KEY else ["rank", "score"])
        if kind == "rank":
            start, end, text = self.random_indices(len(ordered))
            doomed = ordered[rank_slice(len(ordered), start, end)]
            args = [b"ZREMRANGEBYRANK", key] + text
        elif kind == "score":
            lo, hi, text = self.random_score_range()
            doomed = [e for e in ordered if in_score_range(e[1], lo, hi)]
            args = [b"ZREMRANGEBYSCORE", key] + text
        else:
            lo, hi, text = self.random_lex_range()
            doomed = [e for e in ordered if in_lex_range(e[0], lo, hi)]
            args = [b"ZREMRANGEBYLEX", key] + text
        for member, _ in doomed:
            del zset.scores[member]
        self.model.drop_if_empty(key)
        self.expect(args, len(doomed))

    def op_zrangestore(self, key):
        # Never into the lex key, whose scores must stay equal.
        destination = self.rng.choice(KEYS + [b"zdst"])
        selected, tail = self.random_request(key)
        if selected:
            zset = ModelSet()
            zset.scores = dict(selected)
            zset.packed = (len(selected) <= self.model.max_entries and
                           all(len(m) <= MAX_VALUE for m, _ in selected))
            self.model.sets[destination] = zset
        else:
            self.model.sets.pop(destination, None)
        self.expect([b"ZRANGESTORE", destination, key] + tail, len(selected))

    # ---- ranges ----

    def random_indices(self, length):
        pick = lambda: self.rng.choice([  # noqa: E731
            self.rng.randint(-length - 3, length + 3), 0, -1, length, -length - 1,
            self.rng.choice([9223372036854775807, -9223372036854775808])])
        start, end = pick(), pick()
        return start, end, [b"%d" % start, b"%d" % end]

    def random_bound(self):
        if self.rng.random() < 0.1:
            value = self.rng.choice([float("inf"), float("-inf")])
        else:
            value = self.rng.randint(-90, 90) / 4.0
        exclusive = self.rng.random() < 0.3
        return value, exclusive, (b"(" if exclusive else b"") + self.score_text(value)

    def random_score_range(self):
        lo, lo_ex, lo_text = self.random_bound()
        hi, hi_ex, hi_text = self.random_bound()
        if self.rng.random() < 0.6 and lo > hi:
            lo, lo_ex, lo_text, hi, hi_ex, hi_text = hi, hi_ex, hi_text, lo, lo_ex, lo_text
        return (lo, lo_ex), (hi, hi_ex), [lo_text, hi_text]

    def random_lex_bound(self):
        choice = self.rng.random()
        if choice < 0.1:
            return ("-",), b"-"
        if choice < 0.2:
            return ("+",), b"+"
        member = self.random_member(long_ok=False)[:self.rng.randint(1, 4)]
        exclusive = self.rng.random() < 0.4
        return (member, exclusive), (b"(" if exclusive else b"[") + member

    def random_lex_range(self):
        lo, lo_text = self.random_lex_bound()
        hi, hi_text = self.random_lex_bound()
        return lo, hi, [lo_text, hi_text]

    def random_limit(self):
        if self.rng.random() < 0.5:
            return None, []
        offset = self.rng.choice([0, 0, 1, 2, 5, 50, -1, self.rng.randint(0, 300)])
        count = self.rng.choice([-1, 0, 1, 3, 10, 100, -5, self.rng.randint(0, 300)])
        return (offset, count), [b"LIMIT", b"%d" % offset, b"%d" % count]

    def random_request(self, key):
        """(selected entries, arguments after the key) for a ZRANGE-like
        request on key."""
        zset = self.model.get(key)
        ordered = zset.ordered() if zset else []
        reverse = self.rng.random() < 0.4
        kinds = ["rank", "score"] + (["lex"] if key == LEX_KEY else [])
        kind = self.rng.choice(kinds)
        if kind == "rank":
            start, end, text = self.random_indices(len(ordered))
            walk = ordered[::-1] if reverse else ordered
            selected = walk[rank_slice(len(walk), start, end)]
            options = []
        else:
            if kind == "score":
                lo, hi, text = self.random_score_range()
                selected = [e for e in ordered if in_score_range(e[1], lo, hi)]
                options = [b"BYSCORE"]
            else:
                lo, hi, text = self.random_lex_range()
                selected = [e for e in ordered if in_lex_range(e[0], lo, hi)]
                options = [b"BYLEX"]
            if reverse:
                selected = selected[::-1]
                text = text[::-1]
            limit, limit_text = self.random_limit()
            selected = apply_limit(selected, limit)
            options += limit_text
        if reverse:
            options.append(b"REV")
        return selected, text + self.shuffle_options(options)

    def shuffle_options(self, options):
        """The option words in any order, LIMIT's two numbers kept after it."""
        groups, i = [], 0
        while i < len(options):
            width = 3 if options[i] == b"LIMIT" else 1
            groups.append(options[i:i + width])
            i += width
        self.rng.shuffle(groups)
        return [word for group in groups for word in group]

    def check_zrange(self, key):
        selected, tail = self.random_request(key)
        with_scores = b"BYLEX" not in tail and self.rng.random() < 0.5
        args = [b"ZRANGE", key] + tail + ([b"WITHSCORES"] if with_scores else [])
        self.expect(args, flatten(selected, with_scores))

    def check_old_forms(self, key):
        zset = self.model.get(key)
        ordered = zset.ordered() if zset else []
        with_scores = self.rng.random() < 0.5
        ws = [b"WITHSCORES"] if with_scores else []
        form = self.rng.choice(["byscore", "revbyscore", "revrange", "bylex", "revbylex"])
        limit, limit_text = self.random_limit()
        if form in ("byscore", "revbyscore"):
            lo, hi, text = self.random_score_range()
            selected = [e for e in ordered if in_score_range(e[1], lo, hi)]
            if form == "revbyscore":
                selected, text = selected[::-1], text[::-1]
            name = b"ZRANGEBYSCORE" if form == "byscore" else b"ZREVRANGEBYSCORE"
            args = [name, key] + text + ws + limit_text
            self.expect(args, flatten(apply_limit(selected, limit), with_scores))
        elif form == "revrange":
            start, end, text = self.random_indices(len(ordered))
            walk = ordered[::-1]
            self.expect([b"ZREVRANGE", key] + text + ws,
                        flatten(walk[rank_slice(len(walk), start, end)], with_scores))
        elif key == LEX_KEY:
            lo, hi, text = self.random_lex_range()
            selected = [e for e in ordered if in_lex_range(e[0], lo, hi)]
            if form == "revbylex":
                selected, text = selected[::-1], text[::-1]
            name = b"ZRANGEBYLEX" if form == "bylex" else b"ZREVRANGEBYLEX"
            self.expect([name, key] + text + limit_text,
                        flatten(apply_limit(selected, limit), False))

    def check_points(self, key):
        zset = self.model.get(key)
        ordered = zset.ordered() if zset else []
        self.expect([b"ZCARD", key], len(ordered))
        member = self.pick_member(key)
        ranks = [m for m, _ in ordered]
        rank = ranks.index(member) if member in ranks else None
        self.expect([b"ZRANK", key, member], rank)
        self.expect([b"ZREVRANK", key, member], None if rank is None else len(ranks) - 1 - rank)
        self.expect([b"ZSCORE", key, member], fmt(zset.scores[member]) if rank is not None else None)
        members = [self.pick_member(key) for _ in range(3)]
        self.expect([b"ZMSCORE", key] + members,
                    [fmt(zset.scores[m]) if zset and m in zset.scores else None for m in members])
        lo, hi, text = self.random_score_range()
        self.expect([b"ZCOUNT", key] + text, sum(1 for e in ordered if in_score_range(e[1], lo, hi)))
        if key == LEX_KEY:
            lo, hi, text = self.random_lex_range()
            self.expect([b"ZLEXCOUNT", key] + text,
                        sum(1 for e in ordered if in_lex_range(e[0], lo, hi)))

    def check_all(self):
        for key in KEYS + [LEX_KEY, b"zdst"]:
            zset = self.model.get(key)
            ordered = zset.ordered() if zset else []
            self.expect([b"ZRANGE", key, b"0", b"-1", b"WITHSCORES"], flatten(ordered, True))
            if zset:
                self.expect([b"OBJECT", b"ENCODING", key],
                            b"listpack" if zset.packed else b"skiplist")
            else:
                self.expect([b"EXISTS", key], 0)

    # ---- the run ----

    def lex_write(self):
        """Writes to the lex key keep every score 0."""
        choice = self.rng.random()
        if choice < 0.6:
            members = [self.random_member(long_ok=False)[:self.rng.randint(1, 4)]
                       for _ in range(self.rng.randint(1, 10))]
            zset = self.model.get(LEX_KEY) or self.model.create(LEX_KEY, members[0])
            added = 0
            for member in members:
                if member not in zset.scores:
                    zset.scores[member] = 0.0
                    self.model.after_add(zset, member)
                    added += 1
            args = [b"ZADD", LEX_KEY]
            for member in members:
                args += [b"0", member]
            self.expect(args, added)
        elif choice < 0.8:
            self.op_zrem(LEX_KEY)
        else:
            self.op_zremrange(LEX_KEY)

    def step(self):
        key = self.rng.choice(KEYS)
        choice = self.rng.random()
        if self.growing and 0.45 <= choice < 0.60 and self.rng.random() < 0.9:
            choice = 0  # few removals while growing
        if choice < 0.35:
            self.op_zadd(key)
        elif choice < 0.45:
            self.op_zincrby(key)
        elif choice < 0.55:
            self.op_zrem(key)
        elif choice < 0.58:
            self.op_zremrange(key)
        elif choice < 0.60:
            self.op_zrangestore(self.rng.choice(KEYS + [LEX_KEY]))
        elif choice < 0.70:
            self.lex_write()
        elif choice < 0.82:
            self.check_zrange(self.rng.choice(KEYS + [LEX_KEY]))
        elif choice < 0.92:
            self.check_old_forms(self.rng.choice(KEYS + [LEX_KEY]))
        else:
            self.check_points(self.rng.choice(KEYS + [LEX_KEY]))

    def run(self, rounds, steps):
        # Low limits first (conversions of small sets), then Redis's default
        # while the sets grow past it, then while they shrink below it again.
        cycle = [(4, False), (16, False), (0, False), (128, True), (128, False)]
        for round_number in range(rounds):
            self.model.max_entries, self.growing = cycle[round_number % len(cycle)]
            self.call(b"CONFIG", b"SET", b"zset-max-listpack-entries", b"%d" % self.model.max_entries)
            for _ in range(steps):
                self.step()
            self.check_all()
            if round_number % len(cycle) == len(cycle) - 1:
                # Start the next cycle from empty sets so small limits bite.
                self.call(b"FLUSHALL")
                self.model.sets.clear()


def rank_slice(length, start, end):
    if start < 0:
        start += length
    if end < 0:
        end += length
    if start < 0:
        start = 0
    if start > end or start >= length:
        return slice(0, 0)
    return slice(start, min(end, length - 1) + 1)


def apply_limit(selected, limit):
    if limit is None:
        return selected
    offset, count = limit
    if offset < 0:
        return []
    selected = selected[offset:]
    return selected if count < 0 else selected[:count]


def in_score_range(score, lo, hi):
    (low, low_ex), (high, high_ex) = lo, hi
    above = score > low if low_ex else score >= low
    below = score < high if high_ex else score <= high
    return above and below


def in_lex_range(member, lo, hi):
    if lo == ("+",) or hi == ("-",):
        return False
    if lo != ("-",):
        bound, exclusive = lo
        if member < bound or (exclusive and member == bound):
            return False
    if hi != ("+",):
        bound, exclusive = hi
        if member > bound or (exclusive and member == bound):
            return False
    return True


def flatten(entries, with_scores):
    out = []
    for member, score in entries:
        out.append(member)
        if with_scores:
            out.append(fmt(score))
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--server", choices=["dblite", "redis"], default="dblite")
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--steps", type=int, default=600)
    options = parser.parse_args()
    seed = options.seed if options.seed is not None else random.randrange(1 << 30)
    tests = os.path.dirname(HERE)
    source = os.environ.get("DBLITE_SOURCE_DIR") or os.path.dirname(tests)
    if options.server == "redis":
        server = ServerProcess("redis", shutil.which("redis-server"))
    else:
        binary = os.environ.get("DBLITE_SERVER") or os.path.join(source, "build", "dblite-server")
        config_dir = os.environ.get("DBLITE_CONFIG_DIR") or os.path.join(source, "config")
        module_path = os.environ.get("DBLITE_MODULE_PATH") or os.path.join(
            os.path.dirname(binary), "modules")
        server = ServerProcess("dblite", binary, config=os.path.join(config_dir, "dblite.ini"),
                               module_path=module_path, extra_args=["--persistence.save", ""])
    with server:
        client = redis.Redis(port=server.port)
        client.response_callbacks.clear()
        tester = Tester(client, seed)
        try:
            tester.run(options.rounds, options.steps)
        except Mismatch as error:
            print("test_zsets: FAIL %s" % error)
            return 1
        print("test_zsets: %d checks passed (seed %d, %s)" % (tester.checks, seed, options.server))
    return 0


if __name__ == "__main__":
    sys.exit(main())
