#!/usr/bin/env python3
"""Compare the values in two pickle files, including which mutable objects are shared.

    python3 compare.py EXPECTED ACTUAL   exit 0 if equal, 1 (with a diff on stderr) if not,
                                         2 if a file cannot be loaded
    python3 compare.py --dump FILE       print FILE's signature

Options: --encoding ENC       the Unpickler's encoding for Python 2 strings (default ASCII)
         --ignore-dict-order  compare dicts as Python does, whatever their insertion order

Each file is read as a stream: pickles are loaded one after another with ONE Unpickler (so a
later pickle may refer to objects of an earlier one) until the file ends.

The signature is a list of lines, one per node, found by a depth-first walk over all the pickles
of a file:
    PATH: TEXT
PATH starts at `$0` for the first pickle (`$1` for the second, ...) and adds `[i]` for a list,
tuple or bytearray element, `.k<i>`/`.v<i>` for the i-th key/value of a dict (insertion order),
`{i}` for the i-th element of a set or frozenset (sorted by the elements' own signatures), and
`.callable`, `.args`, `.state`, `.items`, `.dictitems` for the parts of a class instance.

TEXT is:
  - repr() for None, bool, int, float (nan is `nan`, -0.0 is `-0.0`), complex, str, bytes;
  - `tuple[n]` / `frozenset[n]` followed by the elements (compared by value; identity ignored);
  - for mutable objects (list, dict, set, bytearray, class instances) `#k list[n]`,
    `#k dict[n]`, `#k set[n]`, `#k bytearray b'...'`, `#k object module.qualname`, where k numbers
    the objects in the order they are first met; a later visit of the same object prints `-> #k`;
  - `global module.qualname` for classes, functions and other objects pickled by name.
A class instance is described by `obj.__reduce_ex__(4)`: the callable and its arguments, the
state, and the list and dict items (any iterator is expanded).

Dicts are compared in insertion order (a faithful writer keeps it) unless --ignore-dict-order.
Tuple identity is never compared. Python 2 pickles need --encoding when they hold non-ASCII str.
"""

import io
import math
import os
import pickle
import sys
import types

sys.dont_write_bytecode = True

HERE = os.path.dirname(os.path.abspath(__file__))
if HERE not in sys.path:
    sys.path.insert(0, HERE)

_ATOMS = (type(None), bool, int, float, complex, str, bytes)
_GLOBAL_TYPES = (type, types.BuiltinFunctionType, types.FunctionType, types.MethodDescriptorType,
                 types.WrapperDescriptorType, types.ClassMethodDescriptorType, types.ModuleType)


def _atom_text(obj):
    if type(obj) is float and math.isnan(obj):
        return "nan"  # every nan compares equal here, whatever its sign or payload
    return repr(obj)


def _global_name(obj):
    if isinstance(obj, types.ModuleType):
        return obj.__name__
    module = getattr(obj, "__module__", None)
    if module is None:
        owner = getattr(obj, "__objclass__", None)
        module = getattr(owner, "__module__", "?")
    return "%s.%s" % (module, getattr(obj, "__qualname__", getattr(obj, "__name__", "?")))


class Signature:
    """Walks objects and collects signature lines; object numbers continue across walks."""

    def __init__(self, ignore_dict_order=False):
        self.ignore_dict_order = ignore_dict_order
        self.lines = []
        self._numbers = {}  # id(obj) -> number
        self._keep = []  # keeps walked objects alive so that ids stay unique

    def add(self, obj, path):
        self._walk(obj, path)

    def _emit(self, path, text):
        self.lines.append("%s: %s" % (path, text))

    def _first_visit(self, obj, path, text):
        """Numbers a mutable object; returns False (after printing a back-reference) if seen."""
        number = self._numbers.get(id(obj))
        if number is not None:
            self._emit(path, "-> #%d" % number)
            return False
        number = len(self._numbers) + 1
        self._numbers[id(obj)] = number
        self._keep.append(obj)
        self._emit(path, "#%d %s" % (number, text))
        return True

    def _walk(self, obj, path):
        t = type(obj)
        if t in _ATOMS:
            self._emit(path, _atom_text(obj))
        elif t is tuple:
            self._emit(path, "tuple[%d]" % len(obj))
            for i, item in enumerate(obj):
                self._walk(item, "%s[%d]" % (path, i))
        elif t is frozenset:
            self._emit(path, "frozenset[%d]" % len(obj))
            for i, item in enumerate(_sorted_by_signature(obj)):
                self._walk(item, "%s{%d}" % (path, i))
        elif t is list:
            if self._first_visit(obj, path, "list[%d]" % len(obj)):
                for i, item in enumerate(obj):
                    self._walk(item, "%s[%d]" % (path, i))
        elif t is dict:
            if self._first_visit(obj, path, "dict[%d]" % len(obj)):
                items = list(obj.items())
                if self.ignore_dict_order:
                    order = _sorted_by_signature([key for key, _ in items])
                    items = [(key, obj[key]) for key in order]
                for i, (key, value) in enumerate(items):
                    self._walk(key, "%s.k%d" % (path, i))
                    self._walk(value, "%s.v%d" % (path, i))
        elif t is set:
            if self._first_visit(obj, path, "set[%d]" % len(obj)):
                for i, item in enumerate(_sorted_by_signature(obj)):
                    self._walk(item, "%s{%d}" % (path, i))
        elif t is bytearray:
            self._first_visit(obj, path, "bytearray %r" % bytes(obj))
        elif isinstance(obj, _GLOBAL_TYPES):
            self._emit(path, "global " + _global_name(obj))
        else:
            self._instance(obj, path)

    def _instance(self, obj, path):
        if not self._first_visit(obj, path, "object " + _global_name(type(obj))):
            return
        try:
            reduced = obj.__reduce_ex__(4)
        except Exception as error:  # not picklable: fall back to its repr
            self._emit(path + ".repr", "%r (%s)" % (repr(obj), type(error).__name__))
            return
        if isinstance(reduced, str):
            self._emit(path + ".global", reduced)
            return
        parts = list(reduced) + [None] * (5 - len(reduced))
        func, args, state, listitems, dictitems = parts[:5]
        self._walk(func, path + ".callable")
        self._walk(args, path + ".args")
        if state is not None:
            self._walk(state, path + ".state")
        if listitems is not None:
            self._walk(list(listitems), path + ".items")
        if dictitems is not None:
            self._walk(list(dictitems), path + ".dictitems")


