"""Text form of tensors: ``repr(t)`` / ``str(t)`` exactly as PyTorch prints them.

The layout rules (which values decide the column width, when scientific
notation kicks in, how long vectors wrap, how big tensors are summarised with
``...``, where the ``dtype=`` / ``grad_fn=`` suffixes go) follow PyTorch's
observable behaviour, so that a script printing tensors gives the same text
under ``import chainrule as torch``.

Only NumPy is needed here; the Tensor class hands in its raw array plus a few
facts about itself (dtype name, autograd state) and gets a string back.
"""
import contextlib
import math

import numpy as np

__all__ = ["tensor_repr", "set_printoptions", "get_printoptions", "printoptions"]


# --------------------------------------------------------------------------
# Print options (module-level state, like torch's PRINT_OPTS)
# --------------------------------------------------------------------------

# The values of the "default" profile; also the start-up state.
_DEFAULTS = {"precision": 4, "threshold": 1000, "edgeitems": 3, "linewidth": 80}

# The named profiles torch accepts.  "full" never summarises (threshold inf).
_PROFILES = {
    "default": dict(_DEFAULTS),
    "short": {"precision": 2, "threshold": 1000, "edgeitems": 2, "linewidth": 80},
    "full": {"precision": 4, "threshold": math.inf, "edgeitems": 3, "linewidth": 80},
}

_opts = dict(_DEFAULTS, sci_mode=None)


def set_printoptions(precision=None, threshold=None, edgeitems=None,
                     linewidth=None, profile=None, sci_mode=None):
    """Change how tensors print; same arguments and semantics as torch's.

    A profile is applied first, then any explicit option overrides it.  As in
    torch, ``sci_mode`` is always assigned, so a call that leaves it out puts
    it back to ``None`` (automatic choice).
    """
    if profile is not None and profile in _PROFILES:
        _opts.update(_PROFILES[profile])
    for key, value in (("precision", precision), ("threshold", threshold),
                       ("edgeitems", edgeitems), ("linewidth", linewidth)):
        if value is not None:
            _opts[key] = value
    _opts["sci_mode"] = sci_mode


def get_printoptions():
    """The current options, as keyword arguments for set_printoptions()."""
    return {key: _opts[key]
            for key in ("precision", "threshold", "edgeitems", "linewidth", "sci_mode")}


@contextlib.contextmanager
def printoptions(**kwargs):
    """Temporarily change the print options inside a ``with`` block."""
    saved = get_printoptions()
    set_printoptions(**kwargs)
    try:
        yield
    finally:
        set_printoptions(**saved)


# --------------------------------------------------------------------------
# Element formatting
# --------------------------------------------------------------------------

def _is_float_name(dtype_name):
    return dtype_name.startswith(("float", "bfloat", "half", "double"))


class _Formatter:
    """Decides one common style and width for every element of a tensor.

    torch picks the style from the values that are actually shown (only the
    edge items when summarising), then pads every element on the left to the
    widest one so that columns line up.
    """

    def __init__(self, values, is_float):
        self.is_float = is_float
        self.precision = _opts["precision"]
        self.int_mode = True      # all finite values are whole numbers -> "3."
        self.sci_mode = False     # use "1.0000e+05" style
        self.width = 1

        flat = values.reshape(-1)
        if not is_float:
            # ints and bools: plain Python text ("12", "True"); width = longest.
            for v in flat.tolist():
                self.width = max(self.width, len(str(v)))
            return

        # Only nonzero finite numbers take part in the decisions: zeros, nan
        # and inf fit any style.  (Their own width is not counted either,
        # which is why torch prints "tensor([   nan, 1.5000])".)
        flat = flat.astype(np.float64)
        chosen = flat[np.isfinite(flat) & (flat != 0)]
        if chosen.size == 0:
            return

        magnitudes = np.abs(chosen)
        smallest, largest = magnitudes.min(), magnitudes.max()
        self.int_mode = bool(np.all(chosen == np.ceil(chosen)))
        if _opts["sci_mode"] is None:
            # Switch to scientific notation when fixed-point with `precision`
            # decimals would lose the small values or be very wide.
            self.sci_mode = bool(largest / smallest > 1000.0
                                 or largest > 1.0e8
                                 or smallest < 1.0e-4)
        else:
            self.sci_mode = bool(_opts["sci_mode"])

        for v in chosen.tolist():
            if self.sci_mode:
                text = f"{v:.{self.precision}e}"
            elif self.int_mode:
                text = f"{v:.0f}."          # the "." marks a float dtype
            else:
                text = f"{v:.{self.precision}f}"
            self.width = max(self.width, len(text))

    def element_length(self):
        """Width of one element plus the ", " that separates it."""
        return self.width + 2

    def format(self, value):
        """Text of one value (a Python scalar), right-aligned to the width."""
        if not self.is_float:
            text = str(value)
        elif self.sci_mode:
            text = f"{value:.{self.precision}e}"
        elif self.int_mode:
            text = f"{value:.0f}"
            # nan/inf already read as floats; whole numbers need the dot.
            if math.isfinite(value):
                text += "."
        else:
            text = f"{value:.{self.precision}f}"
        return text.rjust(self.width)


