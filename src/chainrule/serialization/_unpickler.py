"""A pickle reader that builds data and nothing else.

It reads pickle opcodes (protocols 0 to 5, as pickletools documents them) from bytes in
memory and runs them on its own stack. The opcodes that only make data (numbers,
strings, bytes, lists, tuples, dicts, sets, the memo) are carried out here. The opcodes
that would call something (GLOBAL, REDUCE, NEWOBJ, BUILD, persistent ids) are handed to
an allowlist, which answers with objects it builds itself or refuses; nothing named by
the file is ever looked up in a module or called. Extension codes, out-of-band buffers
and INST/OBJ are refused.

Memory is charged to a Budget as objects are made, every length is checked against the
bytes that remain before anything is read, and nesting deeper than MAX_DEPTH is refused,
so a hostile pickle ends in a CheckpointError, never in MemoryError or RecursionError.
"""

from __future__ import annotations

import codecs
import collections
import struct
import sys

from ._errors import CheckpointError

MAX_DEPTH = 200
_SLOT = 16  # a reference in a list, tuple or stack, with the list's spare room
_DICT_ITEM = 80  # a dict or set entry with its share of the hash table
_MEMO_ITEM = 80

# Python 2 names that protocol-2 pickles use (as pickle's fix_imports maps them).
_PY2_MODULES = {"__builtin__": "builtins", "copy_reg": "copyreg", "UserDict": "collections"}

_CONTAINERS = (list, dict, tuple, set, frozenset)


class NeedMoreData(Exception):
    """The pickle runs past the bytes given, and the caller has more to give."""


class Unpickler:
    """Reads one pickle from data[pos:]; load() returns (object, position after STOP).

    `allowlist` resolves globals and carries out calls; `persistent_load(pid)` answers
    persistent ids. `complete` says data holds all the bytes there are (else running
    out raises NeedMoreData, so the caller can retry with more).
    """

    def __init__(
        self,
        data,
        pos,
        *,
        allowlist,
        persistent_load,
        budget,
        name,
        complete=True,
        encoding="utf-8",
    ):
        self.data = data
        self.pos = pos
        self.allowlist = allowlist
        self.persistent_load = persistent_load
        self.budget = budget
        self.name = name
        self.complete = complete
        self.encoding = encoding
        self.stack = []
        self.metastack = []
        self.memo = {}
        self.depths = {}  # id(container) -> nesting depth
        self.pending_arrays = set()  # ids of NumPy arrays awaiting their state (BUILD)

    # -- errors and reading ------------------------------------------------------------
    def fail(self, what):
        raise CheckpointError(f"cannot load '{self.name}': {what}")

    def corrupt(self, what):
        self.fail(f"its pickle data is corrupt ({what} at byte {self.pos:,})")

    def take(self, n):
        end = self.pos + n
        if n < 0 or end > len(self.data):
            if not self.complete:
                raise NeedMoreData
            self.fail(
                f"its pickle data is truncated (an opcode at byte {self.pos:,} needs {n:,} "
                f"bytes, {len(self.data) - self.pos:,} remain)"
            )
        out = self.data[self.pos : end]
        self.pos = end
        return bytes(out)

    def line(self, limit=1 << 16):
        end = self.data.find(b"\n", self.pos, self.pos + limit)
        if end < 0:
            if not self.complete and len(self.data) - self.pos < limit:
                raise NeedMoreData
            self.corrupt("a text opcode without its end of line")
        out = bytes(self.data[self.pos : end])
        self.pos = end + 1
        return out

    # -- bookkeeping ---------------------------------------------------------------------
    def charge(self, nbytes):
        self.budget.charge(nbytes, "the objects its pickle describes")

    def made(self, obj):
        """Charge a new object's size and push it."""
        self.charge(sys.getsizeof(obj) + _SLOT)
        self.stack.append(obj)

    def depth(self, obj):
        return self.depths.get(id(obj), 1) if type(obj) in _CONTAINERS else 0

    def contains(self, container, items):
        """Record that container now holds items (a depth check)."""
        d = 1 + max((self.depth(x) for x in items), default=0)
        if d > self.depths.get(id(container), 1):
            if d > MAX_DEPTH:
                self.fail(f"its data is nested more than {MAX_DEPTH} levels deep")
            self.charge(_DICT_ITEM)
            self.depths[id(container)] = d

    def new_container(self, obj, items=()):
        self.depths.pop(id(obj), None)  # (an id a freed container had)
        if items:
            self.contains(obj, items)
        self.made(obj)

    def pop(self):
        if not self.stack:
            self.corrupt("an opcode finds the stack empty")
        return self.stack.pop()

    def top(self):
        if not self.stack:
            self.corrupt("an opcode finds the stack empty")
        return self.stack[-1]

    def pop_mark(self):
        if not self.metastack:
            self.corrupt("no MARK to close")
        items = self.stack
        self.stack = self.metastack.pop()
        return items

    def decode_str8(self, raw):
        """A Python 2 str: bytes with encoding='bytes', else decoded."""
        if self.encoding == "bytes":
            return raw
        try:
            return raw.decode(self.encoding)
        except (UnicodeDecodeError, LookupError) as e:
            self.corrupt(f"a Python 2 string that does not decode as {self.encoding} ({e})")

    # -- the loop ------------------------------------------------------------------------
    def load(self):
        dispatch = _BY_CODE
        data, end = self.data, len(self.data)
        try:
            while True:
                if self.pos >= end:
                    self.take(1)  # (raises: truncated, or NeedMoreData)
                op = data[self.pos]
                self.pos += 1
                handler = dispatch.get(op)
                if handler is None:
                    self.corrupt(f"unknown opcode {bytes([op])!r}")
                if handler is _stop:
                    result = self.pop()
                    if self.stack or self.metastack:
                        self.corrupt("data left on the stack at STOP")
                    return result, self.pos
                handler(self)
        except (CheckpointError, NeedMoreData):
            raise
        except RecursionError:
            self.fail(f"its data is nested more than {MAX_DEPTH} levels deep")
        except MemoryError:
            self.fail("it describes more objects than fit in memory")
        except (
            TypeError,
            ValueError,
            KeyError,
            IndexError,
            OverflowError,
            AttributeError,
            struct.error,
            UnicodeError,
        ) as e:
            self.corrupt(f"{type(e).__name__}: {e}")


