"""The digits example's checkpoint file, behind save_checkpoint/load_checkpoint
so it can move to chainrule.save/load once they exist: a NumPy .npz holding
every tensor as an array, and the structure around them (dicts with their key
types, lists, tuples, numbers, strings) as JSON text. Loading never unpickles
(allow_pickle=False), so a checkpoint cannot execute code."""
import json

import numpy as np

__all__ = ["save_checkpoint", "load_checkpoint"]

_STRUCTURE = "__structure__"


def _encode(obj, arrays, is_tensor):
    if is_tensor(obj):
        name = f"t{len(arrays)}"
        arrays[name] = obj.detach().cpu().numpy()
        return {"t": name}
    if isinstance(obj, dict):
        return {"d": [[_encode(k, arrays, is_tensor), _encode(v, arrays, is_tensor)]
                      for k, v in obj.items()]}
    if isinstance(obj, (list, tuple)):
        return {"u" if isinstance(obj, tuple) else "l":
                [_encode(v, arrays, is_tensor) for v in obj]}
    if obj is None or isinstance(obj, (bool, int, float, str)):
        return {"v": obj}
    raise TypeError(f"cannot checkpoint a {type(obj).__name__}")


def _decode(node, arrays, T):
    (kind, body), = node.items()
    if kind == "t":
        return T.tensor(arrays[body])
    if kind == "d":
        return {_decode(k, arrays, T): _decode(v, arrays, T) for k, v in body}
    if kind == "u":
        return tuple(_decode(v, arrays, T) for v in body)
    if kind == "l":
        return [_decode(v, arrays, T) for v in body]
    if kind == "v":
        return body
    raise ValueError(f"not a digits checkpoint: unknown entry kind {kind!r}")


def save_checkpoint(obj, path, T):
    """obj (nested dicts/lists/tuples of T's tensors and plain values) to path."""
    arrays = {}
    structure = _encode(obj, arrays, lambda o: isinstance(o, T.Tensor))
    arrays[_STRUCTURE] = np.array(json.dumps(structure))
    with open(path, "wb") as f:      # an open file, so numpy adds no '.npz' to the name
        np.savez(f, **arrays)


def load_checkpoint(path, T):
    """What save_checkpoint wrote, its tensors as T's tensors."""
    with np.load(path, allow_pickle=False) as data:
        if _STRUCTURE not in data.files:
            raise ValueError(f"{path} is not a digits checkpoint")
        arrays = {k: data[k] for k in data.files}
    return _decode(json.loads(str(arrays.pop(_STRUCTURE))), arrays, T)
