#!/usr/bin/env bash
# Builds the libFuzzer targets (with AddressSanitizer) and runs one of them for a given time.
#
#   Fuzz/run.sh [seconds] [target] [-- libFuzzer options…]
#
# seconds  how long to fuzz (default 60); target: unpickler (FuzzUnpickler, the default), roundtrip
# (FuzzRoundTrip), encoder (FuzzEncoder), decoder (FuzzDecoder), or all (the four one after another, sharing
# the time: 90 seconds are 23 + 23 + 22 + 22). The corpus grows in Fuzz/.build-corpus/<target> across runs; it
# starts from the golden corpus, the pass/fail inputs and Tests/PickleTests/Fixtures/regressions (FuzzDecoder's
# from those pickles and typed ones, each after a byte that chooses the type; see seeds.py). A crash, leak, out-of-memory or timeout leaves its input in
# Fuzz/.build-artifacts/<target>/ and makes the script exit non-zero; see CONTRIBUTING.md ("Fuzzing") for
# what to do with it. Each run's execution count is appended to Fuzz/.build-corpus/executions.log.
#
# Environment: FUZZ_WORKERS (default 1: the machine is shared; N runs N fuzzer processes side by side on
# the same corpus, each with its own log, and their execution counts are summed), FUZZ_MAX_LEN (default
# 8192 bytes per input), FUZZ_RSS_LIMIT_MB (default 2048 per process), FUZZ_TIMEOUT (seconds for one
# input, default 20). Run under `nice -n 19` to give the fuzzer only the time nothing else wants.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
seconds="${1:-60}"
target="${2:-unpickler}"
shift $(( $# > 2 ? 2 : $# ))
[ "${1:-}" = "--" ] && shift
case "$target" in
    unpickler|FuzzUnpickler) targets=(FuzzUnpickler) ;;
    roundtrip|FuzzRoundTrip) targets=(FuzzRoundTrip) ;;
    encoder|FuzzEncoder) targets=(FuzzEncoder) ;;
    decoder|FuzzDecoder) targets=(FuzzDecoder) ;;
    all) targets=(FuzzUnpickler FuzzRoundTrip FuzzEncoder FuzzDecoder) ;;
    *) echo "usage: Fuzz/run.sh [seconds] [unpickler|roundtrip|encoder|decoder|all] [-- libFuzzer options]" >&2; exit 2 ;;
esac
# The targets share the time: the first (seconds mod count) get one second more.
share=$(( seconds / ${#targets[@]} ))
extra=$(( seconds % ${#targets[@]} ))

python=/usr/bin/python3
[ -x "$python" ] || python=python3

echo "==> building the fuzz targets (release, -sanitize=fuzzer,address)" >&2
swift build --package-path "$here" -c release \
    -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library >&2
bin="$(swift build --package-path "$here" -c release --show-bin-path)"

seeds="$here/.build-corpus/seeds"
decoderSeeds="$here/.build-corpus/seeds-decoder"
rm -rf "$seeds" "$decoderSeeds"
"$python" "$here/seeds.py" "$seeds" "${FUZZ_MAX_LEN:-8192}" >&2
"$python" "$here/seeds.py" "$decoderSeeds" "${FUZZ_MAX_LEN:-8192}" decoder >&2

# Under AddressSanitizer, Swift's own backtracer reports a trap in the library as a buffer overflow in its
# crash handler; without it, the sanitizer prints the trap's real stack.
export SWIFT_BACKTRACE="${SWIFT_BACKTRACE:-enable=no}"

status=0
index=0
for name in "${targets[@]}"; do
    seconds=$(( share + (index < extra ? 1 : 0) ))
    index=$(( index + 1 ))
    targetSeeds="$seeds"
    [ "$name" = FuzzDecoder ] && targetSeeds="$decoderSeeds"
    corpus="$here/.build-corpus/$name"
    artifacts="$here/.build-artifacts/$name"
    mkdir -p "$corpus" "$artifacts"
    workers="${FUZZ_WORKERS:-1}"
    echo "==> $name for ${seconds}s, $workers worker(s) (logs: $here/.build-corpus/$name.last.*.log)" >&2
    pids=()
    for ((w = 1; w <= workers; w++)); do
        "$bin/$name" -max_total_time="$seconds" -max_len="${FUZZ_MAX_LEN:-8192}" \
            -rss_limit_mb="${FUZZ_RSS_LIMIT_MB:-2048}" -timeout="${FUZZ_TIMEOUT:-20}" \
            -print_final_stats=1 -artifact_prefix="$artifacts/" "$@" "$corpus" "$targetSeeds" \
            >"$here/.build-corpus/$name.last.$w.log" 2>&1 &
        pids+=("$!")
    done
    code=0
    for pid in "${pids[@]}"; do
        wait "$pid" || code=$?
    done
    runs=0
    for ((w = 1; w <= workers; w++)); do
        log="$here/.build-corpus/$name.last.$w.log"
        n=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
        runs=$(( runs + ${n:-0} ))
    done
    echo "$(date -u +%FT%TZ) $name ${seconds}s $workers worker(s) $runs executions exit $code" >>"$here/.build-corpus/executions.log"
    echo "$name: $runs executions in ${seconds}s ($workers worker(s)), exit $code" >&2
    if [ "$code" -ne 0 ]; then
        status=$code
        for ((w = 1; w <= workers; w++)); do
            log="$here/.build-corpus/$name.last.$w.log"
            grep -qE "^(==[0-9]+==ERROR|SUMMARY)|Fatal error" "$log" || continue
            grep -E "^(==[0-9]+==ERROR|SUMMARY)|Fatal error" "$log" | head -n 5 >&2 || true
            tail -n 30 "$log" >&2
        done
        echo "artifacts in $artifacts:" >&2
        ls -1 "$artifacts" >&2
    fi
done
exit "$status"
