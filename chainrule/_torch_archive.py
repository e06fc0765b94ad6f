"""torch.save's zip archive, read and written without running pickled code.

The layout torch writes (and reads back with `weights_only=True`):

    <name>/data.pkl          the object, pickled; each tensor is
                             torch._utils._rebuild_tensor_v2(storage, offset, size, stride, ...)
                             with the storage a persistent id
                             ('storage', torch.FloatStorage, '<key>', 'cpu', numel)
                             (uint16/32/64: _rebuild_tensor_v3(..., dtype) over a
                             torch.storage.UntypedStorage of numel bytes)
    <name>/data/<key>        each storage's raw bytes, in the order `byteorder` says
    <name>/byteorder         'little' or 'big'
    <name>/version, .format_version, .storage_alignment

Reading goes through chainrule/_restricted_pickle.py with the globals of
`ALLOWED` only; a storage is read once per key and the tensors over it are
views of it with the strides and storage offset the pickle gives (tensors
that shared a storage in torch share memory here too).  Writing gives every
tensor a storage of its own holding its values (a view is saved as its
values; storage shared between tensors is not kept, a tensor object saved
twice loads as one object).  Storage bytes are 64-byte aligned in the file,
as torch aligns them.

NumPy is used here as the host's byte format (bytes to arrays and back);
the arrays are then handed to the default array library.
"""
import pickle
import struct
import zipfile
from collections import OrderedDict

import numpy as np

from . import _dtypes, _pickle_writer, _restricted_pickle
from ._device import device
from ._tensor import Size, Tensor
from .nn.parameter import Parameter
from .ops import _backend

__all__ = ["read", "write", "is_zip", "ALLOWED", "CUDA_ON_CPU"]

_ALIGNMENT = 64

# torch's storage class names for the dtypes chainrule has
STORAGE_DTYPES = {
    "FloatStorage": _dtypes.float32, "DoubleStorage": _dtypes.float64,
    "HalfStorage": _dtypes.float16, "LongStorage": _dtypes.int64, "IntStorage": _dtypes.int32,
    "ShortStorage": _dtypes.int16, "CharStorage": _dtypes.int8, "ByteStorage": _dtypes.uint8,
    "BoolStorage": _dtypes.bool,
    "ComplexFloatStorage": _dtypes.complex64, "ComplexDoubleStorage": _dtypes.complex128,
}
_STORAGE_OF = {d: name for name, d in STORAGE_DTYPES.items()}
_UINT8 = _dtypes.uint8
# storages torch has and chainrule has no dtype for: named, refused with a reason
_NO_SUCH_DTYPE = ("BFloat16Storage", "QInt8Storage", "QUInt8Storage", "QInt32Storage", "UntypedStorage")

CUDA_ON_CPU = ("Attempting to deserialize object on a CUDA device but torch.cuda.is_available() "
               "is False. If you are running on a CPU-only machine, please use torch.load with "
               "map_location=torch.device('cpu') to map your storages to the CPU.")


def _fail(msg):
    return pickle.UnpicklingError(f"Weights only load failed: {msg}")


# --- reading: the allowed globals ---------------------------------------------------------
class _Storage:
    """One storage of the archive: its dtype and its elements (an array of the
    default library, read once however many tensors view it)."""
    __slots__ = ("dtype", "array", "numel", "order")

    def __init__(self, dtype, array, order="<"):
        self.dtype = dtype
        self.array = array
        self.numel = array.shape[0]
        self.order = order          # (an untyped storage's bytes are read in this byte order)


_UNTYPED = "untyped"          # an UntypedStorage's dtype: bytes, typed by _rebuild_tensor_v3


def _check_ints(name, values, *, low=0):
    if type(values) is not tuple or any(type(v) is not int or v < low for v in values):
        raise _fail(f"_rebuild_tensor_v2: {name} must be a tuple of ints >= {low}, "
                    f"got {values!r}")


def _no_hooks(hooks, what):
    if hooks is not None and (type(hooks) not in (dict, OrderedDict) or hooks):
        raise _fail(f"{what}: backward hooks are not loaded (a checkpoint holds data only)")


