"""chainrule: PyTorch's autograd, rebuilt in pure Python on NumPy.

    import chainrule as torch
    x = torch.arange(4.0, requires_grad=True)
    y = 2 * torch.dot(x, x)
    y.backward()
    x.grad            # tensor([ 0.,  4.,  8., 12.])
"""
from ._dtypes import (dtype, float16, float32, float64, half, float, double, uint8, int8,
                      int16, int32, int64, short, int, long, bool, get_default_dtype,
                      set_default_dtype, promote_types, complex64, complex128, cfloat,
                      cdouble, uint16, uint32, uint64)
from ._tensor import Tensor, Size
from ._device import device, set_default_device, get_default_device
from ._grad_mode import no_grad, enable_grad, set_grad_enabled, is_grad_enabled
from ._inference_mode import inference_mode, is_inference_mode_enabled, is_inference
from .ops import _registry as _ops_registry, pointwise as _pw, reduce as _red, shape as _shp  # noqa: F401
from .ops import linalg as _la, scans as _scans, select as _select  # noqa: F401
from .ops import layers as _layers  # noqa: F401
from .ops import activations as _act, losses as _losses, norms as _norms  # noqa: F401
from .ops import conv as _conv, pool as _pool, conv_nd as _conv_nd, pool_nd as _pool_nd  # noqa: F401
from .ops import grid_sample as _grid_sample  # noqa: F401
from .ops import special as _special_ops, pad as _pad, einsum as _einsum, cdist as _cdist  # noqa: F401
from .ops import quantile as _quantile, scatter_reduce as _scatter_reduce  # noqa: F401
from .ops import masked_scatter as _masked_scatter, unique_dim as _unique_dim, products as _products  # noqa: F401
from .ops import decompositions as _decompositions  # noqa: F401
from .ops import matrix_functions as _matrix_functions  # noqa: F401
from .ops import pointwise_more as _pointwise_more, shape_more as _shape_more  # noqa: F401
from .ops import statistics as _statistics, complex as _complex_ops, spectral as _spectral  # noqa: F401
from .ops import linalg_more as _linalg_more, lu as _lu_ops, nn_more as _nn_more  # noqa: F401
from .ops import numerics as _numerics, householder as _householder  # noqa: F401
from .ops import ctc as _ctc, segment as _segment  # noqa: F401
from . import _interop  # noqa: F401  (DLPack, as_subclass)
from ._interop import from_dlpack, to_dlpack  # noqa: F401
from . import _methods  # noqa: F401  (attaches the generated methods to Tensor)
from . import _inplace_forms  # noqa: F401  (in-place comparisons, t_, squeeze_...)
from . import _tensor_info  # noqa: F401  (is_complex, is_signed, Tensor.new, H, mH...)
from . import _random_inplace  # noqa: F401  (uniform_, normal_, bernoulli, multinomial...)
from ._factories import (tensor, as_tensor, from_numpy, arange, zeros, ones, full, empty,
                         eye, linspace, logspace, rand, randn, randint, randperm, normal,
                         manual_seed, seed, initial_seed, zeros_like, ones_like, full_like,
                         empty_like, rand_like, randn_like, randint_like, FloatTensor,
                         DoubleTensor, HalfTensor, LongTensor, IntTensor, BoolTensor,
                         ByteTensor, is_tensor, numel, Generator, default_generator,
                         get_rng_state, set_rng_state, empty_strided, empty_permuted,
                         set_default_tensor_type, frombuffer)

# chainrule.<op> for every op declared public in chainrule/ops/ (sin, add, sum, cat...).
globals().update(_ops_registry.FUNCTIONS)
globals().update(_inplace_forms.FUNCTIONS)      # torch.exp_(x), torch.fill, torch.detach
globals().update(_tensor_info.FUNCTIONS)        # torch.is_complex, torch.can_cast...
globals().update(_random_inplace.FUNCTIONS)     # torch.bernoulli, torch.multinomial
from . import _resize  # noqa: E402  (Tensor.resize_, resize_as_...)
globals().update(_resize.FUNCTIONS)             # torch.resize_as_
from ._printing import set_printoptions, get_printoptions
from . import _dtypes, autograd, nn, optim, func, utils, linalg, testing, special
from . import cuda, accelerator, backends, viz
from . import random  # noqa: A004  (torch.random: seeding, fork_rng)
from ._compiler import compile  # noqa: A001  (torch.compile: capture once, replay)
from ._typeinfo import finfo, iinfo
from ._api_more import *  # noqa: F401,F403,E402  (switches, constants, windows, searchsorted...)
from .autograd.anomaly_mode import (is_anomaly_enabled, is_anomaly_check_nan_enabled,  # noqa: E402
                                    set_anomaly_enabled)
from . import serialization
from .serialization import save, load
from .func import vmap  # noqa: E402  (torch.vmap is torch.func.vmap)

# PyTorch's constants: plain Python floats, as torch.inf and the rest are.
from math import inf, nan, pi, e  # noqa: E402
newaxis = None


def is_floating_point(input):
    return input.is_floating_point()


def equal(input, other):
    return input.equal(other)


def allclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    return input.allclose(other, rtol, atol, equal_nan)


def result_type(tensor1, tensor2):
    return _dtypes.result_type(tensor1, tensor2)


__version__ = "0.1.0"

from . import functional  # noqa: E402  (torch.functional: made of the names above)
from .nn.functional_layers import embedding_renorm_, torch_embedding_bag as embedding_bag  # noqa: E402
from . import return_types  # noqa: E402  (torch.return_types: the named-tuple classes)
from ._lowrank import svd_lowrank, pca_lowrank  # noqa: E402
from ._lobpcg import lobpcg  # noqa: E402
from . import _shell_guards  # noqa: E402  (the shell dtypes' refusals in public functions)
_shell_guards.install(globals())