def _sorted_by_signature(items):
    def key(item):
        sig = Signature()
        sig.add(item, "")
        return "\n".join(sig.lines)
    return sorted(items, key=key)


def signature_of(obj):
    """The signature lines of one object (a fresh numbering)."""
    sig = Signature()
    sig.add(obj, "$0")
    return sig.lines


def load_stream(path, encoding="ASCII"):
    """Every pickle in the file at `path`, loaded with one Unpickler; with their end offsets."""
    with open(path, "rb") as f:
        return load_stream_bytes(f.read(), encoding)


def load_stream_bytes(data, encoding="ASCII"):
    """Every pickle in `data`, loaded with one Unpickler, and the offset where each one ends."""
    stream = io.BytesIO(data)
    unpickler = pickle.Unpickler(stream, encoding=encoding)
    objects, ends = [], []
    while stream.tell() < len(data):
        objects.append(unpickler.load())
        ends.append(stream.tell())
    return objects, ends


def file_signature(path, encoding="ASCII", ignore_dict_order=False):
    objects, ends = load_stream(path, encoding)
    sig = Signature(ignore_dict_order)
    sig.lines.append("pickles: %d" % len(objects))
    for i, obj in enumerate(objects):
        sig.add(obj, "$%d" % i)
    return sig.lines


def _clip(line, width=240):
    return line if len(line) <= width else line[:width] + "... (%d chars)" % len(line)


def first_difference(expected, actual):
    """A readable description of the first differing line, or None if the lists are equal."""
    for i in range(max(len(expected), len(actual))):
        e = expected[i] if i < len(expected) else "<end>"
        a = actual[i] if i < len(actual) else "<end>"
        if e != a:
            out = ["first difference at signature line %d:" % (i + 1)]
            out += ["  context:   " + _clip(line) for line in expected[max(0, i - 3):i]]
            out.append("  expected:  " + _clip(e))
            out.append("  actual:    " + _clip(a))
            return "\n".join(out)
    return None


def main(argv):
    args = list(argv)
    encoding = "ASCII"
    ignore_dict_order = "--ignore-dict-order" in args
    if ignore_dict_order:
        args.remove("--ignore-dict-order")
    if "--encoding" in args:
        i = args.index("--encoding")
        encoding = args[i + 1]
        del args[i:i + 2]
    sys.setrecursionlimit(max(sys.getrecursionlimit(), 20000))
    if len(args) == 2 and args[0] == "--dump":
        try:
            lines = file_signature(args[1], encoding, ignore_dict_order)
        except Exception as error:
            print("cannot load %s: %s: %s" % (args[1], type(error).__name__, error), file=sys.stderr)
            return 2
        sys.stdout.write("".join(line + "\n" for line in lines))
        return 0
    if len(args) != 2 or args[0].startswith("-"):
        print(__doc__.strip().split("\n\n")[0], file=sys.stderr)
        return 2
    signatures = []
    for path in args:
        try:
            signatures.append(file_signature(path, encoding, ignore_dict_order))
        except Exception as error:
            print("cannot load %s: %s: %s" % (path, type(error).__name__, error), file=sys.stderr)
            return 2
    difference = first_difference(*signatures)
    if difference is None:
        return 0
    print("%s and %s differ\n%s" % (args[0], args[1], difference), file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