def rebuild_tensor(storage, storage_offset, size, stride, requires_grad, backward_hooks,
                   metadata=None):
    """torch._utils._rebuild_tensor_v2: a view of `storage` with these size,
    stride and offset (elements), bounds checked against the storage."""
    if type(storage) is not _Storage or storage.dtype is _UNTYPED:
        raise _fail("_rebuild_tensor_v2: the first argument must be a typed storage")
    if type(storage_offset) is not int or storage_offset < 0:
        raise _fail(f"_rebuild_tensor_v2: bad storage offset {storage_offset!r}")
    _check_ints("size", size)
    _check_ints("stride", stride)
    if len(size) != len(stride):
        raise _fail(f"_rebuild_tensor_v2: size {size} and stride {stride} differ in length")
    if type(requires_grad) is not bool:
        raise _fail("_rebuild_tensor_v2: requires_grad must be a bool")
    _no_hooks(backward_hooks, "_rebuild_tensor_v2")
    if metadata:
        raise _fail("_rebuild_tensor_v2: tensor metadata is not loaded")
    be = _backend.backend_of(storage.array)
    dt = storage.dtype
    numel = 1
    for s in size:
        numel *= s
    if numel == 0:
        data = be.from_numpy(np.empty(size, dt.np))
    else:
        last = storage_offset + sum((s - 1) * st for s, st in zip(size, stride))
        if last >= storage.numel:
            raise _fail(f"_rebuild_tensor_v2: size {size}, stride {stride} and offset "
                        f"{storage_offset} reach past the storage's {storage.numel} elements")
        n = dt.itemsize
        data = be.as_strided(storage.array, size, tuple(st * n for st in stride),
                             storage_offset * n)
        if any(s > 1 and st == 0 for s, st in zip(size, stride)):
            data = be.readonly(data)      # an expanded tensor: chainrule refuses writes to it
    t = Tensor._make(_backend.shell_view(data))         # (uint16/32/64: their own class)
    if requires_grad:
        if not dt.is_floating_point:
            raise _fail("_rebuild_tensor_v2: only floating point tensors can require grad")
        t._requires_grad = True
    return t


def rebuild_tensor_v3(storage, storage_offset, size, stride, requires_grad, backward_hooks,
                      dtype, metadata=None):
    """torch._utils._rebuild_tensor_v3: the same over an untyped storage (bytes) whose
    dtype the call names (torch writes the dtypes with no typed storage class so:
    uint16, uint32, uint64)."""
    if type(storage) is not _Storage or storage.dtype is not _UNTYPED:
        raise _fail("_rebuild_tensor_v3: the first argument must be an untyped storage")
    if type(dtype) is not _dtypes.dtype:
        raise _fail(f"_rebuild_tensor_v3: {dtype!r} is not a dtype")
    raw = storage.array
    if raw.shape[0] % dtype.itemsize:
        raise _fail(f"_rebuild_tensor_v3: a storage of {raw.shape[0]} bytes holds no whole "
                    f"number of {dtype} elements")
    host = _backend.to_numpy(raw).view(dtype.np.newbyteorder(storage.order))
    # (the dtype NumPy's own object for it, not an equal one spelt with a byte order)
    host = host.view(dtype.np) if host.dtype.isnative else host.astype(dtype.np)
    typed = _Storage(dtype, _backend.backend_of(raw).from_numpy(host))
    return rebuild_tensor(typed, storage_offset, size, stride, requires_grad, backward_hooks,
                          metadata)


def rebuild_parameter(data, requires_grad, backward_hooks, state=None):
    """torch._utils._rebuild_parameter (and _with_state, for an empty state)."""
    if type(data) is not Tensor:
        raise _fail("_rebuild_parameter: the data must be a tensor")
    if type(requires_grad) is not bool:
        raise _fail("_rebuild_parameter: requires_grad must be a bool")
    _no_hooks(backward_hooks, "_rebuild_parameter")
    if state:
        raise _fail("_rebuild_parameter_with_state: a Parameter's Python attributes are not "
                    "loaded")
    return Parameter(data, requires_grad)


