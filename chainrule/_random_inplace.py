"""Random numbers drawn into an existing tensor (x.uniform_(), x.normal_(),
x.random_(), x.bernoulli_(), x.exponential_(), x.geometric_(),
x.log_normal_(), x.cauchy_()), torch.bernoulli and torch.multinomial, each
with `generator=` (chainrule.Generator: NumPy's PCG64, so the same
distributions as PyTorch, not the same values).

An in-place draw of a tensor in a graph is recorded as PyTorch records it:
a node named after the distribution (UniformBackward0...) with a zero
gradient, since the new values do not depend on the old ones."""
import math

import numpy as np

from . import _batched, _dtypes, _factories, _inplace
from ._inplace_state import VMAP_ACTIVE as _VMAP_ACTIVE
from ._tensor import Tensor
from .ops import _out, _registry
from .ops._dispatch import apply as _apply

# The drawn values, recorded: the forward hands them on, the gradient is zero.
_DRAWN = _registry.defop("random_fill", lambda x, values: values, lambda F, g: g * 0,
                         params=("values",), node_name="UniformBackward0", quiet=False)


def _rng(generator):
    if _VMAP_ACTIVE[0]:
        _batched.check_random()           # randomness='error' refuses every draw
    return (generator or _factories.default_generator).rng


def _write(self, sample, node_name):
    """Draw `sample(shape)` (a float64 or int64 NumPy array) into self."""
    if _VMAP_ACTIVE[0] and self.__class__ is _batched.BatchedTensor:
        _batched.check_random()
        drawn = _batched.per_sample_draw(
            lambda s: _factories.tensor(sample(s), dtype=self.dtype), tuple(self.shape))
        if drawn is not None:                      # randomness='different': one per sample
            return self.copy_(drawn)
    values = _factories.tensor(sample(tuple(self.shape)), dtype=self.dtype)._data
    return _inplace.apply(self, lambda old: _apply(_DRAWN, (old,), (old._data,), (values,),
                                                   _DRAWN.variant(node_name)),
                          name=node_name[:-len("Backward0")].lower() + "_")


def _floating_only(self, kernel):
    if not self.dtype.is_floating_point and not self.dtype.is_complex:
        raise NotImplementedError(f"\"{kernel}\" not implemented for '{self.dtype.legacy}'")


def uniform_(self, from_=0, to=1, *, generator=None):
    _floating_only(self, "check_uniform_bounds")
    if from_ > to:
        raise RuntimeError(f"uniform_ expects to return a [from, to) range, but found "
                           f"from={_num(from_)} > to={_num(to)}")
    return _write(self, _parts_of(self, lambda s: _rng(generator).uniform(from_, to, s)),
                  "UniformBackward0")


def _parts_of(self, sample, scale=1.0):
    """sample, or for a complex tensor complex draws whose parts are each
    sample's (times scale), as PyTorch draws them."""
    if not self.dtype.is_complex:
        return sample

    def complex_sample(s):
        parts = sample(tuple(s) + (2,)) * scale
        return parts[..., 0] + 1j * parts[..., 1]
    return complex_sample


def normal_(self, mean=0, std=1, *, generator=None):
    _floating_only(self, "normal_kernel_cpu")
    if std < 0:
        raise RuntimeError(f"normal expects std >= 0.0, but found std {_num(std)}")
    if self.dtype.is_complex:      # (each part N(mean, std^2 / 2), as PyTorch's)
        parts = _parts_of(self, lambda s: _rng(generator).normal(0.0, std, s), math.sqrt(0.5))
        return _write(self, lambda s: parts(s) + mean * (1 + 1j), "NormalBackward0")
    return _write(self, lambda s: _rng(generator).normal(mean, std, s), "NormalBackward0")


def _num(v):
    """A number as PyTorch's messages print it (1.0 as 1)."""
    return int(v) if float(v).is_integer() else v


def _random_bounds(dt):
    """random_()'s default range: [0, 2**mantissa] for floats (every integer
    there is exact), [0, max] for integers, {0, 1} for bool."""
    if dt == _dtypes.bool:
        return 0, 2
    if dt.is_floating_point:
        digits = {"float16": 11, "float32": 24, "float64": 53}[dt.name]
        return 0, 2 ** digits + 1
    bits = 8 * dt.itemsize
    return 0, ((1 << (bits - 1)) if dt.is_signed else (1 << bits))


