"""The public functions that refuse PyTorch's shell dtypes (uint16, uint32,
uint64) although the ops they are built of take them (flip and take are
indexing; masked_fill is an index_put), and the factories that refuse to make
them: each named function checks first (ops/_shell.py has the ops' own list).
None of these is on a hot path; the ops themselves pay nothing."""
import functools

from ._tensor import Tensor
from .ops import _registry, _shell

__all__ = []

# public name -> the PyTorch kernel named in its refusal (the in-place form too)
_BY_INPUT = {
    "flip": "flip_cpu", "fliplr": "flip_cpu", "flipud": "flip_cpu", "rot90": "flip_cpu",
    "take": "take_cpu", "put": "take_put_cpu", "masked_select": "masked_select",
    "index_select": "index_select", "masked_fill": "masked_fill", "index_fill": "index_fill_cpu",
    "scatter": "scatter_gather_tensor_cpu", "scatter_add": "scatter_gather_tensor_cpu",
    "scatter_reduce": "scatter_gather_tensor_cpu", "index_add": "scatter_gather_tensor_cpu",
    "index_copy": "index_copy_cpu", "masked_scatter": "masked_scatter",
    "count_nonzero": "nonzero_count_cpu", "argwhere": "nonzero_count_cpu", "tril": "tril",
    "triu": "triu",
}
# factory -> the kernel refusing to fill a tensor of a shell dtype
_BY_DTYPE = {"arange": "arange_cpu", "eye": "eye", "linspace": "linspace_cpu",
             "logspace": "logspace_cpu", "randperm": "randperm"}


def _input_guard(fn, kernel):
    @functools.wraps(fn)
    def guarded(input, *args, **kwargs):
        _shell.refuse(kernel, input)
        return fn(input, *args, **kwargs)
    return guarded


def _dtype_guard(fn, kernel):
    @functools.wraps(fn)
    def guarded(*args, dtype=None, **kwargs):
        _shell.refuse_dtype(kernel, dtype)
        return fn(*args, dtype=dtype, **kwargs)
    return guarded


def install(namespace):
    """Guard chainrule's (the `namespace` dict's) functions and Tensor's methods (the
    registry's tables of public forms then name the guarded ones)."""
    for name, kernel in _BY_INPUT.items():
        for n in (name, name + "_"):
            if n in namespace:
                namespace[n] = _input_guard(namespace[n], kernel)
                if n in _registry.FUNCTIONS:
                    _registry.FUNCTIONS[n] = namespace[n]
            method = Tensor.__dict__.get(n)
            if method is not None:
                setattr(Tensor, n, _input_guard(method, kernel))
                if n in _registry.METHODS:
                    _registry.METHODS[n] = Tensor.__dict__[n]
    for name, kernel in _BY_DTYPE.items():
        namespace[name] = _dtype_guard(namespace[name], kernel)
        if name in _registry.FUNCTIONS:
            _registry.FUNCTIONS[name] = namespace[name]

