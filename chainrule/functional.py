"""torch.functional: the functions PyTorch defines in Python there, each
chainrule's top-level one (stft and istft are not
built yet).  Imported by chainrule/__init__.py once those names exist."""
from ._lowrank import svd_lowrank, pca_lowrank  # noqa: F401
from . import (atleast_1d, atleast_2d, atleast_3d, broadcast_shapes, broadcast_tensors,  # noqa: F401
               cartesian_prod, block_diag, cdist, chain_matmul, einsum, lu, norm, meshgrid,
               split, tensordot, unique, unique_consecutive, unravel_index)

__all__ = ["atleast_1d", "atleast_2d", "atleast_3d", "broadcast_shapes", "broadcast_tensors",
           "cartesian_prod", "block_diag", "cdist", "chain_matmul", "einsum", "lu", "norm",
           "meshgrid", "split", "tensordot", "unique", "unique_consecutive", "unravel_index",
           "svd_lowrank", "pca_lowrank"]
