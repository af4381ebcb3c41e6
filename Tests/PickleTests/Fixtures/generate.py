#!/usr/bin/env python3
"""Generate the golden pickle corpus with the real CPython (run it with Debian's python3, 3.11).

    python3 generate.py [OUTDIR]      OUTDIR defaults to this file's directory

Writes OUTDIR/golden/ (pickles, disassemblies, manifest.json), OUTDIR/fail/manifest.json,
OUTDIR/pass/manifest.json and, when a pyenv Python 2.7 is found, OUTDIR/golden_py2/ (through
generate_py2.py). The output is deterministic: the script re-executes itself with
PYTHONHASHSEED=0 and uses only seeded randomness. See README.md for the formats.
"""

import os
import sys

sys.dont_write_bytecode = True  # leave no __pycache__ in the source tree

if os.environ.get("PYTHONHASHSEED") != "0":
    os.environ["PYTHONHASHSEED"] = "0"
    os.execv(sys.executable, [sys.executable] + sys.argv)

import collections
import datetime
import decimal
import glob
import hashlib
import io
import json
import math
import pickle
import pickletools
import random
import subprocess
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import compare  # noqa: E402  (beside this file)
import golden_classes as gc  # noqa: E402

PROTOCOLS = range(0, 6)
REPR_INLINE_MAX = 4096  # longer reprs go to a shared <name>.repr file ...
REPR_FILE_MAX = 12_000  # ... unless longer than this, then only their length and SHA-256
DIS_MAX = 16_000  # longer disassemblies are not stored
SIZE_BUDGET = 4_000_000  # the whole fixture directory must stay below 4 MB

assert pickle.Pickler.__module__ == "_pickle", "the C pickler (_pickle) is required"


# --------------------------------------------------------------------------------------------
# The model writer used to decide `exact`.
#
# It is CPython's own pure-Python pickler (pickle._Pickler) with two changes. First, where
# pickle.py's output differs from _pickle's for reasons unrelated to identity, the model does
# what _pickle does (see save_str and the batching methods below). Second, its memo is keyed by
# VALUE for immutable objects (str, bytes, complex, and, unless tuple_identity is set, tuples and
# frozensets keyed by their elements' keys) and by identity for everything else (list, dict, set,
# bytearray, class instances, globals). That is what a Swift writer can do when its value model
# has no identity for strings (and tuples). If its output equals _pickle's, the entry is `exact`.

def memo_key(obj, tuple_identity=False):
    t = type(obj)
    if t is str or t is bytes:
        return (t.__name__, obj)
    if t is float or t is complex:
        return (t.__name__, repr(obj))  # -0.0 and nan stay distinct and equal to themselves
    if t is int or t is bool or obj is None:
        return (t.__name__, obj)
    if t is tuple and not tuple_identity:
        return ("tuple", tuple(memo_key(item) for item in obj))
    if t is frozenset and not tuple_identity:
        return ("frozenset", frozenset(memo_key(item) for item in obj))
    return ("id", id(obj))


class _ValueMemo:
    """A stand-in for pickle._Pickler.memo ({id(obj): (index, obj)}) keyed by memo_key."""

    def __init__(self, objects, tuple_identity):
        self._objects = objects
        self._tuple_identity = tuple_identity
        self._table = {}

    def _key(self, oid):
        return memo_key(self._objects[oid], self._tuple_identity)

    def get(self, oid, default=None):
        return self._table.get(self._key(oid), default)

    def __contains__(self, oid):
        return self._key(oid) in self._table

    def __getitem__(self, oid):
        return self._table[self._key(oid)]

    def __setitem__(self, oid, value):
        self._table[self._key(oid)] = value

    def __len__(self):
        return len(self._table)

    def clear(self):
        self._table.clear()


_DICT_ITEMS = type({}.items())


class ModelPickler(pickle._Pickler):
    def __init__(self, file, protocol, tuple_identity=False):
        super().__init__(file, protocol)
        self._objects = {}  # id -> object, keeps every saved object alive
        self.memo = _ValueMemo(self._objects, tuple_identity)

    def save(self, obj, save_persistent_id=True):
        self._objects[id(obj)] = obj
        super().save(obj, save_persistent_id)

    def clear_memo(self):
        self.memo.clear()

    def save_str(self, obj):
        # pickle.py's protocol-0 branch memoizes the escaped copy of the string rather than the
        # string itself, so it never finds it again; _pickle memoizes the string. Do as _pickle.
        if self.bin:
            return pickle._Pickler.save_str(self, obj)
        text = obj
        for char in "\\\0\n\r\x1a":
            text = text.replace(char, "\\u%04x" % ord(char))
        self.write(pickle.UNICODE + text.encode("raw-unicode-escape") + b"\n")
        self.memoize(obj)

    # Batching. For an exact list (not a subclass, not reduce's list items) _pickle writes a
    # one-element list with APPEND and otherwise MARK ... APPENDS batches of up to 1000, even
    # when the last batch holds one item (pickle.py uses APPEND for it). For an exact dict it
    # writes a one-item dict with SETITEM, otherwise batches of up to 1000 with MARK ...
    # SETITEMS, and after a full batch always one more, so a dict of 1000 items ends with an
    # empty MARK SETITEMS. Sets (protocol 4+) are batched like dicts: MARK ... ADDITEMS.
    # Iterators (from __reduce__) are batched as pickle.py does: a last lone item alone.

    def _batch_appends(self, items):
        if not self.bin or type(items) is not list or len(items) <= 1:
            return pickle._Pickler._batch_appends(self, items)
        for start in range(0, len(items), self._BATCHSIZE):
            self.write(pickle.MARK)
            for item in items[start:start + self._BATCHSIZE]:
                self.save(item)
            self.write(pickle.APPENDS)

    def _batch_setitems(self, items):
        if not self.bin or type(items) is not _DICT_ITEMS or len(items) <= 1:
            return pickle._Pickler._batch_setitems(self, items)
        self._full_batches(list(items), pickle.SETITEMS, pair=True)

    def save_set(self, obj):
        if self.proto < 4:
            return pickle._Pickler.save_set(self, obj)
        self.write(pickle.EMPTY_SET)
        self.memoize(obj)
        if obj:
            self._full_batches(list(obj), pickle.ADDITEMS, pair=False)

    def _full_batches(self, items, opcode, pair):
        start = 0
        while True:
            batch = items[start:start + self._BATCHSIZE]
            start += self._BATCHSIZE
            self.write(pickle.MARK)
            for item in batch:
                if pair:
                    self.save(item[0])
                    self.save(item[1])
                else:
                    self.save(item)
            self.write(opcode)
            if len(batch) < self._BATCHSIZE:
                return

    dispatch = dict(pickle._Pickler.dispatch)
    dispatch[str] = save_str
    dispatch[set] = save_set


def model_dumps(objects, protocol, tuple_identity=False):
    f = io.BytesIO()
    p = ModelPickler(f, protocol, tuple_identity)
    for obj in objects:
        p.dump(obj)
    return f.getvalue()


def equal_distinct_immutables(obj):
    """Groups of equal but distinct str/bytes/tuple/frozenset/complex objects reachable from obj."""
    seen, groups, stack = set(), collections.defaultdict(set), [obj]
    while stack:
        o = stack.pop()
        if id(o) in seen:
            continue
        seen.add(id(o))
        t = type(o)
        if t in (str, bytes, tuple, frozenset, complex):
            groups[memo_key(o)].add(id(o))
        if t in (list, tuple, set, frozenset):
            stack.extend(o)
        elif t is dict or isinstance(o, dict):
            for k, v in o.items():
                stack += [k, v]
            stack.extend(getattr(o, "__dict__", {}).values())
        elif isinstance(o, (list, tuple)):
            stack.extend(o)
            stack.extend(getattr(o, "__dict__", {}).values())
        elif hasattr(o, "__dict__") and not isinstance(o, type):
            stack.extend(o.__dict__.values())
    return sorted(k[0] for k, ids in groups.items() if len(ids) > 1)


