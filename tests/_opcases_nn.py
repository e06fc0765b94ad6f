"""Op-table rows for nn.functional's activations, losses and normalisations
(chainrule/ops/activations.py, losses.py, norms.py; see _opcases.py, whose
CASES these are appended to).  Integer targets and other constants are
built inside the row, with the inputs' dtype where they are floats."""
from _opcases import Case  # noqa: F401


def _F(lib):
    return lib.nn.functional


def _w(L, x, values):
    """A constant float tensor in x's dtype."""
    return L.tensor(values, dtype=x.dtype)


ACTIVATIONS = [
    Case("leaky_relu", lambda L, x: _F(L).leaky_relu(x), ((3, 4),), "away"),
    Case("leaky_relu_slope", lambda L, x: _F(L).leaky_relu(x, 0.2), ((2, 3, 2),), "away"),
    Case("leaky_relu_0d", lambda L, x: _F(L).leaky_relu(x, negative_slope=0.3), ((),), "away"),
    Case("leaky_relu_empty", lambda L, x: _F(L).leaky_relu(x), ((0, 3),), "away"),
    Case("leaky_relu_inplace", lambda L, x: _F(L).leaky_relu(x * 1, 0.1, inplace=True), ((5,),), "away"),
    Case("leaky_relu_", lambda L, x: _F(L).leaky_relu_(x * 2, 0.1), ((5,),), "away"),
    Case("elu", lambda L, x: _F(L).elu(x), ((3, 4),), "away"),
    Case("elu_alpha", lambda L, x: _F(L).elu(x, alpha=0.5), ((3, 4),), "away"),
    Case("elu_0d", lambda L, x: _F(L).elu(x), ((),), "away"),
    Case("elu_inplace", lambda L, x: _F(L).elu(x + 0, inplace=True), ((4,),), "away"),
    Case("selu", lambda L, x: _F(L).selu(x), ((3, 4),), "away"),
    Case("selu_torch", lambda L, x: L.selu(x), ((5,),), "away"),
    Case("celu", lambda L, x: _F(L).celu(x, 2.0), ((3, 4),), "away"),
    Case("celu_torch", lambda L, x: L.celu(x), ((2, 2),), "away"),
    Case("gelu", lambda L, x: _F(L).gelu(x * 2), ((3, 4),)),
    Case("gelu_tanh", lambda L, x: _F(L).gelu(x * 2, approximate="tanh"), ((3, 4),)),
    Case("gelu_0d", lambda L, x: _F(L).gelu(x), ((),)),
    Case("gelu_empty", lambda L, x: _F(L).gelu(x), ((2, 0),)),
    Case("silu", lambda L, x: _F(L).silu(x * 3), ((3, 4),)),
    Case("mish", lambda L, x: _F(L).mish(x * 3), ((3, 4),)),
    Case("softplus", lambda L, x: _F(L).softplus(x * 3), ((3, 4),)),
    Case("softplus_beta_threshold", lambda L, x: _F(L).softplus(x * 3, beta=2.0, threshold=1.5),
         ((4, 5),)),
    Case("softplus_negative_beta", lambda L, x: _F(L).softplus(x, beta=-1.0), ((6,),)),
    Case("hardtanh", lambda L, x: _F(L).hardtanh(x * 1.3), ((3, 4),), "away"),
    Case("hardtanh_bounds", lambda L, x: _F(L).hardtanh(x, -0.5, 0.8), ((3, 4),), "distinct"),
    Case("hardtanh_inplace", lambda L, x: _F(L).hardtanh(x * 1, inplace=True), ((5,),), "away"),
    Case("relu6", lambda L, x: _F(L).relu6(x * 5 + 2), ((3, 4),), "away"),
    Case("hardsigmoid", lambda L, x: _F(L).hardsigmoid(x * 4), ((3, 4),), "away",
         ("torch_no_double_backward",)),
    Case("hardswish", lambda L, x: _F(L).hardswish(x * 4), ((3, 4),), "away"),
    Case("logsigmoid", lambda L, x: _F(L).logsigmoid(x * 3), ((3, 4),)),
    Case("logsigmoid_large", lambda L, x: _F(L).logsigmoid(x + 40.0 * _w(L, x, [1.0, -1.0, 0.0])),
         ((2, 3),)),
    Case("softsign", lambda L, x: _F(L).softsign(x), ((3, 4),), "away"),
    Case("tanhshrink", lambda L, x: _F(L).tanhshrink(x), ((3, 4),)),
    Case("threshold", lambda L, x: _F(L).threshold(x, 0.1, 2.0), ((3, 4),), "away"),
    Case("threshold_torch", lambda L, x: L.threshold(x, -0.2, -1.0), ((6,),), "away"),
    Case("glu", lambda L, x: _F(L).glu(x), ((3, 4),)),
    Case("glu_dim0", lambda L, x: _F(L).glu(x, 0), ((4, 3),)),
    Case("glu_3d", lambda L, x: _F(L).glu(x, dim=1), ((2, 6, 2),)),
    Case("prelu", lambda L, x, w: _F(L).prelu(x, w), ((3, 4), (4,)), "away"),
    Case("prelu_4d", lambda L, x, w: _F(L).prelu(x, w), ((2, 3, 2, 2), (3,)), "away"),
    Case("prelu_single_weight", lambda L, x, w: L.prelu(x, w), ((2, 3), (1,)), "away"),
    Case("prelu_method_1d", lambda L, x, w: x.prelu(w), ((5,), (1,)), "away"),
    Case("prelu_0d", lambda L, x, w: _F(L).prelu(x, w), ((), (1,)), "away"),
]

CASES = ACTIVATIONS
CASES += [
    Case("selu_inplace", lambda L, x: _F(L).selu(x * 1, inplace=True), ((4,),), "away"),
    Case("celu_", lambda L, x: L.celu_(x * 1, 0.7), ((4,),), "away"),
    Case("silu_inplace", lambda L, x: _F(L).silu(x * 1, inplace=True), ((4,),)),
    Case("hardswish_inplace", lambda L, x: _F(L).hardswish(x * 4, inplace=True), ((4,),), "away"),
    Case("threshold_", lambda L, x: L.threshold_(x * 1, 0.2, 0.5), ((4,),), "away"),
]
