#!/usr/bin/env bash
# Installs what swift-shelve needs on Debian/Ubuntu when it is missing:
#   libgdbm-dev  always (the C library and header the CGDBM module links)
#   python3-gdbm with --tests (Debian's python3 with dbm.gnu, which the interop tests run)
# Does nothing when everything is present. Uses sudo when not root.
set -euo pipefail

want_tests=0
[[ "${1:-}" == "--tests" ]] && want_tests=1

missing=()
if [[ ! -f /usr/include/gdbm.h ]]; then
    missing+=(libgdbm-dev)
fi
if (( want_tests )); then
    if ! /usr/bin/python3 -c 'import dbm.gnu' >/dev/null 2>&1; then
        missing+=(python3-gdbm)
    fi
fi
(( ${#missing[@]} == 0 )) && exit 0

if ! command -v apt-get >/dev/null 2>&1; then
    echo "error: missing ${missing[*]} and this is not a Debian/Ubuntu system; install GDBM" \
         "(brew install gdbm, dnf install gdbm-devel, ...) and Python's dbm.gnu, then retry." >&2
    exit 1
fi
sudo=()
if [[ $(id -u) -ne 0 ]]; then
    if command -v sudo >/dev/null 2>&1; then sudo=(sudo); else
        echo "error: missing ${missing[*]}; run as root: apt-get install -y ${missing[*]}" >&2
        exit 1
    fi
fi
echo "==> installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
if ! "${sudo[@]}" apt-get install -y -q "${missing[@]}" >/dev/null; then
    "${sudo[@]}" apt-get update -q >/dev/null
    "${sudo[@]}" apt-get install -y -q "${missing[@]}" >/dev/null
fi