# --------------------------------------------------------------------------------------------
# The corpus.

def create_data():
    """pickletester's create_data() list, with its class C taken from golden_classes."""
    c = gc.C()
    c.foo = 1
    c.bar = 2
    x = [0, 1, 2.0, complex(3.0, 0.0)]
    x += [1, -1, 0xff, -0xff, -0x100, 0xffff, -0xffff, -0x10000,
          0x7fffffff, -0x7fffffff, -0x80000000]
    y = ("abc", "abc", c, c)  # one 'abc' object (a constant), one c
    x += [y, y, 5]
    return x


def bm_dict():
    # pyperformance bm_pickle's DICT, keys in the benchmark's order. All three '' are one object.
    return {
        "ads_flags": 0, "age": 18, "birthday": datetime.date(1980, 5, 7), "bulletin_count": 0,
        "comment_count": 0, "country": "BR", "encrypted_id": "G9urXXAJwjE",
        "favorite_count": 9, "first_name": "", "flags": 412317970704, "friend_count": 0,
        "gender": "m", "gender_for_display": "Male", "id": 302935349,
        "is_custom_profile_icon": 0, "last_name": "", "locale_preference": "pt_BR",
        "member": 0, "tags": ["a", "b", "c", "d", "e", "f", "g"], "profile_foo_id": 827119638,
        "secure_encrypted_id": "Z_xxx2dYx3t4YAdnmfgyKw", "session_number": 2,
        "signup_id": "201-19225-223", "status": "A", "theme": 1, "time_created": 1225237014,
        "time_updated": 1233134493, "unread_message_count": 0, "user_group": "0",
        "username": "collinwinter", "play_count": 9, "view_count": 7, "zip": "",
    }


def bm_tuple():
    return ([265867233, 265868503, 265252341, 265243910, 265879514, 266219766, 266021701,
             265843726, 265592821, 265246784, 265853180, 45526486, 265463699, 265848143,
             265863062, 265392591, 265877490, 265823665, 265828884, 265753032], 60)


def bm_dict_group():
    # Three copies of DICT, sharing its key objects, every value replaced by
    # str(random() * sys.maxsize) from one Random(5) drawn in key order.
    base = bm_dict()
    rnd = random.Random(5)
    group = []
    for _ in range(3):
        d = dict(base)
        for key in d:
            d[key] = str(rnd.random() * sys.maxsize)
        group.append(d)
    return group


def bm_list():
    return [[list(range(10)), list(range(10))] for _ in range(10)]


def bm_micro_dict():
    return {k: dict.fromkeys(range(10)) for k in range(100)}


BM_P5_SIZES = {"bm_dict": 683, "bm_tuple": 120, "bm_dict_group": 2991, "bm_list": 536,
               "bm_micro_dict": 3616}


def rich_object():
    """A small value touching most opcodes; its pickles seed the truncation set in fail/."""
    shared = [1]
    return [None, True, 0, 255, 65536, -1, 2**70, 1.5, "\u00e9\U0001F600", b"\xff",
            bytearray(b"a"), (), (1, 2, 3, 4), {"k": shared, 2: shared}, {1}, frozenset({3}), len]


def self_list():
    L = []
    L.append(L)
    return L


def self_dict():
    d = {}
    d["self"] = d
    return d


def list_tuple_cycle():
    L = []
    L.append((L,))
    return L


def tuple_list_cycle():
    L = []
    T = (L,)
    L.append(T)
    return T


def dict_tuple_cycle():
    d = {}
    t = (d, 1)
    d["t"] = t
    return t


def nested_list_cycle():
    L = []
    L.append(([L],))
    return L


def shared_list():
    L = [1, 2]
    return [L, L, [L]]


def shared_dict():
    d = {"k": 1}
    return {"a": d, "b": [d], "c": (d,)}


def shared_tuple():
    t = (1, 2)
    return [t, t, {"t": t}]


def shared_bytearray():
    b = bytearray(b"xy")
    return [b, b]


def str_equal_distinct():
    parts = ["sh", "ared"]
    return ["".join(parts), "".join(parts)]  # equal values, two objects


def bytes_equal_distinct():
    return [bytes([1, 2, 3]), bytes([1, 2, 3])]


def tuple_equal_distinct():
    return [(1, 2), tuple([1, 2])]


def str_as_key_and_value():
    k = "".join(["ke", "y"])
    v = "".join(["ke", "y"])
    return {k: v}


def dates_equal_distinct():
    return [datetime.date(2000, 1, 1), datetime.date(2000, 1, 1)]


def instances():
    return {
        "inst_plain": lambda: gc.Plain(1, "two"),
        "inst_plain_nested": lambda: gc.Plain([1, 2], {"k": gc.Plain(None, b"x")}),
        "inst_slots": lambda: gc.Slotted(1, "y"),
        "inst_slots_partial": lambda: gc.Slotted(7, set_y=False),
        "inst_getstate": lambda: gc.WithState("ws", [1, 2, 3]),
        "inst_reduce": lambda: gc.Reduced("r", 42),
        "inst_listsub": lambda: _with_attr(gc.ListSub([1, "a", None]), tag="L"),
        "inst_dictsub": lambda: _with_attr(gc.DictSub({"a": 1, "b": [2]}), tag="D"),
        "inst_namedtuple": lambda: gc.Point(3, -4),
        "inst_dataclass": lambda: gc.Item("widget", 3, ["red", "blue"]),
        "inst_intenum": lambda: gc.Color.GREEN,
        "inst_shared": lambda: _shared_instance(),
    }


def _with_attr(obj, **attrs):
    obj.__dict__.update(attrs)
    return obj


def _shared_instance():
    p = gc.Plain("shared", None)
    return [p, p, {"p": p}]


def self_instance():
    return gc.SelfRef("loop")


def str_controls():
    return "".join(chr(i) for i in range(0, 32)) + "\x7f\x80\x85\x9f\xa0\u2028\u2029\ufeff"


def big_str():
    return "0123456789abcdefghij" * 3500  # 70000 chars


def big_bytes():
    return bytes(i % 128 for i in range(70000))


def mib_bytes():
    return bytes(i % 251 for i in range(1 << 20))


def ints_100000():
    return [i % 256 for i in range(100000)]


class Entry:
    def __init__(self, name, category, make, protocols=PROTOCOLS, notes=""):
        self.name, self.category, self.make = name, category, make
        self.protocols, self.notes = list(protocols), notes