# -- opcode handlers -----------------------------------------------------------------------
def _stop(u):  # handled in load()
    pass


def _proto(u):
    if u.take(1)[0] > 5:
        u.corrupt("an unknown pickle protocol")


def _frame(u):
    u.take(8)  # a frame's length is a hint for buffered readers; data is all in memory


def _push(value):
    def handler(u):
        u.stack.append(value)

    return handler


def _mark(u):
    u.charge(64)
    u.metastack.append(u.stack)
    u.stack = []


def _pop(u):
    if u.stack:
        u.stack.pop()
    else:
        u.pop_mark()


def _pop_mark(u):
    u.pop_mark()


def _dup(u):
    u.charge(_SLOT)
    u.stack.append(u.top())


# numbers
def _int_text(u):
    text = u.line(64)
    if text == b"00":
        u.stack.append(False)
    elif text == b"01":
        u.stack.append(True)
    else:
        u.made(int(text))


def _long_text(u):
    text = u.line(5000)
    u.made(int(text[:-1] if text.endswith(b"L") else text))


def _float_text(u):
    u.made(float(u.line(64)))


def _binint(u):
    u.made(struct.unpack("<i", u.take(4))[0])


def _binint1(u):
    u.made(u.take(1)[0])


def _binint2(u):
    u.made(struct.unpack("<H", u.take(2))[0])


def _long1(u):
    n = u.take(1)[0]
    u.made(int.from_bytes(u.take(n), "little", signed=True))


def _long4(u):
    (n,) = struct.unpack("<i", u.take(4))
    if n < 0:
        u.corrupt("a negative length")
    u.charge(n)
    u.made(int.from_bytes(u.take(n), "little", signed=True))


def _binfloat(u):
    u.made(struct.unpack(">d", u.take(8))[0])


# strings and bytes
def _sized(fmt):
    size = struct.calcsize(fmt)

    def length(u):
        (n,) = struct.unpack(fmt, u.take(size))
        if n < 0:
            u.corrupt("a negative length")
        return n

    return length


