"""Every differentiable operation: forward on arrays + backward formulas.

Where to look:
  pointwise.py  +, -, *, /, **, exp, log, sin, cos, tanh, sigmoid, relu, abs, where, clamp...
  reduce.py     sum, mean, prod, max, min, norm, var, std, logsumexp, softmax, log_softmax
  shape.py      reshape/view, transpose/permute, squeeze, expand, indexing, cat, stack, casts
  linalg.py     dot, mv, mm, matmul
  _registry.py  how an op is declared (defop) and recorded (record)
"""