def corpus():
    E = Entry
    out = [E("none", "constant", lambda: None), E("true", "constant", lambda: True),
           E("false", "constant", lambda: False)]

    ints = [("0", 0), ("1", 1), ("neg1", -1), ("255", 255), ("256", 256), ("neg255", -255),
            ("neg256", -256), ("65535", 65535), ("65536", 65536), ("neg65535", -65535),
            ("neg65536", -65536), ("2p31m1", 2**31 - 1), ("neg2p31", -2**31),
            ("neg2p31m1", -2**31 - 1), ("2p31", 2**31), ("2p32", 2**32), ("2p63m1", 2**63 - 1),
            ("neg2p63", -2**63), ("2p63", 2**63), ("2p64", 2**64), ("neg2p64", -2**64),
            ("127", 127), ("128", 128), ("neg128", -128), ("neg129", -129),
            ("2p1000", 2**1000), ("neg2p1000", -(2**1000)),
            ("2p2039m1", 2**2039 - 1), ("2p2039", 2**2039), ("neg2p2039", -2**2039),
            ("neg2p2039m1", -2**2039 - 1), ("2100bit", 2**2099 + 12345)]
    for nbits in (8 * 254, 8 * 255, 8 * 256, 8 * 257):
        base = 1 << nbits
        ints += [("bits%d_m1" % nbits, base - 1), ("neg_bits%d" % nbits, -base)]
    for name, value in ints:
        out.append(E("int_" + name, "int", (lambda v=value: v)))

    floats = [("0", 0.0), ("neg0", -0.0), ("0_1", 0.1), ("1_5", 1.5), ("1e300", 1e300),
              ("5em324", 5e-324), ("inf", math.inf), ("neginf", -math.inf),
              ("1e15", 1e15), ("1e16", 1e16), ("1em4", 1e-4), ("1em5", 1e-5),
              ("2p53", float(2**53)), ("neg3_25", -3.25), ("pi", math.pi)]
    for name, value in floats:
        out.append(E("float_" + name, "float", (lambda v=value: v)))
    out.append(E("float_nan", "float", lambda: math.nan,
                 notes="nan != nan: compare the loaded value with isnan, not =="))
    out.append(E("complex_3_0", "complex", lambda: complex(3, 0)))
    out.append(E("complex_neg1_5_2e10", "complex", lambda: complex(-1.5, 2e10)))

    strs = [("empty", ""), ("ascii", "hello, world"), ("cafe", "caf\u00e9"),
            ("euro", "\u20ac"), ("astral", "\U0001F600"), ("mixed", "a\u00e9\u20ac\U0001F600z"),
            ("quotes", "it's \"quoted\" 'both'"), ("backslash", "back\\slash \\u0041 \\n"),
            ("newlines", "line1\nline2\r\nline3\r"), ("controls", str_controls()),
            ("all_latin1", "".join(map(chr, range(256)))),
            ("255", "s" * 255), ("256", "s" * 256), ("eacute_128", "\u00e9" * 128),
            ("surrogate", "\ud800"), ("surrogate_mid", "a\udfffb"),
            ("surrogate_pair_lone", "\ud83d\ude00"), ("nul", "\x00"), ("sub", "\x1a")]
    for name, value in strs:
        out.append(E("str_" + name, "str", (lambda v=value: v)))
    out.append(E("str_70000", "str", big_str, protocols=(0, 4),
                 notes="value: '0123456789abcdefghij' * 3500; unframed at protocol 4+. Only "
                       "protocols 0 and 4, to keep the corpus small (1-3 use the BINUNICODE of "
                       "str_256, 5 equals 4 but for its PROTO)"))

    byts = [("empty", b""), ("small", b"abc"), ("all256", bytes(range(256))),
            ("255", b"b" * 255), ("256", b"b" * 256), ("high", b"\x80\xff\x00\n\\'")]
    for name, value in byts:
        out.append(E("bytes_" + name, "bytes", (lambda v=value: v)))
    out.append(E("bytes_70000", "bytes", big_bytes, protocols=(0, 3, 4),
                 notes="value: bytes(i % 128 for i in range(70000)); unframed at protocol 4+. "
                       "Only protocols 0, 3 and 4, to keep the corpus small (1-2 use the "
                       "_codecs.encode of bytes_256, 5 equals 4 but for its PROTO)"))
    out.append(E("bytearray_empty", "bytearray", lambda: bytearray()))
    out.append(E("bytearray_small", "bytearray", lambda: bytearray(b"\x00abc\xff")))

    out += [E("tuple_0", "tuple", lambda: ()), E("tuple_1", "tuple", lambda: (1,)),
            E("tuple_2", "tuple", lambda: (1, "two")),
            E("tuple_3", "tuple", lambda: (1, 2.0, "three")),
            E("tuple_4", "tuple", lambda: (1, 2, 3, 4)),
            E("tuple_nested", "tuple", lambda: ((), ((),), (1, (2, (3, ()))), ([], {}))),
            E("tuple_of_lists", "tuple", lambda: ([1], [2], [3]))]

    out += [E("list_empty", "list", lambda: []),
            E("list_10", "list", lambda: list(range(10))),
            E("list_mixed", "list", lambda: [None, True, 1, 1.0, "1", b"1", (1,), [1], {1: 1}]),
            E("list_nested", "list", lambda: [[], [[]], [[[]]], [1, [2, [3]]]]),
            E("list_1", "list", lambda: ["one"]),
            E("list_2", "list", lambda: ["one", "two"]),
            E("list_1000", "list", lambda: list(range(1000))),
            E("list_1001", "list", lambda: list(range(1001)),
              notes="_pickle writes the last lone item as MARK ... APPENDS (pickle.py: APPEND)"),
            E("list_2500", "list", lambda: list(range(2500)))]

    out += [E("dict_empty", "dict", lambda: {}),
            E("dict_order", "dict", lambda: {"b": 1, "a": 2, "c": 3, "\u00e9": 4}),
            E("dict_int_keys", "dict", lambda: {3: "c", 1: "a", -2: "b", 2**70: "big"}),
            E("dict_tuple_keys", "dict", lambda: {(1, 2): "a", (): "b", ("x", (3,)): "c"}),
            E("dict_frozenset_keys", "dict",
              lambda: {frozenset(): 0, frozenset({1}): 1, frozenset({2, 3}): 2}),
            E("dict_bytes_keys", "dict", lambda: {b"": 0, b"k": 1, b"\xff": 2}),
            E("dict_misc_keys", "dict",
              lambda: {None: "none", True: "true", 2.5: "float", False: "false", 1e100: "big"}),
            E("dict_nested", "dict", lambda: {"a": {"b": {"c": [1, {"d": None}]}}}),
            E("dict_1", "dict", lambda: {"k": "v"}),
            E("dict_1000", "dict", lambda: {i: i for i in range(1000)},
              notes="_pickle ends a dict of 1000*n items with an empty MARK SETITEMS"),
            E("dict_1001", "dict", lambda: {i: i for i in range(1001)},
              notes="_pickle writes the last lone item as MARK ... SETITEMS (pickle.py: SETITEM)"),
            E("dict_2500", "dict", lambda: {i: i % 7 for i in range(2500)})]

    out += [E("set_empty", "set", lambda: set()),
            E("set_small", "set", lambda: {1, 2, 3}),
            E("set_str", "set", lambda: {"a", "b", "c", "d"},
              notes="element order (in the pickle and the repr) is CPython's hash order with "
                    "PYTHONHASHSEED=0: compare sets unordered"),
            E("set_mixed", "set", lambda: {(1, 2), b"x", 2.5, frozenset({1}), "s"},
              notes="element order (in the pickle and the repr) is CPython's hash order with "
                    "PYTHONHASHSEED=0: compare sets unordered. No None: its hash is its address"),
            E("set_1", "set", lambda: {7}),
            E("set_1000", "set", lambda: set(range(1000)), protocols=(4, 5),
              notes="_pickle ends a set of 1000*n items with an empty MARK ADDITEMS. Protocols "
                    "4 and 5 only: below 4 a set is set(list), as in set_2500"),
            E("set_2500", "set", lambda: set(range(2500))),
            E("frozenset_empty", "set", lambda: frozenset()),
            E("frozenset_small", "set", lambda: frozenset({1, 2, 3})),
            E("frozenset_2500", "set", lambda: frozenset(range(2500)))]

    out += [E("shared_list", "shared", shared_list),
            E("shared_dict", "shared", shared_dict),
            E("shared_tuple", "shared", shared_tuple),
            E("shared_str", "shared", lambda: ["abc", "abc", ("abc",)],
              notes="one 'abc' object (a constant): later uses are memo GETs"),
            E("shared_bytearray", "shared", shared_bytearray),
            E("shared_empty_containers", "shared",
              lambda: [(), (), [], [], {}, {}, "", "", b"", b""],
              notes="() is a singleton and never memoized; '' and b'' are singletons"),
            E("str_equal_distinct", "shared", str_equal_distinct),
            E("str_key_value_distinct", "shared", str_as_key_and_value),
            E("bytes_equal_distinct", "shared", bytes_equal_distinct),
            E("tuple_equal_distinct", "shared", tuple_equal_distinct),
            E("dates_equal_distinct", "shared", dates_equal_distinct)]

    out += [E("cycle_list", "cycle", self_list, notes="L = []; L.append(L)"),
            E("cycle_dict", "cycle", self_dict, notes="d = {}; d['self'] = d"),
            E("cycle_list_tuple", "cycle", list_tuple_cycle, notes="L = []; L.append((L,))"),
            E("cycle_tuple_list", "cycle", tuple_list_cycle,
              notes="L = []; T = (L,); L.append(T); value is T: the tuple is met again "
                    "while it is being saved (POP_MARK/POPs then GET)"),
            E("cycle_tuple_dict", "cycle", dict_tuple_cycle,
              notes="d = {}; t = (d, 1); d['t'] = t; value is t"),
            E("cycle_nested", "cycle", nested_list_cycle, notes="L = []; L.append(([L],))"),
            E("cycle_instance", "cycle", self_instance, notes="SelfRef: obj.me is obj")]

    out += [E("global_len", "global", lambda: len),
            E("global_ordereddict", "global", lambda: collections.OrderedDict),
            E("global_fixture_class", "global", lambda: gc.Plain),
            E("global_nested_class", "global", lambda: gc.Outer.Inner,
              notes="qualname Outer.Inner: getattr(Outer, 'Inner') before protocol 4"),
            E("global_method", "global", lambda: str.upper,
              notes="pickled as getattr(str, 'upper'); fix_imports writes __builtin__ unicode "
                    "at protocols 0-2"),
            E("global_shared", "global", lambda: [len, len, gc.Plain, gc.Plain]),
            E("global_same_module", "global", lambda: [gc.Plain, gc.Reduced, gc.C],
              notes="the three module names are one str object: GETs at protocol 4+"),
            E("global_builtin_types", "global", lambda: [int, str, bytes, len, getattr]),
            E("global_datetime", "global", lambda: [datetime.date, datetime.datetime],
              notes="module and class name are equal but distinct str objects")]

    for name, make in instances().items():
        protocols = range(2, 6) if name.startswith("inst_slots") else PROTOCOLS
        notes = ("__slots__ without __getstate__ cannot be pickled below protocol 2"
                 if name.startswith("inst_slots") else "")
        if name == "inst_intenum":
            notes = "CPython 3.11 pickles the member as getattr(Color, 'GREEN')"
        out.append(E(name, "instance", make, protocols, notes))
    out.append(E("create_data", "instance", create_data,
                 notes="pickletester.create_data() with class C from golden_classes"))

    out += [E("date", "stdlib", lambda: datetime.date(2024, 2, 29)),
            E("datetime_naive", "stdlib", lambda: datetime.datetime(2024, 2, 29, 12, 30, 45, 123456)),
            E("datetime_utc", "stdlib",
              lambda: datetime.datetime(2024, 2, 29, 12, 30, 45, 123456,
                                        tzinfo=datetime.timezone.utc)),
            E("time", "stdlib", lambda: datetime.time(23, 59, 58, 999999)),
            E("timedelta", "stdlib",
              lambda: datetime.timedelta(days=-1, seconds=3600, microseconds=5)),
            E("decimal", "stdlib", lambda: decimal.Decimal("3.14")),
            E("uuid", "stdlib", lambda: uuid.UUID("12345678-1234-5678-1234-567812345678")),
            E("ordereddict", "stdlib",
              lambda: collections.OrderedDict([("b", 1), ("a", [2]), ("c", None)]))]

    out += [E("bm_dict", "bm_pickle", bm_dict, notes="pyperformance bm_pickle DICT"),
            E("bm_tuple", "bm_pickle", bm_tuple, notes="pyperformance bm_pickle TUPLE"),
            E("bm_dict_group", "bm_pickle", bm_dict_group,
              notes="pyperformance bm_pickle DICT_GROUP: keys are DICT's own str objects"),
            E("bm_list", "bm_pickle", bm_list, notes="pyperformance bm_pickle LIST"),
            E("bm_micro_dict", "bm_pickle", bm_micro_dict,
              notes="pyperformance bm_pickle MICRO_DICT")]

    out += [E("rich", "mixed", rich_object, notes="the seed of fail/'s truncation set"),
            E("list_100000_ints", "large", ints_100000, protocols=(4,),
              notes="value: [i % 256 for i in range(100000)]; four FRAMEs (the first holds "
                    "65537 bytes: a frame is closed at the first opcode boundary at or past 64 "
                    "KiB). Protocol 4 only, to keep the corpus small"),
            E("bytes_1mib", "large", mib_bytes, protocols=(4,),
              notes="value: bytes(i % 251 for i in range(2**20)); no FRAME at all: the payload "
                    "is written unframed and the trailing MEMOIZE and STOP are below the 4-byte "
                    "frame minimum. Protocol 4 only, to keep the corpus small")]
    return out


