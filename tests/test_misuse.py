"""Misuse, side by side with PyTorch.

Each case is written once as ``f(L)`` with L the library (chainrule or torch).
Where torch raises, chainrule must raise the same exception type with the same
first message line (chainrule may add a hint on later lines); where torch
returns a value, chainrule must return the same value (shape, dtype, elements).
The warnings both emit are compared too (category and first line), so
NumPy's own warnings cannot leak where torch is silent.

The side-by-side cases skip without torch; the hand-written checks at the end
(texts taken from torch 2.13's output) run everywhere.
"""
import copy
import math
import warnings

import numpy as np
import pytest

import chainrule as cr

try:
    import torch
except ImportError:                     # the side-by-side cases skip themselves
    torch = None

needs_torch = pytest.mark.skipif(torch is None, reason="needs the torch reference")


# --- comparing outcomes ---------------------------------------------------------------------
def _first_line(x):
    s = str(x)
    return s.splitlines()[0] if s else ""


def _norm(v):
    """A comparable form of a result: tensors become (shape, dtype, elements)."""
    if isinstance(v, cr.Tensor) or (torch is not None and isinstance(v, torch.Tensor)):
        return ("tensor", tuple(v.shape), str(v.dtype), bool(v.requires_grad),
                _norm(v.detach().tolist()))
    if isinstance(v, (list, tuple)):
        return (type(v).__name__,) + tuple(_norm(e) for e in v)
    if isinstance(v, float) and math.isnan(v):
        return ("nan",)
    if isinstance(v, np.ndarray):
        return ("ndarray", v.shape, str(v.dtype), _norm(v.tolist()))
    if isinstance(v, cr.dtype) or (torch is not None and isinstance(v, torch.dtype)):
        return ("dtype", str(v))
    return v


def _outcome(case, L):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            result = ("value", _norm(case(L)))
        except Exception as e:            # compared by type and first line below
            result = ("raise", e)
    warned = [(w.category.__name__, _warning_text(w.message)) for w in caught]
    return result, warned


def _warning_text(message):
    """A warning's first line without torch's note on where in its C++ sources
    it was raised."""
    return _first_line(message).split(" (Triggered internally at ")[0]


# Warnings torch gives once per process (TORCH_WARN_ONCE): whether torch shows
# them in a case depends on which cases ran before, so chainrule may show them
# where torch stays silent.  test_warnings_torch_gives_once checks their texts.
_ONCE = (
    "The use of `x.T` on tensors of dimension other than 2",
    "Tensor.T is deprecated on 0-D tensors.",
    "torch.cholesky is deprecated in favor of torch.linalg.cholesky",
    "torch.qr is deprecated in favor of torch.linalg.qr",
    "torch.triangular_solve is deprecated in favor of torch.linalg.solve_triangular",
    "torch.lu_solve is deprecated in favor of torch.linalg.lu_solve",
    "torch.lu is deprecated in favor of torch.linalg.lu_factor",
    "index_reduce() is in beta and the API may change at any time.",
    "torch.set_default_tensor_type() is deprecated as of PyTorch 2.1",
    "at::nuclear_norm is deprecated and it is just left for JIT compatibility.",
    "at::frobenius_norm is deprecated and it is just left for JIT compatibility.",
)


def _without_once(mine, ref):
    return [w for w in mine if w in ref or not w[1].startswith(_ONCE)]


def _builtin_base(cls):
    for c in cls.__mro__:
        if c.__module__ == "builtins":
            return c
    return Exception


def _check(case):
    (mine, my_warnings), (ref, ref_warnings) = _outcome(case, cr), _outcome(case, torch)
    if ref[0] == "raise":
        t = ref[1]
        assert mine[0] == "raise", f"torch raised {type(t).__name__}: {_first_line(t)!r}; " \
                                   f"chainrule returned {mine[1]!r}"
        c = mine[1]
        assert (type(c).__name__, _first_line(c)) == (type(t).__name__, _first_line(t)), \
            f"chainrule raised {type(c).__name__}: {_first_line(c)!r}\n" \
            f"torch raised     {type(t).__name__}: {_first_line(t)!r}"
        assert isinstance(c, _builtin_base(type(t)))
    else:
        assert mine[0] == "value", f"chainrule raised {type(mine[1]).__name__}: " \
                                   f"{_first_line(mine[1])!r}; torch returned {ref[1]!r}"
        assert mine[1] == ref[1]
    assert _without_once(my_warnings, ref_warnings) == ref_warnings


# --- multi-step scenarios -----------------------------------------------------------------------
def _leaf(L, *shape):
    return L.ones(*shape, requires_grad=True)


def _backward_twice(L):
    x = _leaf(L, 3)
    y = (x * x).sum()
    y.backward()
    y.backward()


def _grad_twice(L):
    x = _leaf(L, 3)
    y = x.exp().sum()
    L.autograd.grad(y, x)
    L.autograd.grad(y, x)


def _grad_neither_requires_grad(L):
    x = L.tensor([1.0, 2.0])
    return L.autograd.grad((x * x).sum(), x)        # the output's error comes first


def _grad_unused(L):
    x, z = _leaf(L, 2), _leaf(L, 2)
    return L.autograd.grad((x * 2).sum(), [x, z])


def _grad_unused_allowed(L):
    x, z = _leaf(L, 2), _leaf(L, 2)
    return L.autograd.grad((x * 2).sum(), [x, z], allow_unused=True)


def _grad_of_constant_grad(L):
    x = L.tensor(2.0, requires_grad=True)
    g, = L.autograd.grad(3 * x, x, create_graph=True)
    g.backward()


def _grad_of_constant_grad_via_grad(L):
    x = L.tensor(2.0, requires_grad=True)
    g, = L.autograd.grad((3 * x).sum(), x, create_graph=True)
    return L.autograd.grad(g, x)


def _backward_under_no_grad(L):
    x = _leaf(L, 2)
    with L.no_grad():
        y = (x * 2).sum()
    y.backward()


def _inplace_leaf(L):
    _leaf(L, 2).add_(1)


def _inplace_leaf_operator(L):
    x = _leaf(L, 2)
    x += 1


def _setitem_leaf(L):
    x = _leaf(L, 2)
    x[0] = 5.0


def _modified_saved(L):
    x = _leaf(L, 3)
    y = x.exp()
    y.add_(1)
    y.sum().backward()


def _nonleaf_requires_grad_off(L):
    y = _leaf(L, 2) * 2
    y.requires_grad = False


def _nonleaf_grad_access(L):
    y = _leaf(L, 2) * 2
    return y.grad


def _wrong_grad_shape(L):
    y = _leaf(L, 2) * 2
    y.backward(L.ones(3))


def _assign_grad_shape(L):
    x = _leaf(L, 2)
    x.grad = L.ones(3)


def _assign_grad_type(L):
    x = _leaf(L, 2)
    x.grad = 5


def _assign_grad_dtype(L):
    x = _leaf(L, 2)
    x.grad = L.ones(2, dtype=L.float64)


def _deepcopy_nonleaf(L):
    copy.deepcopy(_leaf(L, 2) * 2)


def _detach_view_inplace(L):
    x = L.ones(2, 2)
    x[0].detach_()


def _iadd_broadcast(L):
    a = L.ones(3)
    a += L.ones(2, 3)


def _int_idiv(L):
    a = L.tensor([1, 2])
    a /= 2


def _int_iadd_float(L):
    a = L.tensor([1, 2])
    a += 1.5


def _bool_iadd_int(L):
    a = L.tensor([True])
    a += 1


def _inplace(L, t, method, other):
    getattr(t, method)(other)
    return t


def _setitem_out_of_range(L):
    x = L.zeros(3)
    x[5] = 1.0


def _setitem_shape(L):
    x = L.zeros(3)
    x[:2] = L.tensor([1.0, 2.0, 3.0])


def _setitem_bad_mask(L):
    x = L.zeros(3)
    x[L.tensor([True, False])] = 1.0


def _sgd_duplicate(L):
    w = _leaf(L, 2)
    opt = L.optim.SGD([w, w], lr=0.1)
    return len(opt.param_groups[0]["params"])


def _sgd_nonleaf(L):
    L.optim.SGD([_leaf(L, 2) * 2], lr=0.1)


def _sgd_overlapping_groups(L):
    w = _leaf(L, 2)
    L.optim.SGD([{"params": [w]}, {"params": [w]}], lr=0.1)


def _grad_wrong_count(L):
    x = _leaf(L, 2)
    L.autograd.grad((x * 2).sum(), x, grad_outputs=[L.tensor(1.0), L.tensor(1.0)])


def _backward_empty_inputs(L):
    x = _leaf(L, 2)
    (x * 2).sum().backward(inputs=[])


def _grad_empty_inputs(L):
    x = _leaf(L, 2)
    L.autograd.grad((x * 2).sum(), [])


def _grad_input_no_grad(L):
    x, z = _leaf(L, 2), L.ones(2)
    L.autograd.grad((x * 2).sum(), [x, z])


def _expand_then_write(L):
    x = L.ones(1).expand(3)
    x.add_(1)


def _view_of_leaf_inplace(L):
    x = _leaf(L, 4)
    x[:2].mul_(2)


C = pytest.param
_F = lambda L: L.arange(6.0).reshape(2, 3)        # noqa: E731  a float matrix
_I = lambda L: L.tensor([5, 7])                    # noqa: E731  an int64 vector
_B = lambda L: L.tensor([True, False])             # noqa: E731  a bool vector

