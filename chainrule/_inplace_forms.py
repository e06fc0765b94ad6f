"""In-place forms PyTorch has whose out-of-place op chainrule already had:
comparisons, logic and bitwise ops written back into their input
(x.eq_(y)), the metadata-only shape changes (x.t_(), x.squeeze_(), x.as_strided_()), and the
top-level spellings of in-place methods (torch.exp_(x)), with torch.fill and
torch.detach.

Each is built from the out-of-place op; what differs from the generic
in-place driver (_inplace.apply) is said where it happens."""
from . import _dtypes, _factories, _func_levels, _inplace
from ._inplace_state import FUNC_LEVEL
from ._grad_mode import STATE
from ._tensor import Tensor
from ._views import bump
from .ops import _registry, numerics as _numerics, pointwise as P, shape as S
from .ops import shape_more as _shape_more
from .ops._args import as_operand
from .ops._dispatch import apply as _apply


# --- comparisons in place: the result (1 or 0) in self's dtype -----------------------------------
# PyTorch keeps them in the graph with zero gradients, under the comparison's
# name (EqBackward0 against a number, EqBackward1 against a tensor).
def _zero(F, g):
    return g * 0


def _comparison_op(name):
    # The forward passes on the comparison's value, computed (with its checks
    # and promotion) by the out-of-place op; this op only records the node.
    op = _registry.defop(name + "_inplace", lambda value, other: value, _zero, _zero,
                         inputs=("a", "b"), node_name=name.capitalize() + "Backward1",
                         quiet=False)
    op.scalar_node = op.variant(name.capitalize() + "Backward0")
    return op


_COMPARISONS = {name: _comparison_op(name) for name in ("eq", "ne", "lt", "le", "gt", "ge")}


def _compared(name, old, other):
    """old <name> other, recorded with zero gradients for both (the write
    into old's storage casts the bools to its dtype)."""
    op = _COMPARISONS[name]
    other = as_operand(other)
    value = getattr(P, name)(old, other)._data
    if isinstance(other, Tensor):
        return _apply(op, (old, other), (value, other._data))
    return _apply(op, (old, other), (value, other), (), op.scalar_node)


def _comparison_inplace(name):
    def method(self, other):
        return _inplace.apply(self, lambda old: _compared(name, old, other), (other,),
                              name + "_")
    method.__name__ = method.__qualname__ = name + "_"
    return method


# --- logic and bitwise in place ----------------------------------------------------------------
def _bitwise_inplace(fn, name):
    def method(self, *others):
        if others and self._data.dtype.kind in "iub":
            # PyTorch promotes first: a float result cannot go into self
            result = _dtypes.result_type(self, as_operand(others[0]))
            if result.is_floating_point:
                raise RuntimeError(f"result type {result.legacy} can't be cast to the desired "
                                   f"output type {self.dtype.legacy}")
        return _inplace.apply(self, lambda old: fn(old, *others), others, name)
    method.__name__ = method.__qualname__ = name
    return method


def _logical_inplace(fn, name):
    """PyTorch writes the 0/1 result into self without touching its history
    (logical ops have no derivative and are not recorded): a float tensor
    keeps its grad_fn, only its version moves."""
    def method(self, *others):
        if FUNC_LEVEL[0]:
            _func_levels.check_inplace(self, name, others)
        if STATE.enabled:
            _inplace.check_leaf(self)
        _inplace._store(self, fn(self, *others)._data)
        bump(self)
        return self
    method.__name__ = method.__qualname__ = name
    return method


# --- shape changes in place: self takes the view's layout and history --------------------------
# PyTorch numbers the in-place forms' nodes after the out-of-place ones:
# TBackward0 -> TBackward1, SqueezeBackward0/1/2 -> SqueezeBackward3/4/5.
_NODE_SHIFT = {"Squeeze": 3}


def _metadata_inplace(fn, name):
    def method(self, *args, **kwargs):
        if FUNC_LEVEL[0]:
            _func_levels.check_inplace(self, name)
        if STATE.enabled:
            _inplace.check_leaf(self)
        if self._view_of is None:
            # (computed from a stand-in sharing self's storage and history, so
            # that self does not become a view of itself)
            source = Tensor._make(self._data, self._requires_grad, self._grad_fn)
            source._vbox = self._vbox
        else:
            source = self
        out = fn(source, *args, **kwargs)
        node = out._grad_fn
        if node is not None and node is not self._grad_fn:
            cls = type(node).__name__
            stem, number = cls.rstrip("0123456789"), cls[len(cls.rstrip("0123456789")):]
            shift = _NODE_SHIFT.get(stem[:-len("Backward")], 1)
            node.__class__ = _registry.complex_like(
                node, node._op.variant(f"{stem}{int(number or 0) + shift}"))
        self._data = out._data
        self._grad_fn = node
        if self._view_of is not None:
            self._view_of = out._view_of
        bump(self)
        return self
    method.__name__ = method.__qualname__ = name
    return method


_COMPARISON_NAMES = {"eq_": "eq", "ne_": "ne", "lt_": "lt", "le_": "le", "gt_": "gt",
                     "ge_": "ge", "greater_": "gt", "greater_equal_": "ge", "less_": "lt",
                     "less_equal_": "le", "not_equal_": "ne"}
