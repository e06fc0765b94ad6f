"""Spatial transformers: grid_sample / grid_sampler(_2d/_3d) and
affine_grid / affine_grid_generator (issue 11).

grid_sample reads the input at the grid's points (x, y[, z] in [-1, 1],
unnormalised to pixel coordinates by align_corners, moved inside by the
padding mode: zeros, border = clamp, reflection = folded over the edges,
then clamped), interpolating:

    bilinear  sum over the 2^n corners of the cell: prod(1 - |c - corner|) * value
    nearest   the value at round(c) (halves to even, as PyTorch's nearbyint)
    bicubic   (2-D) a 4x4 neighbourhood weighted by Keys' cubic convolution
              (A = -0.75); each tap's position goes through the padding mode

Written as a composition of differentiable ops (unnormalise, clamp, fmod,
floor as a constant, gather, products), so the gradients with respect to
the input and the grid, and their own derivatives to any order, follow from
those ops' formulas: PyTorch differentiates grid_sampler twice as well
(GridSampler2DBackwardBackward0).  The recorded result is one copy under
PyTorch's node name (GridSampler2DBackward0 / GridSampler3DBackward0); the
nodes below it are the composition's.  Values outside the input count as
zero (padding_mode="zeros") through a constant mask on the weights.

affine_grid is the base grid of normalised pixel centres ([x, y(, z), 1]
per output position) times theta^T: one bmm (AffineGridGeneratorBackward0).
"""
import itertools
import math
import warnings

from .._factories import linspace, ones, zeros
from ._args import as_tensor_arg
from .conv_nd import _MISSING, _check_given
from ._dispatch import apply
from ._registry import expose
from .linalg import bmm
from .pointwise import clamp, floor, fmod, round as _round, where
from .shape import CLONE, expand, gather, reshape, select, stack

__all__ = ["grid_sample", "affine_grid", "grid_sampler", "grid_sampler_2d", "grid_sampler_3d",
           "affine_grid_generator"]

_MODES = {"bilinear": 0, "nearest": 1, "bicubic": 2}
_PADDINGS = {"zeros": 0, "border": 1, "reflection": 2}
_ALIGN_WARNING = ("Default grid_sample and affine_grid behavior has changed to align_corners=False "
                  "since 1.3.0. Please specify align_corners=True if the old behavior is desired. "
                  "See the documentation of grid_sample for details.")
_UNIT_WARNING = ("Since version 1.3.0, affine_grid behavior has changed for unit-size grids when "
                 "align_corners=True. This is not an intended use case of affine_grid. See the "
                 "documentation of affine_grid for details.")
_NAMES = {2: CLONE.variant("GridSampler2DBackward0"), 3: CLONE.variant("GridSampler3DBackward0")}
_AFFINE = CLONE.variant("AffineGridGeneratorBackward0")
_A = -0.75                      # the cubic convolution's parameter, as PyTorch's bicubic


# --- coordinates ------------------------------------------------------------------------------
def _unnormalize(c, size, align_corners):
    """[-1, 1] to pixel coordinates: -1 and 1 are the corner pixels' centres
    (align_corners) or their outer edges."""
    if align_corners:
        return (c + 1) * ((size - 1) / 2)
    return ((c + 1) * size - 1) / 2


def _reflect(c, twice_low, twice_high):
    """c folded into [twice_low / 2, twice_high / 2] by reflections at both ends."""
    if twice_low == twice_high:
        return c * 0
    low = twice_low / 2
    span = (twice_high - twice_low) / 2
    a = (c - low).abs()
    extra = fmod(a, span)
    flips = floor(a.detach() / span)
    return where(fmod(flips, 2) == 0, extra + low, span - extra + low)


def _pad_coordinates(c, size, padding, align_corners):
    """The padding mode's source coordinate (zeros: c itself)."""
    if padding == 2:
        c = (_reflect(c, 0, 2 * (size - 1)) if align_corners
             else _reflect(c, -1, 2 * size - 1))
    if padding != 0:
        c = clamp(c, 0, size - 1)
    return c


