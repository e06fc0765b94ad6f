"""Seed notebook 001 (/work/shared/seeds/001_92ee50d4582f7577.txt): Variable, grad, sin/tanh.

One string per notebook code cell, in order. Cells that raise under torch are
kept as they are; the harness in tests/test_seeds.py records the exception.
"""

CELLS = [
    # In [1]
    r'''import numpy as np
import torch
from torch.autograd import Variable, grad
''',
    # In [2]
    r'''x = Variable(torch.FloatTensor([4]), requires_grad=True)
print(x)
print(x.grad)
''',
    # In [3]
    r'''func_1 = lambda x: torch.pow(x, 3) + 2*torch.pow(x, 2) + 8*x
''',
    # In [4]
    r'''z = func_1(x)
z.backward()
print(x.grad)
''',
    # In [5]
    r'''# reset the grad and find z again
x.grad.data.zero_()
z = func_1(x)

vector_of_ones = torch.ones(x.shape[0])
z.backward(vector_of_ones)
print(x.grad)
''',
    # In [6]
    r'''try:
    z.backward()
except RuntimeError as err:
    print(err)
''',
    # In [7]
    r'''# reset the grad and find z again
x.grad.data.zero_()
z = func_1(x)

z.backward(retain_graph = True)
print(x.grad)
z.backward(retain_graph = True)
print(x.grad)
z.backward()
print(x.grad)
''',
    # In [8]
    r'''# reset the grad and find z again
x.grad.data.zero_()
z = func_1(x)

func_2 = lambda x: torch.sin(x)
z = func_2(x)

z.backward()
print(x.grad)
''',
    # In [9]
    r'''X = Variable(2*np.pi * torch.rand(([10])), requires_grad=True)
X
''',
    # In [10]
    r'''Z = func_2(X)
print(f'Z:\n {Z}')
vector_of_ones = torch.ones(X.shape)
Z.backward(vector_of_ones)
print(f'\nPyTorch Gradient:\n {X.grad.data.numpy()}')
#since we know Z' = cosine, we can varifiy the results from autograd
print(f'\nValidate with cosine:\n {torch.cos(X).data.numpy()}')
''',
    # In [11]
    r'''# reset the grad on x
x.grad.data.zero_()

y = Variable(torch.FloatTensor([2]), requires_grad=True)
print(y)
print(y.grad)
''',
    # In [12]
    r'''func_3 = lambda x, y, a, b: torch.pow(x, 3) + torch.pow(y, 2) + a*x + b
z = func_3(x, y, 1, 6)
''',
    # In [13]
    r'''z.backward()
print(x.grad)
print(y.grad)
''',
    # In [14]
    r'''# reset the grad on x and y
x.grad.data.zero_()
y.grad.data.zero_()

func_4 = lambda x, y: torch.sin(x) + torch.sin(y)
z = func_4(x, y)
z.backward()
print(x.grad)
print(y.grad)
''',
    # In [15]
    r'''XY = Variable(2*np.pi * torch.rand(([10, 2])), requires_grad=True)
XY
''',
    # In [16]
    r'''func_5 = lambda XY: torch.sin(XY[:,0]) + torch.sin(XY[:,1])
Z = func_5(XY)
Z
''',
    # In [17]
    r'''vector_of_ones = torch.ones(XY.shape[0]) # We just want this to be a vector, so we just use the row count (shape[0])
Z.backward(vector_of_ones)

print(f'\nPyTorch Gradients:\n {XY.grad.data.numpy()}')
#since we know Z' = cosine, we can varifiy the results from autograd
print(f'\nValidate with cosine:\n {torch.cos(XY).data.numpy()}')
''',
    # In [18]
    r'''X = Variable(2 * torch.rand(([10])) - 1, requires_grad=True)
X
''',
    # In [19]
    r'''func_6 = lambda X: torch.tanh(X)
Z = func_6(X)
Z
''',
    # In [20]
    r'''vector_of_ones = torch.ones(X.shape)
Z.backward(vector_of_ones)

print(f'\nPyTorch Gradients:\n {X.grad.data.numpy()}')
#since we know Z' = 1-tanh^2, we can varifiy the results from autograd
print(f'\nValidate with 1-tanh^2:\n {(1 - torch.pow(torch.tanh(X), 2)).data.numpy()}')
''',
]
