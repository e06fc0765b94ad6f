"""The functional forms of nn's Linear, Bilinear, Dropout and Embedding
layers (torch.nn.functional.linear, bilinear, dropout, embedding), composed
of chainrule ops so that their graphs carry PyTorch's node names:
linear on a matrix is one addmm (AddmmBackward0), on other shapes a view of
one; without bias a matmul (MmBackward0, UnsafeViewBackward0...)."""
from .. import _factories, _grad_mode
from .._tensor import Tensor
from ..linalg import vector_norm
from ..ops.layers import embedding as _embedding_rows
from ..ops.linalg import matmul, mm
from ..ops.pointwise import where
from ..ops.products import addmm

__all__ = ["linear", "bilinear", "dropout", "embedding"]


def _check_tensor(x, name, pos, fname):
    if not isinstance(x, Tensor):
        raise TypeError(f"{fname}(): argument '{name}' (position {pos}) must be Tensor, not "
                        f"{type(x).__name__}")


def linear(input, weight, bias=None):
    _check_tensor(input, "input", 1, "linear")
    _check_tensor(weight, "weight", 2, "linear")
    if input.dim() == 0 or weight.dim() == 0:
        raise RuntimeError("both arguments to linear need to be at least 1D, but they are "
                           f"{input.dim()}D and {weight.dim()}D")
    wt = weight.t()
    if bias is None:
        return matmul(input, wt)
    if input.dim() == 2:
        return addmm(bias, input, wt)
    out = addmm(bias, input.reshape(-1, input.shape[-1]), wt)
    return out.view(*input.shape[:-1], out.shape[-1])


def bilinear(input1, input2, weight, bias=None):
    """y[..., o] = sum_ij x1[..., i] W[o, i, j] x2[..., j] + b[o]: one matrix
    product with W laid out as (in1, out * in2), then a product with x2
    summed over j; the result viewed to the inputs' leading shape, then
    the bias added (PyTorch's last two nodes)."""
    if input1.dim() != input2.dim():
        raise RuntimeError(f"bilinear(): input dimensions do not match: got {input1.dim()} and "
                           f"{input2.dim()}")
    for d, (s1, s2) in enumerate(zip(input1.shape[:-1], input2.shape[:-1])):
        if s1 != s2:
            raise RuntimeError(f"bilinear(): input batch dimensions do not match at dim {d}: "
                               f"got {s1} and {s2}")
    if weight.dim() != 3:
        raise RuntimeError(f"bilinear(): weight must be three-dimensional, but got "
                           f"{weight.dim()} dimension(s)")
    out_f, in1, in2 = weight.shape
    if input1.shape[-1] != in1:
        raise RuntimeError(f"bilinear(): input1 size does not match weight size: got "
                           f"{input1.shape[-1]} but expected {in1}")
    if input2.shape[-1] != in2:
        raise RuntimeError(f"bilinear(): input2 size does not match weight size: got "
                           f"{input2.shape[-1]} but expected {in2}")
    lead = input1.shape[:-1]
    x1 = input1.reshape(-1, in1)
    x2 = input2.reshape(-1, in2)
    u = mm(x1, weight.permute(1, 0, 2).reshape(in1, out_f * in2)).reshape(-1, out_f, in2)
    y = (u * x2.unsqueeze(1)).sum(-1).view(*lead, out_f)
    return y if bias is None else y + bias


def dropout(input, p=0.5, training=True, inplace=False):
    if p < 0.0 or p > 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    if not training or p == 0:
        return input
    with _grad_mode.no_grad():
        if p == 1:
            mask = _factories.zeros(input.shape, dtype=input.dtype)
        else:
            if not input.is_floating_point():
                raise RuntimeError("result type Float can't be cast to the desired output type "
                                   f"{input.dtype.legacy}")
            keep = _factories.rand(input.shape) >= p
            mask = keep.to(input.dtype) * (1.0 / (1.0 - p))
    return input.mul_(mask) if inplace else input * mask


def padding_index(padding_idx, n):
    """padding_idx checked against n rows and made non-negative (None stays
    None), as F.embedding and nn.Embedding both take it."""
    if padding_idx is not None:
        if padding_idx > 0:
            if padding_idx >= n:
                raise AssertionError("Padding_idx must be within num_embeddings")
        elif padding_idx < 0:
            if padding_idx < -n:
                raise AssertionError("Padding_idx must be within num_embeddings")
            padding_idx = n + padding_idx
    return padding_idx


def embedding(input, weight, padding_idx=None, max_norm=None, norm_type=2.0,
              scale_grad_by_freq=False, sparse=False):
    if sparse:
        raise NotImplementedError("embedding: sparse gradients are not supported by chainrule")
    if padding_idx is not None:
        padding_idx = padding_index(padding_idx, weight.shape[0])
    if max_norm is not None:
        _renorm_rows(weight, input, max_norm, norm_type)
    return _embedding_rows(input, weight, padding_idx, scale_grad_by_freq)


def _renorm_rows(weight, input, max_norm, norm_type):
    """PyTorch's embedding_renorm_: the rows that `input` reads whose norm
    exceeds max_norm are scaled (in place, unrecorded) to max_norm / (norm + 1e-7)."""
    _check_tensor(input, "indices", 2, "embedding")
    with _grad_mode.no_grad():
        rows = input.reshape(-1).unique()
        if rows.numel() == 0:
            return
        w = weight[rows]
        norms = vector_norm(w, norm_type, dim=1, keepdim=True)
        scale = where(norms > max_norm, max_norm / (norms + 1e-7), 1.0)
        weight[rows] = w * scale


def embedding_renorm_(input, indices, max_norm, norm_type):
    """torch.embedding_renorm_(weight, indices, max_norm, norm_type): the rows
    named by indices rescaled in place to at most max_norm; returns weight."""
    _renorm_rows(input, indices, max_norm, norm_type)
    return input
