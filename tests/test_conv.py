"""Convolutions and pooling beyond the op table: grids of options against
torch (values and the gradients of every input), integer dtypes, NaN and
-inf windows, non-contiguous inputs, the double-backward graph, and misuse
(PyTorch's exception types and messages)."""
import itertools
import warnings

import numpy as np
import pytest

import chainrule as cr
import chainrule.nn.functional as F

torch = pytest.importorskip("torch")
TF = torch.nn.functional

from test_misuse import _check  # noqa: E402  (the side-by-side comparison of outcomes)

RNG = np.random.default_rng(0)


def _run(lib, fn, arrays, kwargs, v_seed=1):
    """fn's output and the gradients of <output, v> for every input (float64)."""
    xs = [lib.tensor(a, requires_grad=True) for a in arrays]
    f = getattr(lib.nn.functional, fn)
    out = f(*xs, **kwargs)
    y = out[0] if isinstance(out, tuple) else out
    v = np.random.default_rng(v_seed).standard_normal(tuple(y.shape))
    grads = lib.autograd.grad(y, xs, lib.tensor(v))
    extra = out[1] if isinstance(out, tuple) else None
    return y, grads, extra


def _np(t):
    return t.detach().numpy()


def _same(fn, arrays, kwargs, tol=1e-10):
    y, g, e = _run(cr, fn, arrays, kwargs)
    ty, tg, te = _run(torch, fn, arrays, kwargs)
    assert tuple(y.shape) == tuple(ty.shape)
    assert type(y.grad_fn).__name__ == type(ty.grad_fn).__name__
    np.testing.assert_allclose(_np(y), _np(ty), rtol=tol, atol=tol)
    for a, b in zip(g, tg):
        np.testing.assert_allclose(_np(a), _np(b), rtol=tol, atol=tol)
    if te is not None:
        np.testing.assert_array_equal(_np(e), _np(te))


# --- option grids against torch -------------------------------------------------------------------
# (bias varies with the dilation: every other option meets both)
CONV2D = [c + (c[2] == 1,) for c in itertools.product((1, 2), (0, 1, "same", (2, 0)), (1, 2), (1, 2))]


