"""torch.special: the special functions under PyTorch's names there (most are
the top-level ops themselves, as in PyTorch: special.expit is sigmoid)."""
from .ops.pointwise import sigmoid as expit, logit, xlogy, log1p, expm1, exp2, sinc, round
from .ops.reduce import softmax, log_softmax, logsumexp
from .ops.special import (erf, erfc, erfinv, lgamma as gammaln, digamma, polygamma, entr, i0,
                          special_i1 as i1, erfcx, log_ndtr, ndtri, ndtr, i0e, i1e, xlog1py,
                          mvlgamma as multigammaln, igamma as gammainc, igammac as gammaincc)

psi = digamma

__all__ = ["erf", "erfc", "erfinv", "gammaln", "digamma", "psi", "polygamma", "expit", "logit",
           "xlogy", "log1p", "expm1", "exp2", "sinc", "entr", "i0", "i1", "erfcx", "log_ndtr", "ndtri",
           "ndtr", "i0e", "i1e", "xlog1py", "multigammaln", "round", "softmax", "log_softmax",
           "logsumexp", "gammainc", "gammaincc"]