def random_(self, *args, generator=None, **kwargs):
    frm = kwargs.pop("from", None)
    to = kwargs.pop("to", None)
    if len(args) == 1:
        to = args[0]
    elif len(args) == 2:
        frm, to = args
    if frm is None and to is None:
        lo, hi = _random_bounds(self.dtype)
        name = "RandomBackward2"
    else:
        lo, hi = (0 if frm is None else frm), to
        name = "RandomBackward1" if frm is None else "RandomBackward0"
        if hi is None:
            hi = _random_bounds(self.dtype)[1]
        if lo >= hi:
            raise RuntimeError(f"random_ expects 'from' to be less than 'to', but got from={lo} "
                               f">= to={hi}")
    return _write(self, lambda s: _rng(generator).integers(lo, hi, s), name)


def _check_p(p, what):
    if isinstance(p, Tensor):
        bad = bool(((p < 0) | (p > 1)).any())
    else:
        bad = not 0 <= p <= 1
    if bad:
        if what == "bernoulli_" and not isinstance(p, Tensor):
            raise RuntimeError(f"bernoulli_ expects p to be in [0, 1], but got p={_num(p)}")
        raise RuntimeError("Expected p_in >= 0 && p_in <= 1 to be true, but got false.  (Could "
                           "this error message be improved?  If so, please report an "
                           "enhancement request to PyTorch.)")


def bernoulli_(self, p=0.5, *, generator=None):
    _check_p(p, "bernoulli_")
    if isinstance(p, Tensor):
        probs = p.detach().expand(self.shape).double().tolist()
        return _write(self, lambda s: _rng(generator).random(s) < _host(probs, s),
                      "BernoulliBackward1")
    return _write(self, lambda s: _rng(generator).random(s) < p, "BernoulliBackward2")


def _host(values, shape):
    # (the draws are NumPy's generator's: probabilities reach it as host arrays)
    return np.asarray(values, dtype=np.float64).reshape(shape)


def bernoulli(input, p=None, *, generator=None, out=None):
    """A 0/1 sample per element, with probability input (or p), in input's dtype."""
    if out is not None:
        return _out.into(out, bernoulli(input, p, generator=generator), "bernoulli")
    if p is not None:
        return _factories.empty_like(input).bernoulli_(p, generator=generator)
    _check_p(input, "bernoulli")
    probs = input.detach().double().tolist()
    draw = _rng(generator).random(tuple(input.shape)) < _host(probs, tuple(input.shape))
    out = _factories.tensor(draw, dtype=input.dtype)
    if input.requires_grad:
        # PyTorch records it (BernoulliBackward0, zero gradient)
        out = _apply(_DRAWN, (input,), (input._data,), (out._data,),
                     _DRAWN.variant("BernoulliBackward0"))
    return out


def exponential_(self, lambd=1, *, generator=None):
    if not self.dtype.is_floating_point:
        raise RuntimeError("Exponential distribution is a continuous probability distribution. "
                           f"dtype must be a floating point but you specified {self.dtype.legacy}")
    if not lambd > 0:
        raise RuntimeError(f"exponential_ expects lambda > 0.0, but found lambda={_num(lambd)}")
    return _write(self, lambda s: _rng(generator).exponential(1.0 / lambd, s),
                  "ExponentialBackward0")


def geometric_(self, p, *, generator=None):
    if not 0 < p < 1:
        raise RuntimeError(f"geometric_ expects p to be in (0, 1), but got p={_num(p)}")
    return _write(self, lambda s: _rng(generator).geometric(p, s), "GeometricBackward0")


def log_normal_(self, mean=1, std=2, *, generator=None):
    _floating_only(self, "log_normal_cpu")
    if not std > 0:
        raise RuntimeError(f"log_normal_ expects std > 0.0, but found std={_num(std)}")
    return _write(self, lambda s: _rng(generator).lognormal(mean, std, s), "LogNormalBackward0")


def cauchy_(self, median=0, sigma=1, *, generator=None):
    _floating_only(self, "cauchy_cpu")
    if not sigma > 0:
        raise RuntimeError(f"cauchy_ expects sigma > 0.0, but found sigma={_num(sigma)}")
    return _write(self, lambda s: median + sigma * _rng(generator).standard_cauchy(s),
                  "CauchyBackward0")


