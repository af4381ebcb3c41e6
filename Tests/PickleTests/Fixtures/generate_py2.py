# -*- coding: utf-8 -*-
"""Write the Python 2 pickles of golden_py2/ (run by generate.py with a pyenv Python 2.7).

    python2.7 generate_py2.py OUTDIR

Pickles are written with cPickle, which is what Python 2's shelve used, at protocols 0-2. The
index (name, protocol, file, size, Python 2's repr and type of the value) is printed to stdout
as JSON; generate.py adds what Python 3 loads from each file and writes manifest.json.
"""

import cPickle
import datetime
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import golden_py2_classes as classes  # noqa: E402


def values():
    return [
        ("none", None, ""),
        ("true", True, ""),
        ("str_ascii", "abc", "Python 2 str (bytes), ASCII only"),
        ("str_nonascii", "\xe9\xff\x00", "Python 2 str with bytes above 0x7f"),
        ("str_utf8", "caf\xc3\xa9", "Python 2 str holding UTF-8 bytes"),
        ("str_empty", "", ""),
        ("unicode", u"caf\xe9 \u20ac \U0001F600", "Python 2 unicode"),
        ("unicode_escapes", u"back\\slash\nnewline", "Python 2 unicode with a backslash and a "
                                                     "newline (escaped at protocol 0)"),
        ("int", 42, ""),
        ("int_negative", -70000, ""),
        ("int_64bit", 2 ** 40, "a Python 2 int (64-bit build) above 2**31"),
        ("int_maxint", sys.maxint, "sys.maxint"),
        ("long_small", 5L, "a Python 2 long with a small value"),
        ("long_big", 2 ** 70, ""),
        ("long_negative", -(2 ** 70), ""),
        ("float", 1.5, ""),
        ("float_0_1", 0.1, ""),
        ("list", [1, "a", u"b", [None]], ""),
        ("dict", {"a": 1}, ""),
        ("dict_unicode_key", {u"k": "v"}, ""),
        ("tuple", (1, "two", 3.0), ""),
        ("set", set([1, 2]), "pickled as __builtin__.set applied to a list"),
        ("xrange", xrange(5), "pickled as __builtin__.xrange(0, 5, 1)"),
        ("exception", ValueError("bad"), "exceptions.ValueError"),
        ("oldstyle", classes.OldStyle(1, "x"), "an old-style class instance"),
        ("newstyle", classes.NewStyle(2, u"y"), "a new-style class instance"),
        ("date", datetime.date(2001, 2, 3), "state is a 4-byte str"),
        ("datetime", datetime.datetime(2001, 2, 3, 4, 5, 6, 789), "state is a 10-byte str"),
        ("shared", _shared(), "one list referenced twice"),
    ]


def _shared():
    inner = ["s"]
    return [inner, inner]


def main():
    outdir = sys.argv[1]
    index = []
    for name, value, notes in values():
        for protocol in (0, 1, 2):
            data = cPickle.dumps(value, protocol)
            fname = "%s.p%d.pickle" % (name, protocol)
            with open(os.path.join(outdir, fname), "wb") as f:
                f.write(data)
            index.append({"name": name, "protocol": protocol, "file": fname, "size": len(data),
                          "py2Repr": repr(value), "py2Type": type(value).__name__,
                          "notes": notes})
    sys.stdout.write(json.dumps(index))


if __name__ == "__main__":
    main()
