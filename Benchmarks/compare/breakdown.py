#!/usr/bin/env python3
"""Where the instructions of one operation go, on both sides: CPython's C pickle and swift-shelve.

    python3 Benchmarks/compare/breakdown.py COMPARE_BINARY GOLDEN_DIR [WORKLOAD ...]

WORKLOAD is dumps/NAME or loads/NAME with a bm_pickle NAME (DICT, TUPLE, DICT_GROUP, LIST, MICRO_DICT);
the default is loads/DICT and loads/DICT_GROUP. Each side runs under valgrind's callgrind twice, for few and
for many iterations, and the difference of each function's own (self) instructions, divided by the
difference of the iteration counts, is its cost per operation without startup. Functions are put in
categories by name (allocating and freeing memory, reference counting, decoding str, hashing and dict
insertion, copying memory) and everything else is "the rest": the opcode loops and what they inline.

CPython is the pyenv 3.11 build (PYTHON, default ~/.pyenv/versions/3.11*/bin/python3.11), which has its
symbols, unlike Debian's; its C code is Debian's python3.11 but for patch releases. Its reference counting
is inline (Py_INCREF/Py_DECREF), so it shows up in its callers, not as a category. Prints Markdown;
BREAKDOWN_VERBOSE=1 also prints the costliest functions of each category to stderr.
"""
import glob
import os
import re
import subprocess
import sys
import tempfile

from instructions import BM, COUNTS, run_callgrind

CATEGORIES = [
    ("allocating and freeing memory", re.compile(
        r"^(malloc|free|_int_malloc|_int_free|malloc_consolidate|unlink_chunk.*|posix_memalign|_mid_memalign.*"
        r"|tcache_.*|swift_slowAlloc|swift_slowDealloc|swift_allocObject|swift_deallocObject"
        r"|swift_deallocClassInstance|_swift_release_dealloc|swift_deallocUninitializedObject"
        r"|_PyObject_Malloc|_PyObject_Free|_PyObject_Calloc|_PyObject_Realloc|PyObject_Malloc|PyObject_Free"
        r"|PyObject_Realloc|PyMem_.*|_PyMem_.*|pymalloc_.*|_PyObject_GC_Alloc|gc_alloc|_PyObject_GC_New.*"
        r"|PyObject_GC_Del|_PyObject_GC_Link|_Py_Dealloc|_Py_NewReference|.*_dealloc|.*deallocating_deinit"
        r"|.*__deallocating_deinit)$")),
    ("reference counting", re.compile(
        r"^(swift_retain|swift_release|swift_retain_n|swift_release_n|swift_bridgeObjectRetain"
        r"|swift_bridgeObjectRelease|swift_bridgeObjectRetain_n|swift_bridgeObjectRelease_n"
        r"|swift_isUniquelyReferenced.*|.*doDecrementSlow.*|outlined copy of .*|outlined consume of .*"
        r"|outlined retain of .*|outlined release of .*|destroy for .*|initializeWithCopy for .*"
        r"|swift_arrayDestroy|swift_arrayInitWithCopy)$")),
    ("decoding str", re.compile(
        r"^(ascii_decode|unicode_decode_utf8|PyUnicode_New|PyUnicode_DecodeUTF8.*|find_maxchar_surrogates"
        r"|.*_fromUTF8Repairing.*|_allASCII.*|.*_uncheckedFromUTF8.*|.*__StringStorage\.create.*"
        r"|_allocateStringStorage.*|.*validateUTF8.*)$")),
    ("hashing and dict insertion", re.compile(
        r"^(siphash13|pysiphash|_Py_HashBytes|unicode_hash|PyObject_Hash|insertdict|_Py_dict_lookup"
        r"|unicodekeys_lookup_unicode|unicodekeys_lookup_generic|dictkeys_generic_lookup|build_indices.*"
        r"|find_empty_slot|dictresize|new_keys_object|PyDict_SetItem|insert_to_emptydict|PyObject_SetItem"
        r"|.*HashedKeys\..*|.*KeyIndex\..*|.*KeyHash\..*|.*PickleDict\.updateValues.*|.*Hasher.*)$")),
    ("copying memory", re.compile(r"^(__memcpy.*|__memmove.*|memcpy|memmove)$")),
]


