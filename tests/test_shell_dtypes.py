"""PyTorch's shell dtypes uint16, uint32, uint64 (chainrule/_dtypes.py, ops/_shell.py,
_shell_guards.py): torch 2.13 makes, prints, converts, views and copies tensors of them, and
a few ops take them; the rest refuse.  A table of ops, each run on the three dtypes in both
libraries: the same value, or the same exception type and first line.  (uint64's
torch.tensor quirks for negative and float data are left out: chainrule wraps and
truncates as for uint32.)"""
import numpy as np
import pytest

import chainrule as cr
from chainrule.ops import _backend

from test_misuse import _check, needs_torch

_NP = {"torch.uint16": np.uint16, "torch.uint32": np.uint32, "torch.uint64": np.uint64}
_STRICT = _backend.default() is not _backend.NUMPY


def x(L, d):
    return L.tensor([1, 2, 3], dtype=d)


OPS = {
   
 "repr": lambda L, d: repr(x(L, d)),
 "str": lambda L, d: str(x(L, d)),
 "tolist": lambda L, d: x(L, d).tolist(),
 "item": lambda L, d: x(L, d)[0].item(),
 "numpy": lambda L, d: x(L, d).numpy().dtype.str,
 "from_numpy": lambda L, d: L.from_numpy(np.array([1,2], dtype=_NP[str(d)])).dtype,
 "zeros": lambda L, d: L.zeros(2, dtype=d),
 "ones": lambda L, d: L.ones(2, dtype=d),
 "empty": lambda L, d: L.empty(2, dtype=d).shape,
 "full": lambda L, d: L.full((2,), 7, dtype=d),
 "arange": lambda L, d: L.arange(3, dtype=d),
 "zeros_like": lambda L, d: L.zeros_like(x(L, d)),
 "ones_like": lambda L, d: L.ones_like(x(L, d)),
 "full_like": lambda L, d: L.full_like(x(L, d), 4),
 "rand": lambda L, d: L.randint(0, 5, (2,), dtype=d).dtype,
 "to_float": lambda L, d: x(L, d).to(L.float32),
 "to_int64": lambda L, d: x(L, d).to(L.int64),
 "from_float": lambda L, d: L.tensor([1.5, 2.0]).to(d),
 "from_int64": lambda L, d: L.tensor([1, 2]).to(d),
 "from_neg": lambda L, d: L.tensor([-1]).to(d),
 "to_uint8": lambda L, d: x(L, d).to(L.uint8),
 "to_bool": lambda L, d: x(L, d).bool(),
 "to_other_u": lambda L, d: x(L, d).to(L.uint32 if d != L.uint32 else L.uint16),
 "clone": lambda L, d: x(L, d).clone(),
 "copy_": lambda L, d: L.zeros(3, dtype=d).copy_(L.tensor([4, 5, 6])),
 "copy_into_float": lambda L, d: L.zeros(3).copy_(x(L, d)),
 "contiguous": lambda L, d: x(L, d)[::2].contiguous(),
 "index_int": lambda L, d: x(L, d)[1],
 "index_slice": lambda L, d: x(L, d)[1:],
 "index_tensor": lambda L, d: x(L, d)[L.tensor([0, 2])],
 "index_bool": lambda L, d: x(L, d)[L.tensor([True, False, True])],
 "setitem": lambda L, d: (lambda t: (t.__setitem__(0, 9), t)[1])(x(L, d)),
 "setitem_tensor_idx": lambda L, d: (lambda t: (t.__setitem__(L.tensor([0]), 9), t)[1])(x(L, d)),
 "view": lambda L, d: x(L, d).view(3, 1),
 "reshape": lambda L, d: x(L, d).reshape(1, 3),
 "t": lambda L, d: x(L, d).reshape(1, 3).t(),
 "permute": lambda L, d: x(L, d).reshape(1, 3).permute(1, 0),
 "unsqueeze": lambda L, d: x(L, d).unsqueeze(0),
 "expand": lambda L, d: x(L, d)[:1].expand(3),
 "flatten": lambda L, d: x(L, d).reshape(1, 3).flatten(),
 "cat": lambda L, d: L.cat([x(L, d), x(L, d)]),
 "stack": lambda L, d: L.stack([x(L, d), x(L, d)]),
 "flip": lambda L, d: x(L, d).flip(0),
 "roll": lambda L, d: x(L, d).roll(1),
 "repeat": lambda L, d: x(L, d).repeat(2),
 "narrow": lambda L, d: x(L, d).narrow(0, 1, 2),
 "split": lambda L, d: x(L, d).split(1),
 "chunk": lambda L, d: x(L, d).chunk(3),
 "where": lambda L, d: L.where(L.tensor([True, False, True]), x(L, d), x(L, d)),
 "masked_fill": lambda L, d: x(L, d).masked_fill(L.tensor([True, False, True]), 0),
 "fill_": lambda L, d: x(L, d).fill_(5),
 "zero_": lambda L, d: x(L, d).zero_(),
 "add": lambda L, d: x(L, d) + 1,
 "add_t": lambda L, d: x(L, d) + x(L, d),
 "sub": lambda L, d: x(L, d) - 1,
 "mul": lambda L, d: x(L, d) * 2,
 "div": lambda L, d: x(L, d) / 2,
 "floordiv": lambda L, d: x(L, d) // 2,
 "remainder": lambda L, d: x(L, d) % 2,
 "neg": lambda L, d: -x(L, d),
 "abs": lambda L, d: x(L, d).abs(),
 "pow": lambda L, d: x(L, d) ** 2,
 "bitwise_and": lambda L, d: x(L, d) & x(L, d),
 "bitwise_or": lambda L, d: x(L, d) | x(L, d),
 "bitwise_xor": lambda L, d: x(L, d) ^ x(L, d),
 "bitwise_not": lambda L, d: ~x(L, d),
 "lshift": lambda L, d: x(L, d) << 1,
 "rshift": lambda L, d: x(L, d) >> 1,
 "eq": lambda L, d: x(L, d) == 2,
 "eq_t": lambda L, d: x(L, d) == x(L, d),
 "ne": lambda L, d: x(L, d) != 2,
 "lt": lambda L, d: x(L, d) < 2,
 "le": lambda L, d: x(L, d) <= 2,
 "gt": lambda L, d: x(L, d) > 2,
 "ge": lambda L, d: x(L, d) >= 2,
 "equal": lambda L, d: L.equal(x(L, d), x(L, d)),
 "allclose": lambda L, d: L.allclose(x(L, d), x(L, d)),
 "isnan": lambda L, d: L.isnan(x(L, d)),
 "isfinite": lambda L, d: L.isfinite(x(L, d)),
 "sum": lambda L, d: x(L, d).sum(),
 "prod": lambda L, d: x(L, d).prod(),
 "mean": lambda L, d: x(L, d).mean(),
 "max": lambda L, d: x(L, d).max(),
 "min": lambda L, d: x(L, d).min(),
 "amax": lambda L, d: x(L, d).amax(),
 "argmax": lambda L, d: x(L, d).argmax(),
 "argmin": lambda L, d: x(L, d).argmin(),
 "max_dim": lambda L, d: x(L, d).max(0),
 "cumsum": lambda L, d: x(L, d).cumsum(0),
 "sort": lambda L, d: x(L, d).sort(),
 "argsort": lambda L, d: x(L, d).argsort(),
 "topk": lambda L, d: x(L, d).topk(1),
 "unique": lambda L, d: x(L, d).unique(),
 "nonzero": lambda L, d: x(L, d).nonzero(),
 "any": lambda L, d: x(L, d).any(),
 "all": lambda L, d: x(L, d).all(),
 "count_nonzero": lambda L, d: L.count_nonzero(x(L, d)),
 "clamp": lambda L, d: x(L, d).clamp(0, 2),
 "maximum": lambda L, d: L.maximum(x(L, d), x(L, d)),
 "minimum": lambda L, d: L.minimum(x(L, d), x(L, d)),
 "sign": lambda L, d: x(L, d).sign(),
 "sqrt": lambda L, d: x(L, d).sqrt(),
 "exp": lambda L, d: (str(x(L, d).exp().dtype), [round(v, 4) for v in x(L, d).exp().tolist()]),
 "float_method": lambda L, d: x(L, d).float(),
 "double_method": lambda L, d: x(L, d).double(),
 "long_method": lambda L, d: x(L, d).long(),
 "matmul": lambda L, d: x(L, d) @ x(L, d),
 "gather": lambda L, d: x(L, d).gather(0, L.tensor([0, 0])),
 "scatter": lambda L, d: x(L, d).scatter(0, L.tensor([0]), x(L, d)[:1]),
 "index_select": lambda L, d: x(L, d).index_select(0, L.tensor([1])),
 "take": lambda L, d: x(L, d).take(L.tensor([1])),
 "tril": lambda L, d: x(L, d).reshape(1, 3).tril(),
 "diag": lambda L, d: x(L, d).diag(),
 "promote_int64": lambda L, d: L.promote_types(d, L.int64),
 "promote_uint8": lambda L, d: L.promote_types(d, L.uint8),
 "promote_int8": lambda L, d: L.promote_types(d, L.int8),
 "promote_float": lambda L, d: L.promote_types(d, L.float32),
 "promote_u16": lambda L, d: L.promote_types(d, L.uint16),
 "promote_u32": lambda L, d: L.promote_types(d, L.uint32),
 "promote_u64": lambda L, d: L.promote_types(d, L.uint64),
 "promote_bool": lambda L, d: L.promote_types(d, L.bool),
 "promote_half": lambda L, d: L.promote_types(d, L.float16),
 "result_type_scalar": lambda L, d: L.result_type(x(L, d), 1),
 "result_type_float": lambda L, d: L.result_type(x(L, d), 1.0),
 "iinfo": lambda L, d: (L.iinfo(d).min, L.iinfo(d).max, L.iinfo(d).bits, str(L.iinfo(d).dtype)),
 "is_signed": lambda L, d: d.is_signed,
 "is_floating_point": lambda L, d: d.is_floating_point,
 "itemsize": lambda L, d: d.itemsize,
 "element_size": lambda L, d: x(L, d).element_size(),
 "type": lambda L, d: x(L, d).type(),
 "requires_grad": lambda L, d: L.ones(2, dtype=d, requires_grad=True),
 "tensor_big": lambda L, d: L.tensor([2**16 - 1, 2**32 - 1 if d != L.uint16 else 0], dtype=d),
 "tensor_neg": lambda L, d: L.tensor([-1], dtype=d) if d != L.uint64 else "uint64: torch's OverflowError",
 "tensor_float_data": lambda L, d: L.tensor([1.7], dtype=d) if d != L.uint64 else "uint64: torch's TypeError",
 "as_tensor": lambda L, d: L.as_tensor([1, 2], dtype=d),
 "eye": lambda L, d: L.eye(2, dtype=d),
 "linspace": lambda L, d: L.linspace(0, 4, 3, dtype=d),
 "bincount": lambda L, d: x(L, d).bincount(),
 "sum_dim": lambda L, d: x(L, d).reshape(1,3).sum(1),
 "dot": lambda L, d: x(L, d).dot(x(L, d)),
 "pad": lambda L, d: L.nn.functional.pad(x(L, d), (1, 1)),
 "tensor_eq_bool": lambda L, d: bool(x(L, d)[0] == 1),
 "int_cast": lambda L, d: int(x(L, d)[1]),
 "float_cast": lambda L, d: float(x(L, d)[1]),
 "bool_cast": lambda L, d: bool(x(L, d)[1]),
 "hash_in_dict": lambda L, d: {d: 1}[d],
 "dtype_repr": lambda L, d: repr(d),
 "to_dtype_method": lambda L, d: x(L, d).to(dtype=L.float64),
 "masked_select": lambda L, d: x(L, d).masked_select(L.tensor([True, False, True])),
 "index_put": lambda L, d: x(L, d).index_put((L.tensor([0]),), L.tensor([7], dtype=d)),
 "abs_": lambda L, d: x(L, d).abs_(),
 "mul_": lambda L, d: x(L, d).mul_(2),
 "add_": lambda L, d: x(L, d).add_(2),
}