def multinomial(input, num_samples, replacement=False, *, generator=None, out=None):
    """Indices drawn from each row's categorical distribution (weights need
    not sum to 1).  Without replacement: the exponential race, each index's
    key -log(u) / p, the smallest keys first (zero weights come last)."""
    if out is not None:
        return _out.into(out, multinomial(input, num_samples, replacement, generator=generator),
                         "multinomial", exact="multinomial expects Long tensor out, got: {o}")
    if not input.dtype.is_floating_point:
        raise RuntimeError(f"multinomial only supports floating-point dtypes for input, got: "
                           f"{input.dtype.legacy}")
    nd = input.dim()
    if nd not in (1, 2):
        raise RuntimeError("prob_dist must be 1 or 2 dim")
    n = input.shape[-1]
    if not replacement and num_samples > n:
        raise RuntimeError("cannot sample n_sample > prob_dist.size(-1) samples without "
                           "replacement")
    if num_samples <= 0:
        raise RuntimeError("cannot sample n_sample <= 0 samples")
    rows = input.detach().double().reshape(-1, n).tolist()
    rng = _rng(generator)
    result = []
    for w in rows:
        if any(not math.isfinite(v) or v < 0 for v in w):
            raise RuntimeError("probability tensor contains either `inf`, `nan` or element < 0")
        total = sum(w)
        if total <= 0:
            raise RuntimeError("invalid multinomial distribution (sum of probabilities <= 0)")
        if replacement:
            result.append(rng.choice(n, num_samples, p=[v / total for v in w]).tolist())
        else:
            u = rng.random(n).tolist()
            keys = [(-math.log(1.0 - ui) / v if v > 0 else math.inf, i)
                    for i, (ui, v) in enumerate(zip(u, w))]
            result.append([i for _, i in sorted(keys)[:num_samples]])
    out = _factories.tensor(result, dtype=_dtypes.int64)
    return out.reshape(num_samples) if nd == 1 else out


def poisson(input, generator=None):
    """A Poisson draw per element with rate input, in input's dtype (PoissonBackward0: a zero
    gradient, as PyTorch's)."""
    input = _factories.as_tensor(input) if not isinstance(input, Tensor) else input
    if not input.dtype.is_floating_point:
        raise NotImplementedError(f"\"poisson_cpu\" not implemented for '{input.dtype.legacy}'")
    rates = _host(input.detach().double().tolist(), tuple(input.shape))
    if not (rates >= 0).all():                      # (nan too)
        raise RuntimeError("invalid Poisson rate, expected rate to be non-negative")
    out = _factories.tensor(_rng(generator).poisson(rates).astype(np.float64), dtype=input.dtype)
    if input.requires_grad:
        out = _apply(_DRAWN, (input,), (input._data,), (out._data,),
                     _DRAWN.variant("PoissonBackward0"))
    return out


def _no_binomial_derivative(F, g):
    raise RuntimeError("derivative for aten::binomial is not implemented")


# binomial's node: PyTorch records one that refuses backward (named NotImplemented).
_BINOMIAL = _registry.defop("binomial_draw", lambda c, p, values: values, _no_binomial_derivative,
                            None, inputs=("c", "p"), params=("values",),
                            node_name="NotImplemented", quiet=False)


def binomial(count, prob, generator=None):
    """A Binomial(count, prob) draw per element (count and prob broadcast; prob outside [0, 1]
    clamped, a negative count gives 0), in count's dtype."""
    if not count.dtype.is_floating_point:
        raise ValueError(f"binomial only supports floating-point dtypes for count, got: "
                         f"{count.dtype.legacy}")
    if prob.dtype != count.dtype:
        raise RuntimeError(f"Found dtype {prob.dtype.legacy} but expected {count.dtype.legacy}")
    c = _host(count.detach().double().tolist(), tuple(count.shape))
    pr = _host(prob.detach().double().tolist(), tuple(prob.shape))
    c, pr = np.broadcast_arrays(c, pr)
    n = np.where(np.isfinite(c) & (c > 0), np.floor(c), 0).astype(np.int64)
    q = np.where(np.isnan(pr), 0.0, np.clip(pr, 0.0, 1.0))
    drawn = _rng(generator).binomial(n, q).astype(np.float64)
    drawn = np.where(np.isnan(pr), np.nan, drawn)
    out = _factories.tensor(drawn, dtype=count.dtype)
    if count.requires_grad or prob.requires_grad:
        out = _apply(_BINOMIAL, (count, prob), (count._data, prob._data), (out._data,))
    return out


for _fn in (uniform_, normal_, random_, bernoulli_, exponential_, geometric_, log_normal_,
            cauchy_):
    setattr(Tensor, _fn.__name__, _fn)
Tensor.bernoulli = bernoulli
Tensor.multinomial = multinomial
FUNCTIONS = {"bernoulli": bernoulli, "multinomial": multinomial, "poisson": poisson,
             "binomial": binomial}