@pytest.mark.parametrize("stride, padding, dilation, groups, bias", CONV2D)
def test_conv2d_options(stride, padding, dilation, groups, bias):
    if padding == "same" and stride != 1:
        pytest.skip("torch refuses 'same' with a stride (checked in misuse)")
    arrays = [RNG.standard_normal((2, 4, 6, 5)), RNG.standard_normal((4, 4 // groups, 3, 2))]
    if bias:
        arrays.append(RNG.standard_normal(4))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")       # 'same' with an even kernel warns in both
        _same("conv2d", arrays, dict(stride=stride, padding=padding, dilation=dilation,
                                     groups=groups))


CONV1D = [c + (c[2] == 2,) for c in itertools.product((1, 3), (0, 2, "same", "valid"), (1, 2), (1, 3))]


@pytest.mark.parametrize("stride, padding, dilation, groups, bias", CONV1D)
def test_conv1d_options(stride, padding, dilation, groups, bias):
    if padding == "same" and stride != 1:
        pytest.skip("torch refuses 'same' with a stride")
    arrays = [RNG.standard_normal((2, 3, 9)), RNG.standard_normal((6, 3 // groups, 3))]
    if bias:
        arrays.append(RNG.standard_normal(6))
    _same("conv1d", arrays, dict(stride=stride, padding=padding, dilation=dilation,
                                 groups=groups))


@pytest.mark.parametrize("c_in, c_out, padding, dilation", [(1, 8, 1, 1), (8, 1, 1, 2), (2, 2, 3, 1),
                                                          (3, 12, 0, 2), (3, 13, 0, 1)])
def test_conv2d_input_grad_routes(c_in, c_out, padding, dilation):
    """Both routes of the input gradient (correlation, col2im) at stride 1."""
    arrays = [RNG.standard_normal((2, c_in, 5, 6)), RNG.standard_normal((c_out, c_in, 3, 2))]
    _same("conv2d", arrays, dict(padding=padding, dilation=dilation))


# (padding varies with stride and dilation, bias with groups: each meets the others)
CONVT = [(s, (s + d) % 2, op, d, g, g == 1)
         for s, op, d, g in itertools.product((1, 2, 3), (0, 1, 2), (1, 2), (1, 2))
         if op < max(s, d)]          # output_padding < stride or dilation


@pytest.mark.parametrize("stride, padding, output_padding, dilation, groups, bias", CONVT)
def test_conv_transpose2d_options(stride, padding, output_padding, dilation, groups, bias):
    arrays = [RNG.standard_normal((2, 4, 3, 4)), RNG.standard_normal((4, 3, 2, 3))]
    if bias:
        arrays.append(RNG.standard_normal(3 * groups))
    _same("conv_transpose2d", arrays, dict(stride=stride, padding=padding,
                                           output_padding=output_padding, dilation=dilation,
                                           groups=groups))


@pytest.mark.parametrize("stride, padding, output_padding, dilation",
                         [(1, 0, 0, 1), (2, 1, 1, 1), (3, 2, 2, 2), (1, 1, 1, 2)])
def test_conv_transpose1d_options(stride, padding, output_padding, dilation):
    arrays = [RNG.standard_normal((2, 2, 5)), RNG.standard_normal((2, 3, 3)),
              RNG.standard_normal(3)]
    _same("conv_transpose1d", arrays, dict(stride=stride, padding=padding,
                                           output_padding=output_padding, dilation=dilation))


MAXPOOL = list(itertools.product((2, (3, 2)), (None, 1), (0, 1), (1, 2), (False, True)))


@pytest.mark.parametrize("kernel, stride, padding, dilation, ceil_mode", MAXPOOL)
def test_max_pool2d_options(kernel, stride, padding, dilation, ceil_mode):
    # Distinct values (a permutation): no ties, so the indices are unique.
    x = RNG.permutation(2 * 3 * 7 * 6).reshape(2, 3, 7, 6) / 10.0
    _same("max_pool2d", [x], dict(kernel_size=kernel, stride=stride, padding=padding,
                                  dilation=dilation, ceil_mode=ceil_mode, return_indices=True))


@pytest.mark.parametrize("kernel, stride, padding, dilation, ceil_mode", MAXPOOL)
@pytest.mark.parametrize("dtype", ("float32", "int64"))
def test_max_pool2d_ties(kernel, stride, padding, dilation, ceil_mode, dtype):
    # Few distinct values: most windows hold their maximum more than once, and
    # the index must be the first one in PyTorch's scan order.
    x = RNG.integers(0, 3, (2, 3, 7, 6)).astype(dtype)
    kw = dict(kernel_size=kernel, stride=stride, padding=padding, dilation=dilation,
              ceil_mode=ceil_mode, return_indices=True)
    a, ai = F.max_pool2d(cr.tensor(x), **kw)
    b, bi = TF.max_pool2d(torch.tensor(x), **kw)
    assert str(a.dtype) == str(b.dtype)
    np.testing.assert_array_equal(a.numpy(), b.numpy())
    np.testing.assert_array_equal(ai.numpy(), bi.numpy())


@pytest.mark.parametrize("kernel, stride, padding, dilation, ceil_mode", MAXPOOL)
def test_max_pool2d_without_indices_ties_and_nan(kernel, stride, padding, dilation, ceil_mode):
    # Without return_indices the index is kept over all planes at once (pool.py's
    # _flat ops): ties and NaN windows, the gradient (to the first maximum) and
    # the gradient of the gradient, against torch, unbatched and batched.
    kw = dict(kernel_size=kernel, stride=stride, padding=padding, dilation=dilation,
              ceil_mode=ceil_mode)
    for shape in ((2, 3, 7, 6), (3, 7, 6)):
        x = RNG.integers(0, 3, shape).astype(float)
        x.flat[::7] = np.nan
        results = []
        for lib in (cr, torch):
            xs = lib.tensor(x, requires_grad=True)
            y = lib.nn.functional.max_pool2d(xs, **kw)
            v = lib.tensor(np.random.default_rng(1).standard_normal(tuple(y.shape)),
                           requires_grad=True)
            gx, = lib.autograd.grad(y, xs, v, create_graph=True)
            w = lib.tensor(np.random.default_rng(2).standard_normal(shape))
            gv, = lib.autograd.grad((gx * w).sum(), v)
            results.append((type(y.grad_fn).__name__, type(gx.grad_fn).__name__,
                            _np(y), _np(gx), _np(gv)))
        mine, ref = results
        assert mine[:2] == ref[:2]
        for a, b in zip(mine[2:], ref[2:]):
            np.testing.assert_array_equal(a, b)


# The separable scan over the planes end to end (pool.py's
# _max_pool_index_shifted: no padding, every window inside, no NaN): offsets
# past 255 (uint16) and past 65535 (int64), three-row kernels, dilations and
# strides apart from the kernel, integer dtypes at their extremes, windows of
# -inf only, and an input that is a transposed view.
SHIFTED = [((2, 3, 7, 6), 2, None, 1), ((2, 3, 7, 6), (3, 2), 1, 2), ((1, 2, 9, 7), 3, 2, (2, 1)),
           ((2, 2, 5, 130), (2, 3), (1, 2), (2, 1)), ((1, 1, 3, 40000), (2, 1), 1, (2, 1)),
           ((2, 3, 1, 9), (1, 3), 2, 1)]


@pytest.mark.parametrize("shape, kernel, stride, dilation", SHIFTED)
@pytest.mark.parametrize("dtype", ("float32", "float64", "int8", "uint8", "int64"))
def test_max_pool2d_shifted_scan(shape, kernel, stride, dilation, dtype):
    info = np.finfo(dtype) if dtype.startswith("float") else np.iinfo(dtype)
    x = RNG.integers(0, 3, shape).astype(dtype)
    x[x == 0] = info.min                        # ties at the type's smallest value
    if dtype.startswith("float"):
        x[..., :2, :3] = -np.inf                # a corner of windows of -inf only
    kw = dict(kernel_size=kernel, stride=stride, dilation=dilation, return_indices=True)
    for arr in (x, np.swapaxes(x, 0, 1)):
        a, ai = F.max_pool2d(cr.tensor(arr), **kw)
        b, bi = TF.max_pool2d(torch.tensor(arr), **kw)
        assert str(a.dtype) == str(b.dtype)
        np.testing.assert_array_equal(a.numpy(), b.numpy())
        np.testing.assert_array_equal(ai.numpy(), bi.numpy())
        # without indices: the index over all planes at once, and its gradient
        if dtype.startswith("float"):
            xs = [lib.tensor(arr, requires_grad=True) for lib in (cr, torch)]
            ys = [lib.nn.functional.max_pool2d(t, kernel, stride, dilation=dilation)
                  for lib, t in zip((cr, torch), xs)]
            np.testing.assert_array_equal(_np(ys[0]), _np(ys[1]))
            for t, y in zip(xs, ys):
                y.backward(y.detach() * 0 + 1)
            np.testing.assert_array_equal(_np(xs[0].grad), _np(xs[1].grad))


# (the divisor override goes with count_include_pad=False: both meet every other option)
AVGPOOL = [c + (None if c[4] else 4,) for c in
           itertools.product((2, (3, 2)), (None, 2), (0, 1), (False, True), (False, True))]


@pytest.mark.parametrize("kernel, stride, padding, ceil_mode, count_include_pad, divisor",
                         AVGPOOL)
def test_avg_pool2d_options(kernel, stride, padding, ceil_mode, count_include_pad, divisor):
    _same("avg_pool2d", [RNG.standard_normal((2, 2, 7, 6))],
          dict(kernel_size=kernel, stride=stride, padding=padding, ceil_mode=ceil_mode,
               count_include_pad=count_include_pad, divisor_override=divisor))


@pytest.mark.parametrize("kernel, stride, padding, dilation, ceil_mode",
                         [(2, None, 0, 1, False), (3, 2, 1, 1, True), (2, 1, 1, 2, False)])
def test_pool1d_options(kernel, stride, padding, dilation, ceil_mode):
    x = RNG.permutation(2 * 3 * 8).reshape(2, 3, 8) / 10.0
    _same("max_pool1d", [x], dict(kernel_size=kernel, stride=stride, padding=padding,
                                  dilation=dilation, ceil_mode=ceil_mode, return_indices=True))
    _same("avg_pool1d", [x], dict(kernel_size=kernel, stride=stride, padding=padding,
                                  ceil_mode=ceil_mode, count_include_pad=dilation == 1))


@pytest.mark.parametrize("shape, out", [((2, 3, 7, 5), (3, 2)), ((3, 4, 4), (4, 4)),
                                        ((1, 2, 5, 5), (7, 3)), ((1, 1, 6, 9), (None, 4)),
                                        ((2, 2, 3, 3), 1), ((2, 2, 3, 3), 0)])
def test_adaptive_avg_pool2d_sizes(shape, out):
    x = RNG.standard_normal(shape)
    if out == 0:        # an empty output: values only
        assert tuple(F.adaptive_avg_pool2d(cr.tensor(x), 0).shape) == \
            tuple(TF.adaptive_avg_pool2d(torch.tensor(x), 0).shape)
        return
    _same("adaptive_avg_pool2d", [x], dict(output_size=out))


@pytest.mark.parametrize("shape, out", [((2, 3, 7, 5), (3, 2)), ((3, 4, 4), (4, 4)),
                                        ((1, 2, 5, 5), (7, 3)), ((1, 1, 6, 9), (None, 4)),
                                        ((2, 2, 3, 3), 1), ((1, 1, 10, 3), (3, 2))])
def test_adaptive_max_pool2d_sizes(shape, out):
    x = RNG.permutation(int(np.prod(shape))).reshape(shape) / 10.0
    _same("adaptive_max_pool2d", [x], dict(output_size=out, return_indices=True))


def test_adaptive_max_pool_nan_and_1d():
    x = np.array([[[[np.nan, 1.0, np.nan], [2.0, np.nan, 0.0], [0.0, -np.inf, 5.0]]]])
    a, ai = F.adaptive_max_pool2d(cr.tensor(x), 2, return_indices=True)
    b, bi = TF.adaptive_max_pool2d(torch.tensor(x), 2, return_indices=True)
    np.testing.assert_array_equal(a.numpy(), b.numpy())
    np.testing.assert_array_equal(ai.numpy(), bi.numpy())
    x = RNG.permutation(42).reshape(2, 3, 7) / 10.0
    _same("adaptive_max_pool1d", [x], dict(output_size=3, return_indices=True))


@pytest.mark.parametrize("n, out", [(7, 3), (4, 4), (3, 5), (6, 1)])
def test_adaptive_avg_pool1d_sizes(n, out):
    _same("adaptive_avg_pool1d", [RNG.standard_normal((2, 3, n))], dict(output_size=out))


# --- layouts, dtypes, special values --------------------------------------------------------------
def test_non_contiguous_inputs():
    x = RNG.standard_normal((2, 5, 6, 3))
    w = RNG.standard_normal((3, 4, 2, 2))
    for lib in (cr, torch):
        xs = lib.tensor(x).permute(0, 3, 1, 2)             # (2, 3, 5, 6), not contiguous
        ws = lib.tensor(w).transpose(0, 1)                  # (4, 3, 2, 2)
        ys = lib.nn.functional.conv2d(xs[:, :, ::2], ws, stride=(1, 2), padding=1)
        zs = lib.nn.functional.max_pool2d(xs.transpose(2, 3), 2, 1)
        if lib is cr:
            y, z = ys.numpy(), zs.numpy()
        else:
            np.testing.assert_allclose(y, ys.numpy(), rtol=1e-12, atol=1e-12)
            np.testing.assert_allclose(z, zs.numpy(), rtol=0, atol=0)


def test_outputs_contiguous_and_float32():
    x = cr.randn(2, 3, 5, 5)
    w = cr.randn(4, 3, 3, 3)
    for y in (F.conv2d(x, w, padding=1), F.conv_transpose2d(x, w.transpose(0, 1)),
              F.max_pool2d(x, 2), F.avg_pool2d(x, 2), F.adaptive_avg_pool2d(x, 3)):
        assert y.dtype == cr.float32 and y.is_contiguous()


def test_integer_dtypes_match_torch():
    x = np.arange(-20, 30).reshape(1, 2, 5, 5)
    w = np.arange(-4, 14).reshape(2, 1, 3, 3)
    for f, args in ((lambda L, a: L.nn.functional.conv2d(a, L.tensor(w), groups=2, padding=1), ()),
                    (lambda L, a: L.nn.functional.max_pool2d(a, 3, 2, 1), ()),
                    (lambda L, a: L.nn.functional.avg_pool2d(a, 2, 1, 1), ()),
                    (lambda L, a: L.nn.functional.avg_pool2d(a, 3, 2, 1, True, False), ())):
        mine, ref = f(cr, cr.tensor(x)), f(torch, torch.tensor(x))
        assert str(mine.dtype) == str(ref.dtype)
        np.testing.assert_array_equal(mine.numpy(), ref.numpy())


def test_max_pool_nan_and_minus_inf_windows():
    nan, inf = float("nan"), float("inf")
    x = np.array([[[[nan, 1.0, nan, -inf], [2.0, nan, -inf, -inf], [0.0, 1.0, 5.0, -inf]]]])
    for kw in (dict(kernel_size=2), dict(kernel_size=2, stride=1, padding=1),
               dict(kernel_size=3, stride=2, padding=1, ceil_mode=True)):
        a, ai = F.max_pool2d(cr.tensor(x), return_indices=True, **kw)
        b, bi = TF.max_pool2d(torch.tensor(x), return_indices=True, **kw)
        np.testing.assert_array_equal(a.numpy(), b.numpy())
        np.testing.assert_array_equal(ai.numpy(), bi.numpy())


def test_double_backward_graph_names():
    x = RNG.standard_normal((1, 2, 4, 4))
    w = RNG.standard_normal((2, 2, 3, 3))
    names = []
    for lib in (cr, torch):
        xs, ws = lib.tensor(x, requires_grad=True), lib.tensor(w, requires_grad=True)
        gx, gw = lib.autograd.grad(lib.nn.functional.conv2d(xs, ws).sum(), (xs, ws),
                                   create_graph=True)
        names.append((type(gx.grad_fn).__name__, type(gw.grad_fn).__name__))
        # Third order exists (the formulas are recorded ops all the way).
        h = lib.autograd.grad((gx * gx).sum() + (gw * gw).sum(), (xs, ws), create_graph=True)
        names.append([float(t.detach().sum()) for t in h])
    assert names[0] == names[2]
    np.testing.assert_allclose(names[1], names[3], rtol=1e-10)


def test_same_padding_warning_as_torch():
    x, w = RNG.standard_normal((1, 1, 4, 4)), RNG.standard_normal((1, 1, 2, 2))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        F.conv2d(cr.tensor(x), cr.tensor(w), padding="same")
    assert [w.category for w in caught] == [UserWarning]
    assert str(caught[0].message).startswith("Using padding='same' with even kernel lengths")


def test_torch_namespace():
    for name in ("conv1d", "conv2d", "conv_transpose1d", "conv_transpose2d", "max_pool1d",
                 "max_pool2d", "avg_pool1d", "adaptive_avg_pool1d", "adaptive_max_pool1d",
                 "max_pool1d_with_indices"):
        assert hasattr(torch, name) and callable(getattr(cr, name)), name
    for name in ("avg_pool2d", "adaptive_avg_pool2d", "adaptive_max_pool2d"):
        assert not hasattr(torch, name) and not hasattr(cr, name), name
    x = RNG.standard_normal((2, 3, 7))
    for f in (lambda L: L.adaptive_max_pool1d(L.tensor(x), 3),
              lambda L: L.max_pool1d_with_indices(L.tensor(x), 2),
              lambda L: L.max_pool1d(L.tensor(x), 3, (), 1, 1, True),
              lambda L: L.max_pool2d(L.tensor(x), 2, (), 0, 1, False)):
        _check(f)
    _check(lambda L: L.max_pool2d(L.tensor(x), 2, return_indices=True))


# --- misuse: PyTorch's exception types and messages -------------------------------------------------
def _x(L, *shape):
    return L.tensor(np.arange(float(np.prod(shape))).reshape(shape) / 7.0)


MISUSE = {
    "conv_channels": lambda L: L.nn.functional.conv2d(_x(L, 2, 4, 5, 5), _x(L, 6, 2, 3, 3)),
    "conv_channels_groups3": lambda L: L.nn.functional.conv2d(_x(L, 2, 4, 5, 5), _x(L, 6, 2, 3, 3),
                                                              groups=3),
    "conv_rank": lambda L: L.nn.functional.conv2d(_x(L, 5, 5), _x(L, 6, 2, 3, 3)),
    "conv1d_rank": lambda L: L.nn.functional.conv1d(_x(L, 2, 4, 5, 5), _x(L, 6, 2, 3, 3)),
    "conv_kernel_too_big": lambda L: L.nn.functional.conv2d(_x(L, 2, 4, 5, 5), _x(L, 6, 2, 7, 7),
                                                            groups=2),
    "conv_dilated_kernel_too_big": lambda L: L.nn.functional.conv2d(
        _x(L, 1, 1, 5, 5), _x(L, 1, 1, 3, 3), dilation=3),
    "conv_empty_spatial": lambda L: L.nn.functional.conv2d(_x(L, 2, 4, 0, 5), _x(L, 6, 2, 3, 3),
                                                           groups=2),
    "conv_same_strided": lambda L: L.nn.functional.conv2d(_x(L, 2, 4, 5, 5), _x(L, 6, 2, 3, 3),
                                                          groups=2, stride=2, padding="same"),
    "conv_bad_padding_string": lambda L: L.nn.functional.conv2d(
        _x(L, 2, 4, 5, 5), _x(L, 6, 2, 3, 3), groups=2, padding="foo"),
    "conv_stride_zero": lambda L: L.nn.functional.conv2d(_x(L, 2, 4, 5, 5), _x(L, 6, 2, 3, 3),
                                                         groups=2, stride=0),
    "conv_negative_padding": lambda L: L.nn.functional.conv2d(
        _x(L, 2, 4, 5, 5), _x(L, 6, 2, 3, 3), groups=2, padding=-1),
    "conv_dilation_zero": lambda L: L.nn.functional.conv2d(_x(L, 2, 4, 5, 5), _x(L, 6, 2, 3, 3),
                                                           groups=2, dilation=0),
    "conv_dilation_zero_float32": lambda L: L.nn.functional.conv2d(
        _x(L, 2, 4, 5, 5).float(), _x(L, 6, 2, 3, 3).float(), groups=2, dilation=(1, 0)),
    "conv_dilation_negative": lambda L: L.nn.functional.conv2d(
        _x(L, 2, 4, 5, 5), _x(L, 6, 2, 3, 3), groups=2, dilation=-1),
    "conv_groups_before_dilation": lambda L: L.nn.functional.conv2d(
        _x(L, 2, 4, 5, 5), _x(L, 6, 2, 3, 3), groups=0, dilation=0),
    "conv_channels_before_dilation": lambda L: L.nn.functional.conv2d(
        _x(L, 2, 4, 5, 5), _x(L, 6, 2, 3, 3), groups=3, dilation=0),
    "conv_padding_before_stride": lambda L: L.nn.functional.conv2d(
        _x(L, 2, 4, 5, 5), _x(L, 6, 2, 3, 3), groups=2, padding=-1, stride=0),
    "conv_groups_zero": lambda L: L.nn.functional.conv2d(_x(L, 2, 4, 5, 5), _x(L, 6, 2, 3, 3),
                                                         groups=0),
    "conv_groups_indivisible": lambda L: L.nn.functional.conv2d(
        _x(L, 2, 4, 5, 5), _x(L, 5, 2, 3, 3), groups=2),
    "conv_bias_size": lambda L: L.nn.functional.conv2d(_x(L, 2, 4, 5, 5), _x(L, 6, 2, 3, 3),
                                                       _x(L, 5), groups=2),
    "conv_weight_rank": lambda L: L.nn.functional.conv2d(_x(L, 2, 4, 5, 5), _x(L, 6, 2, 3),
                                                         groups=2),
    "conv_stride_length": lambda L: L.nn.functional.conv2d(_x(L, 2, 4, 5, 5), _x(L, 6, 2, 3, 3),
                                                           groups=2, stride=(1, 1, 1)),
    "conv_weight_dtype": lambda L: L.nn.functional.conv2d(_x(L, 2, 4, 5, 5).float(),
                                                          _x(L, 6, 2, 3, 3), groups=2),
    "conv_input_dtype": lambda L: L.nn.functional.conv2d(_x(L, 2, 4, 5, 5),
                                                         _x(L, 6, 2, 3, 3).float(), groups=2),
    "conv_bias_dtype": lambda L: L.nn.functional.conv2d(_x(L, 2, 4, 5, 5), _x(L, 6, 2, 3, 3),
                                                        _x(L, 6).float(), groups=2),
    "conv_short_padding_tuple": lambda L: L.nn.functional.conv2d(
        _x(L, 2, 4, 5, 5), _x(L, 6, 2, 3, 3), groups=2, padding=(1,)).shape,
    "conv_empty_batch": lambda L: L.nn.functional.conv2d(_x(L, 0, 4, 5, 5), _x(L, 6, 2, 3, 3),
                                                         groups=2),
    "convt_output_padding": lambda L: L.nn.functional.conv_transpose2d(
        _x(L, 2, 4, 5, 5), _x(L, 4, 3, 3, 3), output_padding=1),
    "convt_output_padding_strided": lambda L: L.nn.functional.conv_transpose2d(
        _x(L, 2, 4, 5, 5), _x(L, 4, 3, 3, 3), stride=2, output_padding=2),
    "convt_padding_string": lambda L: L.nn.functional.conv_transpose2d(
        _x(L, 2, 4, 5, 5), _x(L, 4, 3, 3, 3), padding="same"),
    "convt_channels": lambda L: L.nn.functional.conv_transpose2d(_x(L, 2, 4, 5, 5),
                                                                 _x(L, 3, 3, 3, 3)),
    "convt_groups": lambda L: L.nn.functional.conv_transpose2d(_x(L, 2, 4, 5, 5),
                                                               _x(L, 4, 3, 3, 3), groups=3),
    "convt_bias_size": lambda L: L.nn.functional.conv_transpose2d(
        _x(L, 2, 4, 5, 5), _x(L, 4, 3, 3, 3), _x(L, 4), groups=2),
    "convt_big_padding": lambda L: L.nn.functional.conv_transpose2d(
        _x(L, 2, 4, 5, 5), _x(L, 4, 3, 3, 3), padding=3).shape,
    "maxpool_pad_too_big": lambda L: L.nn.functional.max_pool2d(_x(L, 2, 4, 5, 5), 3, padding=2),
    "maxpool_pad_over_undilated_half": lambda L: L.nn.functional.max_pool2d(
        _x(L, 1, 2, 3, 3), (1, 3), 1, (0, 2), (1, 2)),
    "maxpool_pad_over_half_small_input": lambda L: L.nn.functional.max_pool2d(
        _x(L, 1, 2, 2, 2), 3, 1, 2, 2),
    "maxpool_output_too_small": lambda L: L.nn.functional.max_pool2d(_x(L, 2, 4, 5, 5), 7),
    "maxpool_kernel_zero": lambda L: L.nn.functional.max_pool2d(_x(L, 2, 4, 5, 5), 0),
    "maxpool_stride_zero": lambda L: L.nn.functional.max_pool2d(_x(L, 2, 4, 5, 5), 2, stride=0),
    "maxpool_rank": lambda L: L.nn.functional.max_pool2d(_x(L, 5, 5), 2),
    "maxpool_dilation_zero": lambda L: L.nn.functional.max_pool2d(_x(L, 2, 4, 5, 5), 2,
                                                                  dilation=0),
    "maxpool_kernel_tuple": lambda L: L.nn.functional.max_pool2d(_x(L, 2, 4, 5, 5), (2, 2, 2)),
    "maxpool_negative_pad": lambda L: L.nn.functional.max_pool2d(_x(L, 2, 4, 5, 5), 2,
                                                                 padding=-1),
    "maxpool_empty_channels": lambda L: L.nn.functional.max_pool2d(_x(L, 2, 0, 4, 4), 2),
    "maxpool_empty_batch": lambda L: L.nn.functional.max_pool2d(_x(L, 0, 2, 4, 4), 2),
    "maxpool_bool": lambda L: L.nn.functional.max_pool2d(_x(L, 1, 2, 4, 4) > 1, 2),
    "maxpool1d_rank": lambda L: L.nn.functional.max_pool1d(_x(L, 2, 4, 5, 5), 2),
    "maxpool1d_unbatched": lambda L: L.nn.functional.max_pool1d(_x(L, 5, 4), 2),
    "maxpool1d_output_too_small": lambda L: L.nn.functional.max_pool1d(_x(L, 3, 5, 7), 9),
    "maxpool1d_indices_too_small": lambda L: L.nn.functional.max_pool1d(
        _x(L, 3, 5, 7), 9, return_indices=True),
    "maxpool1d_stride_zero": lambda L: L.nn.functional.max_pool1d(_x(L, 3, 5, 7), 2, stride=0),
    "maxpool1d_kernel_zero": lambda L: L.nn.functional.max_pool1d(_x(L, 3, 5, 7), 0),
    "maxpool1d_pad_too_big": lambda L: L.nn.functional.max_pool1d(_x(L, 3, 5, 7), 2, padding=2),
    "maxpool1d_indices_pad_too_big": lambda L: L.nn.functional.max_pool1d(
        _x(L, 3, 5, 7), 2, padding=2, return_indices=True),
    "maxpool1d_negative_pad": lambda L: L.nn.functional.max_pool1d(_x(L, 3, 5, 7), 2, padding=-1),
    "maxpool1d_dilation_zero": lambda L: L.nn.functional.max_pool1d(_x(L, 3, 5, 7), 2, dilation=0),
    "maxpool1d_kernel_pair": lambda L: L.nn.functional.max_pool1d(_x(L, 3, 5, 7), (2, 2)),
    "maxpool1d_stride_pair": lambda L: L.nn.functional.max_pool1d(_x(L, 3, 5, 7), 2, stride=(1, 1)),
    "maxpool1d_padding_pair": lambda L: L.nn.functional.max_pool1d(_x(L, 3, 5, 7), 2,
                                                                   padding=(1, 1)),
    "maxpool1d_dilation_pair": lambda L: L.nn.functional.max_pool1d(_x(L, 3, 5, 7), 2,
                                                                    dilation=(1, 1)),
    "maxpool1d_indices_kernel_pair": lambda L: L.nn.functional.max_pool1d(
        _x(L, 3, 5, 7), (2, 2), return_indices=True),
    "maxpool1d_empty_length": lambda L: L.nn.functional.max_pool1d(_x(L, 3, 0), 2),
    "maxpool1d_empty_batch": lambda L: L.nn.functional.max_pool1d(_x(L, 0, 3, 4), 2),
    "maxpool1d_bool": lambda L: L.nn.functional.max_pool1d(_x(L, 3, 4) > 1, 2),
    "maxpool2d_stride_triple": lambda L: L.nn.functional.max_pool2d(_x(L, 2, 3, 5, 7), 2,
                                                                    stride=(1, 1, 1)),
    "maxpool2d_padding_triple": lambda L: L.nn.functional.max_pool2d(_x(L, 2, 3, 5, 7), 2,
                                                                     padding=(1, 1, 1)),
    "maxpool2d_empty_stride": lambda L: L.nn.functional.max_pool2d(_x(L, 2, 3, 5, 7), 2,
                                                                   stride=()).shape,
    "avgpool2d_kernel_triple": lambda L: L.nn.functional.avg_pool2d(_x(L, 2, 3, 5, 7), (2, 2, 2)),
    "avgpool1d_kernel_pair": lambda L: L.nn.functional.avg_pool1d(_x(L, 3, 5, 7), (2, 2)),
    "avgpool1d_stride_pair": lambda L: L.nn.functional.avg_pool1d(_x(L, 3, 5, 7), 2, stride=(1, 1)),
    "avgpool1d_padding_pair": lambda L: L.nn.functional.avg_pool1d(_x(L, 3, 5, 7), 2,
                                                                   padding=(1, 1)),
    "avgpool1d_kernel_zero": lambda L: L.nn.functional.avg_pool1d(_x(L, 3, 5, 7), 0),
    "avgpool1d_pad_too_big": lambda L: L.nn.functional.avg_pool1d(_x(L, 3, 5, 7), 2, padding=2),
    "adaptive1d_size_pair": lambda L: L.nn.functional.adaptive_avg_pool1d(_x(L, 3, 5, 7), (2, 3)),
    "adaptive1d_negative": lambda L: L.nn.functional.adaptive_avg_pool1d(_x(L, 3, 5, 7), -1),
    "adaptive_size_triple": lambda L: L.nn.functional.adaptive_avg_pool2d(_x(L, 2, 3, 5, 7),
                                                                          (2, 3, 4)),
    "avgpool_pad_too_big": lambda L: L.nn.functional.avg_pool2d(_x(L, 2, 4, 5, 5), 3, padding=2),
    "avgpool_output_too_small": lambda L: L.nn.functional.avg_pool2d(_x(L, 2, 4, 5, 5), 7),
    "avgpool_stride_zero": lambda L: L.nn.functional.avg_pool2d(_x(L, 2, 4, 5, 5), 2, stride=0),
    "avgpool_rank": lambda L: L.nn.functional.avg_pool2d(_x(L, 5, 5), 2),
    "avgpool_divisor_zero": lambda L: L.nn.functional.avg_pool2d(_x(L, 2, 4, 5, 5), 2,
                                                                 divisor_override=0),
    "avgpool1d_rank": lambda L: L.nn.functional.avg_pool1d(_x(L, 2, 4, 5, 5), 2),
    "avgpool1d_too_small": lambda L: L.nn.functional.avg_pool1d(_x(L, 5, 5), 9),
    "adaptive_size_length": lambda L: L.nn.functional.adaptive_avg_pool2d(_x(L, 2, 4, 5, 5), (2,)),
    "adaptive_rank": lambda L: L.nn.functional.adaptive_avg_pool2d(_x(L, 5, 5), 2),
    "adaptive_negative": lambda L: L.nn.functional.adaptive_avg_pool2d(_x(L, 2, 4, 5, 5), -1),
    "adaptive_empty_dim": lambda L: L.nn.functional.adaptive_avg_pool2d(_x(L, 2, 2, 0, 4), 2),
    "adaptive_long": lambda L: L.nn.functional.adaptive_avg_pool2d(_x(L, 1, 1, 4, 4).long(), 2),
    "adaptive_max_size_length": lambda L: L.nn.functional.adaptive_max_pool2d(_x(L, 2, 4, 5, 5),
                                                                              (2,)),
    "adaptive_max_rank": lambda L: L.nn.functional.adaptive_max_pool2d(_x(L, 5, 5), 2),
    "adaptive_max_negative": lambda L: L.nn.functional.adaptive_max_pool2d(_x(L, 2, 3, 5, 7), -1),
    "adaptive_max_zero": lambda L: L.nn.functional.adaptive_max_pool2d(_x(L, 2, 3, 5, 7), 0),
    "adaptive_max_empty_dim": lambda L: L.nn.functional.adaptive_max_pool2d(_x(L, 2, 0, 3, 4), 2),
    "adaptive_max_empty_batch": lambda L: L.nn.functional.adaptive_max_pool2d(
        _x(L, 0, 2, 3, 4), 2),
    "adaptive_max_long": lambda L: L.nn.functional.adaptive_max_pool2d(_x(L, 1, 1, 4, 4).long(), 2),
    "adaptive_max1d_rank": lambda L: L.nn.functional.adaptive_max_pool1d(_x(L, 2, 3, 5, 7), 2),
    "adaptive_max1d_size_pair": lambda L: L.nn.functional.adaptive_max_pool1d(_x(L, 3, 5, 7),
                                                                              (2, 3)),
    "adaptive1d_rank": lambda L: L.nn.functional.adaptive_avg_pool1d(_x(L, 2, 4, 5, 5), 2),
}


@pytest.mark.parametrize("name", sorted(MISUSE))
def test_misuse(name):
    _check(MISUSE[name])


# --- random geometries (hypothesis, bounded) ------------------------------------------------------
from hypothesis import HealthCheck, Phase, given, settings, strategies as st  # noqa: E402

_SETTINGS = settings(max_examples=30, deadline=None, database=None, derandomize=True,
                     phases=[Phase.explicit, Phase.generate, Phase.shrink],
                     suppress_health_check=[HealthCheck.too_slow])


@st.composite
def _conv_geometry(draw):
    groups = draw(st.integers(1, 3))
    c_in, c_out = groups * draw(st.integers(1, 2)), groups * draw(st.integers(1, 2))
    k = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    s = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    d = (draw(st.integers(1, 2)), draw(st.integers(1, 2)))
    p = (draw(st.integers(0, 2)), draw(st.integers(0, 2)))
    hw = [draw(st.integers(max(1, d[i] * (k[i] - 1) + 1 - 2 * p[i]), 7)) for i in range(2)]
    return dict(n=draw(st.integers(1, 2)), c_in=c_in, c_out=c_out, k=k, hw=hw,
                kw=dict(stride=s, padding=p, dilation=d, groups=groups))


@_SETTINGS
@given(_conv_geometry(), st.booleans(), st.integers(0, 2 ** 31 - 1))
@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_conv2d_random_geometry(geo, transposed, seed):
    rng = np.random.default_rng(seed)
    g = geo["kw"]["groups"]
    x = rng.standard_normal((geo["n"], geo["c_in"], *geo["hw"]))
    if not transposed:
        w = rng.standard_normal((geo["c_out"], geo["c_in"] // g, *geo["k"]))
        _same("conv2d", [x, w, rng.standard_normal(geo["c_out"])], geo["kw"])
        return
    kw = dict(geo["kw"])
    # the largest output_padding torch allows (below stride or dilation)
    kw["output_padding"] = tuple(max(s, d) - 1 for s, d in zip(kw["stride"], kw["dilation"]))
    w = rng.standard_normal((geo["c_in"], geo["c_out"] // g, *geo["k"]))
    out = [(n - 1) * s - 2 * p + d * (k - 1) + op + 1 for n, s, p, d, k, op in
           zip(geo["hw"], kw["stride"], kw["padding"], kw["dilation"], geo["k"],
               kw["output_padding"])]
    if min(out) < 1:
        return                       # torch refuses it (checked in misuse)
    _same("conv_transpose2d", [x, w, rng.standard_normal(geo["c_out"])], kw)


@st.composite
def _pool_geometry(draw):
    k = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    s = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    d = (draw(st.integers(1, 2)), draw(st.integers(1, 2)))
    p = tuple(draw(st.integers(0, k[i] // 2)) for i in range(2))
    hw = [draw(st.integers(max(1, d[i] * (k[i] - 1) + 1 - 2 * p[i]), 7)) for i in range(2)]
    return dict(shape=(draw(st.integers(1, 2)), 2, *hw), k=k, s=s, d=d, p=p,
                ceil=draw(st.booleans()))


@_SETTINGS
@given(_pool_geometry(), st.booleans(), st.booleans())
@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_pool2d_random_geometry(geo, include_pad, with_divisor):
    n = int(np.prod(geo["shape"]))
    x = RNG.permutation(n).reshape(geo["shape"]) / 10.0
    _same("max_pool2d", [x], dict(kernel_size=geo["k"], stride=geo["s"], padding=geo["p"],
                                  dilation=geo["d"], ceil_mode=geo["ceil"], return_indices=True))
    if all(p <= k // 2 for p, k in zip(geo["p"], geo["k"])):
        _same("avg_pool2d", [x], dict(kernel_size=geo["k"], stride=geo["s"], padding=geo["p"],
                                      ceil_mode=geo["ceil"], count_include_pad=include_pad,
                                      divisor_override=3 if with_divisor else None))


@pytest.mark.parametrize("dtype", ("float32", "float64"))
@pytest.mark.parametrize("kernel, stride, padding", [(2, 2, 0), (3, 1, 1), (3, 2, 1)])
def test_max_pool2d_take_and_put_against_torch(dtype, kernel, stride, padding):
    """max_pool2d's values (one take over all planes) and its gradient (an
    unbuffered add: overlapping windows share maxima) and the gradient's own
    gradient, in float32 and float64, against torch: exact for the values,
    the gradients to rounding (float32: windows that share a maximum add in
    some order)."""
    x = RNG.standard_normal((3, 5, 7, 6)).astype(dtype)
    v = RNG.standard_normal((3, 5) + tuple(TF.max_pool2d(torch.tensor(x), kernel, stride,
                                                         padding).shape[2:])).astype(dtype)
    u = RNG.standard_normal(x.shape).astype(dtype)
    outs = []
    for lib in (cr, torch):
        xt = lib.tensor(x, requires_grad=True)
        vt = lib.tensor(v, requires_grad=True)
        y = lib.nn.functional.max_pool2d(xt, kernel, stride, padding)
        (gx,) = lib.autograd.grad(y, xt, vt, create_graph=True)
        (gv,) = lib.autograd.grad(gx, vt, lib.tensor(u))
        outs.append([t.detach().numpy() for t in (y, gx, gv)])
    tol = 1e-6 if dtype == "float32" else 1e-12
    np.testing.assert_array_equal(outs[0][0], outs[1][0])
    for a, b in zip(outs[0][1:], outs[1][1:]):
        assert a.dtype == b.dtype == np.dtype(dtype)
        np.testing.assert_allclose(a, b, rtol=tol, atol=tol)


def test_max_pool2d_kept_buffers_by_kernel_shape():
    """Consecutive poolings whose window copies have as many elements but
    other kernel shapes ((3, 1) then (1, 3), kept buffers keyed by both) each
    agree with torch."""
    x = RNG.standard_normal((1, 3, 4, 3))
    for kernel in ((3, 1), (1, 3), (3, 1)):
        ours = F.max_pool2d(cr.tensor(x), kernel, 1).numpy()
        np.testing.assert_array_equal(ours, TF.max_pool2d(torch.tensor(x), kernel, 1).numpy())
