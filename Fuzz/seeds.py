"""Writes the fuzzers' seed corpus: every pickle of the golden corpus and the regression inputs, and the
hex inputs of the pass/fail manifests, one file per input, into the directory given as argument."""
import hashlib
import json
import os
import sys

fixtures = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Tests", "PickleTests", "Fixtures")
out = sys.argv[1]
os.makedirs(out, exist_ok=True)
limit = int(sys.argv[2]) if len(sys.argv) > 2 else 65536
inputs = []
for folder in ("golden", "golden_py2", "regressions"):
    path = os.path.join(fixtures, folder)
    if not os.path.isdir(path):
        continue
    for name in sorted(os.listdir(path)):
        if name.endswith(".md") or name.endswith(".json") or name.endswith(".dis") or name.endswith(".repr"):
            continue
        with open(os.path.join(path, name), "rb") as f:
            inputs.append(f.read())
for folder in ("pass", "fail"):
    with open(os.path.join(fixtures, folder, "manifest.json")) as f:
        for entry in json.load(f):
            inputs.append(bytes.fromhex(entry["hex"]))
written = 0
for data in inputs:
    if 0 < len(data) <= limit:
        with open(os.path.join(out, hashlib.sha1(data).hexdigest()), "wb") as f:
            f.write(data)
        written += 1
print(f"{written} seed inputs in {out}")
