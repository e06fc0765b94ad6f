"""Seed notebook 004 (/work/shared/seeds/004_e7007bbfbce5b25f.txt): autograd, control flow, autograd.grad.

One string per notebook code cell, in order. Cells that raise under torch are
kept as they are; the harness in tests/test_seeds.py records the exception.
"""

CELLS = [
    # In [1]
    r'''import torch
''',
    # In [4]
    r'''x = torch.arange(4.0)
x
''',
    # In [7]
    r'''# Before we compute the gradient of y with respect to x, we need a place to store this gradient.
# Usually in deep learning we avoid assigning a new lot of memory each time we compute the derivative, as deep learning requires
# Successively computing the derivatives a great many times
x.requires_grad_(True)
print(x.grad) # None by default
''',
    # In [11]
    r'''y = 2*torch.dot(x, x)
print(y)
''',
    # In [13]
    r'''# We can now take the gradient of y with respect to x by computing it's .backward() method

y.backward()
x.grad
''',
    # In [14]
    r'''# We know that the gradient of y with respect to x should be 4x, we can verify this:

x*4 == x.grad
''',
    # In [18]
    r'''# Now lets calculate another function. Note that pytorch does not automatically reset the gradient buffer when computing a new gradient, but instead adds it, this behaviour comes in
# handy when we want to optimise the sum of multiple objective functions.
x.grad.zero_()
y = x.sum()
y.backward()
x.grad
''',
    # In [35]
    r'''x.grad.zero_()
y = x * x
print(y)
y.backward(gradient=torch.ones(len(y))) # Faster: y.sum().backward()
x.grad
''',
    # In [36]
    r'''x.grad.zero_()
y = x * x
u = y.detach()
z = x * u

z.sum().backward()
x.grad
''',
    # In [37]
    r'''z
''',
    # In [38]
    r'''x.grad.zero_()
y.sum().backward()
print(x.grad)

print(x.grad == 2*x) # y = x^2 so dy/dx = 2x
''',
    # In [46]
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
    # In [47]
    r'''# We initialise a with a random input, so we couldn't possibly know what form the computational graph will take
a = torch.randn(size=(), requires_grad=True)
d = f(a)

# this actually still works though, which is wild
d.backward()
''',
    # In [42]
    r'''# Even though the function f is pretty contrived, it is still linear with respect to a with a "piecewise defined scale" (whatever that means)
d
''',
    # In [44]
    r'''a.grad
''',
    # In [45]
    r'''d/a
''',
    # In [61]
    r'''# Define x as a tensor with requires_grad=True to track gradients
x = torch.tensor(2.0, requires_grad=True)

# Define a function y = x^3
y = x**3

# First backward pass to compute dy/dx
y.backward(retain_graph=True)  # Retain the computation graph

# Compute the first derivative dy/dx
dy_dx = torch.autograd.grad(y, x, create_graph=True)[0]  # Retain computational graph

# Compute the second derivative d²y/dx²
d2y_dx2 = torch.autograd.grad(dy_dx, x)[0]

print(f"First derivative (dy/dx) at x=2: {dy_dx.item()}")  # Expected: 3 * 2^2 = 12
print(f"Second derivative (d2y/dx2) at x=2: {d2y_dx2.item()}")  # Expected: 6 * 2 = 12 ### IS THIS RIGHT??
''',
]
