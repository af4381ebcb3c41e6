"""Classes for the Python 2 pickles in golden_py2/; this module imports in Python 2.7 and 3.

Under Python 2, OldStyle is an old-style class (pickled with INST/OBJ) and NewStyle a new-style
one (copy_reg._reconstructor or NEWOBJ). Under Python 3 both are ordinary classes. The repr lists
the raw __dict__ items, so it shows whether attribute names were loaded as str or as bytes.
"""


def _describe(obj):
    items = sorted(obj.__dict__.items(), key=lambda kv: repr(kv[0]))
    return "%s(%s)" % (obj.__class__.__name__, ", ".join("%r: %r" % kv for kv in items))


class OldStyle:
    def __init__(self, a=None, b=None):
        self.a = a
        self.b = b

    def __repr__(self):
        return _describe(self)


class NewStyle(object):
    def __init__(self, a=None, b=None):
        self.a = a
        self.b = b

    def __repr__(self):
        return _describe(self)
