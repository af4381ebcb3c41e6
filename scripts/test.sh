#!/usr/bin/env bash
# Runs the whole test suite: installs libgdbm-dev and python3-gdbm when missing, builds the
# package and its tests (failing on any compiler warning in this package's own code), then runs
# every test, including the interop tests against Debian's CPython.
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
