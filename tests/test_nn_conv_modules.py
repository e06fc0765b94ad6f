"""nn's conv and pooling layers against torch.nn with the same weights (copied
from the torch module through state_dict): forward values, grad_fn names,
input and parameter gradients (float64), reprs, state_dict keys and shapes,
the default initialisation's bounds, and the constructors' and forwards'
errors."""
import math

import numpy as np
import pytest

import chainrule as cr

torch = pytest.importorskip("torch")

from _nn_twin import copy_weights, outcome, same  # noqa: E402

TOL = dict(rtol=1e-11, atol=1e-12)
# Both libraries warn alike about padding="same" with an even kernel; not under test here.
pytestmark = pytest.mark.filterwarnings("ignore:Using padding='same' with even kernel")


def _np(t):
    return t.detach().numpy()


def _pair(make):
    m_t, m_cr = make(torch).double(), make(cr).double()
    copy_weights(m_t, m_cr)
    return m_cr, m_t


def _first(y):
    """The differentiable output (pooling with return_indices gives a pair)."""
    return y[0] if isinstance(y, tuple) else y


def _check(make, shape, seed=0, **call):
    """Forward values and dtype, grad_fn name, and the input's and every
    parameter's gradient for a random upstream gradient."""
    m_cr, m_t = _pair(make)
    a = np.random.default_rng(seed).standard_normal(shape)
    x_cr, x_t = cr.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)
    out_cr, out_t = m_cr(x_cr, **call), m_t(x_t, **call)
    if isinstance(out_t, tuple):      # return_indices: the same indices, as int64
        assert str(out_cr[1].dtype) == str(out_t[1].dtype)
        assert np.array_equal(out_cr[1].numpy(), out_t[1].numpy())
    y_cr, y_t = _first(out_cr), _first(out_t)
    assert tuple(y_cr.shape) == tuple(y_t.shape) and str(y_cr.dtype) == str(y_t.dtype)
    assert np.allclose(_np(y_cr), _np(y_t), **TOL)
    assert type(y_cr.grad_fn).__name__ == type(y_t.grad_fn).__name__
    g = np.random.default_rng(seed + 1).standard_normal(tuple(y_t.shape))
    y_cr.backward(cr.tensor(g))
    y_t.backward(torch.tensor(g))
    assert np.allclose(_np(x_cr.grad), _np(x_t.grad), **TOL)
    grads_t = dict(m_t.named_parameters())
    for n, p in m_cr.named_parameters():
        assert np.allclose(_np(p.grad), _np(grads_t[n].grad), **TOL), n
    return m_cr, m_t


