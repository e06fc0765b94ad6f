"""Which ops take PyTorch's shell dtypes (uint16, uint32, uint64), and the
refusal of the rest, with the name of the PyTorch kernel that refuses
(see _backend.ShellArray: the dispatch point asks here only for those arrays).

The lists are torch 2.13's behaviour, found op by op (tests/test_shell_dtypes.py
compares a table of ops with torch's)."""
from .. import _dtypes
from . import _backend

__all__ = ["forward", "refuse", "refuse_dtype", "TAKEN", "KERNELS"]

_SHELL = _backend.SHELL_DTYPES

# chainrule op names whose forward runs on shell arrays as on any other integers
TAKEN = frozenset("""
    getitem reshape unsqueeze permute transpose expand cat stack to_copy clone index_put mul
    bitwise_and bitwise_or bitwise_xor eq ne isnan isfinite order unique any all take_flat
    constant_pad_nd diag_scatter max_dim
""".split())

# chainrule op name -> the PyTorch kernel named in its refusal (default: "<name>_cpu")
KERNELS = {"add": "add_stub", "sub": "add_stub", "floor_divide": "div_floor_cpu", "pow": "pow",
           "bitwise_left_shift": "lshift_cpu", "bitwise_right_shift": "rshift_cpu",
           "amax": "max_values_cpu", "amin": "min_values_cpu", "nonzero": "nonzero_count_cpu",
           "clamp": "clamp_scalar_cpu", "dot": "dot", "gather_along": "scatter_gather_tensor_cpu",
           "topk_index": "topk_cpu", "tri": "tril"}


def _refusal(name, dt):
    legacy = _dtypes.FROM_NP[dt].legacy

    def refuse(*args, **kwargs):
        raise NotImplementedError(f"\"{name}\" not implemented for '{legacy}'")
    return refuse


def _index_put_checked(fwd):
    """index_put takes shell dtypes at integers and slices (x[0] = 1, fill_, copy_),
    not at index arrays (PyTorch's index_put kernel)."""
    def forward(base, value, idx, **kwargs):
        if base.__class__ is _backend.ShellArray and any(hasattr(i, "dtype") for i in idx):
            raise NotImplementedError(f"\"index_put\" not implemented for "
                                      f"'{_dtypes.FROM_NP[base.dtype].legacy}'")
        return fwd(base, value, idx, **kwargs)
    return forward


def refuse(kernel, *tensors):
    """PyTorch's refusal where one of `tensors` (Tensors, or anything else, skipped)
    holds a shell dtype: for the public functions that refuse what their ops take."""
    for t in tensors:
        d = getattr(t, "_data", None)
        if d is not None and d.__class__ is _backend.ShellArray:
            raise NotImplementedError(f"\"{kernel}\" not implemented for "
                                      f"'{_dtypes.FROM_NP[d.dtype].legacy}'")


def refuse_dtype(kernel, dtype):
    """The same for a factory asked for a shell dtype."""
    if dtype is not None and _dtypes.as_dtype(dtype) in _dtypes.SHELL:
        raise NotImplementedError(f"\"{kernel}\" not implemented for "
                                  f"'{_dtypes.as_dtype(dtype).legacy}'")


def forward(op, arrays):
    """op's forward for arrays among which a ShellArray is: the op's own
    where it takes shell dtypes (or the array's dtype is no shell one), else
    a function raising PyTorch's refusal."""
    if op.name in TAKEN:
        return _index_put_checked(op.forward) if op.name == "index_put" else op.forward
    for a in arrays:
        d = getattr(a, "dtype", None)
        if d is not None and d in _SHELL:
            return _refusal(KERNELS.get(op.name, op.name + "_cpu"), d)
    return op.forward
