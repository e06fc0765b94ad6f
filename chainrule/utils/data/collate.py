"""default_collate and default_convert, as torch.utils.data defines them:
a batch of samples becomes one structure of batched tensors (tensors
stacked; NumPy arrays and scalars made tensors; Python floats a float64
tensor and ints an int64 one; dicts, named tuples and sequences collated
field by field, tuples giving lists; strings kept as lists).

A column of strings stays the tuple it was transposed into, as PyTorch's.
The recursion follows the nesting of one sample (a few levels), not a graph."""
import collections.abc
import re

from ..._factories import as_tensor, tensor
from ..._tensor import Tensor
from ... import _dtypes
from ...ops import _backend
from ...ops.shape import stack

__all__ = ["default_collate", "default_convert"]

_COLLATE_ERROR = ("default_collate: batch must contain tensors, numpy arrays, numbers, dicts or "
                  "lists; found {}")
_CONVERT_ERROR = ("default_convert: batch must contain tensors, numpy arrays, numbers, dicts or "
                  "lists; found {}")
# NumPy dtypes of strings and objects: arrays of them cannot be tensors
_STRING_OR_OBJECT = re.compile(r"[SaUO]")


def _is_namedtuple(x):
    return isinstance(x, tuple) and hasattr(x, "_fields")


def _host_array(x):
    return isinstance(x, _backend.HOST_ARRAY)


def default_collate(batch):
    elem = batch[0]
    if isinstance(elem, Tensor):
        return stack(list(batch), 0)
    if isinstance(elem, (_backend.HOST_ARRAY, _backend.HOST_SCALAR)) and \
            not isinstance(elem, (str, bytes)):
        if _STRING_OR_OBJECT.search(elem.dtype.str) is not None:
            raise TypeError(_COLLATE_ERROR.format(elem.dtype))
        if _host_array(elem):
            return default_collate([as_tensor(b) for b in batch])
        return stack([as_tensor(b) for b in batch], 0)     # keeps NumPy's dtype
    if isinstance(elem, float):
        return tensor(batch, dtype=_dtypes.float64)
    if isinstance(elem, int):
        return tensor(batch)
    if isinstance(elem, (str, bytes)):
        return batch
    if isinstance(elem, collections.abc.Mapping):
        fields = {key: default_collate([d[key] for d in batch]) for key in elem}
        try:
            return type(elem)(fields)
        except TypeError:                       # a mapping type that cannot be built from a dict
            return fields
    if _is_namedtuple(elem):
        return type(elem)(*(default_collate(s) for s in zip(*batch)))
    if isinstance(elem, collections.abc.Sequence):
        size = len(elem)
        if not all(len(e) == size for e in batch):
            raise RuntimeError("each element in list of batch should be of equal size")
        columns = [default_collate(s) for s in zip(*batch)]     # strings stay tuples
        if isinstance(elem, tuple):
            return columns
        try:
            return type(elem)(columns)
        except TypeError:
            return columns
    raise TypeError(_COLLATE_ERROR.format(type(elem)))


def default_convert(data):
    """One sample made of tensors where it holds NumPy data (no batching:
    the DataLoader's batch_size=None)."""
    if isinstance(data, Tensor):
        return data
    if isinstance(data, (_backend.HOST_ARRAY, _backend.HOST_SCALAR)) and \
            not isinstance(data, (str, bytes)):
        if _host_array(data) and _STRING_OR_OBJECT.search(data.dtype.str) is not None:
            return data
        return as_tensor(data)
    if isinstance(data, collections.abc.Mapping):
        fields = {key: default_convert(data[key]) for key in data}
        try:
            return type(data)(fields)
        except TypeError:
            return fields
    if _is_namedtuple(data):
        return type(data)(*(default_convert(d) for d in data))
    if isinstance(data, tuple):
        return [default_convert(d) for d in data]
    if isinstance(data, collections.abc.Sequence) and not isinstance(data, (str, bytes)):
        try:
            return type(data)([default_convert(d) for d in data])
        except TypeError:
            return [default_convert(d) for d in data]
    return data