CONV_CASES = [
    (lambda L: L.nn.Conv2d(1, 4, 3, padding=1), (2, 1, 6, 6)),
    (lambda L: L.nn.Conv2d(4, 6, (3, 2), stride=(2, 1), padding=(1, 0), dilation=(1, 2),
                           groups=2), (2, 4, 7, 8)),
    (lambda L: L.nn.Conv2d(2, 3, 3, padding="same", dilation=2, bias=False), (1, 2, 7, 6)),
    (lambda L: L.nn.Conv2d(2, 3, 4, padding="same"), (1, 2, 6, 5)),        # even kernel
    (lambda L: L.nn.Conv2d(2, 3, 3, padding="valid"), (1, 2, 5, 5)),
    (lambda L: L.nn.Conv2d(2, 3, 3), (2, 5, 6)),                            # unbatched
    (lambda L: L.nn.Conv1d(3, 4, 3, stride=2, padding=2), (2, 3, 9)),
    (lambda L: L.nn.Conv1d(4, 4, 2, groups=4, dilation=3), (4, 10)),         # unbatched
    (lambda L: L.nn.Conv1d(2, 3, 4, padding="same"), (2, 2, 7)),
    (lambda L: L.nn.Conv3d(2, 3, 2, padding=1), (2, 2, 3, 4, 3)),
    (lambda L: L.nn.Conv3d(4, 6, (2, 3, 1), stride=(2, 1, 1), padding=(1, 0, 1), dilation=(1, 1, 2),
                           groups=2), (1, 4, 4, 5, 4)),
    (lambda L: L.nn.Conv3d(2, 2, (2, 3, 2), padding="same", bias=False), (1, 2, 4, 3, 3)),
    (lambda L: L.nn.Conv3d(2, 3, 2, padding="valid"), (2, 3, 3, 4)),          # unbatched
]
MODE_CASES = [
    (lambda L, m: L.nn.Conv2d(2, 3, 3, padding=(2, 1), padding_mode=m), (2, 2, 5, 4)),
    (lambda L, m: L.nn.Conv2d(2, 3, (3, 4), padding="same", padding_mode=m), (1, 2, 5, 6)),
    (lambda L, m: L.nn.Conv1d(2, 2, 3, padding=2, stride=2, padding_mode=m), (3, 2, 4)),
    (lambda L, m: L.nn.Conv1d(2, 2, 3, padding=1, padding_mode=m), (2, 5)),     # unbatched
    (lambda L, m: L.nn.Conv3d(2, 2, 3, padding=(1, 2, 1), padding_mode=m), (1, 2, 3, 4, 3)),
    (lambda L, m: L.nn.Conv3d(1, 2, (2, 3, 2), padding="same", padding_mode=m), (1, 3, 4, 3)),
]
TRANSPOSE_CASES = [
    (lambda L: L.nn.ConvTranspose2d(2, 3, 3, stride=2, padding=1, output_padding=1),
     (2, 2, 4, 3)),
    (lambda L: L.nn.ConvTranspose2d(4, 2, (2, 3), stride=(1, 2), groups=2, dilation=(2, 1),
                                    bias=False), (1, 4, 3, 3)),
    (lambda L: L.nn.ConvTranspose1d(3, 2, 3, stride=3, padding=1), (2, 3, 5)),
    (lambda L: L.nn.ConvTranspose1d(2, 4, 2, groups=2), (2, 6)),               # unbatched
    (lambda L: L.nn.ConvTranspose3d(2, 3, 2, stride=2, padding=1, output_padding=1),
     (2, 2, 2, 3, 2)),
    (lambda L: L.nn.ConvTranspose3d(4, 2, (2, 1, 2), stride=(1, 2, 1), groups=2,
                                    dilation=(2, 1, 1), bias=False), (4, 2, 2, 3)),   # unbatched
]
POOL_CASES = [
    (lambda L: L.nn.MaxPool2d(2), (2, 3, 6, 5)),
    (lambda L: L.nn.MaxPool2d((3, 2), stride=(2, 1), padding=1, dilation=(1, 2),
                              ceil_mode=True), (1, 2, 7, 7)),
    (lambda L: L.nn.MaxPool2d(2, return_indices=True), (2, 6, 6)),
    (lambda L: L.nn.MaxPool1d(3, stride=2, padding=1, return_indices=True), (2, 3, 9)),
    (lambda L: L.nn.MaxPool1d(2, dilation=2, ceil_mode=True), (3, 8)),
    (lambda L: L.nn.AvgPool2d(3, stride=2, padding=1), (2, 2, 7, 6)),
    (lambda L: L.nn.AvgPool2d(2, padding=1, count_include_pad=False, ceil_mode=True),
     (1, 2, 5, 5)),
    (lambda L: L.nn.AvgPool2d((2, 3), divisor_override=4), (2, 6, 6)),
    (lambda L: L.nn.AvgPool1d(3, stride=2, padding=1, count_include_pad=False), (2, 3, 8)),
    (lambda L: L.nn.AvgPool1d(2, ceil_mode=True), (3, 7)),
    (lambda L: L.nn.AdaptiveAvgPool2d((3, 2)), (2, 2, 7, 5)),
    (lambda L: L.nn.AdaptiveAvgPool2d((None, 2)), (1, 2, 4, 5)),
    (lambda L: L.nn.AdaptiveAvgPool2d(1), (3, 4, 4)),
    (lambda L: L.nn.AdaptiveAvgPool1d(3), (2, 2, 7)),
    (lambda L: L.nn.AdaptiveMaxPool2d((2, 3), return_indices=True), (2, 2, 5, 7)),
    (lambda L: L.nn.AdaptiveMaxPool2d(2), (2, 5, 4)),
    (lambda L: L.nn.AdaptiveMaxPool1d(4, return_indices=True), (2, 3, 9)),
    (lambda L: L.nn.AdaptiveMaxPool1d(2), (3, 5)),
    (lambda L: L.nn.MaxPool3d(2), (2, 2, 4, 5, 4)),
    (lambda L: L.nn.MaxPool3d((3, 2, 2), stride=(2, 1, 2), padding=1, dilation=(1, 2, 1),
                              ceil_mode=True), (1, 2, 5, 6, 5)),
    (lambda L: L.nn.MaxPool3d(2, stride=1, return_indices=True), (2, 3, 3, 3)),
    (lambda L: L.nn.AvgPool3d(3, stride=2, padding=1), (2, 2, 5, 4, 5)),
    (lambda L: L.nn.AvgPool3d(2, padding=1, count_include_pad=False, ceil_mode=True),
     (1, 2, 3, 5, 3)),
    (lambda L: L.nn.AvgPool3d((2, 1, 2), divisor_override=3), (2, 4, 3, 4)),
    (lambda L: L.nn.AdaptiveAvgPool3d((2, 3, 2)), (2, 2, 5, 4, 3)),
    (lambda L: L.nn.AdaptiveAvgPool3d((None, 2, 1)), (2, 3, 4, 3)),
    (lambda L: L.nn.AdaptiveMaxPool3d((2, 3, 2), return_indices=True), (2, 2, 5, 4, 3)),
    (lambda L: L.nn.AdaptiveMaxPool3d(2), (2, 3, 4, 5)),
]


