"""Classes whose instances appear in the golden pickle corpus.

generate.py and compare.py put this directory on sys.path, so pickles refer to these classes as
``golden_classes.<name>``. Every class has a deterministic repr (no addresses) and compares by
state, so that the generator can check that each pickle loads back to an equal value.
"""

import collections
import dataclasses
import enum


def _state_repr(obj, items):
    body = ", ".join("%s=%r" % (k, v) for k, v in items)
    return "%s(%s)" % (type(obj).__name__, body)


class C:
    """The class of pickletester's create_data() instance: only a __dict__, equal by __dict__."""

    def __eq__(self, other):
        return type(other) is type(self) and self.__dict__ == other.__dict__

    def __repr__(self):
        return _state_repr(self, self.__dict__.items())


class Plain:
    """An ordinary class; pickled through its __dict__."""

    def __init__(self, a=None, b=None):
        self.a = a
        self.b = b

    def __eq__(self, other):
        return type(other) is type(self) and self.__dict__ == other.__dict__

    def __repr__(self):
        return _state_repr(self, self.__dict__.items())


class Slotted:
    """No __dict__; pickled (protocol 2+) with a (None, slots-dict) state. Slot `y` may be unset."""

    __slots__ = ("x", "y")

    def __init__(self, x, y=None, set_y=True):
        self.x = x
        if set_y:
            self.y = y

    def _slots(self):
        return [(name, getattr(self, name)) for name in self.__slots__ if hasattr(self, name)]

    def __eq__(self, other):
        return type(other) is type(self) and self._slots() == other._slots()

    def __repr__(self):
        return _state_repr(self, self._slots())


class WithState:
    """Custom __getstate__/__setstate__ with a tuple state (BUILD of a non-dict)."""

    def __init__(self, name="", values=()):
        self.name = name
        self.values = list(values)

    def __getstate__(self):
        return (self.name, tuple(self.values))

    def __setstate__(self, state):
        name, values = state
        self.name = name
        self.values = list(values)

    def __eq__(self, other):
        return type(other) is type(self) and self.__dict__ == other.__dict__

    def __repr__(self):
        return _state_repr(self, self.__dict__.items())


class Reduced:
    """__reduce__ returns (class, args): a REDUCE at every protocol, no BUILD."""

    def __init__(self, label, number):
        self.label = label
        self.number = number

    def __reduce__(self):
        return (Reduced, (self.label, self.number))

    def __eq__(self, other):
        return type(other) is type(self) and self.__dict__ == other.__dict__

    def __repr__(self):
        return _state_repr(self, self.__dict__.items())


class ListSub(list):
    """A list subclass with an extra attribute."""

    def __eq__(self, other):
        return (type(other) is type(self) and list.__eq__(self, other)
                and self.__dict__ == other.__dict__)

    __hash__ = None

    def __repr__(self):
        return "ListSub(%s, %r)" % (list.__repr__(self), self.__dict__)


class DictSub(dict):
    """A dict subclass with an extra attribute."""

    def __eq__(self, other):
        return (type(other) is type(self) and dict.__eq__(self, other)
                and self.__dict__ == other.__dict__)

    __hash__ = None

    def __repr__(self):
        return "DictSub(%s, %r)" % (dict.__repr__(self), self.__dict__)


Point = collections.namedtuple("Point", "x y")


@dataclasses.dataclass
class Item:
    name: str
    quantity: int = 0
    tags: list = dataclasses.field(default_factory=list)


class Color(enum.IntEnum):
    RED = 1
    GREEN = 2
    BLUE = 3


class SelfRef:
    """An instance whose attribute refers back to the instance."""

    def __init__(self, label=""):
        self.label = label
        self.me = self

    def __eq__(self, other):
        if type(other) is not type(self):
            return False
        return self.label == other.label and (self.me is self) == (other.me is other)

    def __repr__(self):
        return "SelfRef(label=%r, me=%s)" % (self.label, "<self>" if self.me is self else "?")


class Outer:
    """Holds a nested class, pickled by qualified name 'Outer.Inner'."""

    class Inner:
        pass
