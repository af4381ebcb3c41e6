"""Counts instructions per operation with valgrind's callgrind, for CPython's C pickle and for swift-shelve,
on the bm_pickle objects: a measure that does not depend on how busy the machine is (compare.sh's times do).

    instructions.py COMPARE_BINARY GOLDEN_DIR [WORKLOAD ...]

Each side runs a workload twice, for a few and for many iterations, under callgrind; the difference of the
two totals divided by the difference of the iteration counts is the cost of one operation, without the
process's startup and setup. Workload names are swift-shelve-compare's (dumps/DICT, codable-loads/LIST, ...);
Codable workloads are compared with CPython's plain pickle of the same object, and the PickleDocument ones
(document-loads/NAME: the parse; document-read/NAME: the parse and every value read) with its pickle.loads.
Prints a Markdown table.
"""
import os
import re
import subprocess
import sys
import tempfile

BM = {"DICT": "bm_dict", "TUPLE": "bm_tuple", "DICT_GROUP": "bm_dict_group", "LIST": "bm_list",
      "MICRO_DICT": "bm_micro_dict"}
# Iterations per run, small and large, by object: enough for the difference to dwarf callgrind's noise.
COUNTS = {"DICT": (50, 550), "TUPLE": (200, 2200), "DICT_GROUP": (20, 220), "LIST": (50, 550),
          "MICRO_DICT": (5, 55)}
CPYTHON_LOOP = """
import pickle, sys
data = open(sys.argv[1], 'rb').read()
value = pickle.loads(data)
n = int(sys.argv[3])
if sys.argv[2] == 'dumps':
    for _ in range(n): pickle.dumps(value, 5)
else:
    for _ in range(n): pickle.loads(data)
"""


def run_callgrind(command, out):
    """Runs `command` under callgrind, writing its profile to `out`; returns valgrind's report (stderr)."""
    result = subprocess.run(["valgrind", "--tool=callgrind", "--callgrind-out-file=" + out] + command,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    if result.returncode != 0:
        sys.exit("failed: %s\n%s" % (" ".join(command), result.stderr[-2000:]))
    return result.stderr


def callgrind_total(command):
    """The instructions callgrind counts for the whole of `command`."""
    with tempfile.TemporaryDirectory() as directory:
        report = run_callgrind(command, os.path.join(directory, "callgrind.out"))
        match = re.search(r"I\s+refs:\s+([\d,]+)", report)
        return int(match.group(1).replace(",", ""))


def per_operation(make_command, counts):
    few, many = counts
    return (callgrind_total(make_command(many)) - callgrind_total(make_command(few))) / (many - few)


def main():
    if len(sys.argv) < 3:
        sys.exit("usage: instructions.py COMPARE_BINARY GOLDEN_DIR [WORKLOAD ...]\n"
                 "(build COMPARE_BINARY with bash Benchmarks/compare.sh, or as it does)")
    binary, golden = sys.argv[1], sys.argv[2]
    wanted = sys.argv[3:]
    workloads = wanted or [kind + "/" + name for kind in ("dumps", "loads", "codable-dumps", "codable-loads",
                                                           "document-loads", "document-read")
                           for name in BM]
    with tempfile.NamedTemporaryFile("w", suffix=".py", delete=False) as script:
        script.write(CPYTHON_LOOP)
    cpython_cache = {}
    print("| workload | CPython 3.11 (instructions/op) | swift-shelve (instructions/op) | ratio |")
    print("|---|---:|---:|---:|")
    for workload in workloads:
        kind, name = workload.split("/")
        counts = COUNTS[name]
        operation = "dumps" if kind.endswith("dumps") else "loads"
        pickle_file = os.path.join(golden, BM[name] + ".p5.pickle")
        key = (operation, name)
        if key not in cpython_cache:
            cpython_cache[key] = per_operation(
                lambda n: ["/usr/bin/python3", script.name, pickle_file, operation, str(n)], counts)
        theirs = cpython_cache[key]
        ours = per_operation(
            lambda n: [binary, "--golden", golden, "--data", golden, "--only", workload, "--iterations", str(n),
                       "--reps", "1"], counts)
        prefix = {"codable": "Codable ", "document": "PickleDocument "}.get(kind.split("-")[0], "")
        suffix = ", every value read," if kind == "document-read" else ""
        label = prefix + operation + suffix + " " + name
        print("| %s | %s | %s | %.2f× |" % (label, format(round(theirs), ","), format(round(ours), ","),
                                           theirs / ours), flush=True)
    os.unlink(script.name)
    print()
    print("Ratio: CPython's instructions ÷ swift-shelve's (more than 1× means fewer instructions here).")


if __name__ == "__main__":
    main()
