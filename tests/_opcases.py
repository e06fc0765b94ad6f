"""Shared table of differentiable-op cases for the tests/test_ops_*.py files.

Each case is written once as ``f(lib, *tensors)`` and is run with
``lib = chainrule`` and (where installed) ``lib = torch``.  Inputs are NumPy
arrays drawn by ``make_inputs`` according to the case's domain hint, so the
same numbers go into both libraries.  Nothing here imports torch.

Domains:
  any       standard normal
  small     uniform(-1, 1)           (tan: stay away from the poles)
  pos       uniform(0.5, 2)          (log, sqrt, pow with a tensor exponent)
  away      |x| >= 0.3, random sign  (abs, relu, division by x, norm(p=1))
  distinct  every value over *all* the inputs distinct (gaps >= 0.15) and
            |x| >= 0.13, never within 0.03 of +-0.5  (max/min/maximum/clamp)
"""
import math
from dataclasses import dataclass, field

import numpy as np


@dataclass
class Case:
    name: str
    f: object                 # f(lib, *tensors) -> Tensor (the differentiable output)
    shapes: tuple             # one shape per differentiable input
    domain: str = "any"
    tags: tuple = field(default_factory=tuple)

    @property
    def id(self):
        return self.name


CLAMP_LO, CLAMP_HI = -0.5, 0.5


def _distinct_values(rng, n):
    """n distinct values: +-(0.15 + 0.2 j) with a little jitter, shuffled."""
    if n == 0:
        return np.zeros(0)
    half = (n + 1) // 2
    grid = np.concatenate([0.15 + 0.2 * np.arange(half), -(0.15 + 0.2 * np.arange(half))])
    vals = rng.permutation(grid)[:n]
    vals = vals + np.sign(vals) * rng.uniform(0.0, 0.02, size=n)
    return vals


def make_inputs(case_or_shapes, seed=0, domain=None):
    """float64 NumPy arrays for the case's input shapes (deterministic in seed)."""
    if isinstance(case_or_shapes, Case):
        shapes, domain = case_or_shapes.shapes, case_or_shapes.domain
    else:
        shapes, domain = case_or_shapes, domain or "any"
    rng = np.random.default_rng(seed)
    sizes = [int(np.prod(s, dtype=np.int64)) for s in shapes]
    if domain == "distinct":
        flat = _distinct_values(rng, sum(sizes))
        out, k = [], 0
        for s, n in zip(shapes, sizes):
            out.append(flat[k:k + n].reshape(s).astype(np.float64))
            k += n
        return out
    out = []
    for s in shapes:
        if domain == "any":
            a = rng.standard_normal(s)
        elif domain == "small":
            a = rng.uniform(-1.0, 1.0, s)
        elif domain == "pos":
            a = rng.uniform(0.5, 2.0, s)
        elif domain == "away":
            a = rng.uniform(0.3, 1.5, s) * rng.choice([-1.0, 1.0], size=s)
        else:
            raise ValueError(domain)
        out.append(np.asarray(a, dtype=np.float64).reshape(s))
    return out


def as_numpy(t):
    """A tensor (chainrule or torch) as a float64 NumPy array, None stays None."""
    if t is None:
        return None
    if hasattr(t, "detach"):
        t = t.detach()
    if hasattr(t, "numpy"):
        try:
            # force=True: torch returns "ZeroTensor"s for some known-zero
            # gradients, which refuse a plain .numpy().
            t = t.numpy(force=True)
        except TypeError:
            t = t.numpy()
    return np.asarray(t, dtype=np.float64)


# ---------------------------------------------------------------------------
# The table.
# ---------------------------------------------------------------------------

def _F(lib):
    return lib.nn.functional


