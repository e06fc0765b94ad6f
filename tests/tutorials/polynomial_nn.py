# Our own rewrite of the PyTorch "examples_nn" tutorials (polynomial_nn and
# polynomial_optim): fit y = sin(x) on [-pi, pi] by a third-order polynomial
# whose coefficients are one nn.Linear(3, 1), first with a hand-written
# gradient step, then with optim.RMSprop.  Run by tests/test_tutorials.py as
# it stands and with its chainrule imports turned into torch's.
import math

import chainrule as torch

x = torch.linspace(-math.pi, math.pi, 2000)
y = torch.sin(x)

# The features (x, x^2, x^3): x as a column raised to each power in p.
p = torch.tensor([1, 2, 3])
xx = x.unsqueeze(-1).pow(p)
print(xx.shape, xx.dtype)

model = torch.nn.Sequential(
    torch.nn.Linear(3, 1),
    torch.nn.Flatten(0, 1),
)
print(model)
loss_fn = torch.nn.MSELoss(reduction="sum")

learning_rate = 1e-6
for t in range(2000):
    y_pred = model(xx)
    loss = loss_fn(y_pred, y)
    if t % 100 == 99:
        print(t, loss.item())
    model.zero_grad()
    loss.backward()
    with torch.no_grad():
        for param in model.parameters():
            param -= learning_rate * param.grad

linear_layer = model[0]
print(f"Result: y = {linear_layer.bias.item()} + {linear_layer.weight[:, 0].item()} x + "
      f"{linear_layer.weight[:, 1].item()} x^2 + {linear_layer.weight[:, 2].item()} x^3")

# The same fit with an optimiser doing the update (1000 steps where the
# tutorial takes 2000: after some 1300 RMSprop circles the minimum, and the
# last bit of any difference in rounding grows there).
model = torch.nn.Sequential(torch.nn.Linear(3, 1), torch.nn.Flatten(0, 1))
optimizer = torch.optim.RMSprop(model.parameters(), lr=1e-3)
for t in range(1000):
    loss = loss_fn(model(xx), y)
    if t % 100 == 99:
        print(t, loss.item())
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()

linear_layer = model[0]
print(f"Result: y = {linear_layer.bias.item()} + {linear_layer.weight[:, 0].item()} x + "
      f"{linear_layer.weight[:, 1].item()} x^2 + {linear_layer.weight[:, 2].item()} x^3")
print(optimizer)
