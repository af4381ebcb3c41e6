"""The CPython side of compare.sh: the same workloads as swift-shelve-compare, through CPython's C pickle
(protocol 5) and shelve on dbm.gnu. Run with Debian's /usr/bin/python3.

    cpython.py make-data DIR                      # writes the large pickles every side reads
    cpython.py run --data DIR --golden DIR --workdir DIR [--reps 7] [--min-ms 50] [--shelf-records 10000]
                   [--wall-clock]
    cpython.py peak-memory FILE                   # max RSS after pickle.loads of FILE, as JSON

Timings: each workload's iteration count is doubled until one timed loop lasts --min-ms, then the loop is
timed --reps times; the JSON gives the median nanoseconds per operation. Time is the process's CPU time
(time.process_time_ns), unless --wall-clock.
"""
import argparse
import dbm.gnu
import json
import os
import pickle
import random
import resource
import shelve
import sys
import time

BM_OBJECTS = {
    "DICT": "bm_dict",
    "TUPLE": "bm_tuple",
    "DICT_GROUP": "bm_dict_group",
    "LIST": "bm_list",
    "MICRO_DICT": "bm_micro_dict",
}
LARGE = ["big_list", "many_strings", "many_refs", "big_bytes"]
# The value of every record in the small-value shelf rows ("shelf-small/..."), where unpickling costs little.
SMALL_VALUE = 12345
LETTERS = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"


def random_strings(rng, count, length=32):
    """`count` random ASCII-letter strings of `length` characters."""
    table = bytes(LETTERS[i % len(LETTERS)] for i in range(256))
    raw = rng.randbytes(count * length).translate(table).decode("ascii")
    return [raw[i * length:(i + 1) * length] for i in range(count)]


def make_data(directory):
    os.makedirs(directory, exist_ok=True)
    rng = random.Random(1)
    shared = [1, 2, 3, 4, 5]
    values = {
        "big_list": list(range(10**6)),
        "many_strings": random_strings(rng, 10_000),
        "many_refs": [shared] * 10_000,
        "big_bytes": rng.randbytes(50 << 20),
        # About 100 MB of pickle: 2.9 million distinct 32-letter strings.
        "peak": random_strings(rng, 2_900_000),
    }
    for name, value in values.items():
        with open(os.path.join(directory, name + ".pickle"), "wb") as file:
            file.write(pickle.dumps(value, protocol=5))
    # The value of the small-value shelf rows, for the raw GDBM program.
    with open(os.path.join(directory, "small.pickle"), "wb") as file:
        file.write(pickle.dumps(SMALL_VALUE, protocol=5))


def read(path):
    with open(path, "rb") as file:
        return file.read()


clock = time.process_time_ns


def loop1(function, argument, iterations):
    start = clock()
    for _ in range(iterations):
        function(argument)
    return clock() - start


def loop2(function, first, second, iterations):
    start = clock()
    for _ in range(iterations):
        function(first, second)
    return clock() - start