CASES = [
    # --- tensor() from Python data --------------------------------------------------------
    C(lambda L: L.tensor(2 ** 63), id="tensor(2**63)"),
    C(lambda L: L.tensor(-2 ** 63 - 1), id="tensor(-2**63-1)"),
    C(lambda L: L.tensor([1, 2 ** 63]), id="tensor([1,2**63])"),
    C(lambda L: L.tensor([1, -2 ** 63 - 1]), id="tensor([1,-2**63-1])"),
    C(lambda L: L.tensor(2 ** 64), id="tensor(2**64)"),
    C(lambda L: L.tensor(10 ** 400), id="tensor(10**400)"),
    C(lambda L: L.tensor([1.0, 10 ** 400]), id="tensor([1.,10**400])"),
    C(lambda L: L.tensor(2 ** 63 - 1), id="tensor(2**63-1)"),
    C(lambda L: L.tensor(-2 ** 63), id="tensor(-2**63)"),
    C(lambda L: L.tensor([1.5, 2 ** 63]), id="tensor([1.5,2**63])"),
    C(lambda L: L.tensor(2 ** 63, dtype=L.float32), id="tensor(2**63,float32)"),
    C(lambda L: L.tensor(None), id="tensor(None)"),
    C(lambda L: L.tensor([1, None]), id="tensor([1,None])"),
    C(lambda L: L.tensor({1: 2}), id="tensor(dict)"),
    C(lambda L: L.tensor(object()), id="tensor(object)"),
    C(lambda L: L.tensor(["a"]), id="tensor(['a'])"),
    C(lambda L: L.tensor(["a", "b"]), id="tensor(['a','b'])"),
    C(lambda L: L.tensor("a"), id="tensor('a')"),
    C(lambda L: L.tensor([1, "a"]), id="tensor([1,'a'])"),
    C(lambda L: L.tensor([b"a"]), id="tensor([b'a'])"),
    C(lambda L: L.tensor([[1, 2], [3]]), id="tensor-ragged-short"),
    C(lambda L: L.tensor([[1, 2], [3, 4, 5]]), id="tensor-ragged-long"),
    C(lambda L: L.tensor([[[1]], [[1, 2]]]), id="tensor-ragged-deep"),
    C(lambda L: L.tensor([[1], 2]), id="tensor-list-then-number"),
    C(lambda L: L.tensor([1, [2]]), id="tensor-number-then-list"),
    C(lambda L: L.tensor([[], [1]]), id="tensor-empty-then-full"),
    C(lambda L: L.tensor([[], []]), id="tensor-empty-rows"),
    C(lambda L: L.tensor(range(3)), id="tensor(range)"),
    C(lambda L: L.tensor((1, 2.0)), id="tensor(tuple)"),
    C(lambda L: L.tensor([L.tensor(1.0), 2]), id="tensor-list-of-0d-tensor"),
    C(lambda L: L.tensor(np.array([1], dtype=object)), id="tensor(object-ndarray)"),
    C(lambda L: L.tensor(np.array(["a"])), id="tensor(str-ndarray)"),
    C(lambda L: L.tensor(L.ones(2)), id="tensor(tensor)-warns"),
    C(lambda L: L.tensor([L.tensor([1, 2]), L.tensor([3, 4])]), id="tensor-list-of-int-vectors"),
    C(lambda L: L.tensor([L.ones(2), L.ones(2)]), id="tensor-list-of-float-vectors"),
    C(lambda L: L.tensor([L.tensor(1, dtype=L.int8), 300]), id="tensor-list-0d-int8-and-int"),
    C(lambda L: L.tensor([1, None], dtype=L.float32), id="tensor([1,None],float32)"),
    C(lambda L: L.tensor([1, None], dtype=L.int64), id="tensor([1,None],int64)"),
    C(lambda L: L.tensor([1.0, [2]]), id="tensor([1.,[2]])"),
    C(lambda L: L.tensor([{1}, {2}]), id="tensor(list-of-sets)"),
    C(lambda L: L.tensor([[1, 2], []]), id="tensor-full-then-empty"),
    C(lambda L: L.tensor([1, 2 ** 63], dtype=L.float32), id="tensor([1,2**63],float32)"),
    C(lambda L: L.tensor([1, 2 ** 63], dtype=L.int64), id="tensor([1,2**63],int64)"),
    C(lambda L: L.as_tensor([1, 2 ** 63]), id="as_tensor([1,2**63])"),
    C(lambda L: L.as_tensor(["a"]), id="as_tensor(['a'])"),
    # --- tensor() with a dtype ---------------------------------------------------------------
    C(lambda L: L.tensor([1], dtype=float), id="tensor(dtype=float)"),
    C(lambda L: L.tensor([1], dtype=np.float32), id="tensor(dtype=np.float32)"),
    C(lambda L: L.tensor([1], dtype="float32"), id="tensor(dtype=str)"),
    C(lambda L: L.tensor([1.5], dtype=L.int64), id="tensor(1.5,int64)"),
    C(lambda L: L.tensor([-1], dtype=L.uint8), id="tensor(-1,uint8)"),
    C(lambda L: L.tensor([-255], dtype=L.uint8), id="tensor(-255,uint8)"),
    C(lambda L: L.tensor([-256], dtype=L.uint8), id="tensor(-256,uint8)"),
    C(lambda L: L.tensor([256], dtype=L.uint8), id="tensor(256,uint8)"),
    C(lambda L: L.tensor([-1.5], dtype=L.uint8), id="tensor(-1.5,uint8)"),
    C(lambda L: L.tensor(300, dtype=L.int8), id="tensor(300,int8)"),
    C(lambda L: L.tensor([-129], dtype=L.int8), id="tensor(-129,int8)"),
    C(lambda L: L.tensor([1.5e10], dtype=L.int32), id="tensor(1.5e10,int32)"),
    C(lambda L: L.tensor([1e20], dtype=L.int64), id="tensor(1e20,int64)"),
    C(lambda L: L.tensor(float("nan"), dtype=L.int64), id="tensor(nan,int64)"),
    C(lambda L: L.tensor([float("inf")], dtype=L.int32), id="tensor(inf,int32)"),
    C(lambda L: L.tensor([1e40], dtype=L.float32), id="tensor(1e40,float32)"),
    C(lambda L: L.tensor([70000.0], dtype=L.float16), id="tensor(70000,float16)"),
    C(lambda L: L.tensor(True, dtype=L.int8), id="tensor(True,int8)"),
    C(lambda L: L.tensor([1, 2], dtype=L.bool), id="tensor([1,2],bool)"),
    C(lambda L: L.tensor([1], requires_grad=True), id="tensor(int,requires_grad)"),
    # --- other factories ----------------------------------------------------------------------
    C(lambda L: L.zeros(-1), id="zeros(-1)"),
    C(lambda L: L.zeros(2, -3), id="zeros(2,-3)"),
    C(lambda L: L.ones(-1), id="ones(-1)"),
    C(lambda L: L.empty(-2), id="empty(-2)"),
    C(lambda L: L.full((-1,), 1.0), id="full(-1)"),
    C(lambda L: L.rand(-1), id="rand(-1)"),
    C(lambda L: L.randn(2, -1), id="randn(2,-1)"),
    C(lambda L: L.zeros(2.5), id="zeros(2.5)"),
    C(lambda L: L.zeros(2, 2.5), id="zeros(2,2.5)"),
    C(lambda L: L.zeros((2, 2.5)), id="zeros((2,2.5))"),
    C(lambda L: L.zeros_like(L.ones(2), dtype=np.float32), id="zeros_like(dtype=np.float32)"),
    C(lambda L: L.eye(2, -1), id="eye(2,-1)"),
    C(lambda L: L.eye(2.5), id="eye(2.5)"),
    C(lambda L: L.full((2,), None), id="full(None)"),
    C(lambda L: L.full((2,), "a"), id="full('a')"),
    C(lambda L: L.arange(0, 5, -1), id="arange(0,5,-1)"),
    C(lambda L: L.arange(5, 0, -1), id="arange(5,0,-1)"),
    C(lambda L: L.arange(1, 2, float("nan")), id="arange(step=nan)"),
    C(lambda L: L.arange(0, 3, dtype=L.bool), id="arange(bool)"),
    C(lambda L: L.randint(3, 3, (2,)), id="randint(3,3)"),
    C(lambda L: L.randint(0, 3, (-1,)), id="randint(size=-1)"),
    C(lambda L: L.tensor([1.0], device=0), id="tensor(device=0)"),
    C(lambda L: L.device("cuda:x"), id="device(cuda:x)"),
    C(lambda L: L.device(""), id="device('')"),
    C(lambda L: str(L.device("cuda:1")), id="device(cuda:1)"),
    C(lambda L: L.zeros(2, dtype="float32"), id="zeros(dtype=str)"),
    C(lambda L: L.ones(2, dtype=L.int64, requires_grad=True), id="ones(int64,requires_grad)"),
    C(lambda L: L.arange(0, 10, 0), id="arange(step=0)"),
    C(lambda L: L.arange(10, 0), id="arange(10,0)"),
    C(lambda L: L.arange(float("inf")), id="arange(inf)"),
    C(lambda L: L.arange(float("nan")), id="arange(nan)"),
    C(lambda L: L.arange(3, requires_grad=True), id="arange(int,requires_grad)"),
    C(lambda L: L.linspace(0, 1, -1), id="linspace(steps=-1)"),
    C(lambda L: L.eye(-1), id="eye(-1)"),
    C(lambda L: L.randint(5, 2, (3,)), id="randint(5,2)"),
    C(lambda L: L.randperm(-1), id="randperm(-1)"),
    C(lambda L: L.from_numpy(np.array(["a"])), id="from_numpy(str)"),
    C(lambda L: L.from_numpy([1, 2]), id="from_numpy(list)"),
    C(lambda L: L.zeros(2, device="cuda"), id="zeros(device=cuda)"),
    C(lambda L: L.device("gpu"), id="device(gpu)"),
    # --- integer and bool arithmetic ------------------------------------------------------------
    C(lambda L: _I(L) // 0, id="int//0"),
    C(lambda L: _I(L) % 0, id="int%0"),
    C(lambda L: _I(L) // L.tensor([0, 1]), id="int//zero-tensor"),
    C(lambda L: _I(L) % L.tensor([0, 1]), id="int%zero-tensor"),
    C(lambda L: 5 // L.tensor([0, 1]), id="5//int-zero-tensor"),
    C(lambda L: L.tensor([5.0, -5.0]) // 0, id="float//0"),
    C(lambda L: L.tensor([5.0]) % 0, id="float%0"),
    C(lambda L: _I(L) / 0, id="int/0"),
    C(lambda L: L.tensor([1], dtype=L.int8) + 1000, id="int8+1000"),
    C(lambda L: L.tensor([1], dtype=L.uint8) - 2, id="uint8-2-wraps"),
    C(lambda L: L.tensor([100], dtype=L.int8) * 2, id="int8*2-wraps"),
    C(lambda L: _I(L) ** -1, id="int**-1"),
    C(lambda L: _I(L) ** L.tensor([-1, 1]), id="int**negative-int-tensor"),
    C(lambda L: 2 ** L.tensor([-1]), id="2**negative-int-tensor"),
    C(lambda L: _I(L) ** 0.5, id="int**0.5"),
    C(lambda L: -_B(L), id="-bool"),
    C(lambda L: _B(L).neg(), id="bool.neg()"),
    C(lambda L: _B(L) - _B(L), id="bool-bool"),
    C(lambda L: _B(L) - True, id="bool-True"),
    C(lambda L: _B(L) + _B(L), id="bool+bool"),
    C(lambda L: _B(L) * 3, id="bool*3"),
    C(lambda L: ~L.ones(2), id="~float"),
    C(lambda L: L.tensor([1.0, -2.0]) * -0.0, id="times-negative-zero"),
    C(lambda L: L.tensor([0.0, -0.0]) + 0.0, id="plus-zero-keeps-sign-rules"),
    C(lambda L: L.tensor([1.0, -2.0]) * float("nan"), id="times-nan"),
    C(lambda L: L.tensor([1.0]) < float("nan"), id="less-than-nan"),
    C(lambda L: [L.tensor([1.0]) * v for v in (2, 2.0, 3, 2)][-1], id="cached-number-operands"),
    C(lambda L: L.frac(_I(L)), id="frac(int)"),
    C(lambda L: L.frac(_B(L)), id="frac(bool)"),
    C(lambda L: L.round(_I(L)), id="round(int)"),
    C(lambda L: L.round(_I(L), decimals=0), id="round(int,decimals=0)"),
    C(lambda L: L.round(_I(L), decimals=1), id="round(int,decimals=1)"),
    C(lambda L: L.round(_B(L), decimals=1), id="round(bool,decimals=1)"),
    C(lambda L: L.floor(_B(L)), id="floor(bool)"),
    C(lambda L: L.ceil(_B(L)), id="ceil(bool)"),
    C(lambda L: L.trunc(_B(L)), id="trunc(bool)"),
    C(lambda L: L.fix(_B(L)), id="fix(bool)"),
    C(lambda L: L.round(_B(L)), id="round(bool)"),
    C(lambda L: L.floor(_I(L)), id="floor(int)"),
    C(lambda L: L.square(_B(L)), id="square(bool)"),
    C(lambda L: L.square(_I(L)), id="square(int)"),
    C(lambda L: L.sgn(_B(L)), id="sgn(bool)"),
    C(lambda L: L.sgn(_I(L)), id="sgn(int)"),
    C(lambda L: L.log2(_I(L)), id="log2(int)"),
    C(lambda L: L.rsqrt(L.tensor(0.0)), id="rsqrt(0)"),
    C(lambda L: L.asin(L.tensor([2.0])), id="asin(2)"),
    C(lambda L: L.acosh(L.tensor([0.5])), id="acosh(0.5)"),
    C(lambda L: L.atanh(L.tensor([1.0, -1.0])), id="atanh(+-1)"),
    C(lambda L: L.sinc(L.tensor([0.0, 1.0])), id="sinc(0,1)"),
    C(lambda L: L.round(L.tensor([0.5, 1.5, 2.5, -0.5])), id="round-halves-to-even"),
    C(lambda L: L.round(L.tensor([1.25, 1.35, -2.675]), decimals=2), id="round-decimals"),
    C(lambda L: L.tensor([1.7, -1.7]).frac_(), id="frac_"),
    C(lambda L: L.ones(2) & L.ones(2), id="float&float"),
    C(lambda L: _I(L) & _B(L), id="int&bool"),
    C(lambda L: _I(L).sqrt(), id="int.sqrt()"),
    C(lambda L: _int_idiv(L), id="int/=2"),
    C(lambda L: _int_iadd_float(L), id="int+=1.5"),
    C(lambda L: _bool_iadd_int(L), id="bool+=1"),
    C(lambda L: _inplace(L, L.tensor([True]), "add_", True), id="bool+=True"),
    C(lambda L: _inplace(L, L.tensor([True]), "mul_", 2), id="bool*=2"),
    C(lambda L: _inplace(L, L.tensor([1]), "add_", L.tensor([1.5])), id="int+=float-tensor"),
    C(lambda L: L.tensor([-3, -1, 0, 1, 3]) ** L.tensor([-1, -2, -1, -3, -2]),
      id="int**negative-int-tensor-cases"),
    C(lambda L: L.tensor([2], dtype=L.uint8) ** L.tensor([-1]), id="uint8**negative-tensor"),
    C(lambda L: L.tensor([True, False]) ** L.tensor([-1, -1]), id="bool**negative-tensor"),
    C(lambda L: 2.0 ** L.tensor([-1]), id="2.0**negative-int-tensor"),
    C(lambda L: L.ones(2) - True, id="float-True"),
    C(lambda L: _I(L) - True, id="int-True"),
    C(lambda L: True - _I(L), id="True-int"),
    C(lambda L: _B(L) - _B(L).int(), id="bool-int"),
    C(lambda L: L.bitwise_not(L.ones(2)), id="bitwise_not(float)"),
    C(lambda L: ~_I(L), id="~int"),
    C(lambda L: ~_B(L), id="~bool"),
    C(lambda L: L.ones(2) | 1, id="float|1"),
    C(lambda L: L.ones(2) ^ L.ones(2), id="float^float"),
    # --- scans (issue 11) ---------------------------------------------------------------------
    C(lambda L: _F(L).cumsum(2), id="cumsum-dim-out-of-range"),
    C(lambda L: _F(L).cumprod(-3), id="cumprod-dim-out-of-range"),
    C(lambda L: L.cumsum(_F(L)), id="cumsum-without-dim"),
    C(lambda L: _I(L).cumsum(0), id="cumsum-of-int"),
    C(lambda L: _B(L).cumprod(0), id="cumprod-of-bool"),
    C(lambda L: _I(L).cumsum(0, dtype=L.float32), id="cumsum-int-dtype-float"),
    C(lambda L: _I(L).logcumsumexp(0), id="logcumsumexp-of-int"),
    C(lambda L: _F(L).logcumsumexp(2), id="logcumsumexp-dim-out-of-range"),
    C(lambda L: L.tensor([]).cumsum(0), id="cumsum-of-empty"),
    C(lambda L: L.tensor(2.0).cumprod(-1), id="cumprod-0d-dim-neg1"),
    C(lambda L: _leaf(L, 4).cumsum_(0), id="cumsum_-on-leaf"),
    C(lambda L: (lambda x: L.autograd.grad((x * 1).cumprod_(0).sum(), x))(
        L.tensor([1.0, 2.0, 3.0], requires_grad=True)), id="cumprod_-on-non-leaf-grad"),
    C(lambda L: L.tensor([1, 2, 3], dtype=L.int32).cumprod_(0), id="cumprod_-of-int32"),
    C(lambda L: _F(L).sort(2), id="sort-dim-out-of-range"),
    C(lambda L: _I(L).sort(descending=True), id="sort-of-int"),
    C(lambda L: _B(L).sort(), id="sort-of-bool"),
    C(lambda L: L.tensor(2.0).sort(), id="sort-0d"),
    C(lambda L: L.tensor([]).sort(), id="sort-of-empty"),
    C(lambda L: _F(L).argsort(-3), id="argsort-dim-out-of-range"),
    C(lambda L: L.argsort(L.tensor([2.0, 1.0, 2.0]), stable=True), id="argsort-stable"),
    C(lambda L: _F(L).topk(4), id="topk-k-too-large"),
    C(lambda L: _F(L).topk(-1), id="topk-k-negative"),
    C(lambda L: _F(L).topk(2, dim=2), id="topk-dim-out-of-range"),
    C(lambda L: L.zeros(0).topk(0), id="topk-of-empty"),
    C(lambda L: L.tensor([3, 1, 2]).topk(2), id="topk-of-int"),
    C(lambda L: L.tensor(2.0).topk(1), id="topk-0d"),
    C(lambda L: _F(L).kthvalue(0), id="kthvalue-k-0"),
    C(lambda L: _F(L).kthvalue(4), id="kthvalue-k-too-large"),
    C(lambda L: _F(L).kthvalue(3, 0), id="kthvalue-k-too-large-dim0"),
    C(lambda L: L.tensor(2.0).kthvalue(1), id="kthvalue-0d"),
    C(lambda L: L.tensor(1.0).msort(), id="msort-0d"),
    C(lambda L: _I(L).msort(), id="msort-of-int"),
    C(lambda L: _F(L).cummax(2), id="cummax-dim-out-of-range"),
    C(lambda L: L.cummin(_F(L)), id="cummin-without-dim"),
    C(lambda L: L.tensor(2.0).cummax(0), id="cummax-0d"),
    C(lambda L: L.zeros(0, 2).cummin(0), id="cummin-of-empty"),
    C(lambda L: _B(L).cummin(0), id="cummin-of-bool"),
    C(lambda L: L.tensor([]).median(), id="median-of-empty"),
    C(lambda L: L.tensor([]).nanmedian(), id="nanmedian-of-empty"),
    C(lambda L: L.zeros(0, 3).median(0), id="median-of-empty-dim"),
    C(lambda L: L.zeros(0, 3).median(1), id="median-of-empty-other-dim"),
    C(lambda L: _F(L).median(2), id="median-dim-out-of-range"),
    C(lambda L: _F(L).nanmedian(-3), id="nanmedian-dim-out-of-range"),
    C(lambda L: _I(L).median(), id="median-of-int"),
    C(lambda L: L.tensor([[3, 1, 2, 5]]).median(1), id="median-of-int-dim"),
    C(lambda L: _B(L).median(), id="median-of-bool"),
    C(lambda L: L.tensor(2.0).median(0), id="median-0d-dim"),
    C(lambda L: L.tensor([1.0, math.nan, 3.0]).median(), id="median-with-nan"),
    C(lambda L: L.tensor([1.0, math.nan, 3.0]).nanmedian(), id="nanmedian-with-nan"),
    C(lambda L: L.zeros(0).mode(), id="mode-of-empty"),
    C(lambda L: L.tensor(3.0).mode(), id="mode-0d"),
    C(lambda L: _F(L).mode(2), id="mode-dim-out-of-range"),
    C(lambda L: L.tensor([[1, 2, 2, 3, 3]]).mode(1), id="mode-of-int"),
    C(lambda L: L.tensor([]).aminmax(), id="aminmax-of-empty"),
    C(lambda L: L.zeros(0, 3).aminmax(dim=0), id="aminmax-of-empty-dim"),
    C(lambda L: L.zeros(0, 3).aminmax(dim=1), id="aminmax-of-empty-other-dim"),
    C(lambda L: L.aminmax(_F(L), 1), id="aminmax-dim-positional"),
    C(lambda L: _F(L).aminmax(dim=2), id="aminmax-dim-out-of-range"),
    C(lambda L: _B(L).aminmax(), id="aminmax-of-bool"),
    C(lambda L: L.tensor(1.0).aminmax(dim=0), id="aminmax-0d-dim"),
    C(lambda L: _I(L).aminmax(), id="aminmax-of-int"),
    C(lambda L: L.var_mean(_I(L)), id="var_mean-of-int"),
    C(lambda L: L.std_mean(_I(L)), id="std_mean-of-int"),
    C(lambda L: L.var_mean(L.tensor([1.0])), id="var_mean-one-element-warns"),
    C(lambda L: L.std_mean(L.tensor([1.0])), id="std_mean-one-element-warns"),
    C(lambda L: L.var_mean(_F(L), 1, False), id="var_mean-unbiased-positional"),
    C(lambda L: L.var_mean(_F(L), False), id="var_mean-unbiased-only"),
    C(lambda L: L.std_mean(_F(L), (0, 1), keepdim=True), id="std_mean-dims-keepdim"),
    C(lambda L: L.var_mean(_F(L), 2), id="var_mean-dim-out-of-range"),
    C(lambda L: _I(L).nanmean(), id="nanmean-of-int"),
    C(lambda L: _I(L).nanmean(dtype=L.float32), id="nanmean-of-int-dtype"),
    C(lambda L: L.tensor([math.nan, math.nan]).nanmean(), id="nanmean-all-nan"),
    C(lambda L: L.tensor([]).nanmean(), id="nanmean-of-empty"),
    C(lambda L: L.tensor([1, 2], dtype=L.int8).nansum(), id="nansum-of-int8"),
    C(lambda L: _B(L).nansum(), id="nansum-of-bool"),
    C(lambda L: _F(L).nansum(dtype=L.float64), id="nansum-dtype"),
    C(lambda L: _F(L).nansum(2), id="nansum-dim-out-of-range"),
    C(lambda L: L.tensor([]).nansum(), id="nansum-of-empty"),
    C(lambda L: _F(L).count_nonzero((0, 1)), id="count_nonzero-tuple"),
    C(lambda L: _F(L).count_nonzero((0, 0)), id="count_nonzero-dim-repeated"),
    C(lambda L: _F(L).count_nonzero(2), id="count_nonzero-dim-out-of-range"),
    C(lambda L: _B(L).count_nonzero(), id="count_nonzero-of-bool"),
    C(lambda L: L.tensor([math.nan, 0.0]).count_nonzero(), id="count_nonzero-nan"),
    # --- broadcasting ----------------------------------------------------------------------------
    C(lambda L: L.ones(2) + L.ones(3), id="add-broadcast"),
    C(lambda L: L.ones(2, 3) * L.ones(4, 1), id="mul-broadcast"),
    C(lambda L: L.ones(2, 3) - L.ones(3, 2), id="sub-broadcast"),
    C(lambda L: L.ones(2, 3) / L.ones(2), id="div-broadcast"),
    C(lambda L: L.ones(3).pow(L.ones(2)), id="pow-broadcast"),
    C(lambda L: L.where(L.ones(2) > 0, L.ones(3), 0.0), id="where-broadcast"),
    C(lambda L: L.where(L.ones(2) > 0, L.ones(2), L.ones(3)), id="where-broadcast-other"),
    C(lambda L: L.where(L.ones(2) > 0, 1.0, L.ones(3)), id="where-broadcast-scalar-input"),
    C(lambda L: L.where(L.ones(3) > 0, L.ones(2, 1), L.ones(4, 1, 1)), id="where-broadcasts"),
    C(lambda L: L.maximum(L.ones(2), L.ones(3)), id="maximum-broadcast"),
    C(lambda L: _iadd_broadcast(L), id="iadd-broadcast"),
    # --- select/split/rearrange (issue 11) ---------------------------------------------------------
    C(lambda L: L.broadcast_tensors(L.ones(2, 3), L.ones(4, 5)), id="broadcast_tensors-two-mismatches"),
    C(lambda L: L.ones(2, 3).masked_fill(L.ones(4, 5).bool(), 0), id="masked_fill-two-mismatches"),
    C(lambda L: L.ones(5).split(-1), id="split-negative"),
    C(lambda L: L.ones(5).split([2, 2]), id="split-sizes-sum"),
    C(lambda L: L.ones(5).split(0), id="split-zero"),
    C(lambda L: L.split(L.ones(0), 0), id="split-zero-of-empty"),
    C(lambda L: L.split(L.tensor(1.0), 1), id="split-0d"),
    C(lambda L: L.ones(5, 2).split(2, 2), id="split-bad-dim"),
    C(lambda L: [t.shape for t in L.ones(7, 2).split(3)], id="split-shapes"),
    C(lambda L: L.ones(5).chunk(0), id="chunk-zero"),
    C(lambda L: L.tensor(1.0).chunk(2), id="chunk-0d"),
    C(lambda L: [t.shape for t in L.ones(5).chunk(4)], id="chunk-uneven"),
    C(lambda L: [t.shape for t in L.ones(0, 2).chunk(3)], id="chunk-empty"),
    C(lambda L: L.tensor(1.0).unbind(), id="unbind-0d"),
    C(lambda L: L.ones(2).unbind(1), id="unbind-bad-dim"),
    C(lambda L: L.ones(2, 3).flip(0, 0), id="flip-duplicate"),
    C(lambda L: L.ones(2, 3).flip(2), id="flip-bad-dim"),
    C(lambda L: L.arange(6).view(2, 3).flip(()), id="flip-no-dims"),
    C(lambda L: L.ones(3).fliplr(), id="fliplr-1d"),
    C(lambda L: L.tensor(1.0).flipud(), id="flipud-0d"),
    C(lambda L: L.arange(6).view(2, 3).roll((1, 2)), id="roll-shifts-no-dims"),
    C(lambda L: L.arange(6).view(2, 3).roll((1, 2), 0), id="roll-misaligned"),
    C(lambda L: L.arange(6).view(2, 3).roll(-7, 1), id="roll-big-shift"),
    C(lambda L: L.ones(0).roll(1), id="roll-empty"),
    C(lambda L: L.ones(3).rot90(), id="rot90-1d"),
    C(lambda L: L.ones(2, 3).rot90(1, [0, 0]), id="rot90-same-dims"),
    C(lambda L: L.ones(2, 3).rot90(1, [0]), id="rot90-one-dim"),
    C(lambda L: L.arange(6).view(2, 3).rot90(5, [1, 0]), id="rot90-k5"),
    C(lambda L: L.ones(2, 3).movedim((0, 1), 0), id="movedim-tuple-int"),
    C(lambda L: L.ones(2, 3).movedim((0, 1), (0,)), id="movedim-lengths"),
    C(lambda L: L.ones(2, 3).movedim((0, 0), (0, 1)), id="movedim-repeated-source"),
    C(lambda L: L.ones(2, 3).movedim((0, 1), (1, 1)), id="movedim-repeated-destination"),
    C(lambda L: L.ones(2, 3).movedim(2, 0), id="movedim-bad-dim"),
    C(lambda L: L.ones(2, 3).repeat(2), id="repeat-too-few"),
    C(lambda L: L.ones(2, 3).repeat(-1, 2), id="repeat-negative"),
    C(lambda L: L.arange(3).repeat(2, 1).tolist(), id="repeat-int-values"),
    C(lambda L: L.arange(6).view(2, 3).tile((2,)).tolist(), id="tile-fewer-dims"),
    C(lambda L: L.arange(3).repeat_interleave(-1), id="repeat_interleave-negative"),
    C(lambda L: L.arange(3).repeat_interleave(L.tensor([1, 2])), id="repeat_interleave-size"),
    C(lambda L: L.repeat_interleave(L.tensor([1, 2, 0])), id="repeat_interleave-counts"),
    C(lambda L: L.arange(4).view(2, 2).repeat_interleave(L.tensor(2)), id="repeat_interleave-0d-tensor"),
    C(lambda L: L.broadcast_tensors(L.ones(2), L.ones(3)), id="broadcast_tensors-mismatch"),
    C(lambda L: [t.shape for t in L.broadcast_tensors(L.ones(2, 1), L.ones(3), L.tensor(1.0))],
      id="broadcast_tensors-three"),
    C(lambda L: L.atleast_2d(L.tensor(1.0), L.ones(2)), id="atleast_2d-several"),
    C(lambda L: L.atleast_3d(L.ones(2, 3, 4, 5)).shape, id="atleast_3d-4d"),
    C(lambda L: L.hstack(L.ones(2)), id="hstack-tensor"),
    C(lambda L: L.hstack([]), id="hstack-empty"),
    C(lambda L: L.vstack([L.ones(2), L.ones(3)]), id="vstack-mismatch"),
    C(lambda L: L.dstack([L.ones(2), L.ones(2, 2)]), id="dstack-mismatch"),
    C(lambda L: L.column_stack([L.arange(2), L.ones(2)]), id="column_stack-promotes"),
    C(lambda L: L.ones(3).tril(), id="tril-1d"),
    C(lambda L: L.ones(3).triu(), id="triu-1d"),
    C(lambda L: L.ones(2, 3, dtype=L.int64).tril(-1), id="tril-int"),
    C(lambda L: L.ones(3, 3, dtype=L.bool).triu(1), id="triu-bool"),
    C(lambda L: L.tensor([[float("nan"), 1.0], [2.0, 3.0]]).triu(1), id="triu-nan-dropped"),
    C(lambda L: L.ones(2, 3).diagonal(0, 1, 1), id="diagonal-same-dims"),
    C(lambda L: L.ones(2, 3).diagonal(0, 0, 2), id="diagonal-bad-dim"),
    C(lambda L: L.ones(3).diagonal(), id="diagonal-1d"),
    C(lambda L: L.ones(2, 3, 4).diag(), id="diag-3d"),
    C(lambda L: L.tensor(2.0).diag(), id="diag-0d"),
    C(lambda L: L.ones(2).diag_embed(0, 0, 0), id="diag_embed-same-dims"),
    C(lambda L: L.tensor(2.0).diag_embed(), id="diag_embed-0d"),
    C(lambda L: L.tensor(2.0).diagflat(), id="diagflat-0d"),
    C(lambda L: L.arange(6).view(2, 3).diagonal(1).stride(), id="diagonal-stride"),
    C(lambda L: L.arange(6).view(2, 3).diagonal(1).storage_offset(), id="diagonal-storage-offset"),
    C(lambda L: L.ones(3).index_select(0, L.tensor([-1])), id="index_select-negative"),
    C(lambda L: L.arange(6.).view(2, 3).index_select(1, L.tensor(2)), id="index_select-0d-index"),
    C(lambda L: L.ones(2, 3).masked_fill(L.ones(2, 3), 1.0), id="masked_fill-float-mask"),
    C(lambda L: L.ones(2, 3).masked_fill(L.ones(2, 3) > 0, L.ones(1)), id="masked_fill-1d-value"),
    C(lambda L: L.ones(3).masked_fill(L.ones(2, 3) > 0, 2.0), id="masked_fill-broadcasts-self"),
    C(lambda L: L.ones(3).masked_fill(L.ones(2) > 0, 2.0), id="masked_fill-mismatch"),
    C(lambda L: L.ones(3, dtype=L.int64).masked_fill(L.ones(3) > 0, 1.7), id="masked_fill-int-float"),
    C(lambda L: L.arange(3.).masked_fill_(L.tensor([True, False, True]), L.tensor(5.0)),
      id="masked_fill_-tensor"),
    C(lambda L: L.ones(2, 3).masked_select(L.ones(2, 3)), id="masked_select-float-mask"),
    C(lambda L: L.ones(2, 3).take(L.tensor([1], dtype=L.int32)), id="take-int32"),
    C(lambda L: L.ones(2, 3).take(L.tensor([6])), id="take-out-of-range"),
    C(lambda L: L.ones(2, 3).take(L.tensor([-7])), id="take-negative-out-of-range"),
    C(lambda L: L.take_along_dim(L.ones(2, 3), L.tensor([0]), 1), id="take_along_dim-ndim"),
    C(lambda L: L.take_along_dim(L.ones(2, 3), L.tensor([[0]], dtype=L.int32), 1),
      id="take_along_dim-int32"),
    C(lambda L: L.ones(2, 3).scatter(1, L.tensor([0]), 1.0), id="scatter-ndim"),
    C(lambda L: L.ones(2, 3).scatter(1, L.tensor([[0, 1, 2, 0]]), L.ones(2, 2)), id="scatter-too-big"),
    C(lambda L: L.ones(2, 3).scatter(1, L.tensor([[5]]), 1.0), id="scatter-out-of-bounds"),
    C(lambda L: L.ones(2, 3).scatter(1, L.tensor([[0]]), L.ones(1, 1, dtype=L.float64)),
      id="scatter-dtype"),
    C(lambda L: L.zeros(2, 3).scatter(1, L.tensor([[2, 0]]), L.arange(6.).view(2, 3)),
      id="scatter-src-larger"),
    C(lambda L: L.zeros(2, 3).scatter_(0, L.tensor([[1, 0, 1]]), 7.0), id="scatter_-value"),
    C(lambda L: L.zeros(2, 3).scatter_add_(1, L.tensor([[0, 0]]), L.ones(1, 2)), id="scatter_add_-repeats"),
    C(lambda L: L.ones(2, 3).scatter_add(1, L.tensor([[0]]), L.ones(1, 1, dtype=L.float64)),
      id="scatter_add-dtype"),
    C(lambda L: L.ones(2, 3).index_add(1, L.tensor([0, 1]), L.ones(2, 3)), id="index_add-count"),
    C(lambda L: L.ones(2, 3).index_add(1, L.tensor([0.]), L.ones(2, 1)), id="index_add-float-index"),
    C(lambda L: L.ones(2, 3).index_add(1, L.tensor([5]), L.ones(2, 1)), id="index_add-out-of-bounds"),
    C(lambda L: L.ones(2, 3).index_add(1, L.tensor([0]), L.ones(2, 1, dtype=L.float64)),
      id="index_add-dtype"),
    C(lambda L: L.zeros(2, 3).index_add_(1, L.tensor([0, 0]), L.ones(2, 2), alpha=3),
      id="index_add_-repeats-alpha"),
    C(lambda L: L.ones(2, 3).index_fill(1, L.tensor([0], dtype=L.int32), 2.), id="index_fill-int32"),
    C(lambda L: L.ones(2, 3).index_fill(1, L.tensor([5]), 2.), id="index_fill-out-of-bounds"),
    C(lambda L: L.ones(2, 3).index_fill(1, L.tensor([0]), L.ones(1)), id="index_fill-1d-value"),
    C(lambda L: L.ones(2, 3).index_fill_(0, L.tensor([1]), L.tensor(4.)), id="index_fill_-tensor"),
    C(lambda L: L.ones(2, 3).index_copy(1, L.tensor([0]), L.ones(2, 2)), id="index_copy-count"),
    C(lambda L: L.ones(2, 3).index_copy(1, L.tensor([0], dtype=L.int32), L.ones(2, 1)),
      id="index_copy-int32"),
    C(lambda L: L.ones(2, 3).index_copy(1, L.tensor([7]), L.ones(2, 1)), id="index_copy-out-of-bounds"),
    C(lambda L: L.zeros(2, 3).index_copy_(1, L.tensor([2, 0]), L.arange(4.).view(2, 2)),
      id="index_copy_-values"),
    C(lambda L: L.meshgrid(L.ones(2), indexing="foo"), id="meshgrid-bad-indexing"),
    C(lambda L: L.meshgrid(), id="meshgrid-empty"),
    C(lambda L: L.meshgrid(L.ones(2), L.ones(3, dtype=L.float64), indexing="ij"), id="meshgrid-dtypes"),
    C(lambda L: L.meshgrid(L.arange(2), L.tensor(5), indexing="xy"), id="meshgrid-0d-xy"),
    C(lambda L: L.tril_indices(3, 4), id="tril_indices"),
    C(lambda L: L.tril_indices(4, 3, -1, dtype=L.int32), id="tril_indices-offset-int32"),
    C(lambda L: L.triu_indices(2, 4, -1), id="triu_indices-neg-offset"),
    C(lambda L: L.triu_indices(3, 3, 1), id="triu_indices"),
    C(lambda L: L.triu_indices(0, 3), id="triu_indices-empty"),
    C(lambda L: L.tril_indices(3, 3, dtype=L.float32), id="tril_indices-float"),
    C(lambda L: L.tril_indices(-1, 3), id="tril_indices-negative-row"),
    C(lambda L: hasattr(L, "repeat"), id="no-torch.repeat"),
    C(lambda L: L.arange(6).view(2, 3).flip(1).roll(1, 0).rot90(), id="int-rearranged"),
    C(lambda L: (L.arange(6).view(2, 3) > 2).repeat(2, 1).tril().diagonal(), id="bool-rearranged"),
    C(lambda L: L.arange(4).view(2, 2).take(L.tensor([3, -4])), id="take-int-values"),
    C(lambda L: L.arange(6.).view(2, 3).masked_select(L.tensor([True, False, True])), id="masked_select-values"),
    C(lambda L: L.arange(6.).view(2, 3).t().split([2, 1], 1)[0].is_contiguous(), id="split-view-layout"),
    C(lambda L: L.tensor(3.0).index_select(0, L.tensor([0])), id="index_select-0d"),
    C(lambda L: L.split(L.arange(5.), L.tensor([2, 3])), id="split-tensor-sizes"),
    C(lambda L: L.arange(6.).view(2, 3).scatter(1, L.tensor([[0]]), L.tensor(9.)), id="scatter-0d-src"),
    C(lambda L: L.ones(2, 3).flip(), id="flip-no-args"),
    C(lambda L: L.arange(3).masked_fill(L.tensor([True, False, True]), L.tensor(2.5)),
      id="masked_fill-int-tensor-value"),
    C(lambda L: L.arange(3).index_add(0, L.tensor([1]), L.ones(1, dtype=L.int64), alpha=2),
      id="index_add-int-alpha"),
    C(lambda L: L.ones(2, 0).take_along_dim(L.zeros(2, 0, dtype=L.int64), 1), id="take_along_dim-empty"),
    C(lambda L: (L.ones(4, requires_grad=True) * 1).split(2)[1].mul_(2), id="split-output-inplace"),
    C(lambda L: (L.ones(4, requires_grad=True) * 1).split([1, 3])[0].add_(1),
      id="split_with_sizes-output-inplace"),
    C(lambda L: (L.ones(4, requires_grad=True) * 1).chunk(2)[1].zero_(), id="chunk-output-inplace"),
    C(lambda L: (L.ones(2, 2, requires_grad=True) * 1).unbind(1)[1].mul_(3), id="unbind-output-inplace"),
    C(lambda L: (L.ones(4, requires_grad=True) * 1).split(2)[1][0:1].mul_(2), id="view-of-split-inplace"),
    C(lambda L: L.arange(4.).split(2)[1].mul_(2), id="split-inplace-without-grad"),
    C(lambda L: L.zeros(2, 3).index_add(1, L.tensor([-1]), L.ones(2, 1)), id="index_add-negative-index"),
    C(lambda L: L.zeros(2, 3).index_fill(1, L.tensor([-1]), 2.0), id="index_fill-negative-index"),
    C(lambda L: L.zeros(2, 3).index_copy(1, L.tensor([-1]), L.ones(2, 1)), id="index_copy-negative-index"),
    C(lambda L: L.arange(6.).view(2, 3).take_along_dim(L.tensor([[-1]]), 1),
      id="take_along_dim-negative-index"),
    C(lambda L: L.arange(6.).take_along_dim(L.tensor([-2, 0])), id="take_along_dim-flat-negative"),
    C(lambda L: L.flip(L.arange(3.), 0), id="flip-fn-int-dims"),
    C(lambda L: L.arange(3.).flip(0), id="flip-method-int"),
    C(lambda L: L.zeros(2, 3).index_add(1, L.tensor(1), L.ones(2)), id="index_add-source-dims"),
    # --- shapes ------------------------------------------------------------------------------------
    C(lambda L: _F(L).view(4), id="view(4)-of-6"),
    C(lambda L: _F(L).view(-1, -1), id="view(-1,-1)"),
    C(lambda L: _F(L).view(-1, -2), id="view(-1,-2)"),
    C(lambda L: _F(L).permute(0, 1, 2), id="permute-too-many"),
    C(lambda L: L.full((2,), L.tensor(1.5)), id="full(tensor)"),
    C(lambda L: _F(L).view(0, -1), id="view(0,-1)-of-6"),
    C(lambda L: _F(L).reshape(-2, 3), id="reshape(-2,3)"),
    C(lambda L: _F(L).reshape(4, 2), id="reshape(4,2)-of-6"),
    C(lambda L: L.zeros(0).reshape(0, -1), id="reshape-empty-ambiguous"),
    C(lambda L: L.ones(3).expand(2), id="expand-smaller"),
    C(lambda L: L.ones(3).expand(2, 2), id="expand-mismatch"),
    C(lambda L: L.ones(2, 3).expand(3, 2), id="expand-mismatch-names-the-last-dim"),
    C(lambda L: L.ones(2, 3).expand(3), id="expand-too-few-sizes"),
    C(lambda L: L.tensor([[1, 2]]).expand(3), id="expand-too-few-sizes-int"),
    C(lambda L: L.ones(3).expand(-1, 3), id="expand-leading-minus-one"),
    C(lambda L: L.ones(3).expand(-2), id="expand(-2)"),
    C(lambda L: L.ones(1).expand(3).add_(1), id="write-into-expanded"),
    C(lambda L: _F(L).permute(0, 0), id="permute-duplicate"),
    C(lambda L: _F(L).permute(0), id="permute-too-few"),
    C(lambda L: _F(L).permute(0, 2), id="permute-out-of-range"),
    C(lambda L: _F(L).transpose(0, 2), id="transpose-out-of-range"),
    C(lambda L: _F(L).squeeze(3), id="squeeze-out-of-range"),
    C(lambda L: L.ones(3).unsqueeze(3), id="unsqueeze-out-of-range"),
    C(lambda L: _F(L).flatten(1, 0), id="flatten-start-after-end"),
    C(lambda L: _F(L).flatten(0, 5), id="flatten-out-of-range"),
    C(lambda L: L.ones(2, 2, 2).t(), id="t()-of-3d"),
    C(lambda L: _F(L).size(2), id="size(2)-of-2d"),
    C(lambda L: L.ones(2, 2, 2).T, id=".T-of-3d-warns"),
    C(lambda L: L.ones(3).T, id=".T-of-1d-warns"),
    C(lambda L: L.tensor(1.0).T, id=".T-of-0d"),
    C(lambda L: _F(L).T, id=".T-of-2d"),
    C(lambda L: _F(L).unflatten(1, (2, 2)), id="unflatten-bad-sizes"),
    C(lambda L: L.ones(2).view(1, 2.5), id="view(1,2.5)"),
    C(lambda L: L.ones(2).expand(2.0), id="expand(2.0)"),
    C(lambda L: L.ones(2).permute(0.0), id="permute(0.0)"),
    C(lambda L: L.stack(L.ones(2)), id="stack(tensor)"),
    # --- joining -----------------------------------------------------------------------------------
    C(lambda L: L.cat([]), id="cat([])"),
    C(lambda L: L.stack([]), id="stack([])"),
    C(lambda L: L.cat([L.ones(2, 3), L.ones(3, 3)], dim=1), id="cat-size-mismatch"),
    C(lambda L: L.cat([L.ones(2, 3), L.ones(3)]), id="cat-ndim-mismatch"),
    C(lambda L: L.cat([L.tensor(1.0), L.tensor(2.0)]), id="cat-0d"),
    C(lambda L: L.cat([L.ones(2), L.ones(2)], dim=1), id="cat-dim-out-of-range"),
    C(lambda L: L.cat(L.ones(2)), id="cat(tensor)"),
    C(lambda L: L.stack([L.ones(2), L.ones(3)]), id="stack-size-mismatch"),
    C(lambda L: L.stack([L.ones(2), L.ones(2)], dim=3), id="stack-dim-out-of-range"),
    # --- indexing ----------------------------------------------------------------------------------
    C(lambda L: L.ones(3)[5], id="index-out-of-range"),
    C(lambda L: L.ones(3)[-4], id="index-negative-out-of-range"),
    C(lambda L: L.ones(2, 3)[0, 3], id="index-out-of-range-dim1"),
    C(lambda L: L.ones(3)[0, 0], id="too-many-indices"),
    C(lambda L: L.ones(3)[L.tensor([5])], id="index-tensor-out-of-range"),
    C(lambda L: L.ones(3)[[0, 7]], id="index-list-out-of-range"),
    C(lambda L: L.ones(3)[L.tensor([1.0])], id="float-index-tensor"),
    C(lambda L: L.ones(3)[[1.0]], id="float-index-list"),
    C(lambda L: L.ones(3)[1.0], id="float-index"),
    C(lambda L: L.ones(3)[L.tensor([True, False])], id="mask-too-short"),
    C(lambda L: L.ones(2, 3)[L.tensor([True, False, True])], id="mask-wrong-dim0"),
    C(lambda L: L.ones(2, 3)[:, L.tensor([True, False])], id="mask-wrong-dim1"),
    C(lambda L: L.ones(2, 3)[L.ones(3, 2) > 0], id="mask-2d-wrong-shape"),
    C(lambda L: L.ones(3)[..., ...], id="two-ellipses"),
    C(lambda L: L.arange(6.0).reshape(2, 3)[0, ..., ...], id="int-and-two-ellipses"),
    C(lambda L: L.arange(3.0)[[1.0, 2.0]], id="float-list-index"),
    C(lambda L: L.tensor(1.0)[0], id="index-0d"),
    C(lambda L: L.ones(3).select(0, 5), id="select-out-of-range"),
    C(lambda L: L.ones(3).select(0, -4), id="select-negative-out-of-range"),
    C(lambda L: L.tensor(1.0).select(0, 0), id="select-0d"),
    C(lambda L: L.ones(2, 3)[:, L.tensor([5])], id="index-tensor-out-of-range-dim1"),
    C(lambda L: L.ones(2, 3)[None, L.tensor([True, False, True])], id="mask-after-None"),
    C(lambda L: L.ones(2, 3)[..., L.tensor([True, False])], id="mask-after-ellipsis"),
    C(lambda L: L.ones(2, 3)[L.tensor([True, False]), 5], id="mask-then-int-out-of-range"),
    C(lambda L: L.ones(2, 3, 4)[:, L.tensor([0]), L.tensor([9])], id="second-index-tensor-out-of-range"),
    C(lambda L: L.ones(2, 3)[L.tensor([True, False]), L.tensor([7])], id="mask-then-index-tensor-out-of-range"),
    C(lambda L: L.ones(2, 3)[:, [7]], id="index-list-out-of-range-dim1"),
    C(lambda L: L.ones(3)[L.tensor([1, 5, 7])], id="index-tensor-first-bad-element"),
    C(lambda L: L.ones(3)[L.tensor([-4])], id="index-tensor-negative-out-of-range"),
    C(lambda L: L.ones(3)[None, 5], id="None-then-int-out-of-range"),
    C(lambda L: L.ones(2, 3)[None, 0, 5], id="None-int-int-out-of-range"),
    C(lambda L: L.ones(2, 3)[..., 5], id="ellipsis-then-int-out-of-range"),
    C(lambda L: L.ones(2, 3)[1:, L.tensor([True, False])], id="slice-then-mask"),
    C(lambda L: L.ones(2, 3)[None, :, L.tensor([True, False])], id="None-slice-mask"),
    C(lambda L: L.ones(2, 3)[0, L.tensor([True, False])], id="int-then-mask"),
    C(lambda L: L.ones(2, 3)[None, L.tensor([True, False])], id="None-then-valid-mask"),
    C(lambda L: L.ones(3).narrow(0, 4, 1), id="narrow-start-out-of-range"),
    C(lambda L: L.ones(3).narrow(0, 0, -1), id="narrow-negative-length"),
    C(lambda L: L.ones(3).narrow(0, -1, 1), id="narrow-negative-start"),
    C(lambda L: L.ones(3).index_select(0, L.tensor([[0]])), id="index_select-2d-index"),
    C(lambda L: L.ones(2, 2).gather(1, L.tensor([[-1]])), id="gather-negative-index"),
    C(lambda L: L.ones(2, 2).gather(1, L.tensor([0])), id="gather-index-ndim"),
    C(lambda L: L.ones(2, 2).gather(1, L.tensor([[0.0]])), id="gather-float-index"),
    C(lambda L: L.ones(3).narrow(0, 2, 5), id="narrow-too-long"),
    C(lambda L: L.ones(3).index_select(0, L.tensor([1.0])), id="index_select-float"),
    C(lambda L: L.ones(3).index_select(0, L.tensor([3])), id="index_select-out-of-range"),
    C(lambda L: L.ones(2, 2).gather(1, L.tensor([[2]])), id="gather-out-of-range"),
    C(lambda L: _setitem_out_of_range(L), id="setitem-out-of-range"),
    C(lambda L: _setitem_shape(L), id="setitem-shape-mismatch"),
    C(lambda L: _setitem_bad_mask(L), id="setitem-bad-mask"),
    # --- reductions --------------------------------------------------------------------------------
    C(lambda L: _F(L).sum(dim=(0, 0)), id="sum-dim-repeated"),
    C(lambda L: _F(L).sum(dim=(0, -2)), id="sum-dim-repeated-negative"),
    C(lambda L: _F(L).mean(dim=(1, 1)), id="mean-dim-repeated"),
    C(lambda L: _F(L).amax(dim=(0, 0)), id="amax-dim-repeated"),
    C(lambda L: _F(L).sum(2), id="sum-dim-out-of-range"),
    C(lambda L: _F(L).mean(-3), id="mean-dim-out-of-range"),
    C(lambda L: _F(L).prod(2), id="prod-dim-out-of-range"),
    C(lambda L: _F(L).max(2), id="max-dim-out-of-range"),
    C(lambda L: _F(L).argmax(2), id="argmax-dim-out-of-range"),
    C(lambda L: _F(L).var(2), id="var-dim-out-of-range"),
    C(lambda L: _F(L).logsumexp(2), id="logsumexp-dim-out-of-range"),
    C(lambda L: _F(L).softmax(2), id="softmax-dim-out-of-range"),
    C(lambda L: _F(L).norm(dim=2), id="norm-dim-out-of-range"),
    C(lambda L: L.tensor(1.0).sum(1), id="sum-0d-dim-1"),
    C(lambda L: _I(L).mean(), id="mean-of-int"),
    C(lambda L: _B(L).mean(), id="mean-of-bool"),
    C(lambda L: _I(L).mean(0), id="mean-of-int-dim"),
    C(lambda L: _I(L).var(), id="var-of-int"),
    C(lambda L: _I(L).std(), id="std-of-int"),
    C(lambda L: _I(L).norm(), id="norm-of-int"),
    C(lambda L: _I(L).softmax(0), id="softmax-of-int"),
    C(lambda L: L.tensor([[1, 2]]).softmax(0), id="softmax-of-int-not-last-dim"),
    C(lambda L: _I(L).log_softmax(0), id="log_softmax-of-int"),
    C(lambda L: L.tensor([]).mean(), id="mean-of-empty-is-nan"),
    C(lambda L: L.zeros(0, 3).mean(0), id="mean-of-empty-dim"),
    C(lambda L: L.tensor([]).sum(), id="sum-of-empty"),
    C(lambda L: L.tensor([]).prod(), id="prod-of-empty"),
    C(lambda L: L.tensor([]).max(), id="max-of-empty"),
    C(lambda L: L.zeros(0, 3).max(0), id="max-of-empty-dim"),
    C(lambda L: L.tensor([]).amax(), id="amax-of-empty"),
    C(lambda L: L.tensor([]).argmax(), id="argmax-of-empty"),
    C(lambda L: L.tensor([]).argmin(), id="argmin-of-empty"),
    C(lambda L: L.zeros(0, 3).argmax(0), id="argmax-of-empty-dim"),
    C(lambda L: L.zeros(0, 3).argmax(1), id="argmax-of-empty-other-dim"),
    C(lambda L: L.tensor(5.0).argmax(0), id="argmax-0d-dim"),
    C(lambda L: L.tensor([]).amin(), id="amin-of-empty"),
    C(lambda L: L.zeros(0, 3).amax(0), id="amax-of-empty-dim"),
    C(lambda L: L.tensor([]).logsumexp(0), id="logsumexp-of-empty"),
    C(lambda L: L.tensor([1.0]).var(), id="var-one-element-warns"),
    C(lambda L: L.tensor([1.0]).std(), id="std-one-element-warns"),
    C(lambda L: L.ones(1, 3).var(0), id="var-dim-of-size-1-warns"),
    C(lambda L: L.ones(3).var(correction=3), id="var-correction-3-warns"),
    C(lambda L: L.tensor([]).var(), id="var-of-empty-warns"),
    C(lambda L: L.ones(3).var(correction=0), id="var-correction-0"),
    C(lambda L: L.nn.functional.softmax(L.ones(2, 3)), id="softmax-implicit-dim-warns"),
    C(lambda L: L.nn.functional.log_softmax(L.ones(3)), id="log_softmax-implicit-dim-warns"),
    C(lambda L: L.softmax(L.ones(3)), id="torch.softmax-without-dim"),
    C(lambda L: L.ones(3).softmax(), id="Tensor.softmax-without-dim"),
    C(lambda L: L.log_softmax(L.ones(3)), id="torch.log_softmax-without-dim"),
    C(lambda L: L.ones(3).log_softmax(), id="Tensor.log_softmax-without-dim"),
    C(lambda L: L.softmax(L.ones(3), 0, L.float64), id="torch.softmax-dim-dtype"),
    C(lambda L: L.ones(3).softmax(dim=0), id="Tensor.softmax(dim=0)"),
    # --- linalg and binary elementwise (issue 11) ---
    C(lambda L: L.unique(L.tensor([3, 1, 2, 3, 1, 1])), id="unique"),
    C(lambda L: L.unique(L.tensor([3, 1, 2, 3, 1, 1]), return_inverse=True, return_counts=True),
      id="unique-inverse-counts"),
    C(lambda L: L.tensor([[3, 1], [2, 3]]).unique(sorted=False, return_inverse=True), id="unique-2d-inverse"),
    C(lambda L: L.unique(L.tensor([0.5, -1.0, 0.5, 2.0], requires_grad=True)), id="unique-grad_fn"),
    C(lambda L: L.unique(L.tensor([0.5, -1.0], requires_grad=True)).sum().backward(), id="unique-backward"),
    C(lambda L: L.unique(L.tensor([True, False, True])), id="unique-bool"),
    C(lambda L: L.unique(L.tensor([], dtype=L.long)), id="unique-empty"),
    C(lambda L: L.unique(L.tensor(5)), id="unique-0d"),
    C(lambda L: L.unique_consecutive(L.tensor([3, 1, 2, 3, 1, 1]), return_counts=True),
      id="unique_consecutive-counts"),
    C(lambda L: L.unique_consecutive(L.tensor([[3, 3], [1, 1]]), return_inverse=True,
                                     return_counts=True), id="unique_consecutive-2d"),
    C(lambda L: L.unique_consecutive(L.tensor([], dtype=L.long), return_counts=True),
      id="unique_consecutive-empty"),
    C(lambda L: L.bincount(L.tensor([3, 1, 2, 3, 1, 1])), id="bincount"),
    C(lambda L: L.tensor([3, 1]).bincount(minlength=6), id="bincount-minlength"),
    C(lambda L: L.bincount(L.tensor([3, 1, 1]), weights=L.tensor([0.5, 1.0, 2.0])), id="bincount-weights"),
    C(lambda L: L.bincount(L.tensor([1, 1]), weights=L.tensor([1, 2])), id="bincount-int-weights"),
    C(lambda L: L.bincount(L.tensor([-1])), id="bincount-negative"),
    C(lambda L: L.bincount(L.tensor([[1]])), id="bincount-2d"),
    C(lambda L: L.bincount(L.tensor([1.0])), id="bincount-float"),
    C(lambda L: L.bincount(L.tensor([], dtype=L.long)), id="bincount-empty"),
    C(lambda L: L.histc(L.tensor([1., 2, 1]), bins=4, min=0, max=3), id="histc"),
    C(lambda L: L.tensor([1., 2, 1]).histc(bins=4), id="histc-data-range"),
    C(lambda L: L.histc(L.tensor([1., 1.]), bins=3), id="histc-one-value"),
    C(lambda L: L.histc(L.tensor([], dtype=L.float32), bins=3), id="histc-empty"),
    C(lambda L: L.histc(L.tensor([1, 2]), bins=2), id="histc-int"),
    C(lambda L: L.histc(L.tensor([1., 2]), bins=0), id="histc-no-bins"),
    C(lambda L: L.histc(L.tensor([1., 2]), bins=2, min=3, max=1), id="histc-min-above-max"),
    C(lambda L: L.nn.functional.one_hot(L.tensor([0, 2, 1])), id="one_hot"),
    C(lambda L: L.nn.functional.one_hot(L.tensor([[1, 0]]), 3), id="one_hot-2d-num_classes"),
    C(lambda L: L.nn.functional.one_hot(L.tensor(2), 4), id="one_hot-0d"),
    C(lambda L: L.nn.functional.one_hot(L.tensor([], dtype=L.long), 3), id="one_hot-empty"),
    C(lambda L: L.nn.functional.one_hot(L.tensor([0.0, 1.0])), id="one_hot-float"),
    C(lambda L: L.nn.functional.one_hot(L.tensor([1], dtype=L.int32), 3), id="one_hot-int32"),
    C(lambda L: L.nn.functional.one_hot(L.tensor([-1, 1])), id="one_hot-negative"),
    C(lambda L: L.nn.functional.one_hot(L.tensor([], dtype=L.long)), id="one_hot-empty-infer"),
    C(lambda L: L.nn.functional.one_hot(L.tensor([3]), 2), id="one_hot-too-large"),
    C(lambda L: L.nn.functional.one_hot(L.tensor([1]), 0), id="one_hot-zero-classes"),
    C(lambda L: L.tensordot(L.ones(3, 4, 5), L.ones(4, 5, 2), dims=-1), id="tensordot-negative-dims"),
    C(lambda L: L.tensordot(L.ones(3, 4, 5), L.ones(4, 5, 2), dims=3), id="tensordot-dims-too-many"),
    C(lambda L: L.tensordot(L.ones(3, 4, 5), L.ones(4, 5, 2), dims=([0, 1], [0])), id="tensordot-list-lengths"),
    C(lambda L: L.tensordot(L.ones(3, 4, 5), L.ones(4, 5, 2), dims=([2], [0])), id="tensordot-size-mismatch"),
    C(lambda L: L.tensordot(L.ones(3, 4), L.ones(4, 2), dims=L.tensor(1)), id="tensordot-tensor-dims"),
    C(lambda L: L.argwhere(L.tensor([[0, 1], [2, 0]])), id="argwhere"),
    C(lambda L: L.tensor([1, 0, 2]).argwhere(), id="Tensor.argwhere"),
    C(lambda L: L.argwhere(L.tensor(3.0)), id="argwhere-0d"),
    C(lambda L: L.atan2(L.ones(2), 2.0), id="atan2-scalar-other"),
    C(lambda L: L.atan2(_I(L), _I(L)).dtype, id="atan2-int"),
    C(lambda L: L.arctan2(_I(L), L.ones(2, dtype=L.float64)), id="arctan2-int-double"),
    C(lambda L: _I(L).atan2_(_I(L)), id="atan2_-int-inplace"),
    C(lambda L: L.zeros(2).atan2_(L.tensor([-1.0, 2.0])), id="atan2_-values"),
    C(lambda L: L.hypot(_I(L), _I(L)), id="hypot-int"),
    C(lambda L: L.hypot(_I(L), L.ones(2)), id="hypot-int-float"),
    C(lambda L: L.hypot(L.ones(2), 3.0), id="hypot-scalar-other"),
    C(lambda L: L.logaddexp(_I(L), _I(L)), id="logaddexp-int"),
    C(lambda L: L.logaddexp2(_B(L), _B(L)), id="logaddexp2-bool"),
    C(lambda L: L.logaddexp(L.ones(2), 1.0), id="logaddexp-scalar-other"),
    C(lambda L: L.logaddexp(L.tensor([-float("inf"), float("inf")]),
                            L.tensor([-float("inf"), 1.0])), id="logaddexp-infs"),
    C(lambda L: L.ones(2).logaddexp_(L.ones(2)), id="logaddexp_-absent"),
    C(lambda L: L.xlogy(_I(L), _I(L)).dtype, id="xlogy-int"),
    C(lambda L: L.xlogy(_B(L), _I(L)), id="xlogy-bool-int"),
    C(lambda L: L.xlogy(L.tensor([0.0, 0.0, 1.0]), L.tensor([0.0, float("nan"), 0.0])),
      id="xlogy-zeros-and-nan"),
    C(lambda L: L.xlogy(0, _I(L)), id="xlogy-int-scalar-self"),
    C(lambda L: L.ones(2).xlogy_(L.tensor([2.0, 3.0])), id="xlogy_-values"),
    C(lambda L: L.lerp(_I(L), _I(L), 0.5), id="lerp-int"),
    C(lambda L: L.lerp(L.ones(2), L.ones(2, dtype=L.float64), 0.5), id="lerp-dtype-end"),
    C(lambda L: L.lerp(L.ones(2), L.ones(2), L.ones(2, dtype=L.float64)), id="lerp-dtype-weight"),
    C(lambda L: L.lerp(L.ones(2), 2.0, 0.5), id="lerp-scalar-end"),
    C(lambda L: L.lerp(L.ones(2), L.ones(3), 0.5), id="lerp-broadcast"),
    C(lambda L: L.zeros(2).lerp_(L.tensor([1.0, 3.0]), 0.25), id="lerp_-values"),
    C(lambda L: L.fmod(_I(L), 0), id="fmod-int-by-zero"),
    C(lambda L: L.fmod(_I(L), L.tensor([0, 1])), id="fmod-int-by-zero-tensor"),
    C(lambda L: L.fmod(L.tensor([5.0, -5.0]), 0.0), id="fmod-float-by-zero"),
    C(lambda L: L.fmod(L.tensor([5, -7]), 3), id="fmod-int-negative"),
    C(lambda L: L.fmod(_I(L), 1.5), id="fmod-int-float"),
    C(lambda L: L.fmod(L.tensor([-5.5, 5.5]), L.tensor([2.0, -2.0])), id="fmod-signs"),
    C(lambda L: L.copysign(_I(L), -1), id="copysign-int"),
    C(lambda L: L.copysign(L.tensor([1.0, 2.0]), L.tensor([-0.0, 0.0])), id="copysign-signed-zero"),
    C(lambda L: L.clamp_min(_I(L), 6.5), id="clamp_min-int-float"),
    C(lambda L: L.clamp_min(_B(L), 2), id="clamp_min-bool-int"),
    C(lambda L: L.clamp_max(_B(L), True), id="clamp_max-bool-bool"),
    C(lambda L: L.clamp_min(_B(L), L.tensor([False, True])), id="clamp_min-bool-tensor"),
    C(lambda L: L.fmod(_B(L), _B(L)), id="fmod-bool"),
    C(lambda L: L.fmod(_B(L), True), id="fmod-bool-scalar"),
    C(lambda L: L.lerp(_I(L), L.ones(2, dtype=L.uint8), _I(L)), id="lerp-dtype-long-byte"),
    C(lambda L: L.lerp(L.ones(2, dtype=L.int8), L.ones(2, dtype=L.int16), 0.5),
      id="lerp-dtype-char-short"),
    C(lambda L: L.clamp_max(_I(L), 6), id="clamp_max-int"),
    C(lambda L: L.ones(3).clamp_min_(2.0), id="clamp_min_-values"),
    C(lambda L: L.nan_to_num(L.tensor([float("nan"), float("inf"), -float("inf"), 1.0])),
      id="nan_to_num-defaults"),
    C(lambda L: L.nan_to_num(L.tensor([float("nan"), float("inf"), -float("inf")]), nan=1.0,
                             posinf=2.0, neginf=-3.0), id="nan_to_num-values"),
    C(lambda L: L.nan_to_num(L.tensor([float("inf")], dtype=L.float64)), id="nan_to_num-double"),
    C(lambda L: L.nan_to_num(_I(L)), id="nan_to_num-int"),
    C(lambda L: L.logit(_I(L)), id="logit-int"),
    C(lambda L: L.logit(L.tensor([-1.0, 0.0, 1.0, 2.0])), id="logit-out-of-range"),
    C(lambda L: L.logit(L.tensor([-1.0, 0.0, 0.5, 2.0]), eps=0.25), id="logit-eps"),
    C(lambda L: L.isclose(L.tensor([1.0, float("nan"), float("inf"), 2.0]),
                          L.tensor([1.0 + 1e-6, float("nan"), float("inf"), 2.1])), id="isclose"),
    C(lambda L: L.isclose(L.tensor([1.0, float("nan"), 2.0]), L.tensor([1.0, float("nan"), 2.1]),
                          rtol=0.1, atol=0, equal_nan=True), id="isclose-rtol-equal_nan"),
    C(lambda L: L.isclose(_I(L), L.tensor([5, 8])), id="isclose-int"),
    C(lambda L: L.isclose(_I(L), L.ones(2)), id="isclose-int-float"),
    C(lambda L: L.isclose(L.ones(2, dtype=L.float64), L.ones(2)), id="isclose-double-float"),
    C(lambda L: L.isclose(L.ones(2), 1.0), id="isclose-scalar-other"),
    C(lambda L: L.isclose(L.ones(2), L.ones(2), rtol=-1.0), id="isclose-negative-rtol"),
    C(lambda L: L.isclose(L.ones(2), L.ones(2), atol=-0.5), id="isclose-negative-atol"),
    C(lambda L: L.isclose(L.ones(2, 1), L.ones(3)), id="isclose-broadcast"),
    C(lambda L: L.isclose(L.ones(2), L.ones(3)), id="isclose-broadcast-mismatch"),
    C(lambda L: L.isclose(_B(L), L.tensor([True, True])), id="isclose-bool"),
    C(lambda L: L.isclose(L.tensor([-float("inf")]), L.tensor([float("inf")])), id="isclose-infs"),
    C(lambda L: _leaf(L, 2).isclose(L.ones(2)), id="isclose-requires-grad"),
    C(lambda L: L.isreal(L.tensor([1.0, float("nan")])), id="isreal"),
    C(lambda L: _I(L).isreal(), id="isreal-int"),
    C(lambda L: L.signbit(L.tensor([-0.0, 0.0, -1.0, float("nan"), -float("nan")])), id="signbit"),
    C(lambda L: L.signbit(L.tensor([-1, 0, 2])), id="signbit-int"),
    C(lambda L: _B(L).signbit(), id="signbit-bool"),
    C(lambda L: L.signbit(L.tensor([1], dtype=L.uint8)), id="signbit-uint8"),
    C(lambda L: [(f.eps, f.max, f.min, f.tiny, f.smallest_normal, f.resolution, f.bits, f.dtype,
                  repr(f)) for f in (L.finfo(L.float16), L.finfo(L.float32), L.finfo(L.float64),
                                     L.finfo())], id="finfo"),
    C(lambda L: L.finfo(L.float32) == L.finfo(L.float32), id="finfo-eq"),
    C(lambda L: [(i.max, i.min, i.bits, i.dtype, repr(i)) for i in
                 (L.iinfo(L.uint8), L.iinfo(L.int8), L.iinfo(L.int16), L.iinfo(L.int32),
                  L.iinfo(L.int64))], id="iinfo"),
    C(lambda L: L.finfo(L.int64), id="finfo-int"),
    C(lambda L: L.iinfo(L.float32), id="iinfo-float"),
    C(lambda L: L.iinfo(L.bool), id="iinfo-bool"),
    C(lambda L: L.finfo("float32"), id="finfo-str"),
    C(lambda L: [L.ones(3, 4).nbytes, L.ones(3, 4).itemsize, L.ones(3, 4)[:, :2].nbytes,
                 L.ones(2, dtype=L.int8).nbytes, L.ones(3, 4).expand(2, 3, 4).nbytes,
                 L.ones(2, dtype=L.float64).itemsize], id="nbytes-itemsize"),
    C(lambda L: L.testing.assert_close(L.ones(2), L.ones(2) + 1e-6), id="assert_close-close"),
    C(lambda L: L.testing.assert_close(L.ones(2), L.tensor([1.0, 1.1])), id="assert_close-far"),
    C(lambda L: L.testing.assert_close(L.ones(2, dtype=L.float64),
                                       L.tensor([1.0, 1.0 + 1e-6], dtype=L.float64)),
      id="assert_close-far-double"),
    C(lambda L: L.testing.assert_close(_I(L), L.tensor([5, 8])), id="assert_close-int"),
    C(lambda L: L.testing.assert_close(L.ones(2), L.ones(2, dtype=L.float64)),
      id="assert_close-dtype"),
    C(lambda L: L.testing.assert_close(L.ones(2), L.ones(2, dtype=L.float64), check_dtype=False),
      id="assert_close-no-check_dtype"),
    C(lambda L: L.testing.assert_close(L.ones(2), L.ones(3)), id="assert_close-shape"),
    C(lambda L: L.testing.assert_close(L.tensor([float("nan")]), L.tensor([float("nan")])),
      id="assert_close-nan"),
    C(lambda L: L.testing.assert_close(L.tensor([float("nan")]), L.tensor([float("nan")]),
                                       equal_nan=True), id="assert_close-equal_nan"),
    C(lambda L: L.testing.assert_close(1.0, 1.0 + 1e-9), id="assert_close-scalars"),
    C(lambda L: L.testing.assert_close(1.0, 1.1), id="assert_close-scalars-far"),
    C(lambda L: L.testing.assert_close(2, 3), id="assert_close-int-scalars"),
    C(lambda L: L.testing.assert_close(L.tensor(1.0), 1.0), id="assert_close-tensor-scalar"),
    C(lambda L: L.testing.assert_close([L.ones(2), L.ones(1)], [L.ones(2), L.zeros(1)]),
      id="assert_close-sequence"),
    C(lambda L: L.testing.assert_close([L.ones(2)], [L.ones(2), L.ones(2)]),
      id="assert_close-sequence-length"),
    C(lambda L: L.testing.assert_close(L.ones(2), L.ones(2), rtol=1e-3), id="assert_close-rtol-only"),
    C(lambda L: L.testing.assert_close(L.ones(2), L.ones(2) * 1.01, rtol=0.1, atol=0),
      id="assert_close-rtol-atol"),
    C(lambda L: L.testing.assert_close(L.ones(2), L.zeros(2), msg="custom"), id="assert_close-msg"),
    C(lambda L: L.testing.assert_close(_leaf(L, 2), L.ones(2)), id="assert_close-requires-grad"),
    C(lambda L: L.testing.assert_close(_B(L), L.tensor([True, True])), id="assert_close-bool"),
    C(lambda L: L.testing.assert_close(L.ones(2, dtype=L.float16),
                                       L.ones(2, dtype=L.float16) * 1.001), id="assert_close-half"),
    C(lambda L: L.testing.assert_close(L.tensor([float("inf")]), L.tensor([-float("inf")])),
      id="assert_close-infs"),
    C(lambda L: L.testing.assert_close(L.ones(2, 2), L.ones(2, 2).t(), check_stride=True),
      id="assert_close-stride"),
    C(lambda L: L.testing.assert_close(L.ones(2), [1.0, 1.0]), id="assert_close-tensor-list"),
    C(lambda L: L.linalg.matrix_exp(L.ones(2, 3)), id="matrix_exp-not-square"),
    C(lambda L: L.linalg.matrix_exp(L.ones(3)), id="matrix_exp-1d"),
    C(lambda L: L.matrix_exp(L.ones(3, 3, dtype=L.int64)), id="matrix_exp-int"),
    C(lambda L: L.linalg.pinv(L.ones(3)), id="pinv-1d"),
    C(lambda L: L.linalg.pinv(L.ones(2, 2, dtype=L.int64)), id="pinv-int"),
    C(lambda L: L.pinverse(L.ones(2, 3), rcond=0.5), id="pinverse-rcond"),
    C(lambda L: L.linalg.inv(L.tensor([[1.0, 2.0], [2.0, 4.0]])), id="linalg.inv-singular"),
    C(lambda L: L.linalg.inv(L.tensor([[1.0, 2.0, 3.0], [2.0, 4.0, 6.0], [1.0, 1.0, 1.0]])),
      id="linalg.inv-singular-3"),
    C(lambda L: L.linalg.inv(L.zeros(3, 3)), id="linalg.inv-zeros"),
    C(lambda L: L.linalg.inv(L.stack([L.eye(2), L.zeros(2, 2)])), id="linalg.inv-singular-batch"),
    C(lambda L: L.inverse(L.zeros(2, 2)), id="inverse-singular"),
    C(lambda L: (L.linalg.LinAlgError.__name__, issubclass(L.linalg.LinAlgError, RuntimeError)),
      id="LinAlgError-is-RuntimeError"),
    C(lambda L: L.linalg.inv(L.ones(2, 3)), id="linalg.inv-not-square"),
    C(lambda L: L.linalg.inv(L.ones(3)), id="linalg.inv-1d"),
    C(lambda L: L.linalg.inv(L.eye(2, dtype=L.int64)), id="linalg.inv-int"),
    C(lambda L: L.linalg.inv(L.ones(0, 0)), id="linalg.inv-empty"),
    C(lambda L: L.linalg.inv(L.tensor([[2.0, 0.0], [0.0, 4.0]])), id="linalg.inv-values"),
    C(lambda L: L.linalg.det(L.zeros(2, 2)), id="linalg.det-singular"),
    C(lambda L: L.linalg.det(L.tensor([[2.0, 1.0], [0.0, 3.0]], dtype=L.float64)),
      id="linalg.det-values"),
    C(lambda L: (lambda A: (L.linalg.det(A).sum().backward(), A.grad)[1])(
        L.tensor([[[1.0, 2.0], [2.0, 4.0]], [[2.0, 0.0], [0.0, 4.0]]], requires_grad=True)),
      id="linalg.det-grad-of-singular"),
    C(lambda L: (lambda A: (L.det(A).backward(), A.grad)[1])(L.zeros(3, 3, requires_grad=True)),
      id="det-grad-of-zeros"),
    C(lambda L: L.linalg.det(L.ones(2, 3)), id="linalg.det-not-square"),
    C(lambda L: L.det(L.eye(2, dtype=L.int64)), id="det-int"),
    C(lambda L: L.linalg.det(L.ones(3)), id="linalg.det-1d"),
    C(lambda L: L.linalg.det(L.ones(2, 0, 0)), id="linalg.det-empty-batch"),
    C(lambda L: L.linalg.slogdet(L.tensor([[0.0, 1.0], [1.0, 0.0]])), id="linalg.slogdet-values"),
    C(lambda L: repr(L.linalg.slogdet(L.eye(2))), id="linalg.slogdet-repr"),
    C(lambda L: repr(L.slogdet(L.eye(2))), id="slogdet-repr"),
    C(lambda L: L.linalg.slogdet(L.zeros(2, 2)), id="linalg.slogdet-singular"),
    C(lambda L: L.linalg.slogdet(L.ones(3)), id="linalg.slogdet-1d"),
    C(lambda L: L.linalg.slogdet(_leaf(L, 2, 2)).sign.requires_grad, id="slogdet-sign-requires-grad"),
    C(lambda L: L.logdet(L.tensor([[0.0, 1.0], [1.0, 0.0]])), id="logdet-negative"),
    C(lambda L: L.logdet(L.zeros(2, 2)), id="logdet-singular"),
    C(lambda L: L.logdet(L.ones(3)), id="logdet-1d"),
    C(lambda L: L.logdet(L.ones(2, 3)), id="logdet-not-square"),
    C(lambda L: L.logdet(L.eye(2, dtype=L.int64)), id="logdet-int"),
    C(lambda L: L.linalg.slogdet(L.ones(2, 3)), id="linalg.slogdet-not-square"),
    C(lambda L: L.linalg.solve(L.zeros(2, 2), L.ones(2)), id="linalg.solve-singular"),
    C(lambda L: L.linalg.solve(L.eye(3), L.ones(4, 2)), id="linalg.solve-shapes"),
    C(lambda L: L.linalg.solve(L.eye(3), L.ones(2, 4), left=False), id="linalg.solve-shapes-right"),
    C(lambda L: L.linalg.solve(L.eye(3), L.ones(3, 2, dtype=L.float64)), id="linalg.solve-dtype"),
    C(lambda L: L.linalg.solve(L.eye(2, dtype=L.int64), L.ones(2, dtype=L.int64)),
      id="linalg.solve-int"),
    C(lambda L: L.linalg.solve(L.ones(2, 3), L.ones(2)), id="linalg.solve-not-square"),
    C(lambda L: L.linalg.solve(L.tensor([[2.0, 0.0], [0.0, 4.0]]), L.tensor([2.0, 2.0])),
      id="linalg.solve-values"),
    C(lambda L: L.linalg.solve(L.eye(2).expand(3, 2, 2), L.ones(2)).shape, id="linalg.solve-batch-1d-B"),
    C(lambda L: L.linalg.vector_norm(L.tensor([1, 2])), id="vector_norm-int"),
    C(lambda L: L.linalg.vector_norm(L.ones(2), "fro"), id="vector_norm-str-ord"),
    C(lambda L: L.linalg.vector_norm(L.tensor([3.0, -4.0, 0.0]), 0), id="vector_norm-ord0"),
    C(lambda L: L.linalg.vector_norm(L.tensor([3.0, -4.0]), -float("inf")), id="vector_norm-neg-inf"),
    C(lambda L: L.linalg.vector_norm(L.ones(0), float("inf")), id="vector_norm-inf-empty"),
    C(lambda L: L.linalg.vector_norm(L.ones(0)), id="vector_norm-empty"),
    C(lambda L: L.linalg.vector_norm(L.ones(2, 3), dim=2), id="vector_norm-dim-out-of-range"),
    C(lambda L: L.linalg.vector_norm(L.ones(2), dtype=L.float64), id="vector_norm-dtype"),
    C(lambda L: L.linalg.matrix_norm(L.ones(3)), id="matrix_norm-1d"),
    C(lambda L: L.linalg.matrix_norm(L.ones(2, 2), 3), id="matrix_norm-ord-3"),
    C(lambda L: L.linalg.matrix_norm(L.ones(2, 2), "abc"), id="matrix_norm-ord-str"),
    C(lambda L: L.linalg.matrix_norm(L.tensor([[1.0, -2.0], [3.0, 4.0]]), 1), id="matrix_norm-1"),
    C(lambda L: L.linalg.matrix_norm(L.tensor([[1.0, -2.0], [3.0, 4.0]]), -float("inf")),
      id="matrix_norm-neg-inf"),
    C(lambda L: L.linalg.matrix_norm(L.tensor([[1, 2], [3, 4]])), id="matrix_norm-int"),
    C(lambda L: L.linalg.norm(L.ones(2, 2, 2), 2), id="linalg.norm-3d-ord"),
    C(lambda L: L.linalg.norm(L.ones(3), "fro"), id="linalg.norm-1d-fro"),
    C(lambda L: L.linalg.norm(L.tensor([3.0, 4.0])), id="linalg.norm-values"),
    C(lambda L: L.linalg.inv(L.eye(2, dtype=L.float16)), id="linalg.inv-half"),
    C(lambda L: L.linalg.det(L.eye(2, dtype=L.float16)), id="linalg.det-half"),
    C(lambda L: L.linalg.slogdet(L.eye(2, dtype=L.float16)), id="linalg.slogdet-half"),
    C(lambda L: L.logdet(L.eye(2, dtype=L.float16)), id="logdet-half"),
    C(lambda L: L.linalg.solve(L.eye(2, dtype=L.float16), L.ones(2, dtype=L.float16)),
      id="linalg.solve-half"),
    C(lambda L: L.linalg.solve(L.eye(2), L.tensor(1.0)), id="linalg.solve-0d-B"),
    C(lambda L: L.linalg.solve(L.eye(2).expand(3, 2, 2), L.ones(2, 2, 1)),
      id="linalg.solve-batch-mismatch"),
    C(lambda L: L.linalg.solve(L.eye(2), L.ones(2), left=False), id="linalg.solve-right-1d-B"),
    C(lambda L: L.linalg.vector_norm(L.tensor([3.0, 4.0]), ord=L.tensor(1.0)),
      id="vector_norm-tensor-ord"),
    C(lambda L: L.linalg.matrix_norm(L.ones(2, 3), dim=(0, 0)), id="matrix_norm-same-dims"),
    C(lambda L: L.linalg.matrix_norm(L.ones(2, 3), dim=(0, 1, 1)), id="matrix_norm-3-dims"),
    C(lambda L: L.linalg.norm(L.ones(2, 3, 4), dim=(0, 1, 2)), id="linalg.norm-3-dims"),
    C(lambda L: L.linalg.norm(L.ones(3), "fro", dim=0), id="linalg.norm-fro-1d-dim"),
    C(lambda L: L.linalg.cross(L.tensor(1.0), L.tensor(1.0)), id="linalg.cross-0d"),
    C(lambda L: L.linalg.cross(L.ones(2, 4), L.ones(2, 4)), id="linalg.cross-length"),
    C(lambda L: L.linalg.cross(L.ones(2, 3), L.ones(3)), id="linalg.cross-ndim"),
    C(lambda L: L.linalg.cross(L.ones(3), L.ones(3, dtype=L.float64)), id="linalg.cross-dtype"),
    C(lambda L: L.linalg.cross(L.tensor([1.0, 0.0, 0.0]), L.tensor([0.0, 1.0, 0.0])),
      id="linalg.cross-values"),
    C(lambda L: L.cross(L.tensor([[1.0, 0.0, 0.0]]), L.tensor([[0.0, 1.0, 0.0]])),
      id="cross-without-dim-warns"),
    # --- comparisons of tensors whose shapes do not broadcast: PyTorch's error, not NumPy's ---
    C(lambda L: L.lt(L.ones(3), L.ones(2)), id="lt-shapes"),
    C(lambda L: L.ones(3) == L.ones(2, dtype=L.float64), id="eq-shapes-promoted"),
    C(lambda L: L.ge(L.ones(2, 1), L.ones(3)), id="ge-broadcasts"),
    # --- matrix products ------------------------------------------------------------------------
    C(lambda L: L.ones(2, 3).mm(L.ones(2, 3)), id="mm-mismatch"),
    C(lambda L: L.ones(3).mm(L.ones(3, 2)), id="mm-1d"),
    C(lambda L: L.ones(2, 3).mm(L.ones(3)), id="mm-1d-second"),
    C(lambda L: L.ones(2, 3).mm(L.ones(3, 2, dtype=L.float64)), id="mm-dtype"),
    C(lambda L: L.ones(2, 3).mv(L.ones(2)), id="mv-mismatch"),
    C(lambda L: L.ones(2, 3).mv(L.ones(3, 1)), id="mv-2d-vector"),
    C(lambda L: L.ones(3).mv(L.ones(3)), id="mv-1d-matrix"),
    C(lambda L: L.ones(3).dot(L.ones(2)), id="dot-mismatch"),
    C(lambda L: L.ones(2, 2).dot(L.ones(2, 2)), id="dot-2d"),
    C(lambda L: L.ones(2).dot(L.tensor([1, 2])), id="dot-dtype"),
    C(lambda L: L.ones(2, 3).bmm(L.ones(2, 3, 4)), id="bmm-2d-first"),
    C(lambda L: L.ones(2, 2, 3).bmm(L.ones(3, 4)), id="bmm-2d-second"),
    C(lambda L: L.ones(2, 2, 3).bmm(L.ones(3, 3, 4)), id="bmm-batch-mismatch"),
    C(lambda L: L.ones(2, 2, 3).bmm(L.ones(2, 4, 4)), id="bmm-inner-mismatch"),
    C(lambda L: L.matmul(L.tensor(1.0), L.ones(2)), id="matmul-0d"),
    C(lambda L: L.ones(2, 2, 3) @ L.ones(3, 3, 4), id="matmul-batch-broadcast"),
    C(lambda L: L.ones(2, 3) @ L.ones(4, 5), id="matmul-mismatch"),
    C(lambda L: L.ones(3) @ L.ones(2, 3, 4), id="matmul-1d-3d-mismatch"),
    C(lambda L: L.ones(2, 3, 4) @ L.ones(3), id="matmul-3d-1d-mismatch"),
    C(lambda L: L.ones(3) @ L.ones(4), id="matmul-1d-1d-mismatch"),
    C(lambda L: L.ones(2, 3) @ L.tensor([[1], [2], [3]]), id="matmul-dtype"),
    C(lambda L: L.ones(2, 2, dtype=L.int64) @ L.ones(2, 2), id="matmul-dtype-long-first"),
    C(lambda L: L.ones(2, 2) @ L.ones(2, 2, dtype=L.int16), id="matmul-dtype-short"),
    C(lambda L: L.ones(2, 2) @ L.ones(2, 2, dtype=L.int8), id="matmul-dtype-int8"),
    C(lambda L: L.ones(2, 2) @ L.ones(2, 2, dtype=L.uint8), id="matmul-dtype-uint8"),
    C(lambda L: L.ones(2, 2) @ L.ones(2, 2, dtype=L.float16), id="matmul-dtype-half"),
    C(lambda L: L.tensor([[1, 2]]) @ L.tensor([[3], [4]]), id="matmul-int"),
    C(lambda L: L.outer(L.ones(2, 2), L.ones(2)), id="outer-2d"),
    # --- conversions and protocols -------------------------------------------------------------
    C(lambda L: L.ones(2).item(), id="item-of-2"),
    C(lambda L: L.tensor([]).item(), id="item-of-empty"),
    C(lambda L: float(L.ones(2)), id="float()-of-2"),
    C(lambda L: int(L.ones(2)), id="int()-of-2"),
    C(lambda L: bool(L.ones(2)), id="bool()-of-2"),
    C(lambda L: bool(L.tensor([])), id="bool()-of-empty"),
    C(lambda L: len(L.tensor(1.0)), id="len()-of-0d"),
    C(lambda L: iter(L.tensor(1.0)), id="iter()-of-0d"),
    C(lambda L: list(L.ones(0)), id="list()-of-empty"),
    C(lambda L: [1, 2][L.tensor(1.0)], id="list-index-float-tensor"),
    C(lambda L: [1, 2][L.tensor([1, 0])], id="list-index-int-vector"),
    C(lambda L: _leaf(L, 2).numpy(), id="numpy()-requires-grad"),
    C(lambda L: np.asarray(_leaf(L, 2)), id="np.asarray-requires-grad"),
    C(lambda L: np.asarray(_leaf(L, 2).detach()), id="np.asarray-detached"),
    C(lambda L: L.ones(2).cuda(), id=".cuda()"),
    C(lambda L: L.ones(2).to("cuda"), id=".to(cuda)"),
    C(lambda L: L.ones(2).to(device="cuda"), id=".to(device=cuda)"),
    C(lambda L: L.ones(2).to("cuda:0", L.float64), id=".to(cuda:0, float64)"),
    C(lambda L: L.ones(2).to(L.device("cuda")), id=".to(device(cuda))"),
    C(lambda L: L.ones(2).is_cuda, id=".is_cuda"),
    C(lambda L: L.ones(2) < None, id="compare-None"),
    # --- autograd -------------------------------------------------------------------------------
    C(lambda L: (_leaf(L, 2) * 2).backward(), id="backward-non-scalar"),
    C(lambda L: L.ones(2).sum().backward(), id="backward-no-grad-tensor"),
    C(lambda L: L.tensor(1.0).backward(), id="backward-constant"),
    C(_backward_under_no_grad, id="backward-made-under-no_grad"),
    C(_backward_twice, id="backward-twice"),
    C(_grad_twice, id="grad-twice"),
    C(_grad_unused, id="grad-unused-input"),
    C(_grad_neither_requires_grad, id="grad-neither-output-nor-input-requires-grad"),
    C(_grad_unused_allowed, id="grad-unused-allowed"),
    C(_grad_input_no_grad, id="grad-input-without-requires_grad"),
    C(_grad_of_constant_grad, id="grad-of-constant-grad-backward"),
    C(_grad_of_constant_grad_via_grad, id="grad-of-constant-grad-grad"),
    C(_grad_wrong_count, id="grad-outputs-count"),
    C(_grad_empty_inputs, id="grad-empty-inputs"),
    C(_backward_empty_inputs, id="backward-empty-inputs"),
    C(_wrong_grad_shape, id="backward-gradient-shape"),
    C(lambda L: L.tensor([1, 2]).requires_grad_(), id="requires_grad_()-int"),
    C(lambda L: setattr(L.tensor([1, 2]), "requires_grad", True), id="requires_grad=True-int"),
    C(lambda L: L.tensor([True]).requires_grad_(), id="requires_grad_()-bool"),
    C(_nonleaf_requires_grad_off, id="nonleaf-requires_grad=False"),
    C(_nonleaf_grad_access, id="nonleaf-.grad-warns"),
    C(_inplace_leaf, id="inplace-on-leaf"),
    C(_inplace_leaf_operator, id="iadd-on-leaf"),
    C(_setitem_leaf, id="setitem-on-leaf"),
    C(_view_of_leaf_inplace, id="inplace-on-view-of-leaf"),
    C(_modified_saved, id="modified-saved-tensor"),
    C(lambda L: L.ones(2).retain_grad(), id="retain_grad-no-grad"),
    C(lambda L: L.ones(2).register_hook(lambda g: g), id="register_hook-no-grad"),
    C(_assign_grad_shape, id="assign-grad-shape"),
    C(_assign_grad_type, id="assign-grad-type"),
    C(_assign_grad_dtype, id="assign-grad-dtype"),
    C(_deepcopy_nonleaf, id="deepcopy-nonleaf"),
    C(_detach_view_inplace, id="detach_-of-view"),
    # --- optimizers -------------------------------------------------------------------------------
    C(_sgd_duplicate, id="SGD-duplicate-params-warns"),
    C(_sgd_overlapping_groups, id="SGD-overlapping-groups"),
    C(_sgd_nonleaf, id="SGD-nonleaf"),
    C(lambda L: L.optim.SGD([], lr=0.1), id="SGD-empty"),
    C(lambda L: L.optim.SGD(_leaf(L, 2), lr=0.1), id="SGD-tensor-not-list"),
    C(lambda L: L.optim.SGD([1.0], lr=0.1), id="SGD-non-tensor"),
    C(lambda L: L.optim.SGD([_leaf(L, 2)], lr=-1), id="SGD-negative-lr"),
    C(lambda L: L.optim.SGD([_leaf(L, 2)], lr=0.1, momentum=-1), id="SGD-negative-momentum"),
    C(lambda L: L.optim.SGD([_leaf(L, 2)], lr=0.1, nesterov=True), id="SGD-nesterov-no-momentum"),
    # --- nn layers --------------------------------------------------------------------------------
    C(lambda L: L.nn.BatchNorm1d(3)(L.ones(2, 3, 4, 5)), id="BatchNorm1d-4d"),
    C(lambda L: L.nn.BatchNorm2d(3)(L.ones(2, 3)), id="BatchNorm2d-2d"),
    C(lambda L: L.nn.BatchNorm1d(3)(L.ones(1, 3)), id="BatchNorm1d-one-sample"),
    C(lambda L: L.nn.BatchNorm1d(3).eval()(L.ones(1, 3)), id="BatchNorm1d-eval-one-sample"),
    C(lambda L: L.nn.BatchNorm1d(4)(L.ones(2, 3)), id="BatchNorm1d-channels"),
    C(lambda L: L.nn.BatchNorm1d(3)(L.ones(2, 3).double()), id="BatchNorm1d-double-input"),
    C(lambda L: L.nn.LayerNorm(3)(L.ones(2, 3).double()), id="LayerNorm-double-input"),
    C(lambda L: L.nn.LayerNorm(3)(L.ones(2, 3, dtype=L.long)), id="LayerNorm-long-input"),
    C(lambda L: L.nn.LayerNorm(3)(L.ones(2, 4)), id="LayerNorm-shape"),
    C(lambda L: L.nn.GroupNorm(2, 3), id="GroupNorm-indivisible"),
    C(lambda L: L.nn.InstanceNorm2d(3)(L.ones(3)), id="InstanceNorm2d-1d"),
    C(lambda L: L.nn.InstanceNorm1d(4)(L.ones(2, 3, 5)), id="InstanceNorm1d-features-warns"),
    C(lambda L: L.nn.Hardtanh(2.0, 1.0), id="Hardtanh-bounds"),
    C(lambda L: L.nn.Softmax()(L.ones(2, 3)), id="Softmax-implicit-dim-warns"),
    C(lambda L: L.nn.Softmin()(L.ones(3)), id="Softmin-implicit-dim-warns"),
    C(lambda L: L.nn.Softmax2d()(L.ones(3, 3)), id="Softmax2d-2d"),
    C(lambda L: L.nn.PReLU(2)(L.ones(2, 3)), id="PReLU-channels"),
    C(lambda L: L.nn.ReLU(inplace=True)(_leaf(L, 2)), id="ReLU-inplace-leaf"),
    C(lambda L: L.nn.MSELoss(reduction="avg")(L.ones(2), L.ones(2)), id="MSELoss-bad-reduction"),
    C(lambda L: L.nn.MSELoss()(L.ones(2), L.ones(3)), id="MSELoss-shapes"),
    C(lambda L: L.nn.MSELoss()(L.ones(2, 1), L.ones(2)), id="MSELoss-broadcast-warns"),
    C(lambda L: L.nn.MSELoss(size_average=False)(L.ones(2), L.zeros(2)), id="MSELoss-legacy-warns"),
    C(lambda L: L.nn.CrossEntropyLoss()(L.ones(2, 3), L.tensor([0, 3])), id="CrossEntropy-class-3"),
    C(lambda L: L.nn.CrossEntropyLoss()(L.ones(2, 3), L.ones(2)), id="CrossEntropy-float-target"),
    C(lambda L: L.nn.NLLLoss(weight=L.ones(2))(L.ones(2, 3), L.tensor([0, 1])),
      id="NLLLoss-weight-size"),
    C(lambda L: L.nn.BCELoss()(L.ones(2) * 2, L.ones(2)), id="BCELoss-out-of-range"),
    C(lambda L: L.nn.BCEWithLogitsLoss()(L.ones(2), L.ones(3)), id="BCEWithLogits-shapes"),
    C(lambda L: L.nn.KLDivLoss()(L.zeros(2), L.ones(2)), id="KLDivLoss-mean-warns"),
]


@needs_torch
@pytest.mark.parametrize("case", CASES)
def test_misuse_matches_torch(case):
    _check(case)


def test_enough_cases():
    assert len(CASES) >= 150


# --- hand-written (texts from torch 2.13's output): no torch needed -----------------------------
_T_TEXT = ("The use of `x.T` on tensors of dimension other than 2 to reverse their shape is "
           "deprecated and it will throw an error in a future release. Consider `x.mT` to "
           "transpose batches of matrices or `x.permute(*torch.arange(x.ndim - 1, -1, -1))` to "
           "reverse the dimensions of a tensor.")


@pytest.mark.parametrize("make, shape, text", [
    (lambda: cr.ones(3).T, (3,), _T_TEXT),
    (lambda: cr.ones(2, 3, 4).T, (4, 3, 2), _T_TEXT),
    (lambda: cr.tensor(1.0).T, (),
     "Tensor.T is deprecated on 0-D tensors. This function is the identity in these cases."),
    (lambda: cr.ones(2, 3).T, (3, 2), None),
], ids=["1-d", "3-d", "0-d", "2-d"])
def test_warnings_torch_gives_once(make, shape, text):
    """torch shows these once per process, so the side-by-side cases cannot
    insist on them; chainrule gives them every time (Python's filters may hide
    repeats)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        out = make()
    assert tuple(out.shape) == shape
    assert [(w.category, str(w.message)) for w in caught] == \
        ([] if text is None else [(UserWarning, text)])


@pytest.mark.parametrize("make, exc, text", [
    (lambda: cr.tensor(2 ** 63), ValueError, "Overflow when unpacking long long"),
    (lambda: cr.tensor([1, 2 ** 63]), ValueError, "Overflow when unpacking long long"),
    (lambda: cr.tensor(None), RuntimeError, "Could not infer dtype of NoneType"),
    (lambda: cr.tensor(["a"]), ValueError, "too many dimensions 'str'"),
    (lambda: cr.tensor([[1, 2], [3]]), ValueError, "expected sequence of length 2 at dim 1 (got 1)"),
    (lambda: cr.tensor([300], dtype=cr.int8), RuntimeError,
     "value cannot be converted to type int8 without overflow"),
    (lambda: cr.zeros(-1), RuntimeError, "zeros: Dimension size must be non-negative."),
    (lambda: cr.ones(2, -1), RuntimeError, "Trying to create tensor with negative dimension -1: [2, -1]"),
    (lambda: cr.ones(2).cuda(), AssertionError, "Torch not compiled with CUDA enabled"),
    (lambda: np.asarray(cr.ones(2, requires_grad=True)), RuntimeError,
     "Can't call numpy() on Tensor that requires grad. Use tensor.detach().numpy() instead."),
    (lambda: cr.ones(2, 3).sum(dim=(0, 0)), RuntimeError, "dim 0 appears multiple times in the list of dims"),
    (lambda: cr.ones(3)[cr.tensor([True, False])], IndexError,
     "The shape of the mask [2] at index 0 does not match the shape of the indexed tensor [3] at index 0"),
    (lambda: cr.ones(3)[0, 0], IndexError, "too many indices for tensor of dimension 1"),
    (lambda: cr.cat([]), ValueError, "torch.cat(): expected a non-empty list of Tensors"),
    (lambda: cr.ones(2, 3).mm(cr.ones(2, 3)), RuntimeError,
     "mat1 and mat2 shapes cannot be multiplied (2x3 and 2x3)"),
], ids=["2**63", "[1,2**63]", "None", "['a']", "ragged", "int8-overflow", "zeros(-1)",
        "ones(2,-1)", "cuda", "asarray", "dims", "mask", "too-many-indices", "cat([])", "mm"])
def test_errors_without_torch(make, exc, text):
    with pytest.raises(exc) as info:
        make()
    assert type(info.value) is exc
    assert str(info.value).splitlines()[0] == text


@pytest.mark.parametrize("make", [
    lambda: cr.tensor([]).mean(),
    lambda: cr.zeros(0, 3).mean(0),
    lambda: cr.tensor([], dtype=cr.float16).mean(),
], ids=["mean", "mean-dim", "mean-half"])
def test_mean_of_empty_is_nan_without_numpy_warning(make):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        out = make()
    assert caught == []
    assert np.isnan(out.numpy()).all()


def test_var_with_no_degrees_of_freedom_warns():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        out = cr.tensor([1.0]).var()
    assert np.isnan(out.item())
    assert [(w.category, str(w.message)) for w in caught] == [(UserWarning, (
        "var(): degrees of freedom is <= 0. Correction should be strictly less than the "
        "reduction factor (input numel divided by output numel)."))]


def test_duplicate_parameters_warn():
    w = cr.ones(2, requires_grad=True)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        cr.optim.SGD([w, w], lr=0.1)
    assert [(x.category, str(x.message)) for x in caught] == [(UserWarning, (
        "optimizer contains a parameter group with duplicate parameters; in future, this will "
        "cause an error; see github.com/pytorch/pytorch/issues/40967 for more information"))]


@pytest.mark.parametrize("make", [
    lambda x: cr.autograd.grad(3 * x, x, create_graph=True)[0],
    lambda x: cr.autograd.grad((3 * x).sum(), x, create_graph=True)[0],
], ids=["grad", "grad-of-sum"])
def test_constant_gradient_hint_for_each_source(make):
    x = cr.tensor(2.0, requires_grad=True)
    g = make(x)
    assert not g.requires_grad
    with pytest.raises(RuntimeError) as info:
        cr.autograd.grad(g, x)
    assert "constant" in str(info.value).splitlines()[1]


def test_constant_gradient_hint_after_backward_create_graph():
    x = cr.tensor(2.0, requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        (3 * x).backward(create_graph=True)
    with pytest.raises(RuntimeError) as info:
        x.grad.backward()
    assert "constant" in str(info.value).splitlines()[1]


def test_hint_not_given_for_a_users_own_grad_output():
    """grad(x, x, grad_outputs=v) hands back v itself: v is the user's tensor,
    not a gradient without a graph."""
    x = cr.tensor(2.0, requires_grad=True)
    v = cr.tensor(1.0)
    g, = cr.autograd.grad(x, x, grad_outputs=v, create_graph=True)
    with pytest.raises(RuntimeError) as info:
        g.backward()
    assert "constant" not in str(info.value)


def test_grad_of_constant_gradient_hint():
    """The hint after torch's first line must not tell the user to set
    requires_grad=True on an input that already has it."""
    x = cr.tensor(2.0, requires_grad=True)
    g, = cr.autograd.grad(3 * x, x, create_graph=True)
    with pytest.raises(RuntimeError) as info:
        g.backward()
    lines = str(info.value).splitlines()
    assert lines[0] == "element 0 of tensors does not require grad and does not have a grad_fn"
    assert "requires_grad=True" not in "\n".join(lines[1:])
    assert "constant" in lines[1] or "does not depend" in lines[1]


def test_no_grad_hint_for_plain_tensor():
    """A tensor never made from a requires_grad input keeps the original hint."""
    with pytest.raises(RuntimeError) as info:
        cr.ones(2).sum().backward()
    assert "requires_grad=True" in str(info.value)
