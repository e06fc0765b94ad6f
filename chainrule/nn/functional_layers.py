"""The functional forms of nn's Linear, Bilinear, Dropout and Embedding
layers (torch.nn.functional.linear, bilinear, dropout, embedding), composed
of chainrule ops so that their graphs carry PyTorch's node names:
linear on a matrix is one addmm (AddmmBackward0), on other shapes a view of
one; without bias a matmul (MmBackward0, UnsafeViewBackward0...)."""
from .. import _dtypes, _factories, _grad_mode
from .._tensor import Tensor
from ..linalg import vector_norm
from ..ops.layers import embedding as _embedding_rows
from ..ops.linalg import matmul, mm
from ..ops.pointwise import where
from ..ops.products import addmm
from ..ops import nn_more as _nn_more
from ..ops._dispatch import apply as _apply

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


def _type_text(v):
    return "<class 'torch.Tensor'>" if isinstance(v, Tensor) else str(type(v))


def _bags(input, offsets, include_last_offset, padding_idx):
    """The index list of each bag (padding_idx left out)."""
    if input.dim() == 2:
        if offsets is not None:
            raise ValueError("if input is 2D, then offsets has to be None, as input is treated "
                             "is a mini-batch of fixed length sequences. However, found offsets "
                             f"of type {_type_text(offsets)}")
        rows = input.tolist()
    elif input.dim() == 1:
        if offsets is None:
            raise ValueError("offsets has to be a 1D Tensor but got None")
        if offsets.dim() != 1:
            raise ValueError("offsets has to be a 1D Tensor")
        flat = input.tolist()
        starts = offsets.tolist()
        if include_last_offset:         # (the last offset is the end of the last bag)
            ends = starts[1:]
            starts = starts[:-1]
        else:
            ends = starts[1:] + [len(flat)]
        rows = [flat[a:b] for a, b in zip(starts, ends)]
    else:
        raise ValueError(f"input has to be 1D or 2D Tensor, but got Tensor of dimension "
                         f"{input.dim()}")
    return rows


