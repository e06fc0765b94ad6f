"""torch.return_types: the named-tuple classes of the functions that return
several tensors (torch.max(x, 0) is a return_types.max, with .values and
.indices), each the class the function itself builds."""
from .ops import (decompositions as _dec, householder as _hh, linalg_ex as _lx,
                  linalg_more as _lm, lu as _lu,
                  pointwise_more as _pm, reduce as _reduce, scans as _scans,
                  statistics as _st)

_BY_NAME = {
    "aminmax": _scans._MinMax, "frexp": _pm.frexp_result, "geqrf": _hh.geqrf_result,
    "histogram": _st.histogram_result, "histogramdd": _st.histogramdd_result,
    "linalg_eigh": _reduce._return_type("linalg_eigh"), "linalg_lstsq": _lm.linalg_lstsq,
    "linalg_lu": _lu.linalg_lu, "linalg_lu_factor": _lu.linalg_lu_factor,
    "linalg_lu_factor_ex": _lu.linalg_lu_factor_ex, "linalg_qr": _dec.linalg_qr,
    "linalg_svd": _dec.linalg_svd, "lu_unpack": _lu.lu_unpack_result, "qr": _lm.qr_result,
    "svd": _lm.svd_result, "triangular_solve": _lm.triangular_solve_result,
    "linalg_inv_ex": _lx.linalg_inv_ex, "linalg_cholesky_ex": _lx.linalg_cholesky_ex,
    "linalg_solve_ex": _lx.linalg_solve_ex,
}
for _name in ("max", "min", "sort", "topk", "kthvalue", "mode", "median", "nanmedian",
              "cummax", "cummin", "slogdet", "linalg_slogdet"):
    _BY_NAME[_name] = _reduce._return_type(_name)
globals().update(_BY_NAME)

all_return_types = list(_BY_NAME.values())
__all__ = sorted(_BY_NAME)