CASES = [
    # ---- arithmetic: tensor (+) tensor, broadcasting, 0-d, empty ----
    Case("add", lambda L, x, y: x + y, ((3, 4), (3, 4))),
    Case("add_bcast_row", lambda L, x, y: x + y, ((3, 4), (4,))),
    Case("add_bcast_3d", lambda L, x, y: x + y, ((2, 1, 3), (4, 1))),
    Case("add_0d_tensor", lambda L, x, y: x + y, ((3,), ())),
    Case("add_0d_0d", lambda L, x, y: x + y, ((), ())),
    Case("add_empty", lambda L, x, y: x + y, ((0, 3), (3,))),
    Case("add_fn_alpha", lambda L, x, y: L.add(x, y, alpha=2.0), ((3, 4), (4,))),
    Case("sub", lambda L, x, y: x - y, ((3, 4), (4,))),
    Case("sub_bcast_3d", lambda L, x, y: x - y, ((4, 1), (2, 1, 3))),
    Case("sub_fn", lambda L, x, y: L.sub(x, y), ((2, 3), (2, 3))),
    Case("mul", lambda L, x, y: x * y, ((3, 4), (3, 4))),
    Case("mul_bcast_row", lambda L, x, y: x * y, ((3, 4), (4,))),
    Case("mul_bcast_3d", lambda L, x, y: x * y, ((2, 1, 3), (4, 1))),
    Case("mul_0d", lambda L, x, y: x * y, ((2, 3), ())),
    Case("mul_self", lambda L, x: x * x, ((3, 4),)),
    Case("mul_empty", lambda L, x, y: x * y, ((2, 0), (2, 1))),
    Case("mul_fn", lambda L, x, y: L.mul(x, y), ((3, 1), (1, 4))),
    Case("div", lambda L, x, y: x / y, ((3, 4), (3, 4)), "away"),
    Case("div_bcast_3d", lambda L, x, y: x / y, ((2, 1, 3), (4, 1)), "away"),
    Case("div_0d", lambda L, x, y: x / y, ((), (3,)), "away"),
    Case("div_fn", lambda L, x, y: L.div(x, y), ((3, 4), (4,)), "away"),
    Case("pow_tensor_tensor", lambda L, x, y: x ** y, ((3, 4), (3, 4)), "pos"),
    Case("pow_tensor_bcast", lambda L, x, y: x ** y, ((2, 1, 3), (4, 1)), "pos"),
    Case("pow_fn_tensor", lambda L, x, y: L.pow(x, y), ((3, 4), (4,)), "pos"),
    # ---- arithmetic with Python scalars on either side ----
    Case("add_scalar", lambda L, x: x + 2.5, ((3, 4),)),
    Case("radd_scalar", lambda L, x: 2.5 + x, ((3, 4),)),
    Case("add_int_scalar", lambda L, x: x + 2, ((3,),)),
    Case("sub_scalar", lambda L, x: x - 1.5, ((3, 4),)),
    Case("rsub_scalar", lambda L, x: 1.5 - x, ((3, 4),)),
    Case("mul_scalar", lambda L, x: x * 3.0, ((3, 4),)),
    Case("rmul_scalar", lambda L, x: 3.0 * x, ((3, 4),)),
    Case("mul_scalar_0d", lambda L, x: x * -2.0, ((),)),
    Case("div_scalar", lambda L, x: x / 4.0, ((3, 4),)),
    Case("rdiv_scalar", lambda L, x: 2.0 / x, ((3, 4),), "away"),
    Case("rdiv_int_scalar", lambda L, x: 1 / x, ((5,),), "away"),
    Case("pow_scalar_2", lambda L, x: x ** 2, ((3, 4),)),
    Case("pow_scalar_3", lambda L, x: x ** 3, ((3, 4),)),
    Case("pow_scalar_half", lambda L, x: x ** 0.5, ((3, 4),), "pos"),
    Case("pow_scalar_neg", lambda L, x: x ** -1.5, ((3, 4),), "pos"),
    Case("pow_scalar_0", lambda L, x: x ** 0, ((3,),)),
    Case("rpow_scalar", lambda L, x: 2.0 ** x, ((3, 4),)),
    Case("pow_fn_scalar", lambda L, x: L.pow(x, 3), ((3, 4),)),
    Case("pow_fn_scalar_base", lambda L, x: L.pow(1.5, x), ((3, 4),)),
    Case("pow_method", lambda L, x: x.pow(2.5), ((3, 4),), "pos"),
    # ---- unary ----
    Case("neg", lambda L, x: -x, ((3, 4),)),
    Case("neg_fn", lambda L, x: L.neg(x), ((2, 3),)),
    Case("abs", lambda L, x: L.abs(x), ((3, 4),), "away"),
    Case("abs_method", lambda L, x: x.abs(), ((),), "away"),
    Case("exp", lambda L, x: L.exp(x), ((3, 4),)),
    Case("exp_method_0d", lambda L, x: x.exp(), ((),)),
    Case("exp_empty", lambda L, x: L.exp(x), ((0,),)),
    Case("log", lambda L, x: L.log(x), ((3, 4),), "pos"),
    Case("log_method", lambda L, x: x.log(), ((5,),), "pos"),
    Case("sqrt", lambda L, x: L.sqrt(x), ((3, 4),), "pos"),
    Case("sqrt_method", lambda L, x: x.sqrt(), ((),), "pos"),
    Case("sin", lambda L, x: L.sin(x), ((3, 4),)),
    Case("log1p", lambda L, x: L.log1p(x), ((3, 4),), "pos"),
    Case("expm1", lambda L, x: x.expm1(), ((2, 3),)),
    Case("log2", lambda L, x: L.log2(x), ((3, 4),), "pos"),
    Case("log10", lambda L, x: x.log10(), ((3,),), "pos"),
    Case("exp2", lambda L, x: L.exp2(x), ((2, 3),)),
    Case("square", lambda L, x: L.square(x), ((3, 4),)),
    Case("square_method_0d", lambda L, x: x.square(), ((),)),
    Case("rsqrt", lambda L, x: L.rsqrt(x), ((3, 4),), "pos"),
    Case("asin", lambda L, x: L.asin(x * 0.5), ((3, 4),), "small"),
    Case("arcsin_alias", lambda L, x: L.arcsin(x * 0.5), ((3,),), "small"),
    Case("acos", lambda L, x: (x * 0.5).acos(), ((3, 4),), "small"),
    Case("atan", lambda L, x: L.atan(x), ((3, 4),)),
    Case("sinh", lambda L, x: L.sinh(x), ((3, 4),)),
    Case("cosh", lambda L, x: x.cosh(), ((3, 4),)),
    Case("asinh", lambda L, x: L.asinh(x), ((3, 4),)),
    Case("acosh", lambda L, x: L.acosh(x + 1.0), ((3, 4),), "pos"),
    Case("atanh", lambda L, x: L.atanh(x * 0.5), ((3, 4),), "small"),
    Case("deg2rad", lambda L, x: L.deg2rad(x), ((3,),)),
    Case("rad2deg", lambda L, x: x.rad2deg(), ((3,),)),
    Case("sinc", lambda L, x: L.sinc(x), ((3, 4),), "away"),
    Case("sgn", lambda L, x: L.sgn(x), ((3, 4),), "away"),
    Case("floor", lambda L, x: L.floor(x), ((3, 4),)),
    Case("ceil", lambda L, x: x.ceil(), ((3, 4),)),
    Case("trunc", lambda L, x: L.trunc(x), ((3, 4),)),
    Case("fix", lambda L, x: x.fix(), ((4,),)),
    Case("round", lambda L, x: L.round(x), ((3, 4),)),
    Case("round_decimals", lambda L, x: L.round(x, decimals=2), ((3, 4),)),
    Case("frac", lambda L, x: L.frac(x), ((3, 4),)),
    Case("frac_method", lambda L, x: (x * 3).frac(), ((5,),)),
    Case("cos", lambda L, x: L.cos(x), ((3, 4),)),
    Case("cos_method", lambda L, x: x.cos(), ((2, 2),)),
    Case("tan", lambda L, x: L.tan(x), ((3, 4),), "small"),
    Case("tanh", lambda L, x: L.tanh(x), ((3, 4),)),
    Case("tanh_method", lambda L, x: x.tanh(), ((4,),)),
    Case("sigmoid", lambda L, x: L.sigmoid(x), ((3, 4),)),
    Case("sigmoid_method", lambda L, x: x.sigmoid(), ((),)),
    Case("relu", lambda L, x: L.relu(x), ((3, 4),), "away"),
    Case("relu_method", lambda L, x: x.relu(), ((5,),), "away"),
    Case("F_relu", lambda L, x: _F(L).relu(x), ((3, 4),), "away"),
    Case("F_sigmoid", lambda L, x: _F(L).sigmoid(x), ((3, 4),)),
    Case("F_tanh", lambda L, x: _F(L).tanh(x), ((3, 4),)),
    # ---- linear algebra ----
    Case("dot", lambda L, x, y: L.dot(x, y), ((5,), (5,))),
    Case("dot_method", lambda L, x, y: x.dot(y), ((3,), (3,))),
    Case("dot_empty", lambda L, x, y: L.dot(x, y), ((0,), (0,))),
    Case("mm", lambda L, x, y: L.mm(x, y), ((2, 3), (3, 4))),
    Case("mm_method", lambda L, x, y: x.mm(y), ((3, 3), (3, 2))),
    Case("mm_empty_inner", lambda L, x, y: L.mm(x, y), ((2, 0), (0, 3))),
    Case("mv", lambda L, x, y: L.mv(x, y), ((2, 3), (3,))),
    Case("mv_method", lambda L, x, y: x.mv(y), ((4, 2), (2,))),
    Case("matmul_1d_1d", lambda L, x, y: L.matmul(x, y), ((4,), (4,))),
    Case("matmul_2d_1d", lambda L, x, y: L.matmul(x, y), ((2, 3), (3,))),
    Case("matmul_1d_2d", lambda L, x, y: L.matmul(x, y), ((3,), (3, 4))),
    Case("matmul_2d_2d", lambda L, x, y: x @ y, ((2, 3), (3, 4))),
    Case("matmul_3d_2d", lambda L, x, y: x @ y, ((5, 2, 3), (3, 4))),
    Case("matmul_2d_3d", lambda L, x, y: x @ y, ((2, 3), (5, 3, 4))),
    Case("matmul_3d_3d", lambda L, x, y: x @ y, ((2, 2, 3), (2, 3, 4))),
    Case("matmul_bcast_batch", lambda L, x, y: x @ y, ((3, 1, 2, 3), (4, 3, 2))),
    Case("matmul_1d_3d", lambda L, x, y: x @ y, ((3,), (2, 3, 4))),
    Case("matmul_3d_1d", lambda L, x, y: x @ y, ((2, 4, 3), (3,))),
    Case("matmul_method", lambda L, x, y: x.matmul(y), ((2, 3), (3, 2))),
    Case("matmul_self", lambda L, x: x @ x, ((3, 3),)),
    # ---- reductions ----
    Case("sum", lambda L, x: L.sum(x), ((3, 4),)),
    Case("sum_method", lambda L, x: x.sum(), ((2, 3, 4),)),
    Case("sum_dim", lambda L, x: x.sum(1), ((3, 4),)),
    Case("sum_dim_neg_keepdim", lambda L, x: x.sum(dim=-1, keepdim=True), ((2, 3, 4),)),
    Case("sum_dim_tuple", lambda L, x: L.sum(x, dim=(0, 2)), ((2, 3, 4),)),
    Case("sum_0d", lambda L, x: x.sum(), ((),)),
    Case("sum_empty", lambda L, x: x.sum(), ((0, 3),)),
    Case("sum_empty_dim", lambda L, x: x.sum(0), ((0, 3),)),
    Case("mean", lambda L, x: L.mean(x), ((3, 4),)),
    Case("mean_dim", lambda L, x: x.mean(0), ((3, 4),)),
    Case("mean_dim_keepdim", lambda L, x: x.mean(dim=(1, 2), keepdim=True), ((2, 3, 4),)),
    Case("mean_0d", lambda L, x: x.mean(), ((),)),
    Case("prod", lambda L, x: L.prod(x), ((3, 4),)),
    Case("prod_method", lambda L, x: x.prod(), ((5,),)),
    Case("prod_dim", lambda L, x: x.prod(1), ((3, 4),)),
    Case("prod_dim_keepdim", lambda L, x: L.prod(x, 0, keepdim=True), ((3, 2),)),
    Case("prod_0d", lambda L, x: x.prod(), ((),)),
    Case("max_all", lambda L, x: L.max(x), ((3, 4),), "distinct"),
    Case("max_method_all", lambda L, x: x.max(), ((6,),), "distinct"),
    Case("max_dim_values", lambda L, x: L.max(x, 1)[0], ((3, 4),), "distinct"),
    Case("max_dim_keepdim", lambda L, x: x.max(dim=0, keepdim=True).values, ((3, 4),), "distinct"),
    Case("max_dim_neg", lambda L, x: x.max(-1)[0], ((2, 3, 4),), "distinct"),
    Case("max_0d", lambda L, x: x.max(), ((),), "distinct"),
    Case("min_all", lambda L, x: L.min(x), ((3, 4),), "distinct"),
    Case("min_dim_values", lambda L, x: L.min(x, 0)[0], ((3, 4),), "distinct"),
    Case("min_dim_keepdim", lambda L, x: x.min(dim=1, keepdim=True).values, ((2, 3, 4),), "distinct"),
    Case("amax", lambda L, x: L.amax(x, 1), ((3, 4),), "distinct"),
    Case("amax_tuple_keepdim", lambda L, x: L.amax(x, dim=(0, 2), keepdim=True), ((2, 3, 4),), "distinct"),
    Case("amax_method", lambda L, x: x.amax(-1), ((3, 4),), "distinct"),
    Case("norm", lambda L, x: L.norm(x), ((3, 4),), "away"),
    Case("norm_method", lambda L, x: x.norm(), ((5,),), "away"),
    Case("norm_dim", lambda L, x: x.norm(dim=1), ((3, 4),), "away"),
    Case("norm_dim_keepdim", lambda L, x: L.norm(x, dim=0, keepdim=True), ((3, 4),), "away"),
    Case("norm_p1", lambda L, x: x.norm(p=1), ((3, 4),), "away"),
    Case("norm_p3_dim", lambda L, x: x.norm(p=3, dim=1), ((3, 4),), "away"),
    Case("norm_0d", lambda L, x: x.norm(), ((),), "away"),
    Case("var", lambda L, x: L.var(x), ((3, 4),)),
    Case("var_dim", lambda L, x: x.var(1), ((3, 4),)),
    Case("var_dim_keepdim", lambda L, x: x.var(dim=0, keepdim=True), ((3, 4),)),
    Case("var_unbiased_false", lambda L, x: x.var(1, unbiased=False), ((3, 4),)),
    Case("var_correction0", lambda L, x: L.var(x, dim=(0, 1), correction=0), ((2, 3, 2),)),
    Case("std", lambda L, x: L.std(x), ((3, 4),)),
    Case("std_dim", lambda L, x: x.std(0), ((3, 4),)),
    Case("std_dim_keepdim", lambda L, x: x.std(dim=-1, keepdim=True), ((2, 3, 4),)),
    # ---- shape ops ----
    Case("reshape", lambda L, x: x.reshape(4, 3), ((3, 4),)),
    Case("reshape_fn_neg1", lambda L, x: L.reshape(x, (-1, 2)), ((3, 4),)),
    Case("reshape_tuple", lambda L, x: x.reshape((2, 6)), ((3, 4),)),
    Case("reshape_0d", lambda L, x: x.reshape(1, 1), ((),)),
    Case("view", lambda L, x: x.view(2, 6), ((3, 4),)),
    Case("view_neg1", lambda L, x: x.view(-1), ((2, 3, 2),)),
    Case("transpose", lambda L, x: x.transpose(0, 1), ((3, 4),)),
    Case("transpose_fn_3d", lambda L, x: L.transpose(x, 0, 2), ((2, 3, 4),)),
    Case("t", lambda L, x: x.t(), ((3, 4),)),
    Case("t_fn", lambda L, x: L.t(x), ((3, 4),)),
    Case("t_1d", lambda L, x: x.t(), ((4,),)),
    Case("T", lambda L, x: x.T, ((3, 4),)),
    Case("permute", lambda L, x: x.permute(2, 0, 1), ((2, 3, 4),)),
    Case("permute_fn_tuple", lambda L, x: L.permute(x, (1, 2, 0)), ((2, 3, 4),)),
    Case("squeeze", lambda L, x: x.squeeze(), ((1, 3, 1),)),
    Case("squeeze_dim", lambda L, x: x.squeeze(0), ((1, 3, 1),)),
    Case("squeeze_fn_dim", lambda L, x: L.squeeze(x, -1), ((2, 1),)),
    Case("unsqueeze", lambda L, x: x.unsqueeze(1), ((3, 4),)),
    Case("unsqueeze_fn_neg", lambda L, x: L.unsqueeze(x, -1), ((3,),)),
    Case("unsqueeze_0d", lambda L, x: x.unsqueeze(0), ((),)),
    Case("expand", lambda L, x: x.expand(2, 3, 4), ((3, 1),)),
    Case("expand_neg1", lambda L, x: x.expand(-1, 4), ((3, 1),)),
    Case("expand_0d", lambda L, x: x.expand(3), ((),)),
    Case("flatten", lambda L, x: x.flatten(), ((2, 3, 4),)),
    Case("flatten_fn_range", lambda L, x: L.flatten(x, 1), ((2, 3, 4),)),
    Case("flatten_0d", lambda L, x: x.flatten(), ((),)),
    # ---- indexing ----
    Case("index_int", lambda L, x: x[0], ((3, 4),)),
    Case("index_neg_int", lambda L, x: x[-1], ((3, 4),)),
    Case("index_2int", lambda L, x: x[1, 2], ((3, 4),)),
    Case("index_slice", lambda L, x: x[1:3], ((4, 3),)),
    Case("index_slice_step", lambda L, x: x[:, ::2], ((3, 5),)),
    Case("index_slice_mixed", lambda L, x: x[1, 1:], ((3, 4),)),
    Case("index_ellipsis_none", lambda L, x: x[..., None], ((3, 4),)),
    Case("index_none_front", lambda L, x: x[None], ((3,),)),
    Case("index_ellipsis_int", lambda L, x: x[..., 1], ((2, 3, 4),)),
    Case("index_int_tensor", lambda L, x: x[L.tensor([2, 0, 1])], ((3, 4),)),
    Case("index_int_tensor_repeat", lambda L, x: x[L.tensor([0, 2, 0, 0, 1])], ((3, 4),)),
    Case("index_int_tensor_repeat_1d", lambda L, x: x[L.tensor([1, 1, 3, 1])], ((4,),)),
    Case("index_int_tensor_dim1", lambda L, x: x[:, L.tensor([3, 0, 3])], ((2, 4),)),
    Case("index_int_tensor_2d_idx", lambda L, x: x[L.tensor([[0, 1], [1, 1]])], ((3,),)),
    Case("index_two_int_tensors", lambda L, x: x[L.tensor([0, 2, 0]), L.tensor([1, 1, 1])], ((3, 4),)),
    Case("index_bool_mask_rows", lambda L, x: x[L.tensor([True, False, True])], ((3, 4),)),
    Case("index_bool_mask_full", lambda L, x: x[L.tensor([[True, False, True], [False, False, True]])], ((2, 3),)),
    Case("index_bool_mask_from_cmp", lambda L, x: x[x > 0], ((3, 4),), "away"),
    Case("gather_dim1", lambda L, x: L.gather(x, 1, L.tensor([[0, 3], [2, 2], [1, 0]])), ((3, 4),)),
    Case("gather_smaller_index_repeats", lambda L, x: L.gather(x, 1, L.tensor([[0, 0, 3], [2, 0, 2]])),
         ((3, 4),)),
    Case("gather_dim0_longer", lambda L, x: x.gather(0, L.tensor([[0], [2], [2], [1]])), ((3, 4),)),
    Case("gather_3d_neg_dim", lambda L, x: L.gather(x, -1, L.tensor([[[1, 0]], [[2, 2]]])), ((2, 3, 3),)),
    # ---- joining ----
    Case("cat", lambda L, x, y: L.cat([x, y]), ((2, 3), (4, 3))),
    Case("cat_dim1", lambda L, x, y: L.cat((x, y), dim=1), ((2, 3), (2, 1))),
    Case("cat_three_neg_dim", lambda L, x, y, z: L.cat([x, y, z], -1), ((2, 1), (2, 2), (2, 3))),
    Case("cat_with_empty", lambda L, x, y: L.cat([x, y]), ((0, 3), (2, 3))),
    Case("cat_same_tensor", lambda L, x: L.cat([x, x, x]), ((2,),)),
    Case("stack", lambda L, x, y: L.stack([x, y]), ((2, 3), (2, 3))),
    Case("stack_dim1", lambda L, x, y, z: L.stack((x, y, z), dim=1), ((2, 3), (2, 3), (2, 3))),
    Case("stack_neg_dim", lambda L, x, y: L.stack([x, y], -1), ((3,), (3,))),
    Case("stack_0d", lambda L, x, y: L.stack([x, y]), ((), ())),
    # ---- selection ----
    Case("where", lambda L, x, y: L.where(x > 0, x, y), ((3, 4), (3, 4)), "away"),
    Case("where_bcast", lambda L, x, y: L.where(x > 0, x, y), ((3, 4), (4,)), "away"),
    Case("where_scalar_other", lambda L, x: L.where(x > 0, x, 0.0), ((3, 4),), "away"),
    Case("where_const_cond", lambda L, x, y: L.where(L.tensor([True, False, True]), x, y), ((2, 3), (2, 1))),
    Case("where_method", lambda L, x, y: x.where(x < 0, y), ((3, 4), (3, 4)), "away"),
    Case("clamp", lambda L, x: L.clamp(x, CLAMP_LO, CLAMP_HI), ((3, 4),), "distinct"),
    Case("clamp_min_only", lambda L, x: x.clamp(min=CLAMP_LO), ((3, 4),), "distinct"),
    Case("clamp_max_only", lambda L, x: x.clamp(max=CLAMP_HI), ((3, 4),), "distinct"),
    Case("clamp_int_bounds", lambda L, x: x.clamp(-1, 1), ((4, 4),), "distinct"),
    Case("clip", lambda L, x: L.clip(x, CLAMP_LO, CLAMP_HI), ((3, 4),), "distinct"),
    Case("maximum", lambda L, x, y: L.maximum(x, y), ((3, 4), (3, 4)), "distinct"),
    Case("maximum_bcast", lambda L, x, y: L.maximum(x, y), ((2, 1, 3), (4, 1)), "distinct"),
    Case("minimum", lambda L, x, y: L.minimum(x, y), ((3, 4), (4,)), "distinct"),
    Case("minimum_method", lambda L, x, y: x.minimum(y), ((3, 4), (3, 4)), "distinct"),
    # ---- softmax family ----
    Case("softmax", lambda L, x: L.softmax(x, 1), ((3, 4),)),
    Case("softmax_dim0", lambda L, x: L.softmax(x, dim=0), ((3, 4),)),
    Case("softmax_method_neg", lambda L, x: x.softmax(-1), ((2, 3, 4),)),
    Case("softmax_0d", lambda L, x: L.softmax(x, 0), ((),)),
    Case("log_softmax", lambda L, x: L.log_softmax(x, 1), ((3, 4),)),
    Case("log_softmax_method", lambda L, x: x.log_softmax(dim=0), ((3, 4),)),
    Case("logsumexp", lambda L, x: L.logsumexp(x, 1), ((3, 4),)),
    Case("logsumexp_keepdim", lambda L, x: L.logsumexp(x, dim=0, keepdim=True), ((3, 4),)),
    Case("logsumexp_tuple", lambda L, x: x.logsumexp((0, 2)), ((2, 3, 4),)),
    Case("logsumexp_large", lambda L, x: L.logsumexp(x + 1000.0, 1), ((3, 4),)),
    Case("F_softmax", lambda L, x: _F(L).softmax(x, dim=1), ((3, 4),)),
    Case("F_softmax_3d", lambda L, x: _F(L).softmax(x, dim=0), ((2, 3, 4),)),
    Case("F_log_softmax", lambda L, x: _F(L).log_softmax(x, dim=-1), ((3, 4),)),
    Case("softmax_large", lambda L, x: L.softmax(x + 1000.0, 1), ((3, 4),)),
    Case("log_softmax_large", lambda L, x: L.log_softmax(x - 1000.0, 1), ((3, 4),)),
    # ---- more edge forms ----
    Case("mul_0d_both_sides", lambda L, x, y: y * x * y, ((2, 3), ())),
    Case("pow_0d_exponent", lambda L, x, y: x ** y, ((3, 4), ()), "pos"),
    Case("add_size1_bcast", lambda L, x, y: x + y, ((3, 4), (1,))),
    Case("sub_rank_bcast_both", lambda L, x, y: x - y, ((3, 1, 1), (2, 1))),
    Case("clamp_tensor_bounds", lambda L, x, lo, hi: L.clamp(x, lo - 1.0, hi + 1.0), ((3, 4), (4,), (3, 1)), "distinct"),
    Case("where_scalar_self", lambda L, x: L.where(x > 0, 0.0, x), ((3, 4),), "away"),
    Case("max_dim_0d", lambda L, x: x.max(0)[0], ((),), "distinct"),
    Case("amax_all_dims_empty_tuple", lambda L, x: L.amax(x), ((3, 4),), "distinct"),
    Case("sum_neg_dim_tuple", lambda L, x: x.sum((-1, 0)), ((2, 3, 4),)),
    Case("mean_neg_dims_keepdim", lambda L, x: x.mean((-2,), keepdim=True), ((2, 3, 4),)),
    Case("var_correction2", lambda L, x: x.var(1, correction=2), ((3, 5),)),
    Case("std_unbiased_false_all", lambda L, x: x.std(unbiased=False), ((3, 4),)),
    Case("norm_pinf", lambda L, x: x.norm(p=float("inf")), ((3, 4),), "distinct"),
    Case("norm_fro", lambda L, x: L.norm(x, p="fro"), ((3, 4),), "away"),
    Case("softmax_dtype", lambda L, x: L.softmax(x, 1, dtype=L.float64), ((3, 4),)),
    Case("squeeze_tuple_dims", lambda L, x: x.squeeze((0, 2)), ((1, 3, 1, 2),)),
    Case("transpose_neg_dims", lambda L, x: x.transpose(-1, -3), ((2, 3, 4),)),
    Case("expand_0d_2d", lambda L, x: x.expand(2, 3), ((),)),
    Case("expand_new_leading", lambda L, x: x.expand(3, 2, 4), ((2, 4),)),
    Case("unsqueeze_empty", lambda L, x: x.unsqueeze(0), ((0, 2),)),
    Case("mm_transposed_view", lambda L, x, y: x.t() @ y.t(), ((3, 2), (4, 3))),
    Case("matmul_permuted_batch", lambda L, x, y: x.permute(1, 0, 2) @ y, ((2, 3, 4), (4, 2))),
    Case("index_list", lambda L, x: x[[0, 2, 2]], ((3, 4),)),
    Case("index_0d_int_tensor", lambda L, x: x[L.tensor(1)], ((3, 4),)),
    Case("index_neg_int_tensor", lambda L, x: x[L.tensor([-1, 0, -1])], ((3, 2),)),
    Case("index_mixed_combo", lambda L, x: x[1:, None, ::2], ((3, 4),)),
    Case("index_none_int_ellipsis", lambda L, x: x[None, ..., 0], ((2, 3),)),
    Case("index_bool_all_false", lambda L, x: x[L.tensor([False, False, False])], ((3, 2),)),
    Case("index_slice_then_int_tensor", lambda L, x: x[1:][L.tensor([0, 0, 1])], ((3, 2),)),
    Case("index_int_tensor_and_slice", lambda L, x: x[L.tensor([1, 0, 1]), 1:], ((2, 3),)),
    Case("index_bool_mask_dim1", lambda L, x: x[:, L.tensor([True, False, True, True])], ((2, 4),)),
    Case("cat_0d_unsqueezed", lambda L, x, y: L.cat([x.unsqueeze(0), y]), ((), (2,))),
    Case("stack_with_expand", lambda L, x, y: L.stack([x.expand(3), y]), ((1,), (3,))),
    Case("logsumexp_0d", lambda L, x: L.logsumexp(x, 0), ((),)),
    Case("log_softmax_0d", lambda L, x: L.log_softmax(x, 0), ((),)),
    Case("relu_0d", lambda L, x: L.relu(x), ((),), "away"),
    # ---- small compositions (graphs with reuse / chains) ----
    Case("chain_tanh_mm_sum", lambda L, x, w: L.tanh(x @ w).sum(1), ((2, 3), (3, 4))),
    Case("chain_reuse", lambda L, x: x * L.exp(x) + L.sin(x) * x, ((3,),)),
    Case("chain_softmax_mul", lambda L, x, y: (L.softmax(x, -1) * y).sum(-1), ((3, 4), (4,))),
]