@pytest.mark.parametrize("make,shape", CONV_CASES)
def test_conv_matches_torch(make, shape):
    _check(make, shape)


@pytest.mark.parametrize("mode", ["zeros", "reflect", "replicate", "circular"])
@pytest.mark.parametrize("make,shape", MODE_CASES)
def test_conv_padding_modes_match_torch(make, shape, mode):
    _check(lambda L: make(L, mode), shape)


@pytest.mark.parametrize("make,shape", TRANSPOSE_CASES)
def test_conv_transpose_matches_torch(make, shape):
    _check(make, shape)


@pytest.mark.parametrize("size", [(8, 7), [2, 2, 8, 7], (7, 8)])
def test_conv_transpose_output_size(size):
    _check(lambda L: L.nn.ConvTranspose2d(3, 2, 3, stride=2, padding=1), (2, 3, 4, 4),
           output_size=size)


@pytest.mark.parametrize("size", [(5, 4, 3), [1, 2, 4, 5, 2]])
def test_conv_transpose3d_output_size(size):
    _check(lambda L: L.nn.ConvTranspose3d(3, 2, 2, stride=2, padding=1), (1, 3, 3, 3, 2),
           output_size=size)


def test_small_3d_cnn_matches_torch():
    """A volumetric network, end to end: every 3-D layer in one graph."""
    def make(L):
        nn = L.nn
        return nn.Sequential(nn.Conv3d(1, 3, 3, padding=1), nn.MaxPool3d(2),
                             nn.ConvTranspose3d(3, 2, 2, stride=2), nn.AvgPool3d(2),
                             nn.AdaptiveMaxPool3d((2, 1, 2)), nn.AdaptiveAvgPool3d(1),
                             nn.Flatten(), nn.Linear(2, 3))
    _check(make, (2, 1, 4, 4, 6))


