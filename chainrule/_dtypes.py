"""dtypes: chainrule's names for NumPy dtypes, and PyTorch's type-promotion rule.

A `dtype` object prints as PyTorch's (``torch.float32``) so that code written for
PyTorch prints the same thing.  Each wraps one NumPy dtype.
"""
import builtins        # this module's own names shadow bool, float and int

import numpy as np

__all__ = [
    "dtype", "float16", "float32", "float64", "half", "float", "double",
    "int8", "uint8", "int16", "int32", "int64", "short", "int", "long", "bool",
    "uint16", "uint32", "uint64",
    "complex64", "complex128", "cfloat", "cdouble",
    "get_default_dtype", "set_default_dtype", "promote_types", "result_type",
]

# Type categories, ordered: a higher category wins promotion regardless of size.
BOOL, INT, FLOAT, COMPLEX = 0, 1, 2, 3


class dtype:
    __slots__ = ("name", "np", "category", "is_floating_point", "is_complex", "itemsize", "legacy")

    def __init__(self, name, np_dtype, category, legacy):
        self.name = name
        self.np = np.dtype(np_dtype)
        self.category = category
        self.is_floating_point = category == FLOAT
        self.is_complex = category == COMPLEX
        self.itemsize = self.np.itemsize
        self.legacy = legacy          # "Float" -> torch.FloatTensor

    @property
    def is_signed(self):
        return self.category != BOOL and self.np.kind != "u"

    def to_real(self):
        """The real dtype of a complex one's parts (a real dtype itself)."""
        return _TO_REAL.get(self, self)

    def to_complex(self):
        """The complex dtype whose parts are this float dtype (complex stays)."""
        if self.category == COMPLEX:
            return self
        c = _TO_COMPLEX.get(self)
        if c is None:
            if self is float16:
                raise RuntimeError("chainrule has no complex32 (chalf): NumPy cannot hold it")
            raise RuntimeError(f"Unsupported dtype {self.legacy}")
        return c

    def __repr__(self):
        return "torch." + self.name

    def __reduce__(self):
        return self.name


float16 = half = dtype("float16", np.float16, FLOAT, "Half")
float32 = float = dtype("float32", np.float32, FLOAT, "Float")
float64 = double = dtype("float64", np.float64, FLOAT, "Double")
uint8 = dtype("uint8", np.uint8, INT, "Byte")
int8 = dtype("int8", np.int8, INT, "Char")
int16 = short = dtype("int16", np.int16, INT, "Short")
int32 = int = dtype("int32", np.int32, INT, "Int")
int64 = long = dtype("int64", np.int64, INT, "Long")
bool = dtype("bool", np.bool_, BOOL, "Bool")
# PyTorch's "shell" dtypes: tensors of them are made, printed, converted, viewed and copied,
# and a few ops take them; the rest refuse (ops/_backend.py's shell arrays), and they
# promote with no other integer type.
uint16 = dtype("uint16", np.uint16, INT, "UInt16")
uint32 = dtype("uint32", np.uint32, INT, "UInt32")
uint64 = dtype("uint64", np.uint64, INT, "UInt64")
SHELL = (uint16, uint32, uint64)
complex64 = cfloat = dtype("complex64", np.complex64, COMPLEX, "ComplexFloat")
complex128 = cdouble = dtype("complex128", np.complex128, COMPLEX, "ComplexDouble")
_TO_REAL = {complex64: float32, complex128: float64}
_TO_COMPLEX = {float32: complex64, float64: complex128}

ALL = (float16, float32, float64, uint8, int8, int16, int32, int64, bool, complex64, complex128,
       uint16, uint32, uint64)
# NumPy dtype -> chainrule dtype; the lookup a Tensor's .dtype does.
FROM_NP = {d.np: d for d in ALL}

_default = [float32]


def get_default_dtype():
    return _default[0]


def default_complex_dtype():
    """PyTorch's dtype for Python complex numbers: the default float's complex."""
    return _TO_COMPLEX[_default[0]] if _default[0] is not float16 else complex64


