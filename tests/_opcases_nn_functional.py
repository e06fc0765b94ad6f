"""Op-table rows for nn.functional's activations, losses and normalisations
(chainrule/ops/activations.py, losses.py, norms.py; see _opcases.py, whose
CASES these are appended to).  Integer targets and other constants are
built inside the row, with the inputs' dtype where they are floats."""
import warnings

from _opcases import Case  # noqa: F401


def _F(lib):
    return lib.nn.functional


def _broadcast_warning_ignored(f):
    """A row whose target broadcasts: both libraries warn (test_nn_functional.py
    compares the warnings); the op suites need not show it on every run."""
    def row(L, *xs):
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", "Using a target size", UserWarning)
            return f(L, *xs)
    return row


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


def _idx(L, values):
    return L.tensor(values, dtype=L.int64)


def _probs(L, x, values):
    """A fixed probability table shaped like x (rows sum to 1 along dim 1)."""
    p = L.tensor(values, dtype=x.dtype)
    return p / p.sum(1, keepdim=True)


_P34 = [[0.2, 0.5, 0.1, 1.2], [0.7, 0.3, 0.9, 0.4], [1.1, 0.2, 0.6, 0.3]]
_B34 = [[0.2, 0.5, 0.1, 0.9], [0.7, 0.3, 0.95, 0.4], [0.0, 1.0, 0.6, 0.3]]