_len1, _len4, _len4s, _len8 = _sized("<B"), _sized("<I"), _sized("<i"), _sized("<Q")


def _unicode(length):
    def handler(u):
        raw = u.take(length(u))
        u.charge(4 * len(raw))  # the decoded string's worst case
        u.made(str(raw, "utf-8", "surrogatepass"))

    return handler


def _bytes(length):
    def handler(u):
        u.made(u.take(length(u)))

    return handler


def _bytearray8(u):
    u.made(bytearray(u.take(_len8(u))))


def _str8(length):
    def handler(u):
        u.made(u.decode_str8(u.take(length(u))))

    return handler


def _string_text(u):
    text = u.line()
    if len(text) < 2 or text[0] != text[-1] or text[:1] not in (b'"', b"'"):
        u.corrupt("a STRING opcode without quotes")
    u.made(u.decode_str8(codecs.escape_decode(text[1:-1])[0]))


def _unicode_text(u):
    u.made(str(u.line(), "raw-unicode-escape"))


# containers
def _empty(kind):
    def handler(u):
        u.new_container(kind())

    return handler


def _empty_tuple(u):
    u.stack.append(())


def _tuple(u):
    items = u.pop_mark()
    t = tuple(items)
    u.new_container(t, items)


def _tuple_n(n):
    def handler(u):
        if len(u.stack) < n:
            u.corrupt("an opcode finds the stack empty")
        items = u.stack[-n:]
        del u.stack[-n:]
        u.new_container(tuple(items), items)

    return handler


def _list(u):
    items = u.pop_mark()
    u.new_container(items, items)
    u.charge(_SLOT * len(items))


def _dict(u):
    items = u.pop_mark()
    if len(items) % 2:
        u.corrupt("a DICT with an odd number of items")
    d = {}
    u.new_container(d)
    _set_items(u, d, items)


def _frozenset(u):
    items = u.pop_mark()
    u.charge(_DICT_ITEM * len(items))
    u.new_container(frozenset(items), items)


def _append(u):
    item = u.pop()
    _extend(u, u.top(), [item])


def _appends(u):
    items = u.pop_mark()
    _extend(u, u.top(), items)


def _extend(u, target, items):
    if type(target) is not list:
        u.fail(f"its pickle appends to a {type(target).__name__}, which a checkpoint never does")
    u.charge(_SLOT * len(items))
    u.contains(target, items)
    target.extend(items)


def _setitem(u):
    value = u.pop()
    key = u.pop()
    _set_items(u, u.top(), [key, value])


def _setitems(u):
    items = u.pop_mark()
    if len(items) % 2:
        u.corrupt("SETITEMS with an odd number of items")
    _set_items(u, u.top(), items)