OPS.update({
 "masked_fill_": lambda L, d: x(L, d).masked_fill_(L.tensor([True, False, True]), 1),
 "scatter_": lambda L, d: x(L, d).scatter_(0, L.tensor([0]), x(L, d)[:1].clone()),
 "index_fill": lambda L, d: x(L, d).index_fill(0, L.tensor([0]), 1),
 "flip_method_2d": lambda L, d: x(L, d).reshape(1, 3).fliplr(),
 "rot90": lambda L, d: x(L, d).reshape(1, 3).rot90(),
 "triu": lambda L, d: x(L, d).reshape(1, 3).triu(),
 "tril_": lambda L, d: x(L, d).reshape(1, 3).tril_(),
 "logspace": lambda L, d: L.logspace(0, 1, 2, dtype=d),
 "randperm": lambda L, d: L.randperm(3, dtype=d),
 "take_fn": lambda L, d: L.take(x(L, d), L.tensor([0])),
 "put": lambda L, d: x(L, d).put(L.tensor([0]), x(L, d)[:1].clone()),
 "scatter_reduce": lambda L, d: x(L, d).scatter_reduce(0, L.tensor([0]), x(L, d)[:1].clone(), "sum"),
 "index_put_": lambda L, d: x(L, d).index_put_((L.tensor([0]),), L.tensor(1, dtype=d)),
 "sort_stable": lambda L, d: x(L, d).sort(stable=True),
 "msort": lambda L, d: x(L, d).msort(),
 "argwhere": lambda L, d: x(L, d).argwhere(),
 "where_one_arg": lambda L, d: L.where(x(L, d).bool()),
 "min_dim": lambda L, d: x(L, d).min(0),
 "amin": lambda L, d: x(L, d).amin(),
 "torch_max": lambda L, d: L.max(x(L, d)),
 "cumsum_dtype": lambda L, d: x(L, d).cumsum(0).dtype,
 "sum_dtype": lambda L, d: x(L, d).sum().dtype,
 "prod_dim": lambda L, d: x(L, d).prod(0),
 "full_big": lambda L, d: L.full((2,), 65535, dtype=d),
 "zeros_2d_repr": lambda L, d: repr(L.zeros(2, 2, dtype=d)),
 "repr_big": lambda L, d: repr(L.tensor([0, 65535], dtype=d)),
 "empty_repr": lambda L, d: repr(L.ones(0, dtype=d)),
 "scalar_repr": lambda L, d: repr(L.tensor(5, dtype=d)),
 "promote_tensor_mix": lambda L, d: x(L, d) * L.tensor([1, 2, 3]),
 "cat_mixed": lambda L, d: L.cat([x(L, d), L.tensor([1])]),
 "mul_float_tensor": lambda L, d: x(L, d) * L.tensor([1.5, 2.0, 0.5]),
 "mul_float_scalar": lambda L, d: x(L, d) * 1.5,
 "div_tensor": lambda L, d: x(L, d) / x(L, d),
 "eq_int64_tensor": lambda L, d: x(L, d) == L.tensor([1, 2, 4]),
 "can_cast": lambda L, d: (L.can_cast(d, L.int64), L.can_cast(L.int64, d), L.can_cast(d, L.float32)),
 "dtype_attrs": lambda L, d: (d.is_complex, d.is_signed, d.itemsize, str(d)),
})


