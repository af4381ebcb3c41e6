"""Prints compare.sh's table from the JSON the three programs wrote into one directory:
cpython.json, rawgdbm.json, rawgdbm-small.json, swift.json, cpython-peak.json, swift-peak.json (and machine.txt);
from a run of several rounds (ROUNDS=N), NAME.1.json ... NAME.N.json, of which each workload's median is taken.

    table.py RESULTS_DIR

Ratios are speedups: the other side's time divided by swift-shelve's, so more than 1 means swift-shelve is
faster. For peak memory the ratio is CPython's peak divided by swift-shelve's (more than 1: less memory).
"""
import glob
import json
import statistics
import os
import sys

BM = ["DICT", "TUPLE", "DICT_GROUP", "LIST", "MICRO_DICT"]
LARGE = [
    ("big_list", "list(range(10**6))"),
    ("many_strings", "10,000 random 32-letter str"),
    ("many_refs", "one list referenced 10,000 times"),
    ("big_bytes", "50 MiB bytes"),
]

SHELF = [
    ("get", "shelf get (per record)"),
    ("set", "shelf set (per record)"),
    ("keys", "shelf iterate keys (per key)"),
    ("writeback-get-sync", "writeback: get all, sync (per record)"),
]


def rows():
    """(label, swift key, CPython key, raw GDBM key, target vs CPython, target vs raw GDBM)"""
    for name in BM:
        yield ("dumps %s" % name, "dumps/" + name, "dumps/" + name, None, 2.0, None)
        yield ("loads %s" % name, "loads/" + name, "loads/" + name, None, 2.0, None)
    for name in BM:
        yield ("Codable dumps %s" % name, "codable-dumps/" + name, "dumps/" + name, None, 1.0, None)
        yield ("Codable loads %s" % name, "codable-loads/" + name, "loads/" + name, None, 1.0, None)
    for name in BM:
        yield ("PickleDocument loads %s" % name, "document-loads/" + name, "loads/" + name, None, 2.0, None)
        yield ("PickleDocument loads, every value read, %s" % name, "document-read/" + name, "loads/" + name, None,
               None, None)
    for key, label in LARGE:
        yield ("dumps %s" % label, "dumps/" + key, "dumps/" + key, None, None, None)
        yield ("loads %s" % label, "loads/" + key, "loads/" + key, None, None, None)
    yield ("shelf get (per record)", "shelf/get", "shelf/get", "shelf/get", 3.0, 0.5)
    yield ("shelf get as a PickleDocument (per record)", "shelf/get-document", "shelf/get", "shelf/get", 3.0, 0.5)
    yield ("shelf set (per record)", "shelf/set", "shelf/set", "shelf/set", None, 0.9)
    yield ("shelf iterate keys (per key)", "shelf/keys", "shelf/keys", "shelf/keys", None, None)
    yield ("writeback: get all, sync (per record)", "shelf/writeback-get-sync", "shelf/writeback-get-sync",
           "shelf/writeback-get-sync", None, None)
    for key, label in SHELF:
        name = "shelf-small/" + key
        yield ("small values: %s" % label, name, name, name, None, None)


def load(directory, name):
    """The results in NAME.json, or, from a run of several rounds (NAME.1.json, NAME.2.json, ...), each
    workload's median over the rounds."""
    stem = name[:-len(".json")]
    rounds = sorted(glob.glob(os.path.join(directory, glob.escape(stem) + ".[0-9]*.json")))
    paths = rounds or [os.path.join(directory, name)]
    loaded = []
    for path in paths:
        if os.path.exists(path):
            with open(path) as file:
                loaded.append(json.load(file))
    if not loaded:
        return {}
    if len(loaded) == 1:
        return loaded[0]
    merged = {}
    for key in loaded[0]:
        values = sorted(result[key]["ns_per_op"] for result in loaded if key in result)
        merged[key] = dict(loaded[0][key], ns_per_op=statistics.median(values),
                           rounds=[result[key]["ns_per_op"] for result in loaded if key in result])
    return merged


def duration(ns):
    if ns is None:
        return "—"
    if ns >= 1e9:
        return "%.2f s" % (ns / 1e9)
    if ns >= 1e6:
        return "%.2f ms" % (ns / 1e6)
    if ns >= 1e3:
        return "%.2f µs" % (ns / 1e3)
    return "%.0f ns" % ns


def ratio(other, ours, target):
    if other is None or ours is None:
        return "—"
    value = other / ours
    text = "%.2f×" % value
    if target is not None:
        text += " ✅" if value >= target else " ❌ (target %g×)" % target
    return text


def main():
    directory = sys.argv[1]
    cpython = load(directory, "cpython.json")
    raw = load(directory, "rawgdbm.json")
    raw.update(load(directory, "rawgdbm-small.json"))
    swift = load(directory, "swift.json")

    def ns(results, key):
        return results[key]["ns_per_op"] if key and key in results else None

    print("| workload | CPython 3.11 | raw GDBM | swift-shelve | vs CPython | vs raw GDBM |")
    print("|---|---:|---:|---:|---:|---:|")
    for label, swift_key, cpython_key, raw_key, cpython_target, raw_target in rows():
        ours, theirs, floor = ns(swift, swift_key), ns(cpython, cpython_key), ns(raw, raw_key)
        if ours is None:
            continue
        print("| %s | %s | %s | %s | %s | %s |" % (
            label, duration(theirs), duration(floor), duration(ours),
            ratio(theirs, ours, cpython_target), ratio(floor, ours, raw_target)))

    cpython_peak = load(directory, "cpython-peak.json")
    swift_peak = load(directory, "swift-peak.json")
    if cpython_peak and swift_peak:
        theirs, ours = cpython_peak["maxrss_kb"], swift_peak["maxrss_kb"]
        print("| peak memory (max RSS) loading a %.0f MB pickle | %.0f MB | — | %.0f MB | %s | — |" % (
            swift_peak["input_bytes"] / 1e6, theirs / 1024, ours / 1024, ratio(theirs, ours, 1 / 1.5)))
    print()
    print("Times are medians per operation. Ratios are speedups (CPython's or raw GDBM's time ÷ swift-shelve's): "
          "more than 1× means swift-shelve is faster; for peak memory, CPython's peak ÷ swift-shelve's.")
    machine = os.path.join(directory, "machine.txt")
    if os.path.exists(machine):
        with open(machine) as file:
            print()
            print(file.read().strip())


if __name__ == "__main__":
    main()