def _ordered_dict(*args):
    if len(args) > 1 or args and type(args[0]) not in (list, tuple, dict, OrderedDict):
        raise _fail("collections.OrderedDict takes one list of pairs or nothing here")
    return OrderedDict(*args)


def _set(*args):
    if len(args) > 1 or args and type(args[0]) not in (list, tuple):
        raise _fail("builtins.set takes one list or nothing here")
    return set(*args)


def _size(*args):
    if len(args) != 1 or type(args[0]) is not tuple or any(type(v) is not int for v in args[0]):
        raise _fail("torch.Size takes one tuple of ints")
    return Size(args[0])


def _device(*args):
    if not 1 <= len(args) <= 2 or type(args[0]) is not str or len(args) == 2 and (
            args[1] is not None and type(args[1]) is not int):
        raise _fail("torch.device takes a type string and an optional index")
    return device(*args)


# "module.name" -> the function REDUCE may call (None: may be named, not called)
ALLOWED = {
    "torch._utils._rebuild_tensor_v2": rebuild_tensor,
    "torch._utils._rebuild_tensor_v3": rebuild_tensor_v3,
    "torch.storage.UntypedStorage": None,
    "torch._utils._rebuild_parameter": rebuild_parameter,
    "torch._utils._rebuild_parameter_with_state": rebuild_parameter,
    "collections.OrderedDict": _ordered_dict,
    "builtins.set": _set, "__builtin__.set": _set,      # (protocol 2 spells builtins so)
    "torch.Size": _size, "torch.device": _device,
    **{f"torch.{d.name}": _restricted_pickle.Value(d) for d in _dtypes.ALL},
    **{f"torch.{name}": None for name in (*STORAGE_DTYPES, *_NO_SUCH_DTYPE)},
}


# --- reading: the archive -----------------------------------------------------------------
def is_zip(head):
    return head[:4] == b"PK\x03\x04"


def _location_map(map_location):
    """map_location as a function of a storage's saved location -> the device
    it goes to (None: a function given by the user decides, see _mapped)."""
    if map_location is None:
        return lambda loc: loc
    if isinstance(map_location, (str, device)):
        target = str(device(map_location)) if isinstance(map_location, str) else \
            str(map_location)
        return lambda loc: target
    if isinstance(map_location, dict):
        return lambda loc: str(map_location.get(loc, loc))
    if callable(map_location):
        return None
    raise TypeError("chainrule.load: map_location must be None, a string, a torch.device, a "
                    f"dict or a function, not {type(map_location).__name__}")


def _place(storage, location, where, map_location):
    """The storage where map_location puts it: only the CPU is possible here."""
    if where is None:
        # torch's idiom map_location=lambda storage, loc: storage keeps it on the CPU
        if map_location(storage, location) is not storage:
            raise RuntimeError("chainrule.load: a map_location function must return the "
                               "storage it is given (chainrule computes on the CPU)")
        return storage
    mapped = where(location)
    if mapped.startswith("cuda"):
        raise RuntimeError(CUDA_ON_CPU)
    if mapped != "cpu":
        raise RuntimeError(f"chainrule.load: cannot place a storage on {mapped!r}; "
                           "chainrule computes on the CPU")
    return storage


