"""chainrule: PyTorch's autograd, rebuilt in pure Python on NumPy.

    import chainrule as torch
    x = torch.arange(4.0, requires_grad=True)
    y = 2 * torch.dot(x, x)
    y.backward()
    x.grad            # tensor([ 0.,  4.,  8., 12.])
"""
import numpy as _np

# Division by zero, overflow and invalid values give inf/nan silently, as in
# PyTorch, rather than NumPy's RuntimeWarnings.
_np.seterr(all="ignore")

from ._dtypes import (dtype, float16, float32, float64, half, float, double, uint8, int8,  # noqa: E402
                      int16, int32, int64, short, int, long, bool, get_default_dtype,
                      set_default_dtype, promote_types)
from ._tensor import Tensor, Size, device  # noqa: E402
from ._grad_mode import no_grad, enable_grad, set_grad_enabled, is_grad_enabled  # noqa: E402
from ._inference_mode import inference_mode, is_inference_mode_enabled  # noqa: E402
from .ops import _args as _ops_args, _registry as _ops_registry  # noqa: E402
from .ops import pointwise as _pw, reduce as _red, shape as _shp, linalg as _la  # noqa: E402
from .autograd import graph as _graph, engine as _engine  # noqa: E402

# Tell the op machinery and the engine which class is the Tensor.
_ops_args.bind(Tensor)
for _m in (_pw, _red, _shp, _la):
    _m._bind(Tensor)
_engine.Tensor = Tensor
from . import _inplace  # noqa: E402
_graph._bind(Tensor, _ops_registry, _inplace)

from . import _methods  # noqa: E402,F401
from ._factories import (tensor, as_tensor, from_numpy, arange, zeros, ones, full, empty,  # noqa: E402
                         eye, linspace, logspace, rand, randn, randint, randperm, normal,
                         manual_seed, seed, initial_seed, zeros_like, ones_like, full_like,
                         empty_like, rand_like, randn_like, randint_like, FloatTensor,
                         DoubleTensor, HalfTensor, LongTensor, IntTensor, BoolTensor,
                         ByteTensor, is_tensor, numel, Generator, default_generator)
from .ops.pointwise import (neg, negative, exp, log, sqrt, sin, cos, tan, tanh, abs,  # noqa: E402
                            absolute, sigmoid, relu, reciprocal, sign, add, sub, subtract,
                            rsub, mul, multiply, div, divide, true_divide, pow, maximum,
                            minimum, where, clamp, clip)
from .ops.reduce import (sum, mean, prod, max, min, amax, amin, argmax, argmin, norm,  # noqa: E402
                         var, std, logsumexp, softmax, log_softmax)
from .ops.shape import (reshape, flatten, unflatten, squeeze, unsqueeze, permute,  # noqa: E402
                        transpose, swapaxes, swapdims, t, select, narrow, index_select,
                        gather, nonzero, cat, concat, concatenate, stack, hstack, vstack,
                        clone, broadcast_to)
from .ops.linalg import matmul, dot, mm, mv, bmm, outer, inner  # noqa: E402
from ._printing import set_printoptions, get_printoptions  # noqa: E402
from . import autograd, nn, optim, func, utils  # noqa: E402
from . import _tensor as _tensor_module  # noqa: E402
_tensor_module._autograd = autograd
_tensor_module._engine = autograd.engine
_tensor_module._one = autograd._one


def is_floating_point(input):
    return input.is_floating_point()


def equal(input, other):
    return input.equal(other)


def allclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    return input.allclose(other, rtol, atol, equal_nan)


def eq(input, other):
    return input.eq(other)


def isnan(input):
    return input.isnan()


def result_type(tensor1, tensor2):
    from ._dtypes import result_type as _rt
    return _rt(tensor1, tensor2)


__version__ = "0.1.0"
