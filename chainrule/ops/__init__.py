"""Every differentiable operation: forward on arrays + backward formulas.

Where to look:
  pointwise.py  +, -, *, /, **, exp, log, sin, cos, tanh, sigmoid, relu, abs, where, clamp...
  reduce.py     sum, mean, prod, max, min, norm, var, std, logsumexp, softmax, log_softmax
  shape.py      reshape/view, transpose/permute, squeeze, expand, indexing, cat, stack, casts
  linalg.py     dot, mv, mm, matmul
  conv.py       conv1d/2d and their transposes (three bilinear ops, each the others' derivative)
  pool.py       max/avg pooling 1-D and 2-D, adaptive average pooling
  conv_nd.py    conv3d and its transpose: the same three ops on N-d arrays, beside conv.py's tuned 2-D
  pool_nd.py    max/avg/adaptive pooling over three spatial dims (N-d arrays)
  grid_sample.py  grid_sample, affine_grid (compositions of differentiable ops)
  _registry.py  how an op is declared (defop) and recorded (record)
"""