BUILTIN_TYPES = (type(None), bool, int, float, complex, str, bytes, bytearray, tuple, list, dict,
                 set, frozenset)


def builtin_only(obj):
    seen, stack = set(), [obj]
    while stack:
        o = stack.pop()
        if id(o) in seen:
            continue
        seen.add(id(o))
        if type(o) not in BUILTIN_TYPES:
            return False
        if type(o) is dict:
            for k, v in o.items():
                stack += [k, v]
        elif type(o) in (list, tuple, set, frozenset):
            stack.extend(o)
    return True


# --------------------------------------------------------------------------------------------
# Writing.

def dis_text(data, memo=None):
    out = io.StringIO()
    pickletools.dis(data, out=out, memo=memo)
    return out.getvalue()


def write_bytes(path, data):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data)


def write_json(path, entries):
    """A JSON list with one entry per line: compact, readable and diff-friendly."""
    lines = [json.dumps(e, ensure_ascii=True, separators=(",", ":")) for e in entries]
    text = "[\n" + ",\n".join(lines) + "\n]\n"
    write_bytes(path, text.encode("ascii"))


def check_loads(data, value, what):
    """The pickle loads (C and pure-Python unpicklers) back to `value`, identity included."""
    want = compare.signature_of(value)
    for loads in (pickle.loads, pickle._loads):
        got = compare.signature_of(loads(data))
        if got != want:
            raise SystemExit("%s: %s does not load back:\n%s" % (
                what, loads.__module__, compare.first_difference(want, got)))


def repr_fields(name, value, outdir, reprs_written):
    r = repr(value)
    fields = {"repr": None, "reprFile": None}
    if len(r) <= REPR_INLINE_MAX:
        fields["repr"] = r
        return fields
    fields.update({"reprLength": len(r), "reprSHA256": hashlib.sha256(r.encode()).hexdigest()})
    if len(r) <= REPR_FILE_MAX:
        fname = name + ".repr"
        if fname not in reprs_written:
            write_bytes(os.path.join(outdir, "golden", fname), r.encode("utf-8"))
            reprs_written.add(fname)
        fields["reprFile"] = fname
    return fields


def first_divergence(expected, actual):
    """'OFFSET: CPython writes X where the model writes Y' for the first differing opcode."""
    def ops(data):
        out = []
        try:
            for opcode, arg, pos in pickletools.genops(data):
                if opcode.name != "FRAME":
                    out.append((pos, opcode.name, arg))
        except Exception:
            pass
        return out
    for (pos, name, arg), (_, mname, marg) in zip(ops(expected), ops(actual)):
        if (name, arg) != (mname, marg):
            def show(n, a):
                text = n if a is None else "%s %s" % (n, _clip(repr(a), 60))
                return text
            return "at offset %d CPython writes %s where a value memo writes %s" % (
                pos, show(name, arg), show(mname, marg))
    return "the outputs differ in length"


