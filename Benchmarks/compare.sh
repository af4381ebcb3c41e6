#!/usr/bin/env bash
# Runs the same workloads through CPython's C pickle and shelve on dbm.gnu (Debian's /usr/bin/python3), a C
# program on raw libgdbm, and swift-shelve in a release build, on this machine in one run, and prints one
# Markdown table of medians and ratios.
#
#     bash Benchmarks/compare.sh
#
# Environment: REPS (timed loops per workload, default 7), MIN_MS (minimum length of one timed loop, default 50),
# SHELF_RECORDS (records in the shelf workloads, default 10000), KEEP=DIR (keep the JSON results in DIR),
# ONLY="name name" (run only these workloads, names as `swift-shelve-compare --list` prints them),
# CLOCK=wall (time wall-clock time instead of each process's CPU time, which a busy machine disturbs less),
# ROUNDS=N (run the CPython, raw GDBM and swift-shelve programs N times, one after the other in turn, and report
# each workload's median over the rounds: drift of the machine's speed during a run then affects every side
# alike; default 1).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
python=/usr/bin/python3
reps=${REPS:-7}
rounds=${ROUNDS:-1}
min_ms=${MIN_MS:-50}
records=${SHELF_RECORDS:-10000}
golden="$root/Tests/PickleTests/Fixtures/golden"

bash "$root/scripts/install-deps.sh" --tests
work=$(mktemp -d "${TMPDIR:-/tmp}/swift-shelve-compare.XXXXXX")
trap 'rm -rf "$work"' EXIT
results=${KEEP:-$work/results}
mkdir -p "$results"

swift_args=()
python_args=()
if [[ "${CLOCK:-cpu}" == wall ]]; then
    swift_args+=(--wall-clock)
    python_args+=(--wall-clock)
    export COMPARE_WALL_CLOCK=1
fi
for name in ${ONLY:-}; do
    swift_args+=(--only "$name")
    python_args+=(--only "$name")
done

echo "==> building raw-gdbm/rawgdbm.c and swift-shelve-compare (release)" >&2
cc -O2 -o "$work/rawgdbm" "$here/raw-gdbm/rawgdbm.c" -lgdbm
(cd "$here" && swift build -c release --scratch-path "$here/.build" --product swift-shelve-compare >&2)
compare="$here/.build/release/swift-shelve-compare"

echo "==> making the data (CPython pickles)" >&2
"$python" "$here/compare/cpython.py" make-data "$work/data"

{
    echo "Machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'); $(uname -sr)."
    echo "CPython: $("$python" -c 'import sys; print(sys.version.split()[0])') (C \`_pickle\`, protocol 5;" \
        "\`shelve\` on \`dbm.gnu\`); libgdbm $(dpkg-query -W -f='${Version}' libgdbm6 2>/dev/null || echo '?');" \
        "$(swift --version 2>/dev/null | head -1 | sed 's/ (.*//')."
    echo "Run: $(date -u +%Y-%m-%d), $reps timed loops of at least $min_ms ms per workload, $records shelf records," \
        "$rounds round(s) per side (median of the rounds' medians);" \
        "$([[ "${CLOCK:-cpu}" == wall ]] && echo "wall-clock time" || echo "each process's CPU time");" \
        "load average before the run: $(cut -d' ' -f1-3 /proc/loadavg)."
} > "$results/machine.txt"

for ((round = 1; round <= rounds; round++)); do
    # One round writes NAME.json; several write NAME.1.json, NAME.2.json..., which table.py takes the median of.
    suffix=$([[ $rounds -gt 1 ]] && echo ".$round" || true)
    echo "==> CPython${suffix:+ (round $round of $rounds)}" >&2
    "$python" "$here/compare/cpython.py" run --data "$work/data" --golden "$golden" --workdir "$work" \
        --reps "$reps" --min-ms "$min_ms" --shelf-records "$records" "${python_args[@]}" > "$results/cpython$suffix.json"
    echo "==> raw GDBM${suffix:+ (round $round of $rounds)}" >&2
    "$work/rawgdbm" "$golden/bm_dict.p5.pickle" "$work" "$reps" "$min_ms" "$records" shelf/ \
        > "$results/rawgdbm$suffix.json"
    "$work/rawgdbm" "$work/data/small.pickle" "$work" "$reps" "$min_ms" "$records" shelf-small/ \
        > "$results/rawgdbm-small$suffix.json"
    echo "==> swift-shelve${suffix:+ (round $round of $rounds)}" >&2
    "$compare" --data "$work/data" --golden "$golden" --reps "$reps" --min-ms "$min_ms" --shelf-records "$records" \
        "${swift_args[@]}" > "$results/swift$suffix.json"
done
if [[ -z "${ONLY:-}" ]]; then
    echo "==> peak memory" >&2
    "$python" "$here/compare/cpython.py" peak-memory "$work/data/peak.pickle" > "$results/cpython-peak.json"
    "$compare" peak-memory "$work/data/peak.pickle" > "$results/swift-peak.json"
fi

"$python" "$here/compare/table.py" "$results"
