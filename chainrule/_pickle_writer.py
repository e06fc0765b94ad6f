"""Writes the pickle inside a torch.save archive, opcode by opcode.

Python's Pickler names a function by importing it back (`torch._utils.
_rebuild_tensor_v2` must be importable), and would pickle chainrule's own
classes by their chainrule names, which torch cannot read.  The few
things a checkpoint holds are written here directly as protocol-2 opcodes,
the ones `torch.save` itself writes: None, bools, ints, floats, strings,
tuples, lists, sets, dicts, OrderedDicts (with a state dict's `_metadata`),
dtypes, devices, torch.Size,
tensors and Parameters (`torch._utils._rebuild_tensor_v2` /
`_rebuild_parameter` over a persistent id naming a storage).  The only
globals written are the ones torch's `weights_only` loader allows, so the
file loads there and through chainrule's restricted reader.

Anything else raises TypeError naming its type.  A tensor object met
twice is written once and fetched from the memo the second time (it loads
as one object); containers are written by value, so a container that
contains itself raises ValueError.  The walk is a loop over a work list,
not recursion.
"""
import struct
from collections import OrderedDict

from ._device import device
from ._dtypes import dtype
from ._tensor import Size, Tensor
from .nn.parameter import Parameter

__all__ = ["dump"]

_PROTO2 = b"\x80\x02"
_STOP, _MARK, _NONE, _TRUE, _FALSE = b".", b"(", b"N", b"\x88", b"\x89"
_EMPTY_TUPLE, _TUPLE, _TUPLES = b")", b"t", {1: b"\x85", 2: b"\x86", 3: b"\x87"}
_EMPTY_LIST, _APPENDS = b"]", b"e"
_EMPTY_DICT, _SETITEMS = b"}", b"u"
_REDUCE, _BUILD, _BINPERSID = b"R", b"b", b"Q"


class _Emitter:
    def __init__(self, storage_for):
        self.storage_for = storage_for     # tensor -> (key, storage class name, numel)
        self.out = []
        self.memo = {}                     # memo key -> memo index (globals, tensors)
        self.keep = []                     # the tensors whose ids are memo keys

    # --- memo ------------------------------------------------------------------
    def put(self, key):
        i = self.memo[key] = len(self.memo)
        self.out.append(b"q" + bytes([i]) if i < 256 else b"r" + struct.pack("<I", i))

    def get(self, key):
        i = self.memo.get(key)
        if i is None:
            return False
        self.out.append(b"h" + bytes([i]) if i < 256 else b"j" + struct.pack("<I", i))
        return True

    def global_(self, module, name):
        key = ("global", module, name)
        if not self.get(key):
            self.out.append(b"c" + f"{module}\n{name}\n".encode("ascii"))
            self.put(key)

    # --- atoms -----------------------------------------------------------------
    def atom(self, obj):
        """Write obj if it is a number, a string or None; say whether it was."""
        out = self.out
        if obj is None:
            out.append(_NONE)
        elif obj is True:
            out.append(_TRUE)
        elif obj is False:
            out.append(_FALSE)
        elif type(obj) is int:
            if 0 <= obj < 256:
                out.append(b"K" + bytes([obj]))
            elif 0 <= obj < 65536:
                out.append(b"M" + struct.pack("<H", obj))
            elif -2 ** 31 <= obj < 2 ** 31:
                out.append(b"J" + struct.pack("<i", obj))
            else:
                n = (obj.bit_length() + 8) // 8          # room for the sign bit
                data = obj.to_bytes(n, "little", signed=True)
                out.append(b"\x8a" + bytes([n]) + data if n < 256 else
                           b"\x8b" + struct.pack("<i", n) + data)
        elif type(obj) is float:
            out.append(b"G" + struct.pack(">d", obj))
        elif type(obj) is str:
            data = obj.encode("utf-8", "surrogatepass")
            out.append(b"X" + struct.pack("<I", len(data)) + data)
        else:
            return False
        return True

    def empty_ordered_dict(self):
        self.global_("collections", "OrderedDict")
        self.out.append(_EMPTY_TUPLE + _REDUCE)

    # --- tensors ---------------------------------------------------------------
    def tensor(self, t):
        """A tensor as torch writes one: its values in a fresh storage of its own
        (contiguous strides, offset 0), requires_grad, no backward hooks."""
        key, storage_class, numel = self.storage_for(t)
        shape = tuple(t.shape)
        # (a dtype with no typed storage class: bytes, typed by _rebuild_tensor_v3's dtype)
        self.global_("torch._utils", "_rebuild_tensor_v2" if storage_class else "_rebuild_tensor_v3")
        self.out.append(_MARK + _MARK)
        self.atom("storage")
        if storage_class:
            self.global_("torch", storage_class)
        else:
            self.global_("torch.storage", "UntypedStorage")
        self.atom(key)
        self.atom("cpu")
        self.atom(numel)
        self.out.append(_TUPLE + _BINPERSID)
        self.atom(0)
        self.int_tuple(shape)
        self.int_tuple(_contiguous_strides(shape))
        self.atom(bool(t.requires_grad) and not isinstance(t, Parameter))
        self.empty_ordered_dict()
        if not storage_class:
            self.global_("torch", t.dtype.name)
        self.out.append(_TUPLE + _REDUCE)

    def int_tuple(self, values):
        if not values:
            self.out.append(_EMPTY_TUPLE)
            return
        if len(values) > 3:
            self.out.append(_MARK)
        for v in values:
            self.atom(int(v))
        self.out.append(_TUPLES.get(len(values), _TUPLE))

    def parameter(self, p):
        self.global_("torch._utils", "_rebuild_parameter")
        self.out.append(_MARK)
        self.tensor(p)
        self.atom(bool(p.requires_grad))
        self.empty_ordered_dict()
        self.out.append(_TUPLE + _REDUCE)


