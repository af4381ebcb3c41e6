#!/usr/bin/env bash
# Runs the whole test suite: installs libgdbm-dev and python3-gdbm when missing, builds the
# package and its tests (failing on any compiler warning in this package's own code), then runs
# every test, including the interop tests against Debian's CPython; then the concurrency tests
# under the thread sanitizer and a short fuzz run (SHELVE_QUICK=1 skips those two outside CI;
# SHELVE_FUZZ_SECONDS sets the fuzz time, 90 by default, split between the four fuzzers).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh --tests

log=$(mktemp)
trap 'rm -f "$log"' EXIT
echo "==> swift build --build-tests" >&2
if ! swift build --build-tests 2>&1 | tee "$log"; then
    echo "error: the build failed" >&2
    exit 1
fi
# Warnings in this package's own files fail the run (dependencies are not ours to fix).
root=$(pwd)
if grep -E "^($root/)?(Sources|Tests|Examples)/[^:]+:[0-9]+:[0-9]+: warning:" "$log" | sort -u | grep .; then
    echo "error: the build has warnings in this package's code (listed above)" >&2
    exit 1
fi
echo "==> swift test" >&2
swift test --skip-build "$@"

# Hostile-input and thread-safety checks: the concurrency tests under the thread sanitizer, and a short run
# of each fuzzer (see CONTRIBUTING.md, "Fuzzing"). Always on in CI; SHELVE_QUICK=1 skips them locally.
if [ "${CI:-}" != true ] && [ "${SHELVE_QUICK:-}" = 1 ]; then
    echo "==> SHELVE_QUICK=1: skipping the thread-sanitizer tests and the fuzz run" >&2
    exit 0
fi
echo "==> swift test --sanitize=thread --filter Concurrency" >&2
swift build --build-tests --sanitize=thread --scratch-path .build-tsan
swift test --skip-build --sanitize=thread --scratch-path .build-tsan --filter Concurrency
echo "==> Fuzz/run.sh ${SHELVE_FUZZ_SECONDS:-90} all" >&2
bash Fuzz/run.sh "${SHELVE_FUZZ_SECONDS:-90}" all