def read(f, map_location=None):
    """The object in the torch.save zip archive `f` (a path or a binary file)."""
    where = _location_map(map_location)
    try:
        zf = zipfile.ZipFile(f)
    except zipfile.BadZipFile as e:
        raise RuntimeError(f"chainrule.load: not a readable torch.save archive ({e})") from None
    with zf:
        pickles = [n for n in zf.namelist() if n.count("/") == 1 and n.endswith("/data.pkl")]
        if len(pickles) != 1:
            raise RuntimeError("chainrule.load: a torch.save archive holds one <name>/data.pkl; "
                               f"this zip file holds {len(pickles)}")
        prefix = pickles[0][:-len("data.pkl")]
        order = "little"
        if prefix + "byteorder" in zf.namelist():
            order = zf.read(prefix + "byteorder").decode("ascii", "replace").strip()
            if order not in ("little", "big"):
                raise RuntimeError(f"chainrule.load: unknown byte order {order!r} in the archive")
        storages = {}
        be = _backend.default()

        def persistent_load(pid):
            if (type(pid) is not tuple or len(pid) != 5 or pid[0] != "storage"
                    or type(pid[1]) is not _restricted_pickle.Global or type(pid[2]) is not str
                    or type(pid[3]) is not str or type(pid[4]) is not int or pid[4] < 0):
                raise _fail(f"unexpected persistent id {pid!r} (expected a storage)")
            _, cls, key, location, numel = pid
            kind = cls.name[len("torch."):]
            dt = _UINT8 if cls.name == "torch.storage.UntypedStorage" else STORAGE_DTYPES.get(kind)
            if dt is None:
                raise _fail(f"{cls.name} holds a dtype chainrule does not have")
            have = storages.get(key)
            if have is not None:         # (placed when first read)
                if have.dtype is not dt or have.numel != numel:
                    raise _fail(f"storage {key!r} is named with two dtypes or sizes")
                return have
            name = f"{prefix}data/{key}"
            try:
                info = zf.getinfo(name)
            except KeyError:
                raise RuntimeError(f"chainrule.load: the archive has no record {name!r} for "
                                   "a storage its pickle names") from None
            _check_stored(info)
            if info.file_size != numel * dt.itemsize:
                raise RuntimeError(f"chainrule.load: record {name!r} holds {info.file_size} "
                                   f"bytes; a {kind} of {numel} elements needs "
                                   f"{numel * dt.itemsize}")
            raw = np.frombuffer(bytearray(zf.read(name)),
                                dt.np.newbyteorder("<" if order == "little" else ">"))
            if not raw.dtype.isnative:
                raw = raw.astype(dt.np)
            if dt is _UINT8 and kind == "storage.UntypedStorage":
                stored = _Storage(_UNTYPED, raw, "<" if order == "little" else ">")
            else:
                stored = _Storage(dt, be.from_numpy(raw))
            have = storages[key] = _place(stored, location, where, map_location)
            return have

        _check_stored(zf.getinfo(pickles[0]))
        return _restricted_pickle.load(zf.read(pickles[0]), ALLOWED, persistent_load)


def _check_stored(info):
    # torch stores every record uncompressed; a compressed one could expand
    # without bound (a zip bomb), so it is refused rather than inflated.
    if info.compress_type != zipfile.ZIP_STORED or info.compress_size != info.file_size:
        raise RuntimeError(f"chainrule.load: record {info.filename!r} is compressed; torch.save "
                           "archives store their records uncompressed")


# --- writing ------------------------------------------------------------------------------
def write(obj, f):
    """Write obj as a torch.save zip archive to `f` (a path or a binary file)."""
    records = []

    def storage_for(t):
        host = _backend.to_numpy(t._data)
        key = str(len(records))
        # C-order values, little-endian: the tensor's own storage, whatever its layout
        records.append((f"data/{key}", host.astype(host.dtype.newbyteorder("<"),
                                                   copy=False).tobytes()))
        if t.dtype in _dtypes.SHELL:         # (torch's _rebuild_tensor_v3 over bytes)
            return key, None, host.nbytes
        return key, _STORAGE_OF[t.dtype], host.size

    pickled = _pickle_writer.dump(obj, storage_for)
    with zipfile.ZipFile(f, "w", zipfile.ZIP_STORED) as zf:
        _record(zf, "data.pkl", pickled)
        _record(zf, ".format_version", b"1")
        _record(zf, ".storage_alignment", str(_ALIGNMENT).encode())
        _record(zf, "byteorder", b"little")
        for name, data in records:
            _record(zf, name, data, align=True)
        _record(zf, "version", b"3\n")


def _record(zf, name, data, align=False):
    info = zipfile.ZipInfo("archive/" + name)
    info.compress_type = zipfile.ZIP_STORED
    if align:
        try:
            at = zf.fp.tell()
        except (AttributeError, OSError):
            at = None             # an unseekable stream: no alignment
        if at is not None:
            # the local header is 30 bytes, the name, then this padding field (4 + pad)
            pad = -(at + 30 + len(info.filename) + 4) % _ALIGNMENT
            info.extra = struct.pack("<HH", 0x4646, pad) + b"Z" * pad
    zf.writestr(info, data)