for _name, _op in _COMPARISON_NAMES.items():
    setattr(Tensor, _name, _comparison_inplace(_op))
for _fn in (P.bitwise_and, P.bitwise_or, P.bitwise_xor, P.bitwise_not, _numerics.bitwise_left_shift,
            _numerics.bitwise_right_shift):
    setattr(Tensor, _fn.__name__ + "_", _bitwise_inplace(_fn, _fn.__name__ + "_"))
Tensor.__ilshift__ = Tensor.bitwise_left_shift_
Tensor.__irshift__ = Tensor.bitwise_right_shift_
for _fn in (P.logical_and, P.logical_or, P.logical_xor, P.logical_not):
    setattr(Tensor, _fn.__name__ + "_", _logical_inplace(_fn, _fn.__name__ + "_"))
def _t_checked(input):
    if input._data.ndim > 2:
        raise RuntimeError(f"t_() expects a tensor with <= 2 dimensions, but self is "
                           f"{input._data.ndim}D")
    return S.t(input)


for _name, _fn in (("t_", _t_checked), ("transpose_", S.transpose), ("swapaxes_", S.transpose),
                   ("swapdims_", S.transpose), ("squeeze_", S.squeeze),
                   ("unsqueeze_", S.unsqueeze), ("as_strided_", _shape_more.as_strided)):
    setattr(Tensor, _name, _metadata_inplace(_fn, _name))


# --- torch.<name>_(input, ...): the method of the same name --------------------------------------
_TOP_LEVEL_INPLACE = (
    "abs_ acos_ acosh_ addmv_ arccos_ arccosh_ arcsin_ arcsinh_ arctan_ arctanh_ asin_ asinh_ "
    "atan_ atanh_ ceil_ clamp_ clamp_max_ clamp_min_ clip_ cos_ cosh_ deg2rad_ detach_ erf_ "
    "erfc_ exp2_ exp_ expm1_ fill_ fix_ floor_ frac_ i0_ log10_ log1p_ log2_ log_ logit_ "
    "nan_to_num_ neg_ negative_ rad2deg_ reciprocal_ relu_ round_ rsqrt_ sigmoid_ sin_ sinc_ "
    "sinh_ sqrt_ square_ tan_ tanh_ trunc_ xlogy_ zero_ gcd_ lcm_ ldexp_ conj_physical_ index_put_ "
    "as_strided_").split()


def _top_level(name):
    def function(input, *args, **kwargs):
        return getattr(input, name)(*args, **kwargs)
    function.__name__ = function.__qualname__ = name
    return function


FUNCTIONS = {name: _top_level(name) for name in _TOP_LEVEL_INPLACE}


def fill(input, value):
    """torch.fill: a filled copy (FillBackward0 for a number, FillBackward1
    for a 0-d tensor, as PyTorch names them)."""
    name = "FillBackward1" if isinstance(value, Tensor) else "FillBackward0"
    if isinstance(value, Tensor) and value._data.ndim:
        raise RuntimeError("fill_ only supports 0-dimension value tensor but got tensor with "
                           f"{value._data.ndim} dimensions.")
    return S.index_put(input, (Ellipsis,), value, name)


def detach(input):
    return input.detach()


FUNCTIONS.update(fill=fill, detach=detach)


# --- fill_diagonal_ ---------------------------------------------------------------------------
def _diagonal_positions(shape, wrap):
    """Flat positions of the main diagonal of a C-ordered `shape` (every size
    equal, or a 2-D matrix); wrap: a tall matrix's diagonal restarts every
    cols + 1 rows, as NumPy's fill_diagonal and PyTorch's do."""
    step, inner = 0, 1
    for n in reversed(shape):
        step += inner
        inner *= n
    numel = inner
    if wrap and len(shape) == 2 and shape[0] > shape[1]:
        return list(range(0, numel, step))
    return [k * step for k in range(min(shape))]


def _fill_diagonal_(self, fill_value, wrap=False):
    shape = tuple(self.shape)
    if len(shape) < 2:
        raise RuntimeError("dimensions must larger than 1")
    if len(shape) > 2 and len(set(shape)) != 1:
        raise RuntimeError("all dimensions of input must be of equal length")
    flat = _diagonal_positions(shape, wrap)
    # PyTorch fills a wrapped diagonal in two writes: the square part, then the rest.
    first = min(shape)
    _fill_positions(self, flat[:first], fill_value)
    if flat[first:]:
        _fill_positions(self, flat[first:], fill_value)
    return self


def _fill_positions(self, flat, fill_value):
    shape = tuple(self.shape)
    index = []
    for n in reversed(shape):                  # flat positions -> one index list per dimension
        index.append([p % n for p in flat])
        flat = [p // n for p in flat]
    index = tuple(_factories.tensor(i, dtype=_dtypes.int64) for i in reversed(index))
    _inplace.apply(self, lambda old: S.index_put(old, index, fill_value, "CopySlices"),
                   (fill_value,))


Tensor.fill_diagonal_ = _fill_diagonal_