# --------------------------------------------------------------------------
# Summarisation (tensors with more than `threshold` elements)
# --------------------------------------------------------------------------

def _shown_values(arr):
    """The elements that will appear on screen when summarising.

    Mirrors torch: along each dimension longer than 2*edgeitems keep only the
    first and last `edgeitems` entries.  Quirks kept on purpose: with
    edgeitems=0 a 1-D tensor keeps everything (``x[-0:]`` is all of x) while
    a higher-dimensional one keeps nothing.
    """
    edge = _opts["edgeitems"]
    if arr.ndim == 0:
        return arr
    if arr.ndim == 1:
        if arr.shape[0] > 2 * edge:
            return np.concatenate((arr[:edge], arr[-edge:] if edge else arr))
        return arr
    if not edge:
        return arr[tuple(slice(0, 0) for _ in range(arr.ndim))]
    for axis in range(arr.ndim):
        n = arr.shape[axis]
        if n > 2 * edge:
            keep = np.r_[0:edge, n - edge:n]
            arr = np.take(arr, keep, axis=axis)
    return arr


# --------------------------------------------------------------------------
# Layout of nested brackets
# --------------------------------------------------------------------------

class _ComplexFormatter:
    """Complex elements as PyTorch prints them: the real parts share one
    formatter and the imaginary parts another (each decides its own style
    and width from its own values); an element is the real text, padded,
    followed by the imaginary text unpadded, with its sign, and "j"."""

    def __init__(self, values):
        self.real = _Formatter(values.real, True)
        self.imag = _Formatter(values.imag, True)

    def element_length(self):
        return self.real.width + 2 + self.imag.width + 1

    def format(self, value):
        imag = (self.imag.format(value.imag) + "j").lstrip()
        sep = "" if imag[0] in "+-" else "+"
        return self.real.format(value.real) + sep + imag


def _vector_text(vec, indent, summarize, fmt):
    """One innermost row "[a, b, c]", wrapped to the line width."""
    edge = _opts["edgeitems"]
    if summarize and not edge:
        items = ["..."]
    elif summarize and vec.shape[0] > 2 * edge:
        items = ([fmt.format(v) for v in vec[:edge].tolist()] + [" ..."]
                 + [fmt.format(v) for v in vec[-edge:].tolist()])
    else:
        items = [fmt.format(v) for v in vec.tolist()]

    # As many elements per line as fit after the indent (at least one); the
    # continuation lines are indented to sit just inside the "[".
    per_line = max(1, math.floor((_opts["linewidth"] - indent) / fmt.element_length()))
    lines = [", ".join(items[i:i + per_line]) for i in range(0, len(items), per_line)]
    return "[" + (",\n" + " " * (indent + 1)).join(lines) + "]"


