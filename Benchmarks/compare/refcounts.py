#!/usr/bin/env python3
"""Counts, per operation of one workload, the calls to Swift's reference counting and allocation functions, by
caller: where a load or dump retains and releases, and how often.

    python3 Benchmarks/compare/refcounts.py COMPARE_BINARY WORKLOAD [ITERATIONS]

Instruction counts hide what these calls cost in time. `swift_retain` and `swift_release` are a few instructions
each, but an atomic read-modify-write on the object's header (a locked instruction, tens of cycles, and a cache
line that other cores' copies lose), where CPython's Py_INCREF is a plain add: a retain and a release that the
code does not need cost more than many times their instruction count. This is how the unneeded ones were found
(a reference taken to the container an APPENDS fills, a copy of a list's array held while its items are written).

Runs the workload under callgrind for ITERATIONS iterations (default 1000; use fewer for the large values) and
divides each caller's call count by ITERATIONS, so startup costs show as fractions. `swift_bridgeObjectRetain`
and `Release` are the entry points for `String` and `Array` storage; they call `swift_retain` and
`swift_release` for native storage (counted under both), and return at once for a small string.
"""
import os
import re
import subprocess
import sys
import tempfile

from instructions import BM, run_callgrind

FUNCTIONS = ["swift_retain", "swift_release", "swift_bridgeObjectRetain", "swift_bridgeObjectRelease",
             "swift_allocObject", "malloc"]


def callers(annotated, function):
    """(calls, caller) for each caller of `function` in `callgrind_annotate --tree=caller` output."""
    lines = annotated.splitlines()
    target = re.compile(r"\*\s+\S*:%s(\'\d+)? \[" % re.escape(function))
    found = []
    for position, line in enumerate(lines):
        if not target.search(line):
            continue
        previous = position - 1
        while previous >= 0 and "<" in lines[previous]:
            match = re.search(r"<\s+(\S+?)\s+\((\d[\d,]*)x\)", lines[previous])
            if match:
                found.append((int(match.group(2).replace(",", "")), match.group(1).split(":", 1)[-1]))
            previous -= 1
    return found


def demangle(symbol):
    result = subprocess.run(["swift", "demangle", "--simplified", "--compact", symbol], capture_output=True, text=True)
    return result.stdout.strip() or symbol


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    binary, workload = sys.argv[1], sys.argv[2]
    iterations = int(sys.argv[3]) if len(sys.argv) > 3 else 1000
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    golden = os.path.join(root, "Tests", "PickleTests", "Fixtures", "golden")
    with tempfile.TemporaryDirectory() as directory:
        data = os.path.join(directory, "data")
        name = workload.split("/")[-1]
        if name in BM or workload.startswith("shelf"):
            data = golden
        else:
            # The large values, which CPython makes.
            subprocess.run(["/usr/bin/python3", os.path.join(root, "Benchmarks", "compare", "cpython.py"),
                            "make-data", data], check=True)
        profile = os.path.join(directory, "callgrind.out")
        run_callgrind([binary, "--golden", golden, "--data", data, "--only", workload, "--iterations",
                       str(iterations), "--reps", "1", "--shelf-records", "1000"], profile)
        annotated = subprocess.run(["callgrind_annotate", "--tree=caller", profile], capture_output=True,
                                   text=True, check=True).stdout
    print("%s, calls per operation (%d iterations):" % (workload, iterations))
    for function in FUNCTIONS:
        found = callers(annotated, function)
        print("%-28s %10.1f" % (function, sum(count for count, _ in found) / iterations))
        for count, caller in sorted(found, reverse=True)[:6]:
            if count / iterations >= 0.5:
                print("    %10.1f  %s" % (count / iterations, demangle(caller)[:110]))


if __name__ == "__main__":
    main()
