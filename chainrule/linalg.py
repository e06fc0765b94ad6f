"""torch.linalg: norms, inverses, determinants and solves (issue 11)."""
from .ops.linalg import (_LinAlgError as LinAlgError, vector_norm, matrix_norm, norm, inv,
                         linalg_det as det,
                         linalg_slogdet as slogdet, solve, linalg_cross as cross)
from .ops.products import vecdot, matrix_power
from .ops.decompositions import eigh, eigvalsh, eig, eigvals, cholesky, svd, svdvals, qr
from .ops.matrix_functions import matrix_exp, pinv
from .ops.linalg_more import solve_triangular, matrix_rank, linalg_vander as vander, lstsq
from .ops.lu import lu, lu_factor, lu_factor_ex, lu_solve
from .ops.householder import householder_product
from .ops.linalg_ex import (inv_ex, cholesky_ex, solve_ex, cond, diagonal, matmul, multi_dot,
                            tensorinv, tensorsolve)

__all__ = ["LinAlgError", "vector_norm", "matrix_norm", "norm", "inv", "det", "slogdet", "solve",
           "cross", "vecdot", "matrix_power", "eigh", "eigvalsh", "eig", "eigvals", "cholesky", "svd", "svdvals", "qr", "matrix_exp", "pinv",
           "solve_triangular", "matrix_rank", "vander", "lu", "lu_factor", "lu_factor_ex", "lu_solve",
           "lstsq", "householder_product", "inv_ex", "cholesky_ex", "solve_ex", "cond", "diagonal",
           "matmul", "multi_dot", "tensorinv", "tensorsolve"]