@pytest.mark.parametrize("make,shape", POOL_CASES)
def test_pooling_matches_torch(make, shape):
    _check(make, shape)


def test_small_cnn_matches_torch_in_train_and_eval():
    """The digits example's kind of network, end to end, in both modes."""
    def make(L):
        nn = L.nn
        return nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.MaxPool2d(2),
                             nn.Conv2d(4, 6, 3, padding=1), nn.AdaptiveAvgPool2d(2),
                             nn.Flatten(), nn.Linear(24, 5))
    m_cr, m_t = _check(make, (3, 1, 8, 8))
    m_cr.eval()
    m_t.eval()
    a = np.random.default_rng(5).standard_normal((2, 1, 8, 8))
    assert np.allclose(_np(m_cr(cr.tensor(a))), _np(m_t(torch.tensor(a))), **TOL)


REPRS = [
    lambda L: L.nn.Conv2d(1, 16, 3, padding=1),
    lambda L: L.nn.Conv2d(4, 8, (3, 5), stride=2, padding=(1, 2), dilation=2,
                          groups=4, bias=False, padding_mode="circular"),
    lambda L: L.nn.Conv2d(1, 2, 3, padding="same", padding_mode="reflect"),
    lambda L: L.nn.Conv2d(1, 2, 3, padding="valid"),
    lambda L: L.nn.Conv1d(2, 4, 3, stride=2, padding=1, dilation=2, padding_mode="replicate"),
    lambda L: L.nn.ConvTranspose2d(2, 3, (2, 3), stride=2, padding=1, output_padding=1,
                                   groups=1, dilation=2),
    lambda L: L.nn.ConvTranspose1d(4, 2, 3, groups=2, bias=False),
    lambda L: L.nn.ConvTranspose2d(1, 1, 3, padding="same"),       # torch keeps the letters
    lambda L: L.nn.Conv1d(1, 2, [3], stride=[2], padding=[1]),
    lambda L: L.nn.MaxPool2d(2),
    lambda L: L.nn.MaxPool2d((3, 2), stride=1, padding=1, dilation=2, ceil_mode=True),
    lambda L: L.nn.MaxPool1d(3, return_indices=True),
    lambda L: L.nn.AvgPool1d(3, 2, 1),
    lambda L: L.nn.AvgPool2d(2),
    lambda L: L.nn.AvgPool2d((2, 3), stride=(1, 2), padding=1, divisor_override=2),
    lambda L: L.nn.AdaptiveAvgPool2d((None, 3)),
    lambda L: L.nn.AdaptiveAvgPool1d(4),
    lambda L: L.nn.AdaptiveMaxPool2d(2, return_indices=True),
    lambda L: L.nn.AdaptiveMaxPool1d(3),
    lambda L: L.nn.Conv3d(2, 4, 3, stride=(1, 2, 1), padding=(0, 1, 2), dilation=2, groups=2,
                          bias=False, padding_mode="replicate"),
    lambda L: L.nn.Conv3d(1, 2, 3, padding="same"),
    lambda L: L.nn.ConvTranspose3d(2, 3, (2, 3, 1), stride=2, padding=1, output_padding=1),
    lambda L: L.nn.MaxPool3d(2),
    lambda L: L.nn.MaxPool3d((3, 2, 2), stride=1, padding=1, dilation=2, ceil_mode=True),
    lambda L: L.nn.AvgPool3d(2),
    lambda L: L.nn.AvgPool3d((2, 3, 1), stride=(1, 2, 1), padding=1, divisor_override=2),
    lambda L: L.nn.AdaptiveAvgPool3d((None, 3, 2)),
    lambda L: L.nn.AdaptiveMaxPool3d(2, return_indices=True),
    lambda L: L.nn.Sequential(L.nn.Conv2d(1, 8, 3), L.nn.MaxPool2d(2)),
]


