"""The global count of in-place changes (see _inplace.py), in a module of its
own so that the op registry can read it without importing the Tensor class."""
EPOCH = [0]