def _set_items(u, target, items):
    if type(target) not in (dict, collections.OrderedDict, collections.Counter):
        u.allowlist.set_items(u, target, items)
        return
    u.charge(_DICT_ITEM * (len(items) // 2))
    u.contains(target, items)
    for i in range(0, len(items), 2):
        target[items[i]] = items[i + 1]


def _additems(u):
    items = u.pop_mark()
    target = u.top()
    if type(target) is not set:
        u.fail(f"its pickle adds set items to a {type(target).__name__}")
    u.charge(_DICT_ITEM * len(items))
    u.contains(target, items)
    target.update(items)


# the memo
def _get(index_of):
    def handler(u):
        i = index_of(u)
        if i not in u.memo:
            u.corrupt(f"a reference to memo entry {i} that was never stored")
        u.charge(_SLOT)
        u.stack.append(u.memo[i])

    return handler


def _put(index_of):
    def handler(u):
        i = index_of(u)
        u.charge(_MEMO_ITEM)
        u.memo[i] = u.top()

    return handler


def _memoize(u):
    u.charge(_MEMO_ITEM)
    u.memo[len(u.memo)] = u.top()


def _text_index(u):
    return int(u.line(32))


# what the allowlist decides
def _global_text(u):
    module = u.line(1024).decode("utf-8", "replace")
    name = u.line(1024).decode("utf-8", "replace")
    _resolve(u, module, name)


def _stack_global(u):
    name = u.pop()
    module = u.pop()
    if type(module) is not str or type(name) is not str:
        u.corrupt("STACK_GLOBAL without two strings")
    _resolve(u, module, name)


def _resolve(u, module, name):
    module = _PY2_MODULES.get(module, module)
    u.stack.append(u.allowlist.resolve(u, module, name))


def _reduce(u):
    args = u.pop()
    func = u.pop()
    if type(args) is not tuple:
        u.corrupt("REDUCE without an argument tuple")
    u.made(u.allowlist.call(u, func, args))


def _newobj(u):
    args = u.pop()
    cls = u.pop()
    if type(args) is not tuple:
        u.corrupt("NEWOBJ without an argument tuple")
    u.made(u.allowlist.new(u, cls, args, {}))


def _newobj_ex(u):
    kwargs = u.pop()
    args = u.pop()
    cls = u.pop()
    if type(args) is not tuple or type(kwargs) is not dict:
        u.corrupt("NEWOBJ_EX without arguments")
    u.made(u.allowlist.new(u, cls, args, kwargs))


def _build(u):
    state = u.pop()
    inst = u.top()
    result = u.allowlist.build(u, inst, state)
    if result is not inst:  # an immutable object rebuilt with its state
        u.stack[-1] = result


def _persid_text(u):
    pid = u.line().decode("ascii", "replace")
    u.made(u.persistent_load(pid))


def _binpersid(u):
    u.made(u.persistent_load(u.pop()))


def _refuse(what):
    def handler(u):
        u.fail(f"its pickle uses {what}, which a checkpoint never needs and chainrule refuses")

    return handler


_DISPATCH = {
    b".": _stop,
    b"\x80": _proto,
    b"\x95": _frame,
    b"(": _mark,
    b"0": _pop,
    b"1": _pop_mark,
    b"2": _dup,
    b"N": _push(None),
    b"\x88": _push(True),
    b"\x89": _push(False),
    b"I": _int_text,
    b"L": _long_text,
    b"F": _float_text,
    b"J": _binint,
    b"K": _binint1,
    b"M": _binint2,
    b"\x8a": _long1,
    b"\x8b": _long4,
    b"G": _binfloat,
    b"X": _unicode(_len4),
    b"\x8c": _unicode(_len1),
    b"\x8d": _unicode(_len8),
    b"V": _unicode_text,
    b"B": _bytes(_len4),
    b"C": _bytes(_len1),
    b"\x8e": _bytes(_len8),
    b"\x96": _bytearray8,
    b"S": _string_text,
    b"T": _str8(_len4s),
    b"U": _str8(_len1),
    b")": _empty_tuple,
    b"t": _tuple,
    b"\x85": _tuple_n(1),
    b"\x86": _tuple_n(2),
    b"\x87": _tuple_n(3),
    b"]": _empty(list),
    b"l": _list,
    b"}": _empty(dict),
    b"d": _dict,
    b"\x8f": _empty(set),
    b"\x91": _frozenset,
    b"a": _append,
    b"e": _appends,
    b"s": _setitem,
    b"u": _setitems,
    b"\x90": _additems,
    b"g": _get(_text_index),
    b"h": _get(_len1),
    b"j": _get(_len4),
    b"p": _put(_text_index),
    b"q": _put(_len1),
    b"r": _put(_len4),
    b"\x94": _memoize,
    b"c": _global_text,
    b"\x93": _stack_global,
    b"R": _reduce,
    b"\x81": _newobj,
    b"\x92": _newobj_ex,
    b"b": _build,
    b"P": _persid_text,
    b"Q": _binpersid,
    b"i": _refuse("INST (a class called by name)"),
    b"o": _refuse("OBJ (a class called from the stack)"),
    b"\x82": _refuse("an extension code"),
    b"\x83": _refuse("an extension code"),
    b"\x84": _refuse("an extension code"),
    b"\x97": _refuse("an out-of-band buffer"),
    b"\x98": _refuse("an out-of-band buffer"),
}
_BY_CODE = {code[0]: handler for code, handler in _DISPATCH.items()}