@pytest.mark.parametrize("make", REPRS)
def test_reprs(make):
    same(lambda L: repr(make(L)))


@pytest.mark.parametrize("make", [
    lambda L: L.nn.Conv2d(4, 6, (3, 2), groups=2),
    lambda L: L.nn.Conv1d(3, 5, 4, bias=False),
    lambda L: L.nn.ConvTranspose2d(4, 6, 3, groups=2),
    lambda L: L.nn.ConvTranspose1d(3, 5, 2),
    lambda L: L.nn.Conv3d(4, 6, (3, 2, 1), groups=2),
    lambda L: L.nn.ConvTranspose3d(4, 6, 2, groups=2, bias=False),
])
def test_state_dict_keys_shapes_and_default_dtype(make):
    same(lambda L: [(k, tuple(v.shape), str(v.dtype)) for k, v in make(L).state_dict().items()])


@pytest.mark.parametrize("make,fan_in", [
    (lambda: cr.nn.Conv2d(8, 64, 3), 8 * 9),
    (lambda: cr.nn.Conv1d(6, 63, 5, groups=3), 2 * 5),
    (lambda: cr.nn.ConvTranspose2d(64, 8, 3), 8 * 9),     # weight (in, out/groups, k...)
    (lambda: cr.nn.Conv3d(8, 32, 3), 8 * 27),
    (lambda: cr.nn.ConvTranspose3d(32, 12, 3, groups=2), 6 * 27),
])
def test_default_init_is_uniform_on_one_over_sqrt_fan_in(make, fan_in):
    """kaiming_uniform_(a=sqrt(5)) and the bias both give U(+-1/sqrt(fan_in)):
    inside the bound, reaching close to it, centred, with a uniform's spread."""
    cr.manual_seed(0)
    m = make()
    bound = 1 / math.sqrt(fan_in)
    w = m.weight.detach().numpy().ravel()
    b = m.bias.detach().numpy()
    for v, reach in ((w, 0.98), (b, 0.6)):
        assert np.all(np.abs(v) <= bound) and np.abs(v).max() > reach * bound
    assert abs(w.mean()) < 0.05 * bound
    assert abs(w.std() - bound / math.sqrt(3)) < 0.05 * bound


@pytest.mark.parametrize("f", [
    lambda L: L.nn.Conv2d(3, 4, 3, groups=2),
    lambda L: L.nn.Conv2d(4, 3, 3, groups=2),
    lambda L: L.nn.Conv2d(4, 4, 3, groups=0),
    lambda L: L.nn.Conv2d(1, 2, 3, padding="full"),
    lambda L: L.nn.Conv2d(1, 2, 3, stride=2, padding="same"),
    lambda L: L.nn.Conv1d(1, 2, 3, padding_mode="mirror"),
    lambda L: L.nn.ConvTranspose2d(1, 2, 3, padding_mode="reflect"),
    lambda L: L.nn.ConvTranspose1d(1, 2, 3, padding_mode="circular"),
    lambda L: L.nn.Conv2d(2, 3, 3)(L.ones(1, 3, 5, 5)),
    lambda L: L.nn.Conv2d(1, 1, 3, padding=2, padding_mode="reflect")(L.ones(1, 1, 2, 5)),
    lambda L: L.nn.Conv2d(1, 1, 3, padding=2, padding_mode="reflect")(L.ones(1, 1, 5, 2)),
    lambda L: L.nn.Conv1d(1, 1, 3, padding=2, padding_mode="circular")(L.ones(1, 1, 1)),
    lambda L: L.nn.ConvTranspose2d(1, 1, 3, stride=2)(L.ones(1, 1, 3, 3), output_size=(9,)),
    lambda L: L.nn.ConvTranspose2d(1, 1, 3, stride=2)(L.ones(1, 1, 3, 3), output_size=(9, 9)),
    lambda L: L.nn.ConvTranspose1d(1, 1, 3, stride=2)(L.ones(1, 1, 3), output_size=[6]),
    lambda L: L.nn.Conv3d(2, 3, 2)(L.ones(1, 3, 4, 4, 4)),
    lambda L: L.nn.Conv3d(2, 3, 2)(L.ones(2, 4, 4, 4)[None, None]),
    lambda L: L.nn.Conv3d(1, 1, 3, padding=3, padding_mode="reflect")(L.ones(1, 1, 3, 5, 5)),
    lambda L: L.nn.ConvTranspose3d(1, 1, 3, padding_mode="replicate"),
    lambda L: L.nn.ConvTranspose3d(1, 1, 3, stride=2)(L.ones(1, 1, 3, 3, 3), output_size=(9, 9)),
    lambda L: L.nn.ConvTranspose3d(1, 1, 3, stride=2)(L.ones(1, 1, 3, 3, 3),
                                                      output_size=(7, 7, 9)),
    lambda L: L.nn.MaxPool3d(2)(L.ones(2, 3, 3)),
    lambda L: L.nn.AvgPool3d(4)(L.ones(1, 1, 3, 3, 3)),
    lambda L: L.nn.AdaptiveMaxPool3d((2, 2))(L.ones(1, 1, 3, 3, 3)),
])
def test_errors_match_torch(f):
    mine, ref = _outcome(f, cr), _outcome(f, torch)
    assert mine == ref and mine[0] == "raise"