def measure(timer, operations, reps, minimum_ns):
    """timer(n) runs n iterations and returns nanoseconds; returns the median ns per operation."""
    iterations = 1
    while True:
        elapsed = timer(iterations)
        if elapsed >= minimum_ns:
            break
        factor = 100 if elapsed == 0 else minimum_ns / elapsed * 1.2
        iterations = max(iterations * 2, int(iterations * min(factor, 100)))
    runs = [timer(iterations) / (iterations * operations) for _ in range(reps)]
    return {
        "ns_per_op": sorted(runs)[len(runs) // 2],
        "iterations": iterations,
        "operations": operations,
        "runs": [round(run, 1) for run in runs],
    }


def shelf_key(index):
    return "key%06d" % index


def shelf_workloads(args, record, prefix, value):
    """Times get, set, keys and writeback get-all-then-sync on a shelf of --shelf-records copies of value."""
    records = args.shelf_records
    keys = [shelf_key(i) for i in range(records)]
    path = os.path.join(args.workdir, "cpython-shelf.db")
    with shelve.Shelf(dbm.gnu.open(path, "n"), protocol=5) as shelf:
        for key in keys:
            shelf[key] = value
    shelf = shelve.Shelf(dbm.gnu.open(path, "w"), protocol=5)
    cached = None

    def get_all(iterations):
        start = clock()
        for _ in range(iterations):
            for key in keys:
                shelf[key]
        return clock() - start

    def set_all(iterations):
        start = clock()
        for _ in range(iterations):
            for key in keys:
                shelf[key] = value
        return clock() - start

    def list_keys(iterations):
        start = clock()
        for _ in range(iterations):
            list(shelf)
        return clock() - start

    def get_all_then_sync(iterations):
        start = clock()
        for _ in range(iterations):
            for key in keys:
                cached[key]
            cached.sync()
        return clock() - start

    record(prefix + "get", get_all, records)
    record(prefix + "set", set_all, records)
    record(prefix + "keys", list_keys, records)
    shelf.close()
    cached = shelve.Shelf(dbm.gnu.open(path, "w"), protocol=5, writeback=True)
    record(prefix + "writeback-get-sync", get_all_then_sync, records)
    cached.close()
    os.remove(path)


def run(args):
    global clock
    if args.wall_clock:
        clock = time.perf_counter_ns
    results = {}

    def record(name, timer, operations=1):
        if args.only and name not in args.only:
            return
        results[name] = measure(timer, operations, args.reps, args.min_ms * 1_000_000)
        print("%s: %.1f ns/op" % (name, results[name]["ns_per_op"]), file=sys.stderr)

    dumps, loads = pickle.dumps, pickle.loads
    for name, stem in BM_OBJECTS.items():
        data = read(os.path.join(args.golden, stem + ".p5.pickle"))
        value = loads(data)
        record("dumps/" + name, lambda n: loop2(dumps, value, 5, n))
        record("loads/" + name, lambda n: loop1(loads, data, n))
    for name in LARGE:
        data = read(os.path.join(args.data, name + ".pickle"))
        value = loads(data)
        record("dumps/" + name, lambda n: loop2(dumps, value, 5, n))
        record("loads/" + name, lambda n: loop1(loads, data, n))
        del data, value

    # The shelves: N records whose values are DICT (names "shelf/..."), then N records whose values are the
    # int 12345 (names "shelf-small/..."), where unpickling costs next to nothing and what is measured is the
    # shelf itself; written by Python's shelve on dbm.gnu at protocol 5.
    dict_value = loads(read(os.path.join(args.golden, "bm_dict.p5.pickle")))
    for prefix, value in (("shelf/", dict_value), ("shelf-small/", SMALL_VALUE)):
        shelf_workloads(args, record, prefix, value)
    json.dump(results, sys.stdout, indent=2)
    print()


def peak_memory(path):
    data = read(path)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    value = pickle.loads(data)
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"maxrss_kb": after, "maxrss_before_load_kb": before, "input_bytes": len(data)}))
    del value


def main():
    parser = argparse.ArgumentParser()
    commands = parser.add_subparsers(dest="command", required=True)
    make = commands.add_parser("make-data")
    make.add_argument("directory")
    runner = commands.add_parser("run")
    runner.add_argument("--data", required=True)
    runner.add_argument("--golden", required=True)
    runner.add_argument("--workdir", required=True)
    runner.add_argument("--reps", type=int, default=7)
    runner.add_argument("--min-ms", type=int, default=50)
    runner.add_argument("--shelf-records", type=int, default=10_000)
    runner.add_argument("--only", action="append")
    runner.add_argument("--wall-clock", action="store_true")
    peak = commands.add_parser("peak-memory")
    peak.add_argument("file")
    args = parser.parse_args()
    if args.command == "make-data":
        make_data(args.directory)
    elif args.command == "run":
        run(args)
    else:
        peak_memory(args.file)


if __name__ == "__main__":
    main()