# --- sampling ---------------------------------------------------------------------------------
def _read(flat_input, idx, sizes):
    """flat_input (N, C, prod(sizes)) at the integer points idx (one (N, P)
    float tensor per spatial dim, no gradient): (N, C, P) values and the
    (N, 1, P) mask of the points inside (zero elsewhere)."""
    inside = None
    flat = None
    for i, n in zip(idx, sizes):
        ok = (i >= 0) & (i <= n - 1)
        inside = ok if inside is None else inside & ok
        i = clamp(i, 0, n - 1).long()
        flat = i if flat is None else flat * n + i
    N, C = flat_input.shape[:2]
    P = flat.shape[1]
    values = gather(flat_input, 2, expand(reshape(flat, (N, 1, P)), (N, C, P)))
    return values, reshape(inside, (N, 1, P)).to(flat_input.dtype)


def _sample(x, grid, mode, padding, align_corners):
    n = x.ndim - 2
    N, C = x.shape[:2]
    sizes = tuple(x.shape[2:])
    out = tuple(grid.shape[1:-1])
    P = math.prod(out)
    flat_input = reshape(x, (N, C, math.prod(sizes)))
    # The grid's last axis is (x, y[, z]): the last spatial dimension first.
    coords = [reshape(select(grid, -1, n - 1 - d), (N, P)) for d in range(n)]
    coords = [_unnormalize(c, s, align_corners) for c, s in zip(coords, sizes)]
    if mode == 2:
        return _bicubic(flat_input, coords, sizes, padding, align_corners, (N, C) + out)
    coords = [_pad_coordinates(c, s, padding, align_corners) for c, s in zip(coords, sizes)]
    y = None
    if mode == 1:
        near = [_round(c) for c in coords]
        values, inside = _read(flat_input, [r.detach() for r in near], sizes)
        # round's derivative is zero: the grid stays in the graph with a zero gradient
        weight = inside
        for r in near:
            weight = weight * reshape(r - r.detach() + 1, (N, 1, P))
        y = values * weight
    else:
        low = [floor(c.detach()) for c in coords]
        frac = [c - lo for c, lo in zip(coords, low)]
        for corner in itertools.product((0, 1), repeat=n):
            values, inside = _read(flat_input, [lo + b for lo, b in zip(low, corner)], sizes)
            weight = inside
            for f, b in zip(frac, corner):
                weight = weight * reshape(f if b else 1 - f, (N, 1, P))
            y = values * weight if y is None else y + values * weight
    return reshape(y, (N, C) + out)


def _cubic_weights(t):
    """Keys' cubic convolution weights of the 4 taps at -1, 0, 1, 2 for the
    fractional position t."""
    def near(s):              # |s| <= 1
        return ((_A + 2) * s - (_A + 3)) * s * s + 1

    def far(s):               # 1 < |s| < 2
        return ((_A * s - 5 * _A) * s + 8 * _A) * s - 4 * _A
    return [far(t + 1), near(t), near(1 - t), far(2 - t)]


def _bicubic(flat_input, coords, sizes, padding, align_corners, shape):
    N, P = coords[0].shape
    cy, cx = coords
    low_y, low_x = floor(cy.detach()), floor(cx.detach())
    wy, wx = _cubic_weights(cy - low_y), _cubic_weights(cx - low_x)
    y = None
    for i in range(4):
        ty = _pad_coordinates(low_y + (i - 1), sizes[0], padding, align_corners).trunc()
        for j in range(4):
            tx = _pad_coordinates(low_x + (j - 1), sizes[1], padding, align_corners).trunc()
            values, inside = _read(flat_input, [ty, tx], sizes)
            term = values * (inside * reshape(wy[i] * wx[j], (N, 1, P)))
            y = term if y is None else y + term
    return reshape(y, shape)


# --- the public functions (PyTorch's checks and texts) ------------------------------------------
def _sizes(shape):
    return "[" + ", ".join(str(s) for s in shape) + "]"


