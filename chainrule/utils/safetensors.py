"""The .safetensors format, read and written with the safetensors library's names:
`save_file(tensors, filename, metadata=None)`, `load_file(filename)`,
`save(tensors, metadata=None) -> bytes`, `load(data) -> dict`.

A file is an 8-byte little-endian header length N, N bytes of JSON
    {"__metadata__": {str: str}, "<name>": {"dtype": "F32", "shape": [...],
     "data_offsets": [begin, end]}, ...}
(padded with spaces to a multiple of 8), then the tensors' bytes, little-endian
and C-ordered, `data_offsets` counted from the end of the header.  Nothing in
it is code, and the header is checked strictly before any tensor is built:
its length against the file and a 100 MB cap, valid UTF-8 JSON holding an
object with no repeated names, known dtypes, non-negative integer shapes,
offsets whose span is exactly shape x itemsize, and spans that tile the
byte buffer from 0 to its end without a gap or an overlap.  Any failure
raises SafetensorError saying which check failed.

Files are written as the library writes them (tensors laid out by the
format's dtype order, widest first, then by name; the header in that order),
byte for byte when there is no metadata (the library's metadata order is a
hash map's), so the `safetensors` package and `safetensors.torch` read them.  NumPy is the host's byte format here.
"""
import json
import os
import struct

import numpy as np

from .. import _dtypes
from .._tensor import Tensor
from ..ops import _backend

__all__ = ["save_file", "load_file", "save", "load", "SafetensorError"]

# The library refuses headers above 100 MB (a crafted length must not make us allocate).
MAX_HEADER = 100_000_000

_CODE_OF = {
    _dtypes.float16: "F16", _dtypes.float32: "F32", _dtypes.float64: "F64",
    _dtypes.int8: "I8", _dtypes.int16: "I16", _dtypes.int32: "I32", _dtypes.int64: "I64",
    _dtypes.uint8: "U8", _dtypes.bool: "BOOL",
}
_DTYPE_OF = {code: d for d, code in _CODE_OF.items()}
# The format's dtype order; the library lays tensors out by it, last first (so the
# widest come first and every tensor is aligned), then by name.
_RANK = {code: i for i, code in enumerate((
    "BOOL", "F4", "F6_E2M3", "F6_E3M2", "U8", "I8", "F8_E5M2", "F8_E4M3", "F8_E8M0",
    "F8_E4M3FNUZ", "F8_E5M2FNUZ", "I16", "U16", "F16", "BF16", "I32", "U32", "F32", "C64",
    "F64", "I64", "U64"))}
# dtypes of the format that chainrule has no dtype for: known, but refused by name
_FOREIGN_CODES = {"BF16", "U16", "U32", "U64", "C64", "F8_E5M2", "F8_E4M3", "F8_E8M0",
                  "F8_E4M3FNUZ", "F8_E5M2FNUZ", "F6_E2M3", "F6_E3M2", "F4"}


class SafetensorError(Exception):
    """A .safetensors file or buffer that breaks the format (the library's name)."""


def _bad(what):
    return SafetensorError(f"Error while deserializing header: {what}")


