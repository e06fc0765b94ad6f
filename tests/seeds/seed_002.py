"""Seed notebook 002 (/work/shared/seeds/002_331852b92922cc79.txt): requires_grad, no_grad, zero_.

One string per notebook code cell, in order. Cells that raise under torch are
kept as they are; the harness in tests/test_seeds.py records the exception.
"""

CELLS = [
    # In [51]
    r'''import torch
''',
    # In [52]
    r'''x = torch.randn(3, requires_grad=True)
print(x)

y=x+2
print(y)

a = y*y*3
print(a)

b = a.mean()
print(b)

b.backward()
print(x.grad)
''',
    # In [ ]  (raises in torch: element 0 of tensors does not require grad)
    r'''x = torch.randn(3)
print(x)

y=x+2
print(y)

a = y*y*3
print(a)

b = a.mean()
print(b)

b.backward()
print(x.grad)
''',
    # In [ ]  (raises in torch: grad can be implicitly created only for scalar outputs)
    r'''x = torch.randn(3, requires_grad=True)
print(x)

y=x+2
print(y)

a = y*y*3
print(a)

a.backward()
print(x.grad)
''',
    # In [ ]
    r'''x = torch.randn(3, requires_grad=True)
print(x)

# y=x+2
# print(y)

# a = y*y*3
# print(a)

a = x * 2
for _ in range(10):
    a = a * 2

print(a)
print(a.shape)

v = torch.tensor([0.1, 1.0, 0.0001], dtype=torch.float32)   #Externally given vector for
#vector, Jacobian product.

a.backward(v)   # Passed as an attribute.
print(x.grad)
''',
    # In [ ]
    r'''a = torch.randn(2, 2)
print(a.requires_grad)  #.requires_grad outputs if this element is being tracked.
print(a.grad_fn)  #.grad_fn shows which backward function is occuring

b = ((a * 3) / (a - 1))
print(a.requires_grad)
print(b.grad_fn)

a.requires_grad_(True)  #.requires_grad_() Turning the variable into a tracked tensor in place.
print(a.requires_grad)
print(a.grad_fn)        # But still .grad_fn() does not have any tracked functions yet.
''',
    # In [ ]
    r'''x = torch.randn(3, requires_grad=True)
print(x)

x.requires_grad_(False) #Trailing underscores modify the variable in place.
print(x)
''',
    # In [ ]
    r'''x = torch.randn(3, requires_grad=True)
print(x)

y = x.detach()
print(y)
''',
    # In [ ]
    r'''x = torch.randn(3, requires_grad=True)
print(x)

with torch.no_grad():
    y = x+2
    print(y)

z = x+2
print(z)
''',
    # In [ ]
    r'''weights = torch.ones(4, requires_grad=True)
print(weights)

for epoch in range(8):
    model_output = (weights*3).sum()
    model_output.backward()
    print(weights.grad)
''',
    # In [ ]
    r'''weights = torch.ones(4, requires_grad=True)
print(weights)

for epoch in range(2):
    model_output = (weights*3).sum()
    model_output.backward()
    print(weights.grad)
    weights.grad.zero_()
''',
    # In [ ]  (raises in torch: SGD given a bare tensor instead of an iterable of tensors)
    r'''weights = torch.ones(4, requires_grad=True)
print(weights)
optimizer = torch.optim.SGD(weights, lr=0.01)

# During training
optimizer.step()
optimizer.zero_grad()
''',
]