def _int_arg(v, fname, name, position, kind=int):
    if not isinstance(v, kind) or (kind is int and isinstance(v, bool)):
        raise TypeError(f"{fname}(): argument '{name}' (position {position}) must be "
                        f"{kind.__name__}, not {type(v).__name__}")
    return v


def _grid_sampler(fname, nd, input, grid, interpolation_mode, padding_mode, align_corners):
    _int_arg(interpolation_mode, fname, "interpolation_mode", 3)
    _int_arg(padding_mode, fname, "padding_mode", 4)
    _int_arg(align_corners, fname, "align_corners", 5, bool)
    x, g = as_tensor_arg(input), as_tensor_arg(grid)
    xs, gs = tuple(x.shape), tuple(g.shape)
    if xs[:1] != gs[:1]:
        raise RuntimeError(f"grid_sampler(): expected grid and input to have same batch size, but "
                           f"got input with sizes {_sizes(xs)} and grid with sizes {_sizes(gs)}")
    if gs[-1:] != (len(xs) - 2,):
        raise RuntimeError(f"grid_sampler(): expected grid to have size {len(xs) - 2} in last "
                           f"dimension, but got grid with sizes {_sizes(gs)}")
    want = nd or (len(xs) if len(xs) in (4, 5) else 5)
    if len(xs) != want or len(gs) != want:
        raise RuntimeError(f"grid_sampler(): expected {want}D input and grid with same number of "
                           f"dimensions, but got input with sizes {_sizes(xs)} and grid with "
                           f"sizes {_sizes(gs)}")
    for d in range(2, len(xs)):
        if xs[d] == 0:
            raise RuntimeError(f"grid_sampler(): expected input to have non-empty spatial "
                               f"dimensions, but input has sizes {_sizes(xs)} with dimension {d} "
                               "being empty")
    if interpolation_mode == 2 and len(xs) == 5:
        raise RuntimeError("grid_sampler(): bicubic interpolation only supports 4D input")
    n = len(xs) - 2
    if x._data.dtype.kind != "f":
        kernel = "grid_sampler_2d_cpu_kernel_impl" if n == 2 else "grid_sampler3d_cpu"
        raise NotImplementedError(f'"{kernel}" not implemented for \'{x.dtype.legacy}\'')
    if g._data.dtype != x._data.dtype:
        raise RuntimeError(f"expected scalar type {x.dtype.legacy} but found {g.dtype.legacy}")
    if interpolation_mode not in (0, 1, 2) or padding_mode not in (0, 1, 2):
        raise RuntimeError(f"{fname}(): interpolation_mode {interpolation_mode} or padding_mode "
                           f"{padding_mode} is not supported")
    y = _sample(x, g, interpolation_mode, padding_mode, align_corners)
    return apply(CLONE, (y,), (y._data,), ("C",), _NAMES[n])


def grid_sampler(input, grid, interpolation_mode=_MISSING, padding_mode=_MISSING,
                    align_corners=_MISSING):
    _check_given("grid_sampler", ("interpolation_mode", "padding_mode", "align_corners"),
                 (interpolation_mode, padding_mode, align_corners))
    return _grid_sampler("grid_sampler", None, input, grid, interpolation_mode, padding_mode,
                         align_corners)


def grid_sampler_2d(input, grid, interpolation_mode=_MISSING, padding_mode=_MISSING,
                       align_corners=_MISSING):
    _check_given("grid_sampler_2d", ("interpolation_mode", "padding_mode", "align_corners"),
                 (interpolation_mode, padding_mode, align_corners))
    return _grid_sampler("grid_sampler_2d", 4, input, grid, interpolation_mode, padding_mode,
                         align_corners)


def grid_sampler_3d(input, grid, interpolation_mode=_MISSING, padding_mode=_MISSING,
                       align_corners=_MISSING):
    _check_given("grid_sampler_3d", ("interpolation_mode", "padding_mode", "align_corners"),
                 (interpolation_mode, padding_mode, align_corners))
    return _grid_sampler("grid_sampler_3d", 5, input, grid, interpolation_mode, padding_mode,
                         align_corners)


