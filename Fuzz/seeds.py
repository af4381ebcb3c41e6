"""Writes the fuzzers' seed corpus into the directory given as argument, one file per input.

    seeds.py <directory> [max length] [decoder]

By default: every pickle of the golden corpus and the regression inputs, and the hex inputs of the pass/fail
manifests. With `decoder`, FuzzDecoder's inputs, a byte that chooses the Decodable type and the decoder (see
Fuzz/Sources/FuzzDecoder/Candidates.swift) followed by a pickle: each of those pickles after a byte worked out
from its name, and values shaped for each of the sixteen types, pickled at protocols 0 to 5, after the byte of
their type (and of the other decoders now and then). The `decoder-` regression inputs already have their byte.
"""
import collections
import datetime
import hashlib
import json
import os
import pickle
import sys
import types
import zlib

fixtures = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Tests", "PickleTests", "Fixtures")
out = sys.argv[1]
os.makedirs(out, exist_ok=True)
limit = int(sys.argv[2]) if len(sys.argv) > 2 else 65536
decoder = len(sys.argv) > 3 and sys.argv[3] == "decoder"
# FuzzDecoder's types, in the order of its Candidate enum.
CANDIDATES = ["optionals", "ints", "stringToInt", "grid", "strings", "microDict", "shape", "pickleValue", "date",
              "item", "nested", "unkeyedProbe", "keyedProbe", "holder", "tree", "singleProbe"]

inputs = []
for folder in ("golden", "golden_py2", "regressions"):
    path = os.path.join(fixtures, folder)
    if not os.path.isdir(path):
        continue
    for name in sorted(os.listdir(path)):
        if name.endswith(".md") or name.endswith(".json") or name.endswith(".dis") or name.endswith(".repr"):
            continue
        with open(os.path.join(path, name), "rb") as f:
            data = f.read()
        if not decoder:
            inputs.append(data)
        elif name.startswith("decoder-"):
            inputs.append(data)
        else:
            # One of the 64 type-and-decoder choices, by the name.
            inputs.append(bytes([zlib.crc32(name.encode()) % 64]) + data)
for folder in ("pass", "fail"):
    with open(os.path.join(fixtures, folder, "manifest.json")) as f:
        for index, entry in enumerate(json.load(f)):
            data = bytes.fromhex(entry["hex"])
            inputs.append(bytes([index % 64]) + data if decoder else data)

if decoder:
    # The class of the Item candidate, shop.Item, and another class.
    shop = types.ModuleType("shop")
    sys.modules["shop"] = shop

    class Item:
        def __init__(self, name, price, tags=None):
            self.name, self.price = name, price
            if tags is not None:
                self.tags = tags

    class Other:
        pass

    for cls in (Item, Other):
        cls.__module__ = "shop"
        setattr(shop, cls.__name__, cls)

    inner = {"name": "inner", "values": [1, 2, 3]}
    shared = [1, "two", None]
    cycle = {"value": 1}
    cycle["next"] = cycle
    moment = datetime.datetime(2024, 2, 29, 12, 30, 15, 123456, tzinfo=datetime.timezone.utc)
    shaped = {
        "optionals": [{"int": 1, "string": "s", "double": 2.5, "bool": True, "int8": -128, "uint64": 2**64 - 1,
                       "float": 0.5, "inner": inner, "list": [1, 2], "twice": None}, {}, {"int": "x"}],
        "ints": [[1, 2, 3, 2**63 - 1, -2**63, True], (1, 2), {3, 4}, [2**64]],
        "stringToInt": [{"a": 1, "b": 2}, collections.OrderedDict(z=1, a=2), {1: 1}],
        "grid": [[[1], [], [2, 3]], [(1, 2), {3}], [[1.5]]],
        "strings": [["a", "é", "e\u0301", "🦆", ""], ("x",), ["\ud800"]],
        "microDict": [{1: {2: 3, 4: None}, 5: {}}, {True: {False: 1}}, {1: {2: "x"}}],
        "shape": [{"circle": {"radius": 2.0}}, {"rect": {"width": 1, "height": 2}}, {"pair": {"_0": 1, "_1": "x"}},
                  {"empty": {}}, {"nested": {"_0": {"empty": {}}, "_1": [{"circle": {"radius": 1}}]}}],
        "pickleValue": [[None, True, 1, 2**100, 1.5, 1j, "s", b"b", bytearray(b"a"), (1,), {1}, frozenset([2]),
                         {"k": shared}, shared, len], cycle],
        "date": [moment, moment.replace(tzinfo=None), 1700000000.5, 86400, datetime.date(2000, 1, 1)],
        "item": [Item("pen", 3, ["blue"]), Item("cup", 2), {"name": "x", "price": 1}, Other()],
        "nested": [{"id": 1, "inner": inner, "inners": [inner, inner], "grid": [[inner], []], "maybe": None},
                   {"id": 1, "inner": inner, "inners": [1], "grid": []}],
        "unkeyedProbe": [[None, 1, "s", {"a": 1, 2: "b"}, [1.5, "x"], True, b"\x01", None, 5], (), [[], {}]],
        "keyedProbe": [{"name": "n", "a": None, 1: 5, "1": "one", 7: [1, 2], "super": {"x": 1}}, {True: 1}],
        "holder": [{"kind": "k", "payload": shared, "again": shared, "list": [shared], "byName": {"x": shared}},
                   {"kind": "k", "payload": cycle}],
        "tree": [[1, [2, [3, []]], 4], 5, [[[[[1]]]]]],
        "singleProbe": [None, True, 255, -1, 2**64, 1.5, "s", b"b", [1], {"a": 1}, {"x"}],
    }
    for index, name in enumerate(CANDIDATES):
        for number, value in enumerate(shaped[name]):
            for proto in range(6):
                data = pickle.dumps(value, protocol=proto)
                # Mostly the default decoder; every few pickles one of the other three.
                variant = (number + proto) % 4 if (number + proto) % 3 == 0 else 0
                inputs.append(bytes([index + 16 * variant]) + data)

written = 0
for data in inputs:
    if 0 < len(data) <= limit:
        with open(os.path.join(out, hashlib.sha1(data).hexdigest()), "wb") as f:
            f.write(data)
        written += 1
print(f"{written} seed inputs in {out}")