def _clip(text, width):
    return text if len(text) <= width else text[:width] + "..."


def exactness(value_list, protocol, data):
    """(exact, exactWithTupleIdentity, reason) for _pickle's `data` of value_list's objects."""
    exact = model_dumps(value_list, protocol) == data
    exact_tuple_identity = model_dumps(value_list, protocol, tuple_identity=True) == data
    if exact:
        return exact, exact_tuple_identity, ""
    kinds = sorted(set(k for v in value_list for k in equal_distinct_immutables(v)))
    if kinds:
        reason = ("the value holds equal but distinct %s objects: CPython memoizes by identity "
                  "and writes each, a value memo writes the first and GETs it after"
                  % "/".join(kinds))
    else:
        reason = ("CPython makes equal but distinct immutable objects while pickling (global "
                  "module and qualified names, __reduce__ results) and writes each")
    reason += "; " + first_divergence(data, model_dumps(value_list, protocol))
    if exact_tuple_identity:
        reason += "; a writer that keeps tuple identity is exact"
    return exact, exact_tuple_identity, reason


def generate_golden(outdir):
    golden = os.path.join(outdir, "golden")
    os.makedirs(golden, exist_ok=True)
    manifest, reprs_written, names = [], set(), set()
    stats = collections.Counter()
    for entry in corpus():
        assert entry.name not in names, entry.name
        names.add(entry.name)
        value = entry.make()
        only_builtin = builtin_only(value)
        for protocol in entry.protocols:
            data = pickle.dumps(value, protocol=protocol)
            what = "%s.p%d" % (entry.name, protocol)
            if entry.name in BM_P5_SIZES and protocol == 5 and len(data) != BM_P5_SIZES[entry.name]:
                raise SystemExit("%s is %d bytes, expected %d: the bm_pickle object is wrong"
                                 % (what, len(data), BM_P5_SIZES[entry.name]))
            check_loads(data, value, what)
            fname = what + ".pickle"
            write_bytes(os.path.join(golden, fname), data)
            dis = dis_text(data)
            dname = None
            notes = [entry.notes] if entry.notes else []
            if len(dis) <= DIS_MAX:
                dname = what + ".dis"
                write_bytes(os.path.join(golden, dname), dis.encode("utf-8"))
            else:
                notes.append("disassembly not stored (%d chars)" % len(dis))
            exact, exact_ti, reason = exactness([value], protocol, data)
            if reason:
                notes.append("not exact: " + reason)
            item = {"name": entry.name, "category": entry.category, "protocol": protocol,
                    "file": fname, "size": len(data), "dis": dname}
            if only_builtin:
                item.update(repr_fields(entry.name, value, outdir, reprs_written))
            else:
                item.update({"repr": None, "reprFile": None})
            item.update({"builtinOnly": only_builtin, "exact": exact,
                         "exactWithTupleIdentity": exact_ti, "notes": "; ".join(notes)})
            manifest.append(item)
            stats[entry.category] += 1
    manifest += generate_streams(golden)
    stats["stream"] += len(PROTOCOLS)
    write_json(os.path.join(golden, "manifest.json"), manifest)
    return manifest, stats


def stream_values():
    """The objects dumped one after another by one Pickler (the memo carries over)."""
    shared = [1, 2, 3]
    text = "text"
    return [shared, shared, {"a": shared, "b": text}, text, (shared, 42), "fresh", None]


def generate_streams(golden):
    entries = []
    for protocol in PROTOCOLS:
        values = stream_values()
        f = io.BytesIO()
        pickler = pickle.Pickler(f, protocol)
        ends = []
        for v in values:
            pickler.dump(v)
            ends.append(f.tell())
        data = f.getvalue()
        # Load it back as a stream and check values and identities.
        objects, got_ends = compare.load_stream_bytes(data)
        assert got_ends == ends, (ends, got_ends)
        want = compare.Signature()
        got = compare.Signature()
        for i, (v, o) in enumerate(zip(values, objects)):
            want.add(v, "$%d" % i)
            got.add(o, "$%d" % i)
        if want.lines != got.lines:
            raise SystemExit("stream.p%d does not load back:\n%s" % (
                protocol, compare.first_difference(want.lines, got.lines)))
        fname = "stream.p%d.pickle" % protocol
        write_bytes(os.path.join(golden, fname), data)
        memo, dis, start = {}, [], 0
        for end in ends:
            dis.append(dis_text(data[start:end], memo))
            start = end
        dname = "stream.p%d.dis" % protocol
        write_bytes(os.path.join(golden, dname), "".join(dis).encode("utf-8"))
        exact, exact_ti, reason = exactness(values, protocol, data)
        entries.append({
            "name": "stream", "category": "stream", "protocol": protocol, "file": fname,
            "size": len(data), "dis": dname, "repr": None, "reprFile": None,
            "builtinOnly": True, "exact": exact, "exactWithTupleIdentity": exact_ti,
            "notes": "several pickles written by one Pickler; later ones GET objects memoized "
                     "by earlier ones, so load them with one Unpickler"
                     + ("; not exact: " + reason if reason else ""),
            "pickles": [{"repr": repr(v), "end": e} for v, e in zip(values, ends)],
        })
    return entries


# --------------------------------------------------------------------------------------------
# fail/ and pass/.

def bad_stack_cases():
    return [b".", b"0", b"1", b"2", b"(2", b"R", b")R", b"a", b"Na", b"b", b"Nb", b"d", b"e",
            b"(e", b"ibuiltins\nlist\n", b"l", b"o", b"(o", b"p1\n", b"q\x00",
            b"r\x00\x00\x00\x00", b"s", b"Ns", b"NNs", b"t", b"u", b"(u", b"}(Nu", b"\x81",
            b")\x81", b"\x85", b"\x86", b"N\x86", b"\x87", b"N\x87", b"NN\x87", b"\x90",
            b"(\x90", b"\x91", b"\x92", b")}\x92", b"\x93", b"Vlist\n\x93", b"\x94"]


def bad_mark_cases():
    return [b"N(.", b"N(2", b"cbuiltins\nlist\n)(R", b"cbuiltins\nlist\n()R", b"]N(a",
            b"cbuiltins\nValueError\n)R}(b", b"cbuiltins\nValueError\n)R(}b", b"(Nd",
            b"N(p1\n", b"N(q\x00", b"N(r\x00\x00\x00\x00", b"}NN(s", b"}N(Ns", b"}(NNs",
            b"}((u", b"cbuiltins\nlist\n)(\x81", b"cbuiltins\nlist\n()\x81", b"N(\x85",
            b"NN(\x86", b"N(N\x86", b"NNN(\x87", b"NN(N\x87", b"N(NN\x87", b"]((\x90",
            b"cbuiltins\nlist\n)}(\x92", b"cbuiltins\nlist\n)(}\x92",
            b"cbuiltins\nlist\n()}\x92", b"Vbuiltins\n(Vlist\n\x93",
            b"Vbuiltins\nVlist\n(\x93", b"N(\x94"]