def _contiguous_strides(shape):
    # PyTorch's strides for a fresh tensor (sizes 0 and 1 leave them as they are)
    out, n = [0] * len(shape), 1
    for i in range(len(shape) - 1, -1, -1):
        out[i] = n
        n *= max(shape[i], 1)
    return out


def dump(obj, storage_for):
    """obj as protocol-2 pickle bytes; `storage_for(tensor)` registers a tensor's
    values and returns (storage key, storage class name, number of elements)."""
    em = _Emitter(storage_for)
    out = em.out
    out.append(_PROTO2)
    work = [obj]                 # objects to write, or bytes to emit, or (closing id,)
    open_ids = set()             # the containers being written (a repeat is a cycle)
    while work:
        item = work.pop()
        if type(item) is bytes:
            out.append(item)
            continue
        if type(item) is _Close:
            open_ids.discard(item.id)
            continue
        if em.atom(item):
            continue
        if isinstance(item, Tensor):
            key = ("tensor", id(item))
            if not em.get(key):
                em.parameter(item) if isinstance(item, Parameter) else em.tensor(item)
                em.put(key)
                em.keep.append(item)      # keeps id(item) from being reused while writing
            continue
        kind = type(item)
        if kind is dtype:
            em.global_("torch", item.name)
            continue
        if kind is Size or kind is device:
            em.global_("torch", "Size" if kind is Size else "device")
            if kind is Size:
                em.int_tuple(tuple(item))
                out.append(_TUPLES[1] + _REDUCE)
            else:
                em.atom(item.type)
                if item.index is None:
                    out.append(_TUPLES[1] + _REDUCE)
                else:
                    em.atom(item.index)
                    out.append(_TUPLES[2] + _REDUCE)
            continue
        if kind is set:
            # as torch writes one: builtins.set called on a list of the items
            em.global_("__builtin__", "set")
            item = list(item)
            kind = list
            out.append(_EMPTY_LIST)
            if item:
                out.append(_MARK)
                work.append(_TUPLES[1] + _REDUCE)
                work.append(_APPENDS)
            else:
                work.append(_TUPLES[1] + _REDUCE)
            work.extend(reversed(item))
            continue
        if kind not in (tuple, list, dict, OrderedDict):
            raise TypeError(f"chainrule.save cannot save an object of type {kind.__name__}: "
                            "only tensors, Parameters, dicts, OrderedDicts, lists, tuples, "
                            "sets, strings, numbers, bools, None, dtypes, devices and Sizes")
        if id(item) in open_ids:
            raise ValueError("chainrule.save cannot save a container that contains itself")
        open_ids.add(id(item))
        tail = []                # what follows the children, in the order it is written
        if kind is tuple:
            if not item:
                out.append(_EMPTY_TUPLE)
                open_ids.discard(id(item))
                continue
            out.append(_MARK)
            tail.append(_TUPLE)
            parts = list(item)
        elif kind is list:
            out.append(_EMPTY_LIST)
            parts = list(item)
            if parts:
                out.append(_MARK)
                tail.append(_APPENDS)
        else:
            if kind is OrderedDict:
                em.empty_ordered_dict()
            else:
                out.append(_EMPTY_DICT)
            parts = []
            for k, v in item.items():
                parts.append(k)
                parts.append(v)
            if parts:
                out.append(_MARK)
                tail.append(_SETITEMS)
            meta = getattr(item, "_metadata", None) if kind is OrderedDict else None
            if isinstance(meta, dict):
                # a state dict's per-module versions, set by BUILD as torch writes them
                tail.append({"_metadata": meta})
                tail.append(_BUILD)
        tail.append(_Close(id(item)))
        # the work list is a stack: push in reverse
        work.extend(reversed(tail))
        work.extend(reversed(parts))
    out.append(_STOP)
    return b"".join(out)


class _Close:
    __slots__ = ("id",)

    def __init__(self, i):
        self.id = i
