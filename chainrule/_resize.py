"""Tensor.resize_ / resize_as_ (and the deprecated copying resize / resize_as,
torch.resize_as_): a tensor given a new shape in place.  As PyTorch: refused
for a tensor that requires grad; the first elements (in memory order) keep
their values, and elements beyond the old ones are new (PyTorch leaves them
uninitialised; chainrule's are zeros).  A contiguous tensor that shrinks keeps
its memory (views of it still see its writes); one that grows, or a
non-contiguous one (taken in logical order), gets new memory."""
import warnings

from . import _views
from ._tensor import Tensor
from .ops import _backend
from .ops._args import shape_args


def resize_(self, *sizes, memory_format=None):
    if self.requires_grad:
        raise RuntimeError("cannot resize variables that require grad")
    shape = tuple(shape_args(sizes, "resize_"))
    d = self._data
    if tuple(d.shape) == shape:
        return self
    n = 1
    for k in shape:
        n *= k
    be = _backend.backend_of(d)
    if n <= d.size and be.is_contiguous(d):
        new = d.reshape(-1)[:n].reshape(shape)            # a view: the memory is kept
    else:
        new = be.xp.zeros(n, dtype=d.dtype)
        m = min(n, d.size)
        new[:m] = d.reshape(-1)[:m]
        new = new.reshape(shape)
    self._data = new
    _views.bump(self)
    return self


def resize_as_(self, the_template, memory_format=None):
    return resize_(self, *the_template.shape)


def resize(self, *sizes):
    warnings.warn("non-inplace resize is deprecated", UserWarning, stacklevel=2)
    return resize_(self.detach().clone(), *sizes)


def resize_as(self, tensor):
    warnings.warn("non-inplace resize_as is deprecated", UserWarning, stacklevel=2)
    return resize_(self.detach().clone(), *tensor.shape)


Tensor.resize_ = resize_
Tensor.resize_as_ = resize_as_
Tensor.resize = resize
Tensor.resize_as = resize_as
FUNCTIONS = {"resize_as_": resize_as_}