def grid_sample(input, grid, mode="bilinear", padding_mode="zeros", align_corners=None):
    if mode not in _MODES:
        raise ValueError("nn.functional.grid_sample(): expected mode to be 'bilinear', 'nearest' "
                         f"or 'bicubic', but got: '{mode}'")
    if padding_mode not in _PADDINGS:
        raise ValueError("nn.functional.grid_sample(): expected padding_mode to be 'zeros', "
                         f"'border', or 'reflection', but got: '{padding_mode}'")
    if align_corners is None:
        warnings.warn(_ALIGN_WARNING, UserWarning, stacklevel=2)
        align_corners = False
    return grid_sampler(input, grid, _MODES[mode], _PADDINGS[padding_mode], bool(align_corners))


def _base_line(n, align_corners, dtype):
    """The normalised centres of n pixels along one dimension."""
    if n <= 1:
        return zeros(n, dtype=dtype)
    line = linspace(-1.0, 1.0, n, dtype=dtype)
    return line if align_corners else line * ((n - 1) / n)


def affine_grid_generator(theta, size=_MISSING, align_corners=_MISSING):
    _check_given("affine_grid_generator", ("size", "align_corners"), (size, align_corners))
    t = as_tensor_arg(theta)
    size = [int(s) for s in size]
    if len(size) not in (4, 5):
        raise RuntimeError("AffineGridGenerator needs 4d (spatial) or 5d (volumetric) inputs.")
    N, spatial = size[0], size[2:]
    dtype = t.dtype
    lines = [_base_line(n, align_corners, dtype) for n in spatial]      # (D,) H, W
    k = len(spatial)
    parts = []
    for d in reversed(range(k)):       # x (the last dimension) first, then y (, z)
        shape = [1] * k
        shape[d] = spatial[d]
        parts.append(expand(reshape(lines[d], tuple(shape)), tuple(spatial)))
    parts.append(ones(tuple(spatial), dtype=dtype))
    base = reshape(stack(parts, -1), (1, math.prod(spatial), k + 1))
    base = expand(base, (N, math.prod(spatial), k + 1))
    grid = reshape(bmm(base, t.transpose(1, 2)), tuple([N] + spatial + [k]))
    return apply(CLONE, (grid,), (grid._data,), ("C",), _AFFINE)


def affine_grid(theta, size, align_corners=None):
    t = as_tensor_arg(theta)
    if align_corners is None:
        warnings.warn(_ALIGN_WARNING, UserWarning, stacklevel=2)
        align_corners = False
    if not t.dtype.is_floating_point:
        raise ValueError(f"Expected theta to have floating point type, but got {t.dtype}")
    size = tuple(size)
    if len(size) == 4:
        if t.ndim != 3 or tuple(t.shape[-2:]) != (2, 3):
            raise ValueError(f"Expected a batch of 2D affine matrices of shape Nx2x3 for size "
                             f"{size}. Got {t.shape}.")
        spatial = size[-2:]
    elif len(size) == 5:
        if t.ndim != 3 or tuple(t.shape[-2:]) != (3, 4):
            raise ValueError(f"Expected a batch of 3D affine matrices of shape Nx3x4 for size "
                             f"{size}. Got {t.shape}.")
        spatial = size[-3:]
    else:
        raise NotImplementedError(f"affine_grid only supports 4D and 5D sizes, for 2D and 3D "
                                  f"affine transforms, respectively. Got size {size}.")
    if align_corners and min(spatial) == 1:
        warnings.warn(_UNIT_WARNING, UserWarning, stacklevel=2)
    if min(size) <= 0:
        raise ValueError(f"Expected non-zero, positive output size. Got {size}")
    return affine_grid_generator(t, list(size), bool(align_corners))


for _fn in (grid_sampler, grid_sampler_2d, grid_sampler_3d, affine_grid_generator):
    expose(_fn, method=False, formulas=False)