_names = [c.name for c in CASES]
assert len(_names) == len(set(_names)), "duplicate case names"

CASE_IDS = _names


def case_by_name(name):
    for c in CASES:
        if c.name == name:
            return c
    raise KeyError(name)


# ---------------------------------------------------------------------------
# Finite differences on NumPy (float64), shared by the grad and hypothesis tests.
# ---------------------------------------------------------------------------

EPS = 1e-6


def numerical_vjp(func, arrays, v, eps=EPS):
    """Central differences of x -> <func(x), v> w.r.t. every element of every
    input array: one array per input, shaped like it.  `func` maps a list of
    float64 arrays to a float64 array (the output)."""
    grads = []
    base = [a.copy() for a in arrays]
    for i, a in enumerate(base):
        g = np.zeros(a.shape, dtype=np.float64)
        flat = a.reshape(-1)
        gflat = g.reshape(-1)
        for k in range(flat.size):
            old = flat[k]
            flat[k] = old + eps
            fp = func(base)
            flat[k] = old - eps
            fm = func(base)
            flat[k] = old
            gflat[k] = np.sum((fp - fm) * v) / (2 * eps)
        grads.append(g)
    return grads


def numerical_grad_of_scalar(func, arrays, eps=EPS):
    """Central differences of a scalar function of the list of arrays."""
    return numerical_vjp(func, arrays, 1.0, eps)


