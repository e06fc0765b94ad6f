"""Seed notebook 000 (/work/shared/seeds/000_90018b395088c837.txt): autograd basics.

One string per notebook code cell, in order. Cells that raise under torch are
kept as they are; the harness in tests/test_seeds.py records the exception.
"""

CELLS = [
    # In [1]
    r'''# Often called Autograd.

# Calculating Derivatives is vital in optimization algorithms to train NN.
# Deep Learning frameworks ease this tedious task using AUTOMATIC DIFFERENTIATION.

# As we pass data through each fxn, the framework builds a computational graph that tracks
# how each value depends on others.

# To calculate derivatives, automatic differentiation works backwards through this graph
# while applying the chain rule.

# This algorithm for chain rule is called BACKPROPOGATION.
''',
    # In [3]
    r'''import torch
''',
    # In [5]
    r'''# Assuming we want to differentiate the fxn
# y = 2X dot product with X
# wrt column vector x.

# Assign x an initial value.

x = torch.arange(4.0)
x
''',
    # In [7]
    r'''# We need to store X.
# Avoid allocating new memory because we may run out of memory in a Deep Neural Network.
# Thus we save the Gradient.

x.requires_grad_(True) # Alt is torch.arange(4.0, requires_grad = True)
x.grad # None by default
''',
    # In [8]
    r'''# Assign our function to Y.

y = 2 * torch.dot(x,x)
y
''',
    # In [9]
    r'''# We can now take gradient of Y
# By calling its backward method.
# We can also access the gradient via X.grad


y.backward()
x.grad
''',
    # In [10]
    r'''# We know the gradient of 2x^2 is 4x.
# We now verify it.

x.grad == 4*x
''',
    # In [12]  (raises in torch: backward through the graph a second time)
    r'''# Now we calculate another function of X & take grad.
# Pytorch doesn;t reset the gradient buffer automatically.
# We have to do it.
# Pytorch adds a new gradient to the already stored gradient.

y.backward()
z = x.grad
print('Z : ', z)

y.backward()
z = x.grad
print('Z : ', z)
''',
    # In [13]
    r'''x.grad.zero_() # Reset it

y = x.sum()
y.backward()
x.grad
''',
    # In [14]
    r'''# For Non Scalar, we need to tell Pytorch how to convert it to scalar.
# This means we need to give it some vector to compute the scalar product.

x.grad.zero_()
y = x * x
y.backward(gradient = torch.ones(len(y))) # Alt - y.sum().backward()
x.grad
''',
    # In [15]
    r'''# Used when we made some intermediate calculations but don't want it to show up during
# backward flow.

x.grad.zero_()
y = x*x
u = y.detach()
z = u*x

z.sum().backward()

x.grad ==u
''',
    # In [16]
    r'''# This procedure detaches y's ancestors from the graph leading to z,
# the computed graph leading to y persists and thus
# we can calculate the gradients of y wrt x.

x.grad.zero_()
y.sum().backward()
x.grad == 2 * x
''',
    # In [17]
    r'''# Previously the input and output had a well defined function (z = x*x*x).
# Now we make our answer depend on auxiliary variables.
# We can still get the gradients via automatic differentiation.

def f(a):
    b = a*2
    while b.norm() < 1000:
        b = b * 2

    if b.sum() > 0:
        c = b

    else:
        c = 100*b

    return c
''',
    # In [18]
    r'''# Defining a.

a = torch.randn(size = (), requires_grad = True)
print(a)

d = f(a)
d.backward()
''',
    # In [20]
    r'''a.grad == d/a
''',
    # In [21]
    r'''a.grad
''',
    # In [22]
    r'''d/a
''',
]