LOSSES = [
    Case("mse_loss", lambda L, x, t: _F(L).mse_loss(x, t), ((3, 4), (3, 4))),
    Case("mse_loss_sum", lambda L, x, t: _F(L).mse_loss(x, t, reduction="sum"), ((3, 4), (3, 4))),
    Case("mse_loss_none", lambda L, x, t: _F(L).mse_loss(x, t, reduction="none"), ((3, 4), (3, 4))),
    Case("mse_loss_0d", lambda L, x, t: _F(L).mse_loss(x, t), ((), ())),
    Case("mse_loss_empty_sum", lambda L, x, t: _F(L).mse_loss(x, t, reduction="sum"), ((0, 3), (0, 3))),
    Case("mse_loss_weight", lambda L, x, t: _F(L).mse_loss(x, t, weight=_w(L, x, [1.0, 2.0, 0.5])),
         ((3,), (3,))),
    Case("l1_loss", lambda L, x, t: _F(L).l1_loss(x, t), ((3, 4), (3, 4)), "distinct"),
    Case("l1_loss_none", lambda L, x, t: _F(L).l1_loss(x, t, reduction="none"), ((2, 3), (2, 3)), "distinct"),
    Case("l1_loss_sum", lambda L, x, t: _F(L).l1_loss(x, t, reduction="sum"), ((5,), (5,)), "distinct"),
    Case("smooth_l1_loss", lambda L, x, t: _F(L).smooth_l1_loss(x * 2, t), ((3, 4), (3, 4))),
    Case("smooth_l1_loss_beta", lambda L, x, t: _F(L).smooth_l1_loss(x, t, beta=0.5, reduction="sum"),
         ((3, 4), (3, 4))),
    Case("smooth_l1_loss_none", lambda L, x, t: _F(L).smooth_l1_loss(x, t, reduction="none", beta=2.0),
         ((3, 4), (3, 4))),
    Case("smooth_l1_loss_beta0", lambda L, x, t: _F(L).smooth_l1_loss(x, t, beta=0.0), ((3, 4), (3, 4)),
         "distinct"),
    Case("huber_loss", lambda L, x, t: _F(L).huber_loss(x * 2, t), ((3, 4), (3, 4))),
    Case("huber_loss_delta", lambda L, x, t: _F(L).huber_loss(x, t, delta=0.5, reduction="none"),
         ((3, 4), (3, 4))),
    Case("huber_loss_sum", lambda L, x, t: _F(L).huber_loss(x, t, "sum", 1.5), ((2, 5), (2, 5))),
    Case("soft_margin_loss", lambda L, x: _F(L).soft_margin_loss(x, _w(L, x, [[1.0, -1.0, 1.0, 1.0]] * 3)),
         ((3, 4),)),
    Case("soft_margin_loss_none",
         lambda L, x: _F(L).soft_margin_loss(x * 3, _w(L, x, [-1.0, 1.0, 1.0]), reduction="none"), ((3,),)),
    Case("bce", lambda L, x: _F(L).binary_cross_entropy(L.sigmoid(x), _w(L, x, _B34)), ((3, 4),)),
    Case("bce_target_grad", lambda L, x, t: _F(L).binary_cross_entropy(L.sigmoid(x), L.sigmoid(t),
                                                                       reduction="sum"),
         ((3, 4), (3, 4))),
    Case("bce_weight_none", lambda L, x: _F(L).binary_cross_entropy(
        L.sigmoid(x), _w(L, x, _B34), weight=_w(L, x, [1.0, 2.0, 0.5, 0.1]), reduction="none"), ((3, 4),)),
    Case("bce_0d", lambda L, x: _F(L).binary_cross_entropy(L.sigmoid(x), _w(L, x, 0.3)), ((),)),
    Case("bce_logits", lambda L, x, t: _F(L).binary_cross_entropy_with_logits(x * 3, L.sigmoid(t)),
         ((3, 4), (3, 4))),
    Case("bce_logits_weights", lambda L, x, t: _F(L).binary_cross_entropy_with_logits(
        x * 3, L.sigmoid(t), weight=_w(L, x, [1.0, 2.0, 0.5, 0.1]), pos_weight=_w(L, x, [3.0, 1.0, 0.5, 2.0]),
        reduction="sum"), ((3, 4), (3, 4))),
    Case("bce_logits_pos_weight_none", lambda L, x: _F(L).binary_cross_entropy_with_logits(
        x * 3, _w(L, x, _B34), pos_weight=_w(L, x, [3.0, 1.0, 0.5, 2.0]), reduction="none"), ((3, 4),)),
    Case("bce_logits_large", lambda L, x: _F(L).binary_cross_entropy_with_logits(
        x + _w(L, x, [60.0, -60.0, 0.0]), _w(L, x, [1.0, 0.0, 0.5])), ((3,),)),
    Case("nll_loss", lambda L, x: _F(L).nll_loss(x, _idx(L, [0, 3, 1])), ((3, 4),)),
    Case("nll_loss_none", lambda L, x: _F(L).nll_loss(x, _idx(L, [0, 3, 1]), reduction="none"), ((3, 4),)),
    Case("nll_loss_weight_ignore", lambda L, x: _F(L).nll_loss(
        x, _idx(L, [0, 3, 1, 2]), weight=_w(L, x, [1.0, 2.0, 0.5, 3.0]), ignore_index=1), ((4, 4),)),
    Case("nll_loss_1d", lambda L, x: _F(L).nll_loss(x, _idx(L, 2)), ((4,),)),
    Case("nll_loss_2d", lambda L, x: _F(L).nll_loss(x, _idx(L, [[[0, 1], [2, 0]], [[1, 1], [0, 2]]])),
         ((2, 3, 2, 2),)),
    Case("nll_loss_3d_sum", lambda L, x: _F(L).nll_loss(x, _idx(L, [[0, 2, 1], [1, 1, 0]]), reduction="sum"),
         ((2, 3, 3),)),
    Case("cross_entropy", lambda L, x: _F(L).cross_entropy(x, _idx(L, [0, 3, 1])), ((3, 4),)),
    Case("cross_entropy_none", lambda L, x: _F(L).cross_entropy(x, _idx(L, [0, 3, 1]), reduction="none"),
         ((3, 4),)),
    Case("cross_entropy_weight_ignore", lambda L, x: _F(L).cross_entropy(
        x, _idx(L, [0, 3, 1, 2]), weight=_w(L, x, [1.0, 2.0, 0.5, 3.0]), ignore_index=3), ((4, 4),)),
    Case("cross_entropy_smoothing", lambda L, x: _F(L).cross_entropy(x, _idx(L, [0, 3, 1]),
                                                                     label_smoothing=0.2), ((3, 4),)),
    Case("cross_entropy_smoothing_weight_ignore", lambda L, x: _F(L).cross_entropy(
        x, _idx(L, [0, 3, 1, 2]), weight=_w(L, x, [1.0, 2.0, 0.5, 3.0]), ignore_index=1,
        label_smoothing=0.1), ((4, 4),)),
    Case("cross_entropy_smoothing_sum", lambda L, x: _F(L).cross_entropy(
        x, _idx(L, [0, 3, 1]), reduction="sum", label_smoothing=0.3), ((3, 4),)),
    Case("cross_entropy_smoothing_none", lambda L, x: _F(L).cross_entropy(
        x, _idx(L, [0, -100, 1]), reduction="none", label_smoothing=0.3), ((3, 4),)),
    Case("cross_entropy_2d", lambda L, x: _F(L).cross_entropy(x, _idx(L, [[0, 2, 1], [1, 1, 0]])),
         ((2, 3, 3),)),
    Case("cross_entropy_1d", lambda L, x: _F(L).cross_entropy(x, _idx(L, 1)), ((3,),)),
    Case("cross_entropy_probs", lambda L, x: _F(L).cross_entropy(x, _probs(L, x, _P34)), ((3, 4),)),
    Case("cross_entropy_probs_weight_sum", lambda L, x: _F(L).cross_entropy(
        x, _probs(L, x, _P34), weight=_w(L, x, [1.0, 2.0, 0.5, 3.0]), reduction="sum"), ((3, 4),)),
    Case("cross_entropy_probs_smoothing_none", lambda L, x: _F(L).cross_entropy(
        x, _probs(L, x, _P34), reduction="none", label_smoothing=0.25), ((3, 4),)),
    Case("cross_entropy_probs_target_grad", lambda L, x, t: _F(L).cross_entropy(x, L.softmax(t, 1)),
         ((3, 4), (3, 4))),
    Case("kl_div_batchmean", lambda L, x: _F(L).kl_div(L.log_softmax(x, 1), _probs(L, x, _P34),
                                                       reduction="batchmean"), ((3, 4),)),
    Case("kl_div_log_target", lambda L, x, t: _F(L).kl_div(x, t, reduction="sum", log_target=True),
         ((3, 4), (3, 4))),
    Case("kl_div_none_target_grad", lambda L, x, t: _F(L).kl_div(x, L.sigmoid(t), reduction="none"),
         ((3, 4), (3, 4))),
    Case("cosine_similarity", lambda L, x, y: _F(L).cosine_similarity(x, y), ((3, 4), (3, 4))),
    Case("cosine_similarity_dim_bcast", lambda L, x, y: L.cosine_similarity(x, y, dim=-1), ((2, 3, 4), (4,))),
    Case("cosine_similarity_bcast_along_dim", lambda L, x, y: _F(L).cosine_similarity(x, y, dim=0),
         ((4, 3), (1, 3))),
    Case("pairwise_distance", lambda L, x, y: _F(L).pairwise_distance(x, y), ((3, 4), (3, 4))),
    Case("pairwise_distance_p1_keepdim", lambda L, x, y: L.pairwise_distance(x, y, p=1.0, keepdim=True),
         ((3, 4), (3, 4)), "distinct"),
]

