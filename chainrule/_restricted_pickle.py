"""A pickle reader that can only build data: the safe half of reading a torch.save file.

Python's own Unpickler lets `find_class` veto imports, but the objects it
does allow still meet BUILD (`__setstate__` or attribute writes), NEWOBJ,
INST, OBJ and the extension registry, which reach code that `find_class`
never sees.  So this reader is a small stack machine of its own over
`pickletools.genops` (the standard library's opcode decoder): it knows the
opcodes that plain data needs (numbers, strings, None/True/False, lists,
dicts, tuples, memo, marks), REDUCE on an explicit table of allowed globals,
persistent ids (torch's storages) and BUILD only to set an OrderedDict's
`_metadata` (what `Module.state_dict()` carries).  Every other opcode and
every other global is refused with `pickle.UnpicklingError` before anything
is called: nothing is imported, and no callable outside the table runs.

`load(data, allowed, persistent_load)`: `allowed` maps "module.name" to the
Python callable standing for it (chainrule's own rebuild functions); a
value of None marks a global that may be named (a storage dtype inside a
persistent id) but not called, and `Value(obj)` a global that simply is
obj (torch.float32 -> chainrule.float32).
"""
import io
import pickle
import pickletools
from collections import OrderedDict

__all__ = ["load", "Global", "Value"]


class Global:
    """An allowed global as it sits on the stack: its name and, when it may
    be called by REDUCE, the function that builds its value."""
    __slots__ = ("name", "call")

    def __init__(self, name, call):
        self.name = name
        self.call = call

    def __repr__(self):
        return f"<allowed global {self.name}>"


class Value:
    """An allowed global that stands for a constant (a dtype), pushed as it is."""
    __slots__ = ("obj",)

    def __init__(self, obj):
        self.obj = obj




def _refused_global(name):
    return pickle.UnpicklingError(
        f"Weights only load failed: unsupported global: GLOBAL {name} was not an allowed "
        "global. chainrule.load only builds tensors, containers and numbers, and never imports "
        "or calls anything named in a checkpoint.")


def _refused(what):
    return pickle.UnpicklingError(f"Weights only load failed: {what}")


class _Machine:
    def __init__(self, allowed, persistent_load):
        self.allowed = allowed
        self.persistent_load = persistent_load
        self.stack = []
        self.marks = []                  # stack heights at each MARK
        self.memo = {}

    # --- helpers ---------------------------------------------------------------
    def pop_mark(self):
        if not self.marks:
            raise _refused("pickle data has no MARK where one is needed")
        at = self.marks.pop()
        items = self.stack[at:]
        del self.stack[at:]
        return items

    def pop(self, n=1):
        if len(self.stack) < n:
            raise _refused("pickle stack underflow (a damaged or crafted file)")
        if n == 1:
            return self.stack.pop()
        items = self.stack[-n:]
        del self.stack[-n:]
        return items

    def top(self):
        if not self.stack:
            raise _refused("pickle stack underflow (a damaged or crafted file)")
        return self.stack[-1]

    def find(self, module, name):
        if not isinstance(module, str) or not isinstance(name, str):
            raise _refused("a global's module and name must be strings")
        full = f"{module}.{name}"
        if full not in self.allowed:
            raise _refused_global(full)
        entry = self.allowed[full]
        return entry.obj if type(entry) is Value else Global(full, entry)

    def container(self, kinds, what):
        target = self.top()
        if type(target) not in kinds:
            raise _refused(f"{what} applied to an object of type {type(target).__name__}, "
                          "not a list or dict")
        return target

    # --- the machine -----------------------------------------------------------
    def run(self, data):
        try:
            ops = pickletools.genops(io.BytesIO(data))
            for op, arg, _pos in ops:
                handler = _HANDLERS.get(op.name)
                if handler is None:
                    raise _refused(f"pickle opcode {op.name} is not allowed (only plain data, "
                                   "tensors and OrderedDicts are read)")
                if handler is _STOP:
                    if len(self.stack) != 1 or self.marks:
                        raise _refused("pickle data ends with a damaged stack")
                    return self.stack[0]
                handler(self, arg)
        except pickle.UnpicklingError:
            raise
        except (ValueError, EOFError, IndexError, KeyError, TypeError, OverflowError,
                UnicodeDecodeError) as e:
            raise _refused(f"damaged pickle data ({type(e).__name__}: {e})") from None
        raise _refused("pickle data has no STOP opcode (a truncated file)")


def _push_arg(m, arg):
    m.stack.append(arg)


def _push(value):
    return lambda m, arg: m.stack.append(value)


def _mark(m, arg):
    m.marks.append(len(m.stack))


def _tuple(m, arg):
    m.stack.append(tuple(m.pop_mark()))


def _tuple_n(n):
    return lambda m, arg: m.stack.append(tuple(m.pop(n)) if n > 1 else (m.pop(),))


def _list(m, arg):
    m.stack.append(m.pop_mark())


