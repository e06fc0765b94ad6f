"""Seed notebook 003 (/work/shared/seeds/003_25f840769af59f45.txt): d2l "Automatic Differentiation".

One string per notebook code cell, in order. Cells that raise under torch are
kept as they are; the harness in tests/test_seeds.py records the exception.
"""

CELLS = [
    # In [24]
    r'''import torch
''',
    # In [25]
    r'''x = torch.arange(4.0)
x
''',
    # In [26]
    r'''# Can also create x = torch.arange(4.0, requires_grad=True)
x.requires_grad_(True)
x.grad  # The gradient is None by default
''',
    # In [27]
    r'''y = 2 * torch.dot(x, x)
y
''',
    # In [28]
    r'''y.backward()
x.grad
''',
    # In [29]
    r'''x.grad == 4 * x
''',
    # In [30]
    r'''x.grad.zero_()  # Reset the gradient
y = x.sum()
print(y)
y.backward()
x.grad
''',
    # In [34]
    r'''x.grad.zero_()
y = x * x
y.backward(gradient=torch.ones(len(y)))  # Faster: y.sum().backward()
print(x.grad)

x.grad.zero_()
y = x * x
y.sum().backward()
print(x.grad)
''',
    # In [35]
    r'''x.grad.zero_()
y = x * x
u = y.detach()
z = u * x

z.sum().backward()
x.grad == u
''',
    # In [36]
    r'''x.grad.zero_()
y.sum().backward()
x.grad == 2 * x
''',
    # In [37]
    r'''def f(a):
    b = a * 2
    while b.norm() < 1000:
        b = b * 2
    if b.sum() > 0:
        c = b
    else:
        c = 100 * b
    return c
''',
    # In [46]
    r'''a = torch.randn(size=(), requires_grad=True)
print(a)
d = f(a)
print(d)
d.backward()
a.grad
''',
    # In [13]
    r'''a.grad == d / a
''',
]
