"""nn.Parameter: a Tensor that a Module registers as one of its parameters;
nn.Buffer: a tensor marked to be registered as a buffer when assigned.

A Parameter is a Tensor subclass sharing the data it is given.  Ops on it give
plain Tensors (`_keeps_type = False`, read by the dispatch point), so only the
leaf itself is a Parameter, as in PyTorch.
"""
from .. import _factories
from .._tensor import Tensor

__all__ = ["Parameter", "Buffer"]


class Parameter(Tensor):
    __slots__ = ()
    _keeps_type = False

    def __new__(cls, data=None, requires_grad=True):
        if data is None:
            data = _factories.empty(0)
        # data's memory and version counter, as detach() shares them, under our class
        t = data.detach()
        t.__class__ = cls
        if requires_grad:
            if data._data.dtype.kind not in "fc":
                raise RuntimeError("Only Tensors of floating point and complex dtype can require "
                                   "gradients")
            t._requires_grad = True
        return t

    def __repr__(self):
        return "Parameter containing:\n" + Tensor.__repr__(self)

    __str__ = __repr__

    def __deepcopy__(self, memo):
        if id(self) in memo:
            return memo[id(self)]
        t = Parameter(Tensor._make(self._data.copy()), self._requires_grad)
        if self._grad is not None:
            t._grad = Tensor._make(self._grad._data.copy())
        memo[id(self)] = t
        return t

    def __reduce_ex__(self, proto):
        return (_rebuild_parameter, (self._data, self._requires_grad))


def _rebuild_parameter(data, requires_grad):
    return Parameter(Tensor._make(data), requires_grad)


class _BufferMeta(type):
    # A Buffer is a plain Tensor carrying a mark, as PyTorch's: isinstance reads the mark.
    def __instancecheck__(cls, instance):
        return isinstance(instance, Tensor) and getattr(instance, "_is_buffer", False)


class Buffer(metaclass=_BufferMeta):
    def __new__(cls, data=None, *, persistent=True):
        if data is None:
            data = _factories.empty(0)
        t = data.detach().requires_grad_(data.requires_grad)
        t.persistent = persistent
        t._is_buffer = True
        return t
