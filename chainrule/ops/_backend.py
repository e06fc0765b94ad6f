"""The array library the ops compute with, seen through one small adapter.

Today that is NumPy; the adapter names what the op library needs from an
array library, so that a second one (CuPy) enters at one place.
"""
import numpy as np

__all__ = ["ARRAY_TYPES", "as_array"]

# Classes a forward may return as they are; anything else (NumPy's scalars for
# 0-d results) goes through as_array.
ARRAY_TYPES = frozenset({np.ndarray})
ndarray = np.ndarray


as_array = np.asarray