def embedding_bag(input, weight, offsets=None, max_norm=None, norm_type=2, scale_grad_by_freq=False,
                  mode="mean", sparse=False, per_sample_weights=None, include_last_offset=False,
                  padding_idx=None):
    """Sums, means or maxima of bags of embedding rows, without building the rows
    (EmbeddingBagBackward0)."""
    if sparse:
        raise NotImplementedError("embedding_bag: sparse gradients are not supported by "
                                  "chainrule")
    if mode not in ("sum", "mean", "max"):
        raise ValueError("mode has to be one of sum, mean or max")
    if mode == "max" and weight.is_complex():
        raise NotImplementedError("chainrule: embedding_bag's max does not take complex weights")
    if per_sample_weights is not None and mode != "sum":
        raise NotImplementedError(f"embedding_bag: per_sample_weights was not None. "
                                  f"per_sample_weights is only supported for mode='sum' (got "
                                  f"mode='{mode}'). Please open a feature request on GitHub.")
    if per_sample_weights is not None and tuple(per_sample_weights.shape) != tuple(input.shape):
        raise ValueError(f"embedding_bag: If per_sample_weights ({tuple(per_sample_weights.shape)}"
                         f") is not None, then it must have the same shape as the input "
                         f"({tuple(input.shape)})")
    n_rows, dim = weight.shape
    if padding_idx is not None:
        padding_idx = padding_index(padding_idx, n_rows)
    if max_norm is not None:
        _renorm_rows(weight, input.reshape(-1), max_norm, norm_type)
    bags = _bags(input, offsets, include_last_offset, padding_idx)
    positions, k = [], 0
    for bag in bags:
        positions.append(list(range(k, k + len(bag))))
        k += len(bag)
    flat_idx = [i for bag in bags for i in bag]
    for pos, i in enumerate(flat_idx):
        if i < 0 or i >= n_rows:
            if weight.dtype is _dtypes.float64:
                raise RuntimeError(f"embedding_bag: Expected idx >= 0 && idx < num_embeddings "
                                   f"but found idx to be {i}")
            raise RuntimeError(f"Index {pos} of input takes value {i} which is not in the valid "
                               f"range [0, {n_rows})")     # (PyTorch's fast float kernel's text)
    if mode == "max":
        flat, keep = [], []
        w_host = weight.detach().tolist()
        for bag in bags:
            use = [i for i in bag if i != padding_idx]
            rows_d, keep_d = [], []
            for d in range(dim):
                if use:
                    best = max(use, key=lambda i: (w_host[i][d], -use.index(i)))
                    rows_d.append(best * dim + d)
                    keep_d.append(True)
                else:
                    rows_d.append(d)
                    keep_d.append(False)
            flat.append(rows_d)
            keep.append(keep_d)
        flat_t = _factories.tensor(flat, dtype=_dtypes.int64).reshape(len(bags), dim)
        keep_t = _factories.tensor(keep, dtype=_dtypes.bool).reshape(len(bags), dim)
        return _apply(_nn_more.EMBEDDING_BAG_MAX, (weight,), (weight._data,),
                      (flat_t._data, keep_t._data))
    # sum / mean: S = (membership * weights) @ onehot
    member = [[0.0] * len(flat_idx) for _ in bags]
    for b, (bag, pos) in enumerate(zip(bags, positions)):
        used = [p for i, p in zip(bag, pos) if i != padding_idx]
        for p in used:
            member[b][p] = 1.0 / len(used) if mode == "mean" else 1.0
    M = _factories.tensor(member, dtype=weight.dtype).reshape(len(bags), len(flat_idx))
    if per_sample_weights is not None:
        M = M * per_sample_weights.reshape(1, -1)
    onehot = _factories.zeros(len(flat_idx), n_rows, dtype=weight.dtype)
    for p, i in enumerate(flat_idx):
        onehot[p, i] = 1.0
    S = matmul(M, onehot) if flat_idx else _factories.zeros(len(bags), n_rows, dtype=weight.dtype)
    return _apply(_nn_more.EMBEDDING_BAG, (weight, S), (weight._data, S._data))


_MODES = {0: "sum", 1: "mean", 2: "max"}


def torch_embedding_bag(weight, indices, offsets, scale_grad_by_freq=False, mode=0, sparse=False,
                        per_sample_weights=None, include_last_offset=False, padding_idx=None):
    """torch.embedding_bag (ATen's form, mode 0 sum / 1 mean / 2 max): (output, offset2bag,
    bag_size, max_indices) with PyTorch's conventions for the three bookkeeping tensors
    (sum gives zero sizes; mean's max_indices repeat the sizes; max's are the rows chosen).
    Checked against torch without padding_idx only."""
    name = _MODES[int(mode)]
    out = embedding_bag(indices, weight, offsets, None, 2, scale_grad_by_freq, name, sparse,
                        per_sample_weights, include_last_offset,
                        None if padding_idx is None or padding_idx < 0 else padding_idx)
    bags = _bags(indices, offsets, include_last_offset, None)
    n_bags = len(bags)
    owner = [b for b, bag in enumerate(bags) for _ in bag]
    offset2bag = _factories.tensor(owner, dtype=_dtypes.int64)
    if name == "sum":
        # (PyTorch's CPU kernel fills offset2bag for double weights only: its fast float path
        # does without)
        if weight.dtype is not _dtypes.float64:
            offset2bag = _factories.empty(0, dtype=_dtypes.int64)
        zeros = _factories.zeros(n_bags, dtype=_dtypes.int64)
        return out, offset2bag, zeros, zeros.clone()
    sizes = _factories.tensor([len(bag) for bag in bags], dtype=_dtypes.int64)
    if name == "mean":
        return out, offset2bag, sizes, sizes.clone()
    w_host = weight.detach().tolist()
    dim = weight.shape[1]
    best = [[max(bag, key=lambda i: (w_host[i][d], -bag.index(i))) if bag else 0
             for d in range(dim)] for bag in bags]
    return out, offset2bag, sizes, _factories.tensor(best, dtype=_dtypes.int64).reshape(n_bags, dim)
