"""out= (issues 11 and 12), side by side with torch 2.13.

Every public function whose torch counterpart takes `out=` takes it here:
the result is written into `out` (resized when its shape differs, with
torch's warning when it had elements; cast by torch's rule, or refused where
torch's kernel wants the exact dtype), `out` is returned (a tuple of the given
tensors for named-tuple results), its version counter bumps, and autograd is
refused as torch refuses it.  The table OUT_CASES gives each function sample
arguments; each case runs in both libraries.
"""
import itertools
import re
import warnings

import numpy as np
import pytest

import chainrule as cr
from _backends import STRICT

torch = pytest.importorskip("torch")


def _env(L):
    """The sample arguments, made with library L."""
    return {
        "x": L.tensor([0.5, -1.5, 2.0]), "y": L.tensor([1.0, 2.5, -0.5]), "z": L.tensor([0.25, 0.75, 0.5]),
        "m": L.tensor([[1.0, 2.0, 0.5], [3.0, -1.0, 4.0]]), "i": L.tensor([2, 0]), "mi": L.tensor([[1, 0, 1]]),
        "mk": L.tensor([True, False, True]), "p": L.tensor([0.2, 0.5, 0.7]), "v": L.tensor([1.0, 2.0]),
        "b3": L.tensor([[[1.0, 2.0], [0.5, -1.0]], [[3.0, 0.0], [1.0, 1.5]]]),
        "sq": L.tensor([[2.0, 1.0], [1.0, 3.0]]), "w": L.tensor([[1.0, 1.0, 1.0], [2.0, 2.0, 2.0]]),
        "s": L.tensor([0.0, 1.0, 2.0]), "v3": L.tensor([1.0, 2.0, 3.0]), "pos": L.tensor([0.5, 1.5, 2.0]),
        "k": L.tensor([3, 6, 4]), "k2": L.tensor([2, 4, 6]),
        "piv": L.tensor([1, 2], dtype=L.int32),          # (sq's LU pivots: no row swap)
    }