def is_zero_or_none(a, atol=0.0):
    return a is None or (np.asarray(a).size == 0) or bool(np.all(np.abs(np.asarray(a)) <= atol))


# ---------------------------------------------------------------------------
# Points on kinks / ties, where the derivative is a convention (a subgradient)
# rather than mathematics: finite differences cannot check these, so they are
# compared with torch only.  Each has explicit input values.
# ---------------------------------------------------------------------------

@dataclass
class KinkCase:
    name: str
    f: object
    values: tuple             # explicit float64 input arrays

    def arrays(self):
        return [np.array(v, dtype=np.float64) for v in self.values]


KINK_CASES = [
    KinkCase("relu_at_0", lambda L, x: L.relu(x), ([-1.0, 0.0, 2.0],)),
    KinkCase("abs_at_0", lambda L, x: L.abs(x), ([-1.0, 0.0, 2.0],)),
    KinkCase("clamp_at_bounds", lambda L, x: L.clamp(x, -0.5, 0.5), ([-0.5, 0.0, 0.5, 1.0],)),
    KinkCase("max_all_ties", lambda L, x: L.max(x), ([[1.0, 3.0], [3.0, 2.0]],)),
    KinkCase("min_all_ties", lambda L, x: x.min(), ([[1.0, 1.0], [3.0, 2.0]],)),
    KinkCase("max_dim_ties", lambda L, x: L.max(x, 1)[0], ([[1.0, 3.0, 3.0], [2.0, 2.0, 0.0]],)),
    KinkCase("amax_ties", lambda L, x: L.amax(x, 1), ([[1.0, 3.0, 3.0], [2.0, 2.0, 0.0]],)),
    KinkCase("maximum_ties", lambda L, x, y: L.maximum(x, y), ([1.0, 2.0, 3.0], [1.0, 0.0, 3.0])),
    KinkCase("minimum_ties", lambda L, x, y: L.minimum(x, y), ([1.0, 2.0, 3.0], [1.0, 0.0, 3.0])),
    KinkCase("norm_of_zero", lambda L, x: L.norm(x), ([0.0, 0.0, 0.0],)),
    KinkCase("sqrt_of_zero", lambda L, x: L.sqrt(x), ([0.0, 1.0],)),
    KinkCase("prod_with_zero", lambda L, x: L.prod(x), ([2.0, 0.0, 3.0],)),
    KinkCase("prod_with_two_zeros", lambda L, x: x.prod(1), ([[2.0, 0.0, 0.0], [1.0, 2.0, 0.0]],)),
    KinkCase("pow_zero_base", lambda L, x, y: x ** y, ([0.0, 0.0, 2.0], [2.0, 0.5, 0.0])),
    KinkCase("pow_scalar_zero_base", lambda L, x: x ** 2.0, ([0.0, -1.0],)),
    KinkCase("std_constant", lambda L, x: L.std(x), ([1.0, 1.0, 1.0],)),
]


