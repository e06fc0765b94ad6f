"""chainrule.save / chainrule.load: checkpoints that PyTorch reads and writes,
and that never run code when they are read.

`save(obj, f)` writes torch.save's zip format (chainrule/_torch_archive.py):
`torch.load(f, weights_only=True)` reads it, and `load` reads what
`torch.save` writes (a model's state_dict(), an optimiser's, tensors,
Parameters and containers of them).  Loading never imports or calls
anything a file names: its pickle is read by a restricted machine that
knows only data opcodes and torch's tensor-rebuilding globals
(chainrule/_restricted_pickle.py), so `weights_only=False` changes nothing.

The safetensors format is in chainrule.utils.safetensors; its `save_file`
and `load_file` are also here.
"""
import io
import os

from . import _torch_archive
from .utils.safetensors import MAX_HEADER as _SAFETENSORS_MAX_HEADER, save_file, load_file, \
    SafetensorError

__all__ = ["save", "load", "save_file", "load_file", "SafetensorError"]

# the first bytes of torch.save's legacy format: a pickled magic number
_LEGACY_MAGIC = b"\x80\x02\x8a\x0a\x6c\xfc\x9c\x46\xf9\x20\x6a\xa8\x50\x19"
_SAFETENSORS_HINT = b"{"


def save(obj, f, pickle_module=None, pickle_protocol=2, _use_new_zipfile_serialization=True):
    """Save obj (tensors, Parameters, state dicts, optimiser state, nested dicts,
    lists, tuples and sets of them, numbers, strings, None) to `f`, a path or a
    binary file, in torch.save's zip format."""
    if pickle_module is not None or pickle_protocol != 2:
        raise ValueError("chainrule.save writes its own pickle (protocol 2, torch's globals "
                         "only): pickle_module and pickle_protocol cannot be changed")
    if not _use_new_zipfile_serialization:
        raise ValueError("chainrule.save writes only torch's zip format "
                         "(_use_new_zipfile_serialization=True)")
    if isinstance(f, (str, os.PathLike)):
        parent = os.path.dirname(os.path.abspath(os.fspath(f)))
        if not os.path.isdir(parent):
            raise RuntimeError(f"Parent directory {parent} does not exist.")
        with open(f, "wb") as fh:
            _torch_archive.write(obj, fh)
    else:
        _torch_archive.write(obj, f)


def load(f, map_location=None, pickle_module=None, *, weights_only=True, mmap=None,
         **pickle_load_args):
    """The object saved in `f` (a path or a binary file) by chainrule.save or
    torch.save.  Nothing in the file is ever executed: only tensors,
    Parameters, containers, numbers and strings are built, whatever
    `weights_only` says.  map_location: None, "cpu", a device, a dict of
    locations or torch's `lambda storage, loc: storage`; a CUDA location
    raises torch's CPU-only error.  `mmap` is accepted and the file read
    into memory."""
    if pickle_module is not None:
        raise ValueError("chainrule.load reads pickles with its own restricted reader; "
                         "pickle_module cannot be changed")
    unknown = set(pickle_load_args) - {"encoding"}     # (strings here are always UTF-8)
    if unknown:
        raise TypeError(f"load() got an unexpected keyword argument '{sorted(unknown)[0]}'")
    if isinstance(f, (str, os.PathLike)):
        with open(f, "rb") as fh:
            return _load_from(fh, map_location)
    return _load_from(f, map_location)


def _load_from(fh, map_location):
    start = fh.tell() if fh.seekable() else None
    if start is None:
        fh = io.BytesIO(fh.read())
        start = 0
    head = fh.read(64)
    fh.seek(start)
    if _torch_archive.is_zip(head):
        return _torch_archive.read(fh, map_location)
    if head.startswith(_LEGACY_MAGIC):
        raise RuntimeError("chainrule.load: this file is in torch.save's legacy (pre-1.6, "
                           "non-zip) format, which chainrule does not read; re-save it with "
                           "torch.save(obj, f) from a current PyTorch")
    # (a safetensors file: an 8-byte little-endian header length, at most the
    # format's limit, then the JSON header; '{' alone at byte 8 is what one
    # random file in 256 has)
    if len(head) >= 9 and head[8:9] == _SAFETENSORS_HINT and \
            0 < int.from_bytes(head[:8], "little") <= _SAFETENSORS_MAX_HEADER:
        raise RuntimeError("chainrule.load: this looks like a .safetensors file; read it with "
                           "chainrule.serialization.load_file")
    raise RuntimeError("chainrule.load: not a checkpoint chainrule can read (expected the zip "
                       f"archive torch.save writes; the file starts with {head[:8]!r})")