# name (a torch function; "/form" tells forms apart) -> its arguments, written as in a call
OUT_CASES = {
    'abs': 'x',
    'absolute': 'x',
    'acos': 'x',
    'acosh': 'x',
    'add': 'x, y',
    'addbmm': 'v, b3, b3',
    'addcdiv': 'x, y, y',
    'addcmul': 'x, y, y',
    'addmm': 'sq, sq, sq',
    'addmv': 'v, sq, v',
    'all': 'x',
    'amax': 'x',
    'amin': 'x',
    'any': 'x',
    'arange': '3',
    'arccos': 'x',
    'arccosh': 'x',
    'arcsin': 'x',
    'arcsinh': 'x',
    'arctan': 'x',
    'arctan2': 'x, y',
    'arctanh': 'x',
    'argmax': 'x',
    'argmin': 'x',
    'asin': 'x',
    'asinh': 'x',
    'atan': 'x',
    'atan2': 'x, y',
    'atanh': 'x',
    'baddbmm': 'v, b3, b3',
    'bernoulli': 'p',
    'bitwise_and': 'k, k2',
    'bitwise_not': 'k',
    'bitwise_or': 'k, k2',
    'bitwise_xor': 'k, k2',
    'bmm': 'b3, b3',
    'bucketize': 'x, y',
    'cat': '(x, y)',
    'ceil': 'x',
    'chain_matmul': 'sq, sq',
    'clamp': 'x, y',
    'clamp_max': 'x, y',
    'clamp_min': 'x, y',
    'clip': 'x, y',
    'column_stack': '(x, y)',
    'concat': '(x, y)',
    'concatenate': '(x, y)',
    'copysign': 'x, y',
    'cos': 'x',
    'cosh': 'x',
    'cross': 'x, y, dim=0',     # (with dim: torch warns once per process without it)
    'cumprod': 'x, 0',
    'cumsum': 'x, 0',
    'deg2rad': 'x',
    'diag': 'x',
    'diff': 'x',
    'digamma': 'x',
    'div': 'x, y',
    'divide': 'x, y',
    'dot': 'x, y',
    'dstack': '(x, y)',
    'empty': '3',
    'eq': 'x, y',
    'erf': 'x',
    'erfc': 'x',
    'erfinv': 'x',
    'exp': 'x',
    'exp2': 'x',
    'expm1': 'x',
    'eye': '3',
    'fix': 'x',
    'float_power': 'x, y',
    'floor': 'x',
    'floor_divide': 'x, y',
    'fmax': 'x, y',
    'fmin': 'x, y',
    'fmod': 'x, y',
    'frac': 'x',
    'full': '(2, 3), 1.5',
    'gather': 'x, 0, i',
    'gcd': 'k, k2',
    'ge': 'x, y',
    'ger': 'x, y',
    'greater': 'x, y',
    'greater_equal': 'x, y',
    'gt': 'x, y',
    'hardshrink': 'x',
    'heaviside': 'x, y',
    'histc': 'x',
    'histogram': 'x, 2',
    'hstack': '(x, y)',
    'hypot': 'x, y',
    'i0': 'x',
    'index_select': 'x, 0, i',
    'inner': 'x, y',
    'inverse': 'sq',
    'isin': 'x, y',
    'isneginf': 'x',
    'isposinf': 'x',
    'kron': 'x, y',
    'lcm': 'k, k2',
    'ldexp': 'x, y',
    'le': 'x, y',
    'lerp': 'x, y, y',
    'less': 'x, y',
    'less_equal': 'x, y',
    'lgamma': 'x',
    'linspace': '0.0, 1.0, 5',
    'log': 'x',
    'log10': 'x',
    'log1p': 'x',
    'log2': 'x',
    'log_softmax': 'x, 0',
    'logaddexp': 'x, y',
    'logaddexp2': 'x, y',
    'logcumsumexp': 'x, 0',
    'logical_and': 'x, y',
    'logical_not': 'x',
    'logical_or': 'x, y',
    'logical_xor': 'x, y',
    'logit': 'x',
    'logspace': '0.0, 1.0, 5',
    'logsumexp': 'x, 0',
    'lt': 'x, y',
    'masked_select': 'x, mk',
    'matmul': 'x, y',
    'matrix_power': 'sq, 2',
    'max': 'x',
    'maximum': 'x, y',
    'mean': 'x',
    'min': 'x',
    'minimum': 'x, y',
    'mm': 'sq, sq',
    'msort': 'x',
    'mul': 'x, y',
    'multinomial': 'p, 2',
    'multiply': 'x, y',
    'mv': 'sq, v',
    'mvlgamma': 'x, 2',
    'nan_to_num': 'x',
    'nanmean': 'x',
    'nanquantile': 'x, 0',
    'nansum': 'x',
    'ne': 'x, y',
    'neg': 'x',
    'negative': 'x',
    'nextafter': 'x, y',
    'nonzero': 'x',
    'norm': 'x',
    'normal': 'x',
    'not_equal': 'x, y',
    'ones': '3',
    'outer': 'x, y',
    'polygamma': '2, x',
    'pow': 'x, y',
    'quantile': 'x, 0',
    'rad2deg': 'x',
    'rand': '3',
    'randint': '0, 5, (3,)',
    'randn': '3',
    'randperm': '3',
    'range': '2, 3',
    'reciprocal': 'x',
    'remainder': 'x, y',
    'round': 'x',
    'row_stack': '(x, y)',
    'rsqrt': 'x',
    'scatter': 'm, 0, mi, m',
    'searchsorted': 'x, y',
    'sgn': 'x',
    'sigmoid': 'x',
    'sign': 'x',
    'signbit': 'x',
    'sin': 'x',
    'sinc': 'x',
    'sinh': 'x',
    'slice_scatter': 'x, y',
    'softmax': 'x, 0',
    'sort': 'x',
    'sqrt': 'x',
    'square': 'x',
    'stack': '(x, y)',
    'std': 'x',
    'sub': 'x, y',
    'subtract': 'x, y',
    'take': 'x, i',
    'take_along_dim': 'x, i',
    'tan': 'x',
    'tanh': 'x',
    'tensordot': 'm, m',
    'threshold': 'x, 1, 3',
    'tril': 'm',
    'triu': 'm',
    'true_divide': 'x, y',
    'trunc': 'x',
    'var': 'x',
    'vdot': 'x, y',
    'vstack': '(x, y)',
    'where': 'mk, x, y',
    'xlogy': 'x, y',
    'zeros': '3',
    'linalg.cholesky': 'sq',
    'linalg.cross': 'x, y',
    'linalg.det': 'sq',
    'linalg.eigvalsh': 'sq',
    'linalg.inv': 'sq',
    'linalg.matrix_norm': 'm',
    'linalg.matrix_power': 'sq, 2',
    'linalg.norm': 'x',
    'linalg.pinv': 'm',
    'linalg.solve': 'sq, sq',
    'linalg.svdvals': 'm',
    'linalg.vecdot': 'x, y',
    'linalg.vector_norm': 'x',
    'special.digamma': 'x',
    'special.entr': 'x',
    'special.erf': 'x',
    'special.erfc': 'x',
    'special.erfcx': 'x',
    'special.erfinv': 'x',
    'special.exp2': 'x',
    'special.expit': 'x',
    'special.expm1': 'x',
    'special.gammaln': 'x',
    'special.i0': 'x',
    'special.i0e': 'x',
    'special.i1': 'x',
    'special.i1e': 'x',
    'special.log1p': 'x',
    'special.log_ndtr': 'x',
    'special.logit': 'x',
    'special.logsumexp': 'x, 0',
    'special.multigammaln': 'x, 2',
    'special.ndtr': 'x',
    'special.ndtri': 'x',
    'special.polygamma': '2, x',
    'special.psi': 'x',
    'special.round': 'x',
    'special.sinc': 'x',
    'special.xlog1py': 'x, y',
    'special.xlogy': 'x, y',
    'aminmax': 'x',
    'cummax': 'x, 0',
    'cummin': 'x, 0',
    'frexp': 'x',
    'kthvalue': 'x, 2',
    'median': 'm, 1',
    'mode': 'm, 1',
    'nanmedian': 'm, 1',
    'slogdet': 'sq',
    'topk': 'x, 2',
    'max/dim': 'm, 1',
    'min/dim': 'm, 1',
    'linalg.eigh': 'sq',
    'linalg.qr': 'sq',
    'linalg.slogdet': 'sq',
    'linalg.svd': 'sq',
    'index_add': 'x, 0, i, v',
    'index_copy': 'x, 0, i, v',
    'narrow_copy': 'm, 1, 0, 2',
    'renorm': 'm, 2, 0, 1.0',
    'scatter_add': 'm, 0, mi, m',
    'scatter_reduce': "m, 0, mi, m, 'amax'",
    'sum/dim': 'm, 1',
    'prod/dim': 'm, 1',
    'argsort/stable': 'x, stable=True',
}
# Issue 11's linear algebra and numerics: their autograd refusals and tuple
# dtype rules are compared with torch's one by one below.
LINALG_CASES = {
    'addr': 'sq, v, v',
    'bitwise_left_shift': 'k, k2',
    'bitwise_right_shift': 'k, k2',
    'cholesky': 'sq',
    'cholesky_inverse': 'sq',
    'cholesky_solve': 'sq, sq',
    'frobenius_norm': 'm, (0, 1)',
    'geqrf': 'sq',
    'igamma': 'pos, pos',
    'igammac': 'pos, pos',
    'lu_solve': 'sq, sq, piv',
    'lu_unpack': 'sq, piv',
    'nuclear_norm': 'm',
    'orgqr': 'sq, v',
    'ormqr': 'sq, v, sq',
    'qr': 'sq',
    'svd': 'sq',
    'triangular_solve': 'sq, sq',
    'linalg.householder_product': 'sq, v',
    'linalg.lstsq': 'sq, sq',
    'linalg.lu': 'sq',
    'linalg.lu_factor': 'sq',
    'linalg.lu_factor_ex': 'sq',
    'linalg.lu_solve': 'sq, piv, sq',
    'linalg.matrix_rank': 'sq',
    'special.gammainc': 'pos, pos',
    'special.gammaincc': 'pos, pos',
    'linalg.inv_ex': 'sq',
    'linalg.cholesky_ex': 'sq',
    'linalg.solve_ex': 'sq, sq',
    'linalg.cond': 'sq',
    'linalg.matmul': 'x, y',
    'linalg.multi_dot': '(sq, sq, sq)',
    'linalg.tensorinv': 'sq, 1',
    'linalg.tensorsolve': 'sq, v',
}
OUT_CASES.update(LINALG_CASES)
# Draws: only shape and dtype can be compared.
# (torch's normal(tensor, out=) is not resized: its out has the result's shape)
PRESIZED = {"normal"}
RANDOM = {"rand", "randn", "randint", "randperm", "normal", "bernoulli", "multinomial", "empty"}