def second_order(lib, f, arrays, v, ws, dtype="float64"):
    """d/dx of sum_i <w_i, d<v, f>/dx_i>, with lib = chainrule or torch; None where
    it is identically zero (the first gradient does not require grad)."""
    dt = getattr(lib, dtype)
    xs = [lib.tensor(np.array(a, dtype=np.float64), dtype=dt, requires_grad=True) for a in arrays]
    out = f(lib, *xs)
    gs = lib.autograd.grad(out, xs, grad_outputs=lib.tensor(np.array(v, dtype=np.float64), dtype=dt),
                           create_graph=True, allow_unused=True)
    terms = [(g * lib.tensor(np.array(w, dtype=np.float64), dtype=dt)).sum()
             for g, w in zip(gs, ws) if g is not None]
    if not terms:
        return [None] * len(xs)
    s = terms[0]
    for t in terms[1:]:
        s = s + t
    try:
        return list(lib.autograd.grad(s, xs, allow_unused=True))
    except RuntimeError as e:
        if "does not require grad" not in str(e):
            raise
        return [None] * len(xs)


# Rows kept beside the modules they test (issue 11's op families), run with these.
from _opcases_scans import CASES as _SCAN_CASES      # noqa: E402
from _opcases_select import CASES as _SELECT_CASES   # noqa: E402
from _opcases_linalg import CASES as _LINALG_CASES   # noqa: E402
from _opcases_nn import CASES as _NN_CASES           # noqa: E402
from _opcases_nn_functional import CASES as _NN_FUNCTIONAL_CASES   # noqa: E402
from _opcases_conv import CASES as _CONV_CASES       # noqa: E402
from _opcases_special import CASES as _SPECIAL_CASES  # noqa: E402
from _opcases_ops11 import CASES as _OPS11_CASES      # noqa: E402
from _opcases_names import CASES as _NAMES_CASES      # noqa: E402
from _opcases_names2 import CASES as _NAMES2_CASES    # noqa: E402
from _opcases_misc import CASES as _MISC_CASES        # noqa: E402

CASES += (_SCAN_CASES + _SELECT_CASES + _LINALG_CASES + _NN_CASES + _NN_FUNCTIONAL_CASES +
          _CONV_CASES + _SPECIAL_CASES + _OPS11_CASES + _NAMES_CASES + _NAMES2_CASES + _MISC_CASES)
