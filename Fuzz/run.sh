#!/usr/bin/env bash
# Builds the libFuzzer targets (with AddressSanitizer) and runs one of them for a given time.
#
#   Fuzz/run.sh [seconds] [target] [-- libFuzzer options…]
#
# seconds  how long to fuzz (default 60); target: unpickler (FuzzUnpickler, the default), roundtrip
# (FuzzRoundTrip), or all (each gets half the time). The corpus grows in Fuzz/.build-corpus/<target>
# across runs; it starts from the golden corpus, the pass/fail inputs and Tests/PickleTests/Fixtures/
# regressions. A crash, leak, out-of-memory or timeout leaves its input in Fuzz/.build-artifacts/<target>/
# and makes the script exit non-zero; see CONTRIBUTING.md ("Fuzzing") for what to do with it. Each run's
# execution count is appended to Fuzz/.build-corpus/executions.log.
#
# One worker, one job: the machine is shared. Environment: FUZZ_MAX_LEN (default 8192 bytes per input),
# FUZZ_RSS_LIMIT_MB (default 2048), FUZZ_TIMEOUT (seconds for one input, default 20).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
seconds="${1:-60}"
target="${2:-unpickler}"
shift $(( $# > 2 ? 2 : $# ))
[ "${1:-}" = "--" ] && shift
case "$target" in
    unpickler|FuzzUnpickler) targets=(FuzzUnpickler) ;;
    roundtrip|FuzzRoundTrip) targets=(FuzzRoundTrip) ;;
    all) targets=(FuzzUnpickler FuzzRoundTrip); seconds=$(( (seconds + 1) / 2 )) ;;
    *) echo "usage: Fuzz/run.sh [seconds] [unpickler|roundtrip|all] [-- libFuzzer options]" >&2; exit 2 ;;
esac

python=/usr/bin/python3
[ -x "$python" ] || python=python3

echo "==> building the fuzz targets (release, -sanitize=fuzzer,address)" >&2
swift build --package-path "$here" -c release \
    -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library >&2
bin="$(swift build --package-path "$here" -c release --show-bin-path)"

seeds="$here/.build-corpus/seeds"
rm -rf "$seeds"
"$python" "$here/seeds.py" "$seeds" "${FUZZ_MAX_LEN:-8192}" >&2

status=0
for name in "${targets[@]}"; do
    corpus="$here/.build-corpus/$name"
    artifacts="$here/.build-artifacts/$name"
    mkdir -p "$corpus" "$artifacts"
    log="$here/.build-corpus/$name.last.log"
    echo "==> $name for ${seconds}s (log: $log)" >&2
    set +e
    "$bin/$name" -max_total_time="$seconds" -max_len="${FUZZ_MAX_LEN:-8192}" \
        -rss_limit_mb="${FUZZ_RSS_LIMIT_MB:-2048}" -timeout="${FUZZ_TIMEOUT:-20}" \
        -print_final_stats=1 -artifact_prefix="$artifacts/" "$@" "$corpus" "$seeds" >"$log" 2>&1
    code=$?
    set -e
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
    echo "$(date -u +%FT%TZ) $name ${seconds}s ${runs:-?} executions exit $code" >>"$here/.build-corpus/executions.log"
    echo "$name: ${runs:-?} executions in ${seconds}s, exit $code" >&2
    if [ "$code" -ne 0 ]; then
        status=$code
        grep -E "^(==[0-9]+==ERROR|SUMMARY|Fatal error|.*Fatal error)" "$log" | head -n 5 >&2 || true
        tail -n 30 "$log" >&2
        echo "artifacts in $artifacts:" >&2
        ls -1 "$artifacts" >&2
    fi
done
exit "$status"