def _dict(m, arg):
    items = m.pop_mark()
    if len(items) % 2:
        raise _refused("DICT with an odd number of items")
    m.stack.append({items[i]: items[i + 1] for i in range(0, len(items), 2)})


def _append(m, arg):
    value = m.pop()
    m.container((list,), "APPEND").append(value)


def _appends(m, arg):
    items = m.pop_mark()
    m.container((list,), "APPENDS").extend(items)


def _setitem(m, arg):
    key, value = m.pop(2)
    m.container((dict, OrderedDict), "SETITEM")[key] = value


def _setitems(m, arg):
    items = m.pop_mark()
    if len(items) % 2:
        raise _refused("SETITEMS with an odd number of items")
    target = m.container((dict, OrderedDict), "SETITEMS")
    for i in range(0, len(items), 2):
        target[items[i]] = items[i + 1]


def _put(m, arg):
    m.memo[arg] = m.top()


def _memoize(m, arg):
    m.memo[len(m.memo)] = m.top()


def _get(m, arg):
    if arg not in m.memo:
        raise _refused(f"memo key {arg!r} is read before it is written")
    m.stack.append(m.memo[arg])


def _global(m, arg):
    module, _, name = arg.partition(" ")
    m.stack.append(m.find(module, name))


def _stack_global(m, arg):
    module, name = m.pop(2)
    m.stack.append(m.find(module, name))


def _reduce(m, arg):
    fn, args = m.pop(2)
    if type(fn) is not Global or fn.call is None:
        raise _refused(f"REDUCE may only call an allowed function, not {_describe(fn)}")
    if type(args) is not tuple:
        raise _refused(f"REDUCE arguments must be a tuple, not {type(args).__name__}")
    try:
        m.stack.append(fn.call(*args))
    except pickle.UnpicklingError:
        raise
    except (TypeError, ValueError) as e:
        raise _refused(f"{fn.name} got arguments it cannot take ({e})") from None


def _build(m, arg):
    state = m.pop()
    target = m.top()
    # Only what Module.state_dict() sets: an OrderedDict's _metadata.
    if (type(target) is not OrderedDict or type(state) is not dict
            or set(state) != {"_metadata"} or type(state["_metadata"]) not in (dict, OrderedDict)):
        raise _refused(f"BUILD is only read for an OrderedDict's _metadata, not on "
                       f"{_describe(target)}")
    target._metadata = state["_metadata"]


def _persid(m, arg):
    m.stack.append(m.persistent_load(arg))


def _binpersid(m, arg):
    pid = m.pop()
    m.stack.append(m.persistent_load(pid))


def _pop(m, arg):
    if m.marks and m.marks[-1] == len(m.stack):
        m.marks.pop()                      # POP of a bare MARK
    else:
        m.pop()


def _pop_mark(m, arg):
    m.pop_mark()


def _dup(m, arg):
    m.stack.append(m.top())


def _describe(obj):
    return repr(obj) if type(obj) is Global else f"an object of type {type(obj).__name__}"


def _ignore(m, arg):
    pass


_STOP = object()
_HANDLERS = {
    "PROTO": _ignore, "FRAME": _ignore, "STOP": _STOP,
    "MARK": _mark, "POP": _pop, "POP_MARK": _pop_mark, "DUP": _dup,
    "NONE": _push(None), "NEWTRUE": _push(True), "NEWFALSE": _push(False),
    # numbers and strings: genops has decoded the value already
    **{name: _push_arg for name in (
        "INT", "BININT", "BININT1", "BININT2", "LONG", "LONG1", "LONG4", "FLOAT", "BINFLOAT",
        "STRING", "BINSTRING", "SHORT_BINSTRING", "UNICODE", "BINUNICODE", "SHORT_BINUNICODE",
        "BINUNICODE8", "BINBYTES", "SHORT_BINBYTES", "BINBYTES8")},
    "EMPTY_TUPLE": lambda m, arg: m.stack.append(()),
    "TUPLE": _tuple, "TUPLE1": _tuple_n(1), "TUPLE2": _tuple_n(2), "TUPLE3": _tuple_n(3),
    "EMPTY_LIST": lambda m, arg: m.stack.append([]), "LIST": _list,
    "APPEND": _append, "APPENDS": _appends,
    "EMPTY_DICT": lambda m, arg: m.stack.append({}), "DICT": _dict,
    "SETITEM": _setitem, "SETITEMS": _setitems,
    "PUT": _put, "BINPUT": _put, "LONG_BINPUT": _put, "MEMOIZE": _memoize,
    "GET": _get, "BINGET": _get, "LONG_BINGET": _get,
    "GLOBAL": _global, "STACK_GLOBAL": _stack_global,
    "REDUCE": _reduce, "BUILD": _build,
    "PERSID": _persid, "BINPERSID": _binpersid,
}


def load(data, allowed, persistent_load):
    """The object pickled in `data` (bytes), built by the restricted machine."""
    return _Machine(allowed, persistent_load).run(data)
