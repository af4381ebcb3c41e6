#!/usr/bin/env bash
# Runs the Quickstart demo: opens a shelf, stores Codable values, reopens it, reads them back,
# and (when Python's dbm.gnu is installed) shows Python reading the same file.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
swift run --quiet Quickstart "$@"
if /usr/bin/python3 -c 'import dbm.gnu' 2>/dev/null; then
    echo
    swift run --quiet PythonInterop
fi