@needs_torch
@pytest.mark.parametrize("dtype", ["uint16", "uint32", "uint64"])
@pytest.mark.parametrize("name", sorted(OPS))
def test_shell_dtype_op_matches_torch(name, dtype):
    import torch
    if _STRICT:
        try:
            OPS[name](torch, getattr(torch, dtype))
        except NotImplementedError:
            pytest.skip("the refusals are the NumPy adapter's (a ShellArray); the strict "
                        "backend's arrays compute")
        except Exception:             # noqa: BLE001 - compared below
            pass
    _check(lambda L: OPS[name](L, getattr(L, dtype)))


def test_table_covers_both_outcomes():
    """Not a hand-picked list of what works: refusals and working ops both."""
    import warnings
    outcomes = {"ok": 0, "refused": 0}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for f in OPS.values():
            try:
                f(cr, cr.uint32)
                outcomes["ok"] += 1
            except (NotImplementedError, RuntimeError):
                outcomes["refused"] += 1
    assert outcomes["ok"] >= 60 and (_STRICT or outcomes["refused"] >= 50), outcomes


@needs_torch
@pytest.mark.parametrize("dtype", ["uint16", "uint32", "uint64"])
def test_saved_and_loaded_both_ways(dtype, tmp_path):
    """torch writes these dtypes as _rebuild_tensor_v3 over an UntypedStorage: read and
    written here too (views keep their strides one way, values the other)."""
    import torch
    values = [[1, 2, 3], [4, 5, 2 ** 16 - 1]]
    torch.save({"t": torch.tensor(values, dtype=getattr(torch, dtype)).t(), "f": torch.ones(2)},
               tmp_path / "torch.pt")
    mine = cr.load(tmp_path / "torch.pt")
    assert mine["t"].dtype == getattr(cr, dtype) and mine["t"].stride() == (1, 3)
    assert mine["t"].tolist() == [list(r) for r in zip(*values)]
    with pytest.raises(NotImplementedError, match="add_stub"):
        mine["t"] + 1                        # still a shell dtype's tensor
    cr.save({"t": cr.tensor(values, dtype=getattr(cr, dtype))[:, ::2]}, tmp_path / "mine.pt")
    back = torch.load(tmp_path / "mine.pt", weights_only=True)["t"]
    assert back.dtype == getattr(torch, dtype) and back.tolist() == [[1, 3], [4, 2 ** 16 - 1]]