CASES += LOSSES


def _stats(L, x, values):
    """A running statistic (a plain constant of x's dtype, fresh for each call)."""
    return L.tensor(values, dtype=x.dtype)


NORMS = [
    Case("layer_norm", lambda L, x: _F(L).layer_norm(x, (4,)), ((3, 4),)),
    Case("layer_norm_affine", lambda L, x, w, b: _F(L).layer_norm(x, (4,), w, b), ((3, 4), (4,), (4,))),
    Case("layer_norm_2d_shape", lambda L, x, w, b: L.layer_norm(x, [3, 2], w, b, eps=1e-3),
         ((2, 3, 2), (3, 2), (3, 2))),
    Case("layer_norm_weight_only", lambda L, x, w: _F(L).layer_norm(x, (2, 3), weight=w),
         ((2, 2, 3), (2, 3))),
    # (torch's double backward fails without a weight: "Expected a proper Tensor but got None")
    Case("layer_norm_bias_only", lambda L, x, b: _F(L).layer_norm(x, (5,), bias=b), ((5,), (5,)), "any",
         ("torch_no_double_backward",)),
    Case("layer_norm_size1_dim", lambda L, x, w: _F(L).layer_norm(x, (1, 4), w), ((3, 1, 4), (1, 4))),
    Case("batch_norm_train", lambda L, x, w, b: _F(L).batch_norm(x, None, None, w, b, training=True),
         ((4, 3), (3,), (3,))),
    Case("batch_norm_train_3d", lambda L, x, w, b: _F(L).batch_norm(
        x, _stats(L, x, [0.0, 1.0]), _stats(L, x, [1.0, 2.0]), w, b, True, 0.3, 1e-3),
         ((3, 2, 4), (2,), (2,))),
    Case("batch_norm_train_4d_no_affine", lambda L, x: L.batch_norm(
        x, None, None, None, None, True, 0.1, 1e-5, False), ((2, 3, 2, 2),)),
    Case("batch_norm_eval", lambda L, x, w, b: _F(L).batch_norm(
        x, _stats(L, x, [0.5, -1.0, 0.0]), _stats(L, x, [1.5, 0.5, 2.0]), w, b), ((4, 3), (3,), (3,))),
    Case("batch_norm_eval_3d_no_affine", lambda L, x: _F(L).batch_norm(
        x, _stats(L, x, [0.5, -1.0]), _stats(L, x, [1.5, 0.5]), training=False), ((3, 2, 2),)),
    Case("group_norm", lambda L, x, w, b: _F(L).group_norm(x, 2, w, b), ((2, 4, 3), (4,), (4,))),
    Case("group_norm_4d", lambda L, x: L.group_norm(x, 3, eps=1e-3), ((2, 6, 2, 2),)),
    Case("group_norm_one_group", lambda L, x, w: _F(L).group_norm(x, 1, w), ((3, 2, 2), (2,))),
    Case("group_norm_2d", lambda L, x, w, b: _F(L).group_norm(x, 2, w, bias=b), ((3, 4), (4,), (4,))),
    Case("instance_norm", lambda L, x: _F(L).instance_norm(x), ((2, 3, 4),)),
    Case("instance_norm_affine", lambda L, x, w, b: L.instance_norm(
        x, w, b, None, None, True, 0.1, 1e-5, False), ((2, 3, 2, 2), (3,), (3,))),
    Case("normalize", lambda L, x: _F(L).normalize(x), ((3, 4),)),
    Case("normalize_p1_dim0", lambda L, x: _F(L).normalize(x, p=1.0, dim=0), ((3, 4),), "away"),
    Case("normalize_1d", lambda L, x: _F(L).normalize(x, dim=0), ((5,),)),
    Case("local_response_norm", lambda L, x: _F(L).local_response_norm(x, 3, 0.5, 0.6, 1.2),
         ((2, 5, 3),)),
    Case("local_response_norm_4d_wide", lambda L, x: _F(L).local_response_norm(x, 6, 0.3),
         ((1, 4, 2, 3),)),
    Case("local_response_norm_5d", lambda L, x: _F(L).local_response_norm(x, 2, 1.0, 0.5, 2.0),
         ((2, 3, 2, 1, 2),)),
    Case("local_response_norm_empty", lambda L, x: _F(L).local_response_norm(x, 2),
         ((0, 3, 2),)),
]