def truncated_cases():
    cases = [b"", b"N"]
    for op, pieces in [
            (b"B", [b"", b"\x03\x00\x00", b"\x03\x00\x00\x00", b"\x03\x00\x00\x00ab"]),
            (b"C", [b"", b"\x03", b"\x03ab"]), (b"F", [b"", b"0.0", b"0.00"]),
            (b"G", [b"", b"\x00" * 7]), (b"I", [b"", b"0"]), (b"J", [b"", b"\x00" * 3]),
            (b"K", [b""]), (b"L", [b"", b"0", b"10", b"0L", b"10L"]), (b"M", [b"", b"\x00"]),
            (b"S", [b"", b"'abc'"]),
            (b"T", [b"", b"\x03\x00\x00", b"\x03\x00\x00\x00", b"\x03\x00\x00\x00ab"]),
            (b"U", [b"", b"\x03", b"\x03ab"]), (b"V", [b"", b"abc"]),
            (b"X", [b"", b"\x03\x00\x00", b"\x03\x00\x00\x00", b"\x03\x00\x00\x00ab"]),
            (b"(c", [b"", b"builtins", b"builtins\n", b"builtins\nlist"]),
            (b"Ng", [b"", b"0"]), (b"(i", [b"", b"builtins", b"builtins\n", b"builtins\nlist"]),
            (b"Nh", [b""]), (b"Nj", [b"", b"\x00" * 3]), (b"Np", [b"", b"0"]), (b"Nq", [b""]),
            (b"Nr", [b"", b"\x00" * 3]), (b"\x80", [b""]), (b"\x82", [b""]), (b"\x83", [b""]),
            (b"\x84", [b"", b"\x01", b"\x01\x00\x00"]), (b"\x8a", [b""]),
            (b"\x8b", [b"", b"\x00" * 3]), (b"\x8c", [b"", b"\x03", b"\x03ab"])]:
        cases += [op + p for p in pieces]
    for op in (b"\x8d", b"\x8e", b"\x96"):
        cases += [op, op + b"\x03" + b"\x00" * 6, op + b"\x03" + b"\x00" * 7,
                  op + b"\x03" + b"\x00" * 7 + b"ab"]
    cases += [b"\x95", b"\x95\x02" + b"\x00" * 6, b"\x95\x02" + b"\x00" * 7,
              b"\x95\x02" + b"\x00" * 7 + b"N"]
    # Mine: a length field promising far more than the input holds (no allocation expected).
    cases += [b"T\xff\xff\xff\x7f", b"X\xff\xff\xff\xffabc", b"B\xff\xff\xff\xff.",
              b"\x8e\xff\xff\xff\xff\xff\xff\xff\x7f.", b"\x8a\xff" + b"\x00" * 10,
              b"\x8b\xff\xff\xff\x7f\x00", b"\x80\x04\x95\xff\xff\xff\xff\x00\x00\x00\x00N.",
              b"\x80\x02]q\x00(K\x01K\x02e"]
    return cases


def fail_cases():
    """(category, source, data) for every hostile or corrupt input."""
    out = []
    pt = "pickletester "
    out += [("truncated", pt + "test_truncated_data", d) for d in truncated_cases()]
    out += [("stackUnderflow", pt + "test_bad_stack", d) for d in bad_stack_cases()]
    out += [("badMark", pt + "test_bad_mark", d) for d in bad_mark_cases()]
    out += [("badString", pt + "test_badly_escaped_string", b"S'\\'\n.")]
    out += [("badString", pt + "test_badly_quoted_string", d) for d in [
        b"S'\n.", b'S"\n.', b"S' \n.", b'S" \n.', b"S'\"\n.", b"S\"'\n.", b"S' ' \n.",
        b'S" " \n.', b"S ''\n.", b'S ""\n.', b"S \n.", b"S\n.", b"S."]]
    out += [("badString", "mine", d) for d in [
        b"S'abc\n.", b"Vabc", b"X\x02\x00\x00\x00\xff\xfe.", b"\x8c\x02\xc3(.",
        b"U\x03\xe9\xe9\xe9.", b"S'\\x4'\n.", b"V\\u12\n.", b"S'\xe9'\n."]]
    out += [("badExtension", pt + "test_bad_ext_code", d) for d in [
        b"\x82\x01.", b"\x82\xff.", b"\x83\x01\x00.", b"\x83\xff\xff.",
        b"\x84\x01\x00\x00\x00.", b"\x84\xff\xff\xff\x7f.", b"\x82\x00.", b"\x83\x00\x00.",
        b"\x84\x00\x00\x00\x00.", b"\x84\x00\x00\x00\x80.", b"\x84\xff\xff\xff\xff."]]
    out += [("badReduce", pt + "test_bad_reduce", d) for d in [
        b"N)R.", b"cbuiltins\nint\nNR."]]
    out += [("badReduce", pt + "test_bad_newobj", d) for d in [
        b"cbuiltins\nlen\n)\x81.", b"cbuiltins\nint\nN\x81."]]
    out += [("badReduce", pt + "test_bad_newobj_ex", d) for d in [
        b"cbuiltins\nlen\n)}\x92.", b"cbuiltins\nint\nN}\x92.", b"cbuiltins\nint\n)N\x92."]]
    out += [("badReduce", "mine", d) for d in [
        b"cbuiltins\nlen\n(I1\ntR.", b"\x80\x02cbuiltins\nint\n)\x81N}b.",
        b"\x80\x02]q\x00K\x01b."]]
    out += [("negativePut", pt + "test_negative_put", b"Va\np-1\n.")]
    out += [("missingMemo", pt + "test_misc_get", d) for d in [b"g0\np0", b"jens:", b"hens:"]]
    out += [("missingMemo", "mine", d) for d in [
        b"g0\n.", b"h\x00.", b"j\x00\x00\x00\x00.", b"\x80\x04N\x94h\x01.", b"g-1\n.",
        b"]q\x01h\x00."]]
    out += [("badInteger", pt + "test_maxint64", b"I9223372036854775807JUNK\n.")]
    out += [("badInteger", "mine", d) for d in [
        b"I\n.", b"Iabc\n.", b"I1.5\n.", b"L\n.", b"Labc\n.", b"L1.5L\n.",
        b"F\n.", b"Fabc\n.", b"L010\n.", b"F1_0\n.", b"F 1\n.", b"F0x10\n."]]
    out += [("badProtocol", "mine", d) for d in [b"\x80\x06N.", b"\x80\xffN.", b"\x80\x63N."]]
    known = {ord(o.code) for o in pickletools.opcodes}
    out += [("unknownOpcode", "mine", bytes([op]) + b".")
            for op in sorted(set(range(0x80)) - known)[:12]]
    out += [("unknownOpcode", "mine", d) for d in [b"\x99.", b"\xff.", b"\x80\x02\xa0."]]
    out += [("other", pt + "test_load_global", d) for d in [
        b"c\xff\nlog\n.", b"cmath\n\xff\n.", b"c\nlog\n.", b"cmath\n\n.", b"\x80\x04cmath\n\n."]]
    out += [("other", pt + "test_load_stack_global", d) for d in [
        b"\x8c\x01\xff\x8c\x03log\x93.", b"\x8c\x04math\x8c\x01\xff\x93.",
        b"\x8c\x00\x8c\x03log\x93.", b"\x8c\x04math\x8c\x00\x93.",
        b"\x80\x04\x8c\x04math\x8c\x00\x93.", b"N\x8c\x03log\x93.", b"\x8c\x04mathN\x93.",
        b"\x80\x04\x8c\x04mathN\x93."]]
    out += [("other", "mine", d) for d in [
        b"cbuiltins\nstr.upper\n.", b"cno_such_module_xyz\nx\n.", b"cbuiltins\nno_such_name\n.",
        b"Pabc\n.", b"\x80\x02N\x51.", b"(]\x91.", b"}]Ns.", b"(]d.", b"\x8f]\x94(]\x90.",
        b"NNa.", b"NK\x01K\x02s.", b"K\x01(K\x02e.", b"\x80\x05\x97.", b"\x80\x05\x98.",
        b"\x80\x05N\x98.", b"\x80\x04\x95\x03\x00\x00\x00\x00\x00\x00\x00N.", ]]
    return out


def run_loads(loads, data, **kw):
    try:
        return True, loads(data, **kw)
    except Exception as error:
        return False, error


def prefix_cases():
    """Every strict prefix of the rich object's pickles at protocols 0, 2, 4 and 5."""
    out, accepted = [], []
    for protocol in (0, 2, 4, 5):
        data = pickle.dumps(rich_object(), protocol)
        for n in range(len(data)):
            ok, _ = run_loads(pickle.loads, data[:n])
            if ok:
                accepted.append((protocol, n))
            else:
                out.append(("truncated", "rich.p%d[:%d]" % (protocol, n), data[:n]))
    return out, accepted