def _outcome(f, L):
    """outcome(), with a printed set's elements sorted: torch's messages print
    a Python set, whose order follows the string hashes (PYTHONHASHSEED), so
    only its contents can be compared."""
    result = outcome(lambda L: (f(L), None)[1], L)
    if result[0] != "raise":
        return result
    head, brace, rest = result[2].partition("{")
    if brace:
        inner, _, tail = rest.partition("}")
        result = result[:2] + (head + "{" + ", ".join(sorted(inner.split(", "))) + "}" + tail,)
    return result


@pytest.mark.parametrize("mode", ["reflect", "replicate", "circular"])
def test_padding_modes_first_and_second_derivatives(mode):
    """The padding's gradient (repeated sources accumulate) and its own
    derivative, by finite differences in float64, input and weight alike."""
    cr.manual_seed(0)
    m = cr.nn.Conv2d(2, 2, (2, 3), padding=(1, 2), padding_mode=mode).double()
    x = cr.randn(1, 2, 3, 4, dtype=cr.float64, requires_grad=True)
    w = m.weight.detach().clone().requires_grad_()

    def f(x, w):
        return cr.nn.functional.conv2d(
            cr.nn.functional.pad(x, m._reversed_padding_repeated_twice, mode=mode), w, m.bias)
    assert cr.autograd.gradcheck(f, (x, w))
    assert cr.autograd.gradgradcheck(f, (x, w))
    assert np.allclose(_np(f(x, w)), _np(m(x)), **TOL)


@pytest.mark.parametrize("mode", ["reflect", "replicate", "circular"])
@pytest.mark.parametrize("make,shape", MODE_CASES)
def test_padding_mode_pads_as_torch_does(make, shape, mode):
    """The pad torch's _conv_forward hands F.pad, and the grad_fn of that pad
    (the node under the convolution's)."""
    m_cr, m_t = _pair(lambda L: make(L, mode))
    assert list(m_cr._reversed_padding_repeated_twice) == list(
        m_t._reversed_padding_repeated_twice)
    x = np.random.default_rng(0).standard_normal(shape)
    names = []
    for L, m in ((cr, m_cr), (torch, m_t)):
        node = m(L.tensor(x, requires_grad=True)).grad_fn
        while type(node).__name__ in ("ConvolutionBackward0", "SqueezeBackward1",
                                      "UnsqueezeBackward0"):
            node = node.next_functions[0][0]
        names.append(type(node).__name__)
    assert names[0] == names[1]