def set_default_dtype(d):
    d = as_dtype(d)
    if not d.is_floating_point:
        raise TypeError("only floating-point types are supported as the default type")
    _default[0] = d


def as_dtype(d):
    """Accept a chainrule dtype, a NumPy dtype or a Python type; return a chainrule dtype."""
    if d.__class__ is dtype:
        return d
    if d is builtins.float:
        return float64      # torch maps Python's float to float64
    if d is builtins.int:
        return int64
    if d is builtins.bool:
        return bool
    if d is builtins.complex:
        return complex128
    try:
        return FROM_NP[np.dtype(d)]
    except (TypeError, KeyError):
        raise TypeError(f"unsupported dtype: {d!r}") from None


def from_numpy_dtype(npd):
    try:
        return FROM_NP[npd]
    except KeyError:
        raise TypeError(
            f"can't convert np.ndarray of type {npd}. The only supported types are: "
            "float64, float32, float16, complex64, complex128, int64, int32, int16, int8, "
            "uint8, and bool.") from None


def promote_types(a, b):
    """torch.promote_types: the smallest dtype both fit in (category first)."""
    if a is b:
        return a
    if (a in SHELL or b in SHELL) and a.category < FLOAT and b.category < FLOAT:
        raise RuntimeError(f"Promotion for uint16, uint32, uint64 types is not supported, "
                           f"attempted to promote {a.legacy} and {b.legacy}")
    # Across categories the higher category wins whatever the sizes
    # (int64 with float16 is float16); NumPy would widen instead.
    if a.category != b.category and not (a.category >= FLOAT and b.category >= FLOAT):
        return a if a.category > b.category else b
    # (float with complex: the complex type holding both precisions, as NumPy's)
    return FROM_NP[np.promote_types(a.np, b.np)]


def scalar_dtype(value):
    """The dtype PyTorch gives a Python number taking part in an operation."""
    if isinstance(value, builtins.bool):
        return bool
    if isinstance(value, builtins.int):
        return int64
    if isinstance(value, builtins.complex):
        return default_complex_dtype()
    return get_default_dtype()


def _combine(higher, lower):
    # PyTorch's rule: a lower-priority operand (0-d tensor, Python number) only
    # changes the result when it belongs to a higher category.
    if higher is None:
        return lower
    if lower is None:
        return higher
    if higher.category == COMPLEX:
        return higher
    if lower.category == COMPLEX:
        # a float keeps its precision: float32 tensor + complex128 0-d is complex64
        return higher.to_complex() if higher.category == FLOAT else lower
    if higher.category == FLOAT:
        return higher
    if higher is bool or lower.category == FLOAT:
        return promote_types(higher, lower)
    return higher


def result_type(*operands):
    """PyTorch's result dtype for operands that are Tensors or Python numbers.

    Three priority classes: tensors with dimensions, 0-d tensors, and Python
    numbers.  Within a class ordinary promotion applies; across classes a
    lower class only matters when it is of a higher category (float over int
    over bool; complex over them all).  So float32 tensor * 2.0 (a double!) stays float32, and an
    int64 tensor * 2.5 becomes the default float dtype.
    """
    dims = zeros = scalars = None
    for op in operands:
        d = getattr(op, "dtype", None)
        if d is not None and d.__class__ is dtype:
            if op.ndim:
                dims = d if dims is None else promote_types(dims, d)
            else:
                zeros = d if zeros is None else promote_types(zeros, d)
        else:
            d = scalar_dtype(op)
            scalars = d if scalars is None else promote_types(scalars, d)
    return _combine(dims, _combine(zeros, scalars))


# PyTorch's C++ names for the dtypes, as its kernels' messages say them
# ("Expected out tensor to have dtype float, but got long int instead"),
# keyed by dtype name.
C_NAMES = {"float32": "float", "float64": "double", "float16": "c10::Half", "int64": "long int",
           "int32": "int", "int16": "short int", "int8": "signed char", "uint8": "unsigned char",
           "bool": "bool", "complex64": "c10::complex<float>", "uint16": "uint16_t",
           "uint32": "uint32_t", "uint64": "uint64_t",
           "complex128": "c10::complex<double>"}