CASES += NORMS

CASES += [
    Case("F_relu_inplace", lambda L, x: _F(L).relu(x * 1, inplace=True), ((3, 4),), "away"),
    Case("F_relu_", lambda L, x: _F(L).relu_(x * 1), ((4,),), "away"),
    Case("F_softmax_dtype", lambda L, x: _F(L).softmax(x, 1, dtype=L.float64), ((3, 4),)),
    Case("F_log_softmax_positional", lambda L, x: _F(L).log_softmax(x, 0, 3), ((3, 4),)),
    Case("F_softmin", lambda L, x: _F(L).softmin(x, dim=1), ((3, 4),)),
]

# Broadcast and empty shapes of the losses and norms (PyTorch warns for the broadcast targets).
CASES += [
    Case("mse_loss_bcast", _broadcast_warning_ignored(lambda L, x, t: _F(L).mse_loss(x, t)),
         ((3, 4), (4,))),
    Case("mse_loss_bcast_input", _broadcast_warning_ignored(
        lambda L, x, t: _F(L).mse_loss(x, t, reduction="none")), ((4,), (2, 4))),
    Case("smooth_l1_loss_bcast", _broadcast_warning_ignored(
        lambda L, x, t: _F(L).smooth_l1_loss(x, t, reduction="sum")), ((3, 1), (1, 4))),
    Case("huber_loss_bcast_0d", _broadcast_warning_ignored(lambda L, x, t: _F(L).huber_loss(x, t)),
         ((3, 4), ())),
    Case("l1_loss_bcast", _broadcast_warning_ignored(lambda L, x, t: _F(L).l1_loss(x, t)),
         ((2, 3), (3,)), "distinct"),
    Case("soft_margin_loss_bcast", lambda L, x: _F(L).soft_margin_loss(x, _w(L, x, [1.0, -1.0, 1.0])),
         ((2, 3),)),
    Case("kl_div_bcast", lambda L, x, t: _F(L).kl_div(x, L.sigmoid(t), reduction="sum"), ((2, 3), (3,))),
    Case("bce_logits_empty", lambda L, x: _F(L).binary_cross_entropy_with_logits(x, x.detach() * 0,
                                                                                 reduction="sum"), ((0, 3),)),
    Case("cross_entropy_empty_sum", lambda L, x: _F(L).cross_entropy(
        x, L.zeros(0, dtype=L.int64), reduction="sum"), ((0, 4),)),
    Case("nll_loss_empty_none", lambda L, x: _F(L).nll_loss(x, L.zeros(0, dtype=L.int64), reduction="none"),
         ((0, 4),)),
    Case("layer_norm_empty_batch", lambda L, x, w: _F(L).layer_norm(x, (4,), w), ((0, 4), (4,))),
    # (an empty batch through batch_norm: PyTorch takes a path of its own, MulBackward0 over a
    # clone; not mirrored)
    Case("group_norm_empty_spatial_batch", lambda L, x: _F(L).group_norm(x, 2), ((0, 4, 3),)),
    Case("glu_empty", lambda L, x: _F(L).glu(x, 0), ((2, 0),)),
    Case("softplus_0d", lambda L, x: _F(L).softplus(x), ((),)),
    Case("hardswish_empty", lambda L, x: _F(L).hardswish(x), ((0,),)),
]

CASES += [
    Case("hardshrink", lambda L, x: _F(L).hardshrink(x), ((3, 4),), "away"),
    Case("hardshrink_torch_method", lambda L, x: x.hardshrink(0.8), ((3, 4),), "away"),
    Case("softshrink", lambda L, x: _F(L).softshrink(x, 0.4), ((3, 4),), "away"),
    Case("softshrink_0d", lambda L, x: _F(L).softshrink(x), ((),), "away"),
    Case("rrelu_eval", lambda L, x: _F(L).rrelu(x), ((3, 4),), "away"),
    Case("rrelu_eval_bounds_inplace", lambda L, x: _F(L).rrelu(x * 1, 0.1, 0.5, inplace=True), ((5,),),
         "away"),
]