def _nested_text(arr, indent, summarize, fmt):
    """Brackets for any rank; each level one column further in.

    Sub-blocks of a d-dimensional tensor are separated by d-1 newlines, which
    gives the blank line between the 2-D blocks of a 3-D tensor.
    """
    if arr.ndim == 0:
        return fmt.format(arr.item())
    if arr.ndim == 1:
        return _vector_text(arr, indent, summarize, fmt)

    edge = _opts["edgeitems"]
    n = arr.shape[0]
    if summarize and n > 2 * edge:
        parts = ([_nested_text(arr[i], indent + 1, summarize, fmt) for i in range(edge)]
                 + ["..."]
                 + [_nested_text(arr[i], indent + 1, summarize, fmt)
                    for i in range(n - edge, n)])
    else:
        parts = [_nested_text(arr[i], indent + 1, summarize, fmt) for i in range(n)]
    separator = "," + "\n" * (arr.ndim - 1) + " " * (indent + 1)
    return "[" + separator.join(parts) + "]"


def _body_text(arr, dtype_name, indent):
    """The bracketed values of a non-empty tensor."""
    summarize = arr.size > _opts["threshold"]
    is_float = _is_float_name(dtype_name)
    if is_float and arr.dtype.kind != "f":
        arr = arr.astype(np.float64)
    shown = _shown_values(arr) if summarize else arr
    fmt = _ComplexFormatter(shown) if arr.dtype.kind == "c" else _Formatter(shown, is_float)
    return _nested_text(arr, indent, summarize, fmt)


# --------------------------------------------------------------------------
# Suffixes and the whole repr
# --------------------------------------------------------------------------

def _append_suffixes(text, suffixes, indent):
    """Add ", size=...", ", dtype=..." etc. and the closing ")".

    A suffix goes on the current line if it fits within the line width,
    otherwise on a new line indented like the values.  The length of the last
    line is reckoned as torch does it (its count runs two over the true length).
    """
    linewidth = _opts["linewidth"]
    pieces = [text]
    last_line_len = len(text) - text.rfind("\n") + 1
    for suffix in suffixes:
        if last_line_len + len(suffix) + 2 > linewidth:
            pieces.append(",\n" + " " * indent + suffix)
            last_line_len = indent + len(suffix)
        else:
            pieces.append(", " + suffix)
            last_line_len += len(suffix) + 2
    pieces.append(")")
    return "".join(pieces)


def tensor_repr(data, *, dtype_name, is_default_float, requires_grad=False,
                grad_fn_name=None, prefix="tensor(", tangent=None):
    """PyTorch's repr of a tensor holding `data` (a NumPy array: the Tensor
    converts other array libraries' data with _backend.to_numpy; a CuPy-like
    array, with .get(), is copied to the host here too).

    dtype_name is torch's name without "torch." ("float32", "int64", "bool").
    is_default_float says whether that dtype is the current default float
    dtype (or its complex counterpart); such tensors, int64 and bool ones
    print no ``dtype=`` when they have values (the values' look already
    implies it).  An empty complex tensor always names its dtype.
    """
    if hasattr(data, "get") and not isinstance(data, np.ndarray):
        data = data.get()               # CuPy: copy to host first
    arr = np.asarray(data)
    indent = len(prefix)
    is_float = _is_float_name(dtype_name)
    suffixes = []

    if arr.size == 0:
        # No values to show the shape or dtype, so both are spelt out: the
        # shape unless it is plain (0,), the dtype unless it is the default
        # float (an empty int64 tensor does print its dtype).
        body = "[]"
        if arr.ndim != 1:
            suffixes.append("size=" + str(tuple(arr.shape)))
        if not (is_float and is_default_float):
            suffixes.append("dtype=torch." + dtype_name)
    else:
        if not _opts["edgeitems"]:
            # everything is elided, so at least give the shape
            suffixes.append("size=" + str(tuple(arr.shape)))
        implied = (is_default_float and (is_float or dtype_name.startswith("complex"))) \
            or dtype_name in ("int64", "bool")
        if not implied:
            suffixes.append("dtype=torch." + dtype_name)
        body = _body_text(arr, dtype_name, indent)

    if grad_fn_name is not None:
        suffixes.append(f"grad_fn=<{grad_fn_name}>")
    elif requires_grad:
        suffixes.append("requires_grad=True")
    if tangent is not None:
        # A forward-mode tangent, as PyTorch prints it (a 0-d one as a number).
        suffixes.append("tangent={}".format(tangent))

    return _append_suffixes(prefix + body, suffixes, indent)