# --- writing ------------------------------------------------------------------------------
def save(tensors, metadata=None):
    """The .safetensors bytes of `tensors`, a dict of name -> Tensor."""
    if not isinstance(tensors, dict):
        raise TypeError(f"tensors must be a dict of str -> Tensor, not {type(tensors).__name__}")
    if metadata is not None and (not isinstance(metadata, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in metadata.items())):
        raise TypeError("metadata must be a dict of str -> str")
    entries = []
    for name, t in tensors.items():
        if not isinstance(name, str):
            raise TypeError(f"tensor names must be strings, not {type(name).__name__}")
        if name == "__metadata__":
            raise ValueError("'__metadata__' is reserved for the metadata")
        if not isinstance(t, Tensor):
            raise TypeError(f"tensors[{name!r}] must be a Tensor, not {type(t).__name__}")
        entries.append((name, t))
    entries.sort(key=lambda e: (-_RANK[_CODE_OF[e[1].dtype]], e[0]))
    header, chunks, at = {}, [], 0
    if metadata:
        header["__metadata__"] = dict(metadata)
    for name, t in entries:
        host = _backend.to_numpy(t._data)
        data = host.astype(host.dtype.newbyteorder("<"), copy=False).tobytes()
        header[name] = {"dtype": _CODE_OF[t.dtype], "shape": list(host.shape),
                        "data_offsets": [at, at + len(data)]}       # (the library's key order)
        chunks.append(data)
        at += len(data)
    text = json.dumps(header, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    text += b" " * (-len(text) % 8)
    return struct.pack("<Q", len(text)) + text + b"".join(chunks)


def save_file(tensors, filename, metadata=None):
    """Write `tensors` (name -> Tensor) to the .safetensors file `filename`."""
    data = save(tensors, metadata)
    with open(os.fspath(filename), "wb") as f:
        f.write(data)


# --- reading ------------------------------------------------------------------------------
def _no_repeats(pairs):
    out = {}
    for k, v in pairs:
        if k in out:
            raise _bad(f"the name {k!r} appears twice")
        out[k] = v
    return out


def _is_count(v):
    return type(v) is int and v >= 0


def _header(data):
    """The checked header of `data`: (metadata or None, [(name, dtype, shape, begin, end)]
    in offset order), and where the byte buffer starts."""
    if len(data) < 8:
        raise _bad("header too small (a file needs at least the 8-byte header length)")
    (n,) = struct.unpack("<Q", data[:8])
    if n > MAX_HEADER:
        raise _bad(f"header too large ({n} bytes; at most {MAX_HEADER})")
    if n > len(data) - 8:
        raise _bad(f"the header length {n} reaches past the end of the file "
                   f"({len(data)} bytes): a truncated or damaged file")
    try:
        header = json.loads(bytes(data[8:8 + n]).decode("utf-8"), object_pairs_hook=_no_repeats)
    except SafetensorError:
        raise
    except (UnicodeDecodeError, ValueError) as e:
        raise _bad(f"the header is not valid UTF-8 JSON ({e})") from None
    if not isinstance(header, dict):
        raise _bad(f"the header must be a JSON object, not {type(header).__name__}")
    metadata = header.pop("__metadata__", None)
    if metadata is not None and not (isinstance(metadata, dict) and all(
            isinstance(v, str) for v in metadata.values())):
        raise _bad("__metadata__ must map strings to strings")
    entries = []
    for name, info in header.items():
        if not isinstance(info, dict) or set(info) != {"dtype", "shape", "data_offsets"}:
            raise _bad(f"tensor {name!r} must have exactly dtype, shape and data_offsets")
        code, shape, offsets = info["dtype"], info["shape"], info["data_offsets"]
        if code not in _DTYPE_OF:
            if code in _FOREIGN_CODES:
                raise SafetensorError(f"tensor {name!r} has dtype {code}, which chainrule "
                                      "does not have")
            raise _bad(f"tensor {name!r} has an unknown dtype {code!r}")
        if not isinstance(shape, list) or not all(_is_count(s) for s in shape):
            raise _bad(f"tensor {name!r}: the shape must be a list of non-negative ints, "
                       f"got {shape!r}")
        if (not isinstance(offsets, list) or len(offsets) != 2
                or not all(_is_count(o) for o in offsets) or offsets[0] > offsets[1]):
            raise _bad(f"tensor {name!r}: data_offsets must be [begin, end] with "
                       f"0 <= begin <= end, got {offsets!r}")
        dt = _DTYPE_OF[code]
        numel = 1
        for s in shape:
            numel *= s
        if offsets[1] - offsets[0] != numel * dt.itemsize:
            raise _bad(f"tensor {name!r}: shape {shape} of {code} needs "
                       f"{numel * dt.itemsize} bytes, data_offsets {offsets} span "
                       f"{offsets[1] - offsets[0]}")
        entries.append((name, dt, tuple(shape), offsets[0], offsets[1]))
    entries.sort(key=lambda e: (e[3], e[4]))
    at = 0
    for name, _dt, _shape, begin, end in entries:
        if begin != at:
            raise _bad(f"tensor {name!r} starts at byte {begin}, expected {at}: offsets must "
                       "tile the buffer without gaps or overlaps")
        at = end
    if at != len(data) - 8 - n:
        raise _bad(f"the tensors cover {at} bytes of a {len(data) - 8 - n}-byte buffer: "
                   "a truncated or damaged file")
    return metadata, entries, 8 + n


def load(data):
    """The tensors (name -> Tensor, in name order) in the .safetensors bytes `data`."""
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise TypeError(f"expected bytes, not {type(data).__name__}")
    _metadata, entries, start = _header(data)
    be = _backend.default()
    out = {}
    for name, dt, shape, begin, end in sorted(entries):
        # a copy of its own for each tensor (writeable, independent of `data`)
        host = np.frombuffer(data, dt.np.newbyteorder("<"), (end - begin) // dt.itemsize,
                             start + begin).astype(dt.np)
        out[name] = Tensor._make(be.from_numpy(host.reshape(shape)))
    return out


def load_file(filename, device="cpu"):
    """The tensors in the .safetensors file `filename` (name -> Tensor)."""
    if str(device) != "cpu":
        raise RuntimeError(f"chainrule computes on the CPU; cannot load to {device!r}")
    with open(os.fspath(filename), "rb") as f:
        return load(f.read())


def metadata_of(data):
    """The __metadata__ dict of .safetensors bytes (None when there is none)."""
    return _header(data)[0]