def generate_fail(outdir):
    cases = fail_cases()
    prefixes, accepted = prefix_cases()
    entries, seen = [], set()
    for category, source, data in cases + prefixes:
        if data in seen:
            continue
        seen.add(data)
        ok, result = run_loads(pickle.loads, data)
        if ok:
            raise SystemExit("fail case %r (%s) loads as %r" % (data, source, result))
        py_ok, py_result = run_loads(pickle._loads, data)
        entries.append({"hex": data.hex(), "category": category, "error": type(result).__name__,
                        "message": str(result),
                        "pyError": None if py_ok else type(py_result).__name__,
                        "source": source})
    write_json(os.path.join(outdir, "fail", "manifest.json"), entries)
    return entries, accepted


def strip_frames(data):
    """The pickle with every FRAME opcode (and its 8-byte length) removed."""
    out, last = bytearray(), 0
    for opcode, arg, pos in pickletools.genops(data):
        if opcode.name == "FRAME":
            out += data[last:pos]
            last = pos + 9
    out += data[last:]
    return bytes(out)


def pass_cases():
    """(name, data, encoding, identity, lenient, notes) of inputs CPython must load."""
    same = [[[0], [1]]]
    rich4, rich5 = pickle.dumps(rich_object(), 4), pickle.dumps(rich_object(), 5)
    return [
        ("frames_removed_p4", strip_frames(rich4), None, [[[13, "v0"], [13, "v1"]]], False,
         "golden/rich.p4.pickle without its FRAME opcodes: frames are optional"),
        ("frames_removed_p5", strip_frames(rich5), None, [[[13, "v0"], [13, "v1"]]], False,
         "golden/rich.p5.pickle without its FRAME opcodes"),
        ("int_true", b"I01\n.", None, None, False, "INT 01 is True"),
        ("int_false", b"I00\n.", None, None, False, "INT 00 is False"),
        ("int_leading_zero", b"I007\n.", None, None, False, "INT with leading zeros"),
        ("int_plus", b"I+5\n.", None, None, False, "INT with a plus sign"),
        ("int_space_one", b"I 1\n.", None, None, False,
         "_pickle quirk: a 2-character INT argument whose value is 0 or 1 is a bool, so ' 1' "
         "is True (pickle.py gives 1)"),
        ("int_plus_one", b"I+1\n.", None, None, False, "_pickle quirk: '+1' is True"),
        ("int_minus_zero", b"I-0\n.", None, None, False, "_pickle quirk: '-0' is False"),
        ("int_hex", b"I0x10\n.", None, None, False,
         "INT is parsed with base 0 (C strtol / int(s, 0)): hex is accepted"),
        ("int_octal_c", b"I010\n.", None, None, False,
         "_pickle quirk: C strtol reads a leading 0 as octal (8); pickle.py raises ValueError"),
        ("int_underscore", b"I1_000\n.", None, None, False, "INT accepts digit separators"),
        ("int_many_zeros", b"I00000000000000000000001\n.", None, None, False,
         "_pickle accepts leading zeros; pickle.py raises ValueError"),
        ("int_trailing_space", b"I1 \n.", None, None, False, "trailing whitespace is ignored"),
        ("int_overflow_to_long", b"I99999999999999999999\n.", None, None, False,
         "an INT beyond 64 bits is still read as an int"),
        ("float_text_infinity", b"Finfinity\n.", None, None, False, ""),
        ("float_text_nan_mixed_case", b"FNaN\n.", None, None, False, ""),
        ("long_no_suffix", b"L12\n.", None, None, False, "LONG without its trailing L"),
        ("long_p0", b"L-123456789012345678901234567890L\n.", None, None, False, ""),
        ("none", b"N.", None, None, False, ""),
        ("newtrue", b"\x88.", None, None, False, ""),
        ("newfalse", b"\x89.", None, None, False, ""),
        ("long1_empty", b"\x80\x02\x8a\x00.", None, None, False, "LONG1 of zero bytes is 0"),
        ("long4_empty", b"\x80\x02\x8b\x00\x00\x00\x00.", None, None, False,
         "LONG4 of zero bytes is 0"),
        ("long1_negative", b"\x80\x02\x8a\x02\x00\xff.", None, None, False,
         "two's complement little-endian"),
        ("float_text", b"F2.5\n.", None, None, False, ""),
        ("float_text_exp", b"F1e-05\n.", None, None, False, ""),
        ("float_text_nan", b"Fnan\n.", None, None, False, "text FLOAT accepts nan"),
        ("float_text_inf", b"F-inf\n.", None, None, False, "text FLOAT accepts -inf"),
        ("bytearray8", b"\x80\x05\x96\x03\x00\x00\x00\x00\x00\x00\x00xxx.", None, None, False,
         "pickletester test_bytearray8"),
        ("short_binbytes", b"\x80\x03C\x04\xe2\x82\xac\x00.", None, None, False, ""),
        ("binbytes", b"\x80\x03B\x04\x00\x00\x00\xe2\x82\xac\x00.", None, None, False, ""),
        ("binbytes8", b"\x80\x04\x8e\x04\x00\x00\x00\x00\x00\x00\x00\xe2\x82\xac\x00.",
         None, None, False, ""),
        ("short_binunicode", b"\x80\x04\x8c\x04\xe2\x82\xac\x00.", None, None, False, ""),
        ("binunicode8", b"\x80\x04\x8d\x04\x00\x00\x00\x00\x00\x00\x00\xe2\x82\xac\x00.",
         None, None, False, ""),
        ("unicode_surrogatepass", b"X\x03\x00\x00\x00\xed\xa0\x80.", None, None, False,
         "BINUNICODE is decoded with surrogatepass: a lone surrogate"),
        ("unicode_raw_escape", b"V\\u20ac\\U0001f600\xe9\n.", None, None, False,
         "UNICODE is raw-unicode-escape: \\u, \\U and raw latin-1 bytes"),
        ("string_empty_single", b"S''\n.", None, None, False, "test_correctly_quoted_string"),
        ("string_empty_double", b'S""\n.', None, None, False, "test_correctly_quoted_string"),
        ("string_newline_double", b'S"\\n"\n.', None, None, False,
         "test_correctly_quoted_string"),
        ("string_newline_single", b"S'\\n'\n.", None, None, False,
         "test_correctly_quoted_string"),
        ("string_escapes", b"S'a\\x00\\xa0\\'\\\\'\n.", "bytes", None, False,
         "STRING uses Python string-escape syntax"),
        ("py2_str_p0_bytes", b"S'a\\x00\\xa0'\n.", "bytes", None, False,
         "test_load_python2_str_as_bytes"),
        ("py2_str_p1_bytes", b"U\x03a\x00\xa0.", "bytes", None, False,
         "test_load_python2_str_as_bytes"),
        ("py2_str_p2_latin1", b"\x80\x02U\x03a\x00\xa0.", "latin1", None, False,
         "Python 2 str as latin-1 text"),
        ("py2_unicode_p0", b"V\\u03c0\n.", "bytes", None, False,
         "test_load_python2_unicode_as_str: unicode stays str with encoding='bytes'"),
        ("int_in_frame", b"\x80\x04\x95\x05\x00\x00\x00\x00\x00\x00\x00I42\n.", None, None,
         False, "test_frame_readline: a text opcode inside a FRAME"),
        ("get", b"((lp100000\ng100000\nt.", None, same, False,
         "test_get: result[0] is result[1]"),
        ("binget", b"(]q\xffh\xfft.", None, same, False, "test_binget: result[0] is result[1]"),
        ("long_binget", b"(]r\x00\x00\x01\x00j\x00\x00\x01\x00t.", None, same, False,
         "test_long_binget: result[0] is result[1]"),
        ("dup", b"((l2t.", None, same, False, "test_dup: result[0] is result[1]"),
        ("memoize_get", b"\x80\x04]\x94h\x00\x86\x94.", None, same, False,
         "MEMOIZE then BINGET 0: result[0] is result[1]"),
        ("misc_get_tuple", b"((Kdtp0\nh\x00l.", None, same, False,
         "test_misc_get: a memoized tuple fetched again"),
        ("reduce_int", b"cbuiltins\nint\n)R.", None, None, False, "test_bad_reduce positive"),
        ("newobj_int", b"cbuiltins\nint\n)\x81.", None, None, False, "test_bad_newobj positive"),
        ("newobj_ex_int", b"cbuiltins\nint\n)}\x92.", None, None, False,
         "test_bad_newobj_ex positive"),
        ("compat_xrange", b"\x80\x02c__builtin__\nxrange\nK\x01K\x07K\x01\x87R.", None, None,
         False, "test_compat_unpickle: Python 2 names are mapped (fix_imports)"),
        ("compat_set", b"c__builtin__\nset\n((lp0\nI1\naI2\natp1\nRp2\n.", None, None, False,
         "Python 2 sets: __builtin__.set applied to a list"),
        ("global_dotted_p4", b"\x80\x04cbuiltins\nstr.upper\n.", None, None, False,
         "dotted global names are resolved only when the PROTO is 4 or more"),
        ("empty_set_additems", b"\x80\x04\x8f\x94(K\x01K\x02\x90.", None, None, False, ""),
        ("frozenset_op", b"\x80\x04(K\x01K\x02\x91.", None, None, False, ""),
        ("extra_stack_items", b"I1\nI2\n.", None, None, True,
         "CPython returns the top of the stack and ignores what lies below it"),
        ("unclosed_mark", b"(I1\n.", None, None, True,
         "CPython returns the top of the stack although a MARK is still open"),
        ("proto_twice", b"\x80\x02\x80\x04N.", None, None, True,
         "a second PROTO is accepted"),
        ("pop_mark_empty", b"(1N.", None, None, False, "POP_MARK of an empty mark"),
        ("proto_in_p0", b"N\x80\x05.", None, None, True,
         "a PROTO after other opcodes is accepted; the value is the top of the stack"),
        ("pop_then_get", b"(lp0\n0g0\n.", None, None, False, "POP then GET"),
    ]