def self_costs(command):
    """Instructions per function (own cost) for the whole of `command`."""
    with tempfile.TemporaryDirectory() as directory:
        out = os.path.join(directory, "callgrind.out")
        run_callgrind(command, out)
        listing = subprocess.run(["callgrind_annotate", "--threshold=100", "--auto=no", out],
                                 stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True).stdout
    demangle = shutil_which("swift-demangle")
    costs = {}
    names = []
    rows = []
    for line in listing.splitlines():
        match = re.match(r"^\s*([\d,]+)\s+(?:\([^)]*\)\s+)?(\S.*?):(.+?)(?: \[.*\])?$", line)
        if not match or "PROGRAM TOTALS" in line:
            continue
        rows.append((int(match.group(1).replace(",", "")), match.group(3)))
        names.append(match.group(3))
    if demangle and names:
        demangled = subprocess.run([demangle, "--simplified"], input="\n".join(names), stdout=subprocess.PIPE,
                                   text=True).stdout.splitlines()
        if len(demangled) == len(names):
            rows = [(count, new) for (count, _), new in zip(rows, demangled)]
    for count, name in rows:
        name = re.sub(r"'\d+$", "", name)  # callgrind's recursion suffix
        costs[name] = costs.get(name, 0) + count
    return costs


def shutil_which(name):
    for directory in os.environ.get("PATH", "").split(os.pathsep):
        path = os.path.join(directory, name)
        if os.access(path, os.X_OK):
            return path
    return None


def category(name):
    # "specialized " and "static " prefixes of Swift's demangled names do not change what a function is.
    bare = re.sub(r"^((specialized|static|generic specialization <.*?> of)\s+)+", "", name)
    for label, pattern in CATEGORIES:
        if pattern.match(bare) or pattern.match(name):
            return label
    return "the rest"


def per_operation(make_command, counts):
    few, many = counts
    small, large = self_costs(make_command(few)), self_costs(make_command(many))
    totals = {}
    members = {}
    for name in set(small) | set(large):
        difference = large.get(name, 0) - small.get(name, 0)
        label = category(name)
        totals[label] = totals.get(label, 0) + difference
        members.setdefault(label, []).append((difference / (many - few), name))
    if os.environ.get("BREAKDOWN_VERBOSE"):
        for label, functions in sorted(members.items()):
            top = sorted(functions, reverse=True)[:8]
            print("%s: %s" % (label, "; ".join("%s %d" % (name[:70], cost) for cost, name in top)), file=sys.stderr)
    return {label: value / (many - few) for label, value in totals.items()}


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    binary, golden = sys.argv[1], sys.argv[2]
    workloads = sys.argv[3:] or ["loads/DICT", "loads/DICT_GROUP"]
    python = os.environ.get("PYTHON") or next(iter(sorted(glob.glob(
        os.path.expanduser("~/.pyenv/versions/3.11*/bin/python3.11")))), None)
    if not python:
        sys.exit("no CPython 3.11 with symbols: set PYTHON")
    with tempfile.NamedTemporaryFile("w", suffix=".py", delete=False) as loop:
        loop.write("import pickle, sys\n"
                   "data = open(sys.argv[1], 'rb').read()\nvalue = pickle.loads(data)\nn = int(sys.argv[3])\n"
                   "if sys.argv[2] == 'dumps':\n    for _ in range(n): pickle.dumps(value, 5)\n"
                   "else:\n    for _ in range(n): pickle.loads(data)\n")
    try:
        labels = [label for label, _ in CATEGORIES] + ["the rest"]
        for workload in workloads:
            kind, name = workload.split("/")
            pickle_file = os.path.join(golden, BM[name] + ".p5.pickle")
            cpython = per_operation(lambda n: [python, loop.name, pickle_file, kind, str(n)], COUNTS[name])
            ours = per_operation(lambda n: [binary, "--golden", golden, "--data", golden, "--only", workload,
                                            "--iterations", str(n), "--reps", "1"], COUNTS[name])
            print("\n%s %s, instructions per operation:\n" % (kind, name))
            print("| where | CPython 3.11 | swift-shelve |")
            print("|---|---:|---:|")
            for label in labels:
                print("| %s | %s | %s |" % (label, format(round(cpython.get(label, 0)), ","),
                                            format(round(ours.get(label, 0)), ",")))
            print("| **total** | **%s** | **%s** |" % (format(round(sum(cpython.values())), ","),
                                                       format(round(sum(ours.values())), ",")))
    finally:
        os.unlink(loop.name)


if __name__ == "__main__":
    main()
