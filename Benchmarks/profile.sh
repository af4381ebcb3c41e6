#!/usr/bin/env bash
# Profiles one workload of swift-shelve-compare with valgrind's callgrind and prints the functions with the
# most instructions, their own (self) and with what they call (inclusive), by symbol across source files
# (inlined code is attributed to the function it was inlined into), demangled.
#
#     bash Benchmarks/profile.sh loads/DICT [ITERATIONS] [TOP]
#
# Names as `swift-shelve-compare --list` prints them. The callgrind file stays in $PROFILE_DIR
# (default /tmp/swift-shelve-profile) for callgrind_annotate or kcachegrind.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
workload=${1:?usage: profile.sh WORKLOAD [ITERATIONS] [TOP]}
iterations=${2:-2000}
top=${3:-25}
out=${PROFILE_DIR:-/tmp/swift-shelve-profile}
mkdir -p "$out"
data="$out/data"
[[ -f "$data/peak.pickle" ]] || /usr/bin/python3 "$here/compare/cpython.py" make-data "$data"
(cd "$here" && swift build -c release --scratch-path "$here/.build" --product swift-shelve-compare >&2)
file="$out/$(echo "$workload" | tr '/' '_').callgrind"
valgrind --tool=callgrind --callgrind-out-file="$file" \
    "$here/.build/release/swift-shelve-compare" --data "$data" --golden "$root/Tests/PickleTests/Fixtures/golden" \
    --only "$workload" --iterations "$iterations" --reps 1 --shelf-records 1000 >/dev/null 2>"$out/valgrind.log"
/usr/bin/python3 "$here/compare/callgrind_top.py" "$file" "$top" "$iterations"