def generate_pass(outdir):
    entries = []
    for name, data, encoding, identity, lenient, notes in pass_cases():
        kw = {"encoding": encoding} if encoding else {}
        ok, value = run_loads(pickle.loads, data, **kw)
        if not ok:
            raise SystemExit("pass case %s fails: %r" % (name, value))
        py_ok, py_value = run_loads(pickle._loads, data, **kw)
        py_result = None
        if not py_ok:
            py_result = {"error": type(py_value).__name__, "message": str(py_value)}
        elif compare.signature_of(py_value) != compare.signature_of(value):
            py_result = {"repr": repr(py_value)}
        if identity:
            for a, b in identity:
                assert _follow(value, a) is _follow(value, b), (name, a, b)
        try:
            pickletools.dis(data, out=io.StringIO())
            dis_ok = True
        except Exception:
            dis_ok = False
        dis_fails = not dis_ok  # CPython loads it although pickletools.dis rejects it
        entries.append({"name": name, "hex": data.hex(), "encoding": encoding or "ASCII",
                        "repr": repr(value), "builtinOnly": builtin_only(value),
                        "identity": identity, "disFails": dis_fails, "pyResult": py_result,
                        "notes": notes})
    write_json(os.path.join(outdir, "pass", "manifest.json"), entries)
    return entries


def _follow(value, path):
    for step in path:
        if isinstance(step, str):  # "k<i>" / "v<i>": the i-th key or value of a dict
            items = list(value.items())[int(step[1:])]
            value = items[0] if step[0] == "k" else items[1]
        else:
            value = value[step]
    return value


# --------------------------------------------------------------------------------------------
# Python 2.

def find_python27():
    root = os.environ.get("PYENV_ROOT") or os.path.expanduser("~/.pyenv")
    found = sorted(glob.glob(os.path.join(root, "versions", "2.7*", "bin", "python")))
    return found[-1] if found else None


def py2_load_result(data, encoding):
    ok, value = run_loads(pickle.loads, data, encoding=encoding)
    if ok:
        return {"repr": repr(value)}
    return {"error": type(value).__name__, "message": str(value)}


def generate_py2(outdir):
    python27 = find_python27()
    if python27 is None:
        print("no pyenv Python 2.7 found: golden_py2/ was not generated")
        return None
    target = os.path.join(outdir, "golden_py2")
    os.makedirs(target, exist_ok=True)
    for old in glob.glob(os.path.join(target, "*.pickle")):
        os.remove(old)
    env = dict(os.environ, PYTHONHASHSEED="0", PYTHONPATH=HERE, PYTHONDONTWRITEBYTECODE="1")
    run = subprocess.run([python27, os.path.join(HERE, "generate_py2.py"), target],
                         env=env, stdout=subprocess.PIPE, check=True)
    index = json.loads(run.stdout.decode("ascii"))
    entries = []
    for item in index:
        with open(os.path.join(target, item["file"]), "rb") as f:
            data = f.read()
        assert len(data) == item["size"], item
        entries.append({
            "name": item["name"], "protocol": item["protocol"], "file": item["file"],
            "size": item["size"], "py2Type": item["py2Type"], "py2Repr": item["py2Repr"],
            "loads": {enc: py2_load_result(data, enc) for enc in ("ASCII", "latin1", "bytes")},
            "notes": item["notes"]})
    write_json(os.path.join(target, "manifest.json"), entries)
    return entries


# --------------------------------------------------------------------------------------------

def directory_size(path):
    total = 0
    for root, _, files in os.walk(path):
        for name in files:
            if name.endswith(".pyc") or "__pycache__" in root:
                continue
            total += os.path.getsize(os.path.join(root, name))
    return total


def main(argv):
    outdir = os.path.abspath(argv[0]) if argv else HERE
    if sys.version_info[:2] != (3, 11):
        print("warning: the committed corpus was made with CPython 3.11, this is %s"
              % sys.version.split()[0], file=sys.stderr)
    sys.setrecursionlimit(20000)
    for sub in ("golden", "fail", "pass"):
        os.makedirs(os.path.join(outdir, sub), exist_ok=True)
    for old in glob.glob(os.path.join(outdir, "golden", "*")):
        os.remove(old)
    manifest, stats = generate_golden(outdir)
    fails, accepted = generate_fail(outdir)
    passes = generate_pass(outdir)
    py2 = generate_py2(outdir)
    print("golden: %d pickles (%s)" % (len(manifest), ", ".join(
        "%s %d" % kv for kv in sorted(stats.items()))))
    print("exact: false for %d: %s" % (
        sum(not e["exact"] for e in manifest),
        ", ".join(sorted(set("%s" % e["name"] for e in manifest if not e["exact"])))))
    fail_stats = collections.Counter(e["category"] for e in fails)
    print("fail: %d (%s)" % (len(fails), ", ".join("%s %d" % kv for kv in sorted(fail_stats.items()))))
    if accepted:
        print("prefixes that CPython accepts (left out): %s" % accepted)
    print("pass: %d" % len(passes))
    if py2 is not None:
        print("golden_py2: %d pickles" % len(py2))
    if outdir == HERE:
        size = directory_size(HERE)
        print("fixture directory: %d bytes" % size)
        if size >= SIZE_BUDGET:
            raise SystemExit("the fixture directory is over its %d-byte budget" % SIZE_BUDGET)


if __name__ == "__main__":
    main(sys.argv[1:])