def _skip_on_strict(key):
    if STRICT and key in ("searchsorted", "bucketize"):
        pytest.skip("searchsorted has no strict-backend form yet (tests/test_api_more.py fails "
                    "there too)")


def _fn(L, key):
    name = key.split("/")[0]
    if "." in name:
        sub, name = name.split(".")
        return getattr(getattr(L, sub), name)
    return getattr(L, name)


def _call(L, key, out=None, **kw):
    """f(*args) (or with out=), inside catch_warnings (torch.range warns)."""
    args, kwargs = eval(f"(lambda *a, **k: (a, k))({OUT_CASES[key]})", {}, _env(L))
    if out is not None:
        kwargs["out"] = out
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        return _fn(L, key)(*args, **kwargs, **kw)


def _empty_like_result(L, r, dtype=None):
    """Empty out tensors for the result r (a tensor or a tuple of them)."""
    if isinstance(r, tuple):
        return tuple(L.empty(0, dtype=getattr(L, str(t.dtype).split(".")[1])) for t in r)
    return L.empty(0, dtype=getattr(L, dtype or str(r.dtype).split(".")[1]))


def _same(a, b, random):
    assert str(a.dtype) == str(b.dtype), (a.dtype, b.dtype)
    assert tuple(a.shape) == tuple(b.shape), (a.shape, b.shape)
    if not random:                # (torch computes in a float16 out's precision)
        tol = dict(rtol=5e-3, atol=1e-3) if "float16" in str(a.dtype) else dict(rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(np.asarray(a.tolist(), dtype=np.float64),
                                   np.asarray(b.tolist(), dtype=np.float64), **tol)


@pytest.mark.parametrize("key", sorted(OUT_CASES))
def test_out_matches_torch(key):
    _skip_on_strict(key)
    random = key in RANDOM
    expected = _call(torch, key)
    o_t = _empty_like_result(torch, expected)
    o_c = _empty_like_result(cr, expected)
    if key in PRESIZED:
        o_t, o_c = torch.empty(expected.shape), cr.empty(tuple(expected.shape))
    r_t = _call(torch, key, out=o_t)
    r_c = _call(cr, key, out=o_c)
    if isinstance(expected, tuple):
        assert isinstance(r_c, tuple) and len(r_c) == len(o_c)
        assert all(a is b for a, b in zip(r_c, o_c))
        assert type(r_c).__name__.split("_out")[0] == type(_call(cr, key)).__name__
        for a, b in zip(o_c, o_t):
            _same(a, b, random)
            assert a._version == 1            # (torch's composite forms may bump more than once)
    else:
        assert r_c is o_c and r_t is o_t
        _same(o_c, o_t, random)
        assert o_c._version == 1 and o_t._version >= 0
        # The same again into an out of the right shape: written in place, no new array.
        before = o_c._data
        _call(cr, key, out=o_c)
        assert o_c._data is before and o_c._version == 2
        _same(o_c, o_t, random)


def _outcome(f):
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            r = f()
        return ("ok", r)
    except Exception as e:            # noqa: BLE001  (compared with torch's)
        return (type(e).__name__, str(e).splitlines()[0])


_OTHER = {"float32": ["float64", "int64", "bool", "float16"], "float64": ["float32", "int32"],
          "int64": ["int32", "float32", "bool"], "bool": ["int64", "float32"]}


# Known differences in the dtype rules, (function, out dtype) -> what torch does there.
DTYPE_DIFFERS = {
    **{(k, d): "torch: the kernel's NotImplementedError for that dtype"
       for k in ("nanmean", "linspace", "logspace", "range") for d in ("int64", "bool")},
    **{(k, "bool"): "torch sums in bool (logical or) or has no bool kernel"
       for k in ("sum/dim", "prod/dim", "cumsum", "cumprod", "nansum")},
    ("nansum", "int64"): "torch: no integer nansum kernel",
    **{("inner", d): "torch words it as tensordot's message" for d in ("float64", "int64", "bool", "float16")},
    **{(k, d): "torch's message of its own for that kernel"
       for k in ("ldexp", "mvlgamma", "special.multigammaln") for d in ("int64", "bool")},
}


@pytest.mark.parametrize("key", sorted(set(OUT_CASES) - RANDOM - {"empty"}))
def test_out_dtype_rules_match_torch(key):
    """An out of another dtype: torch's cast (float into double, int into
    float), its refusal (float into long: 'result type Float can't be cast...'),
    or its kernel's demand for the exact dtype, with torch's message."""
    _skip_on_strict(key)
    expected = _call(torch, key)
    if isinstance(expected, tuple):
        pytest.skip("named-tuple results: see test_tuple_out_dtypes")
    for other in _OTHER[str(expected.dtype).split(".")[1]]:
        if (key, other) in DTYPE_DIFFERS:
            continue
        t = _outcome(lambda: _call(torch, key, out=torch.empty(0, dtype=getattr(torch, other))))
        c = _outcome(lambda: _call(cr, key, out=cr.empty(0, dtype=getattr(cr, other))))
        if t[0] == "ok":
            assert c[0] == "ok", (other, c)
            _same(c[1], t[1], False)
        else:
            assert c == t, other


def test_tuple_out_dtypes():
    v, i = torch.empty(0, dtype=torch.float64), torch.empty(0, dtype=torch.long)
    for L in (torch, cr):
        with pytest.raises(RuntimeError, match="^Expected out tensor to have dtype float, but got "
                                               "double instead$"):
            L.max(L.ones(2, 3), 1, out=(L.empty(0, dtype=L.float64), L.empty(0, dtype=L.long)))
        with pytest.raises(RuntimeError, match="^Expected out tensor to have dtype long int, but "
                                               "got float instead$"):
            L.sort(L.ones(3), out=(L.empty(0), L.empty(0)))
        with pytest.raises(TypeError, match="argument 'out' must be tuple of Tensors, not Tensor"):
            L.linalg.slogdet(L.eye(2), out=L.empty(0))
    del v, i


# --- autograd ---------------------------------------------------------------------------------
_NO_AD = ("{}(): functions with out=... arguments don't support automatic differentiation, but "
          "one of the arguments requires grad.")


@pytest.mark.parametrize("call,name", [
    (lambda L, a, o: L.add(a, a, out=o), "add"), (lambda L, a, o: L.sin(a, out=o), "sin"),
    (lambda L, a, o: L.sum(a, 0, out=o), "sum"), (lambda L, a, o: L.matmul(a, a, out=o), "matmul"),
    (lambda L, a, o: L.cat([a, a], out=o), "cat"), (lambda L, a, o: L.true_divide(a, 2, out=o), "div"),
    (lambda L, a, o: L.clip(a, 0, 1, out=o), "clamp"), (lambda L, a, o: L.special.expit(a, out=o), "sigmoid"),
    (lambda L, a, o: L.floor(a, out=o), "floor"),
    (lambda L, a, o: L.max(a, 0, out=(o, L.empty(0, dtype=L.long))), "max"),
])
def test_out_refuses_autograd(call, name):
    for L in (torch, cr):
        a = L.tensor([0.5, -1.0, 2.0], requires_grad=True)
        with pytest.raises(RuntimeError, match="^" + re.escape(_NO_AD.format(name)) + "$"):
            call(L, a, L.empty(0))
        with L.no_grad():                  # no graph to record: it works
            r = call(L, a, L.empty(0))
        assert not (r[0] if isinstance(r, tuple) else r).requires_grad


def test_out_that_requires_grad():
    for L in (torch, cr):
        b = L.tensor([1.0, 2.0])
        leaf = L.zeros(2, requires_grad=True)
        nonleaf = L.zeros(2, requires_grad=True) * 2
        for o in (leaf, nonleaf):
            with pytest.raises(RuntimeError, match="^" + re.escape(_NO_AD.format("add")) + "$"):
                L.add(b, b, out=o)
        with L.no_grad():
            assert L.add(b, b, out=leaf) is leaf
        assert leaf.tolist() == [2.0, 4.0] and leaf.requires_grad and leaf.grad_fn is None
        assert leaf._version == 1


def test_non_differentiable_ops_take_inputs_that_require_grad():
    for L in (torch, cr):
        a = L.tensor([0.5, -1.0, 2.0], requires_grad=True)
        o = L.empty(0, dtype=L.bool)
        assert L.eq(a, 0.5, out=o) is o and o.tolist() == [True, False, False]
        i = L.empty(0, dtype=L.long)
        assert L.argmax(a, out=i) is i and i.item() == 2


# --- shapes, views, aliasing --------------------------------------------------------------------
def _warnings_of(f):
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        r = f()
    return r, [str(x.message).split(" (Triggered internally")[0] for x in w]


@pytest.mark.parametrize("shape", [(2,), (2, 5), (1, 3), (0,), (0, 3)])
def test_resize_and_its_warning(shape):
    got = {}
    for L in (torch, cr):
        o = L.ones(*shape)
        r, w = _warnings_of(lambda: L.add(L.tensor([1.0, 2.0, 3.0]), 1, out=o))
        assert r is o and o.tolist() == [2.0, 3.0, 4.0]
        got[L.__name__] = (w, o._version)
    assert got["torch"] == got["chainrule"]
    assert (len(got["torch"][0]) == 1) == (int(np.prod(shape)) > 0)


def test_resize_message_and_where_it_points():
    o = cr.ones(2)
    with pytest.warns(UserWarning) as w:
        cr.add(cr.ones(3), 1, out=o)
    assert str(w[0].message).startswith(
        "An output with one or more elements was resized since it had shape [2], which does not "
        "match the required output shape [3]. This behavior is deprecated")
    assert w[0].filename == __file__


def test_view_outs_write_through():
    for L in (torch, cr):
        base = L.zeros(6)
        r = L.add(L.tensor([1.0, 2.0, 3.0]), 1, out=base[:3])
        assert base.tolist() == [2.0, 3.0, 4.0, 0.0, 0.0, 0.0] and tuple(r.shape) == (3,)
        base = L.zeros(6)
        strided = base[::2]
        L.sin(L.zeros(3), out=strided)
        L.add(L.ones(3), 1, out=strided)
        assert base.tolist() == [2.0, 0.0, 2.0, 0.0, 2.0, 0.0] and strided._version == base._version
        base = L.zeros(3, 3)
        L.add(L.ones(3, 3), L.eye(3), out=base.t())
        L.mm(L.tensor([[1.0, 2.0], [3.0, 4.0]]), L.eye(2), out=base[:2, :2])
        assert base.tolist() == [[1.0, 2.0, 1.0], [3.0, 4.0, 1.0], [1.0, 1.0, 2.0]]


def test_out_aliasing_an_input():
    for L in (torch, cr):
        a = L.tensor([1.0, 2.0, 3.0])
        b = L.tensor([10.0, 20.0, 30.0])
        assert L.add(a, b, out=a) is a and a.tolist() == [11.0, 22.0, 33.0] and a._version == 1
        # (not mm(m, m, out=m): torch's kernel overwrites its input as it goes, giving zeros)
        x = L.tensor([3.0, 1.0, 2.0])
        L.cumsum(x, 0, out=x)
        assert x.tolist() == [3.0, 4.0, 6.0]


def test_factories_take_outs_dtype():
    for L in (torch, cr):
        o = L.empty(0, dtype=L.long)
        assert L.zeros(3, out=o) is o and o.dtype == L.long and o.tolist() == [0, 0, 0]
        assert L.arange(4, out=L.empty(0, dtype=L.float64)).dtype == L.float64
        with pytest.raises(RuntimeError, match=r"^dtype Float does not match dtype of out parameter \(Long\)$"):
            L.zeros(3, dtype=L.float32, out=o)


def test_bad_out_arguments():
    for L in (torch, cr):
        with pytest.raises(TypeError, match=r"add\(\): argument 'out' must be Tensor, not tuple"):
            L.add(L.ones(2), 1, out=(L.empty(0),))
        with pytest.raises(RuntimeError, match="^result type Float can't be cast to the desired "
                                               "output type Long$"):
            L.sin(L.ones(2), out=L.empty(0, dtype=L.long))
        with pytest.raises(RuntimeError, match="^result type Long can't be cast to the desired "
                                               "output type Bool$"):
            L.add(L.arange(3), 1, out=L.empty(0, dtype=L.bool))


# --- coverage: every function whose torch counterpart takes out= ---------------------------------
# Functions whose torch counterparts take out= and chainrule's do not yet,
# each with its reason (out= given to them raises TypeError, never a wrong value).
NOT_TAKING_OUT = {}
# Functions torch 2.13 keeps as stubs that raise, out= or not: they take out=
# here too and raise the same (test_removed_functions_refuse_out_as_torch).
REMOVED_IN_TORCH = {
    "solve": "torch.solve(B, A, *, out=None): removed since 1.9, raises",
    "lstsq": "torch.lstsq(B, A, *, out=None): removed since 1.9, raises",
    "symeig": "torch.symeig(input, eigenvectors, upper, *, out=None): removed since 1.9, raises",
    "matrix_rank": "torch.matrix_rank(input, tol, symmetric, *, out=None): removed since 1.9, "
                   "raises",
}
# Functions that take out= here where torch's do not, each with its reason.
OUT_BEYOND_TORCH = {
    "lu": "torch.lu takes out= too: its Python wrapper's signature (*args, **kwargs) hides it "
          "from the probe",
    "relu": "generated by the elementwise factory (unary) with sin and the rest, which take out=",
    **{n: "generated by the predicate factory with logical_and and the rest, which take out="
       for n in ("isnan", "isinf", "isfinite")},
}


def _torch_takes_out(f):
    """Whether torch function f accepts out=: a Python function's signature
    says so; a built-in is called with out= and stand-in arguments until its
    argument parser either refuses the keyword or lists its signatures."""
    import inspect
    if type(f).__name__ != "builtin_function_or_method":
        try:
            return "out" in inspect.signature(f).parameters
        except (TypeError, ValueError):
            return False
    dummies = (torch.zeros(2, 2), 0, [0], (torch.zeros(2, 2),), "sum")
    for k in range(0, 5):
        for args in itertools.product(dummies, repeat=k):
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    f(*args, out=torch.empty(0))
            except TypeError as e:
                m = str(e)
                if "unexpected keyword argument 'out'" in m:
                    return False
                if "argument 'out' must be" in m:
                    return True
                if "but expected" in m:
                    return bool(re.search(r"\*,.*\bout\b", m.split("but expected", 1)[1]))
                continue
            except Exception:                # noqa: BLE001  (the parser took out=)
                return True
            return True
    return False


def _public(mod, cmod, prefix):
    for n in dir(mod):
        f = getattr(mod, n)
        if n.startswith("_") or n.endswith("_") or not callable(f) or isinstance(f, type):
            continue
        if hasattr(cmod, n):
            yield prefix + n, f, getattr(cmod, n)


def test_every_counterpart_of_a_torch_out_function_takes_out():
    import inspect
    missing, stale, beyond = [], [], []
    table = {k.split("/")[0] for k in OUT_CASES}
    found = set()
    for mod, cmod, prefix in ((torch, cr, ""), (torch.linalg, cr.linalg, "linalg."),
                              (torch.special, cr.special, "special.")):
        for name, f, g in _public(mod, cmod, prefix):
            try:
                takes = "out" in inspect.signature(g).parameters
            except (TypeError, ValueError):
                takes = False
            # (a function the table runs with out= in torch takes it, whatever the probe says)
            if name not in table and not _torch_takes_out(f):
                if takes and name not in OUT_BEYOND_TORCH:
                    beyond.append(name)
                continue
            found.add(name)
            if not takes and name not in NOT_TAKING_OUT:
                missing.append(name)
            if takes and name in NOT_TAKING_OUT:
                stale.append(name)
    assert len(found) > 250                   # the walk itself works
    assert missing == [] and stale == [] and beyond == []
    # ...and the table above runs each of them (or a form of it).
    assert found - table - set(NOT_TAKING_OUT) - set(COMPLEX_OUT) - set(REMOVED_IN_TORCH) == set()


@pytest.mark.parametrize("name", sorted(REMOVED_IN_TORCH))
def test_removed_functions_refuse_out_as_torch(name):
    got = []
    for L in (torch, cr):
        sq = L.tensor([[2.0, 1.0], [1.0, 3.0]])
        args = (sq,) if name in ("symeig", "matrix_rank") else (sq, sq)
        outs = L.empty(0) if name == "matrix_rank" else (L.empty(0), L.empty(0))
        got.append(_outcome(lambda: getattr(L, name)(*args, out=outs)))
    assert got[0] == got[1] and got[0][0] == "RuntimeError"


@pytest.mark.parametrize("call", [
    lambda L, o: L.sum(L.tensor([[0.6, 1.7], [2.2, -0.9]]), 0, out=o),
    lambda L, o: L.prod(L.tensor([[0.6, 1.7], [2.2, -0.9]]), 1, out=o),
    lambda L, o: L.cumsum(L.tensor([0.6, 1.7, 2.2]), 0, out=o),
    lambda L, o: L.sum(L.tensor([[0.6, 1.7]]), 0, dtype=L.float64, out=o),
    lambda L, o: L.mean(L.tensor([[0.6, 1.7]]), 0, dtype=L.float64, out=o),
    lambda L, o: L.cumprod(L.tensor([0.6, 1.7]), 0, dtype=L.float64, out=o),
])
@pytest.mark.parametrize("dtype", ["int64", "float32", "float64"])
def test_reductions_compute_in_outs_dtype(call, dtype):
    """sum, prod, cumsum... with out= cast the input to out's dtype first (the
    float sums above truncate to [2, 1] in int64); a dtype= given must be out's."""
    t = _outcome(lambda: call(torch, torch.empty(0, dtype=getattr(torch, dtype))))
    c = _outcome(lambda: call(cr, cr.empty(0, dtype=getattr(cr, dtype))))
    assert c[0] == t[0]
    if t[0] == "ok":
        _same(c[1], t[1], False)
    else:
        assert c == t


@pytest.mark.parametrize("call,name", [
    (lambda L, d, o: L.add(d, 1, out=o), "add"), (lambda L, d, o: L.sin(d, out=o), "sin"),
    (lambda L, d, o: L.sum(d, 0, out=o), "sum"),
    (lambda L, d, o: L.mm(d.view(1, 3), d.view(3, 1), out=o), "mm"),
])
def test_out_refuses_forward_ad(call, name):
    message = (f"Trying to use forward AD with {name}_out that does not support it because it is "
               "an out= function")
    for L in (torch, cr):
        fw = L.autograd.forward_ad
        with fw.dual_level():
            d = fw.make_dual(L.ones(3), L.ones(3))
            with pytest.raises(NotImplementedError, match="^" + re.escape(message) + "$"):
                call(L, d, L.empty(0))
            out = fw.make_dual(L.zeros(0), L.zeros(0))          # a tangent on out
            with pytest.raises(NotImplementedError):
                call(L, L.ones(3), out)
            plain = L.empty(0)                   # no tangent anywhere: it works
            assert call(L, L.ones(3), plain) is plain


# Functions with complex results, whose out= the table above (real sample
# values) does not run: their own cases here, side by side with torch.
COMPLEX_OUT = {
    "complex": ("x, y", "complex64"), "polar": ("pos, x", "complex64"),
    "angle": ("x", "float32"), "conj_physical": ("x", "float32"),
    "linalg.eigvals": ("sq", "complex64"), "linalg.eig": ("sq", None),
}


@pytest.mark.parametrize("name", sorted(COMPLEX_OUT))
def test_out_of_complex_functions_matches_torch(name):
    import chainrule as cr
    args, dtype = COMPLEX_OUT[name]
    got = []
    for L in (cr, torch):
        fn = L
        for part in name.split("."):
            fn = getattr(fn, part)
        env = _env(L)
        values = eval(f"({args},)", {}, env)        # noqa: S307 - the table's own argument text
        if dtype is None:                           # eig: a (values, vectors) pair
            outs = (L.empty(0, dtype=L.complex64), L.empty(0, dtype=L.complex64))
            r = fn(*values, out=outs)
            assert r[0] is outs[0] and r[1] is outs[1]
            got.append(np.sort_complex(np.asarray(r[0].tolist())))
        else:
            o = L.empty(0, dtype=getattr(L, dtype))
            r = fn(*values, out=o)
            assert r is o
            got.append(np.asarray(r.tolist()))
    np.testing.assert_allclose(got[0], got[1], rtol=1e-6, atol=1e-7)


def test_out_of_a_complex_function_refuses_autograd_as_torch():
    import chainrule as cr
    for L in (cr, torch):
        x = L.tensor([1.0, -2.0], requires_grad=True)
        with pytest.raises(RuntimeError, match="don't support automatic differentiation"):
            L.polar(x.abs(), x, out=L.empty(2, dtype=L.complex64))


def test_torch_lu_writes_into_out_as_torch():
    """torch.lu had an out= parameter that it ignored; it writes into the pair now."""
    import warnings
    import chainrule as cr
    got = []
    for L in (cr, torch):
        A = L.tensor([[2.0, 1.0], [1.0, 3.0]])
        o = (L.empty(0), L.empty(0, dtype=L.int32))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            r = L.lu(A, out=o)
        assert r[0] is o[0] and r[1] is o[1]
        got.append((o[0].tolist(), o[1].tolist(), str(o[1].dtype)))
    assert got[0] == got[1]


def test_exact_dtype_message_names_complex_dtypes_as_torch():
    """The exact-dtype kernels' message names complex dtypes in C++ as torch
    does (the table of C++ names once lacked them: a KeyError)."""
    import chainrule as cr
    got = []
    for L in (cr, torch):
        a = L.ones(2, 2, dtype=L.complex64)
        with pytest.raises(RuntimeError) as e:
            L.mm(a, a, out=L.empty(2, 2))
        got.append(str(e.value).splitlines()[0])
    assert got[0] == got[1]


_TUPLE_KEYS = sorted(k for k in LINALG_CASES if isinstance(_call(torch, k), tuple))
# (function, part, out dtype) where torch fails by its own bug, with what it does
TUPLE_DTYPE_DIFFERS = {
    ("linalg.lstsq", 3, d): "torch 2.13: INTERNAL ASSERT FAILED (singular_values.scalar_type() "
                            "== real_dtype); chainrule casts, as for solution"
    for d in ("float64", "float16")}


@pytest.mark.parametrize("key", _TUPLE_KEYS)
def test_tuple_out_dtype_rules_match_torch(key):
    """Each part of a tuple out in another dtype, one at a time: torch's
    demand for the exact dtype, or its cast with the kernel's refusal
    (geqrf, linalg.lstsq), side by side."""
    _skip_on_strict(key)
    expected = _call(torch, key)
    names = [str(t.dtype).split(".")[1] for t in expected]
    for j, own in enumerate(names):
        for other in _OTHER.get(own, ["float32"]):
            if (key, j, other) in TUPLE_DTYPE_DIFFERS:
                continue

            def outs(L):
                return tuple(L.empty(0, dtype=getattr(L, other if k == j else d))
                             for k, d in enumerate(names))
            t = _outcome(lambda: _call(torch, key, out=outs(torch)))
            c = _outcome(lambda: _call(cr, key, out=outs(cr)))
            assert c[0] == t[0], (j, other, c, t)
            if t[0] == "ok":
                for a, b in zip(c[1], t[1]):
                    _same(a, b, False)
            else:
                assert c == t, (j, other)


def _grad_env(L):
    return {n: (v.clone().requires_grad_() if v.is_floating_point() else v)
            for n, v in _env(L).items()}


@pytest.mark.parametrize("key", sorted(LINALG_CASES))
def test_out_with_inputs_that_require_grad_matches_torch(key):
    """Float sample inputs that require grad: torch's refusal naming its
    kernel (linalg_lu_solve, _linalg_svd, igamma...), or, for its
    composites (linalg.norm, nuclear_norm), a copy autograd records."""
    _skip_on_strict(key)
    got = []
    for L in (torch, cr):
        expected = _call(L, key)
        outs = _empty_like_result(L, expected)
        args, kwargs = eval(f"(lambda *a, **k: (a, k))({OUT_CASES[key]})", {}, _grad_env(L))

        def run():
            r = _fn(L, key)(*args, **kwargs, out=outs)
            first = r[0] if isinstance(r, tuple) else r
            return first.requires_grad, type(first.grad_fn).__name__
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            got.append(_outcome(run))
    assert got[1] == got[0]


@pytest.mark.parametrize("call", [
    lambda L, m, o: L.linalg.norm(m, out=o), lambda L, m, o: L.linalg.norm(m, "nuc", out=o),
    lambda L, m, o: L.linalg.matrix_norm(m, 2, out=o),
    lambda L, m, o: L.linalg.matrix_norm(m, -1, out=o),
    lambda L, m, o: L.nuclear_norm(m, out=o),
])
def test_composite_norms_out_is_a_differentiable_copy(call):
    """torch's linalg.norm, linalg.matrix_norm and nuclear_norm are composites:
    out= resizes out and copies into it (CopyBackwards), gradients flow."""
    got = []
    for L in (torch, cr):
        m = L.tensor([[1.0, 2.0, 0.5], [3.0, -1.0, 4.0]], dtype=L.float64, requires_grad=True)
        o = L.empty(0, dtype=L.float64)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            r = call(L, m, o)
        assert r is o and o._version == 1
        (o * 3).backward()
        got.append((type(o.grad_fn).__name__, o.item(), m.grad.tolist()))
        with pytest.raises(RuntimeError, match="^a leaf Variable that requires grad is being used"):
            call(L, m, L.zeros(0, dtype=L.float64, requires_grad=True))
    assert got[0][0] == got[1][0] == "CopyBackwards"
    np.testing.assert_allclose(got[1][1], got[0][1], rtol=1e-12)
    np.testing.assert_allclose(got[1][2], got[0][2], rtol=1e-10, atol=1e-12)
