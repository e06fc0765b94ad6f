"""A short tour of chainrule on the examples of the PyTorch autograd tutorials.

Run it with:  python -m chainrule.demo
"""
import chainrule as torch


def main():
    print("chainrule", torch.__version__, "- PyTorch's autograd in pure Python on NumPy\n")

    print(">>> x = torch.arange(4.0, requires_grad=True)")
    x = torch.arange(4.0, requires_grad=True)
    print(x)
    print(">>> y = 2 * torch.dot(x, x)")
    y = 2 * torch.dot(x, x)
    print(y)
    print(">>> y.grad_fn.next_functions")
    print(y.grad_fn.next_functions)
    print(">>> y.backward(); x.grad          # d(2 x.x)/dx = 4x")
    y.backward()
    print(x.grad)

    print("\n>>> x.grad.zero_(); (x * x).backward(gradient=torch.ones(4)); x.grad")
    x.grad.zero_()
    (x * x).backward(gradient=torch.ones(4))
    print(x.grad)

    print("\n>>> detach: z = (x * x).detach() * x")
    x.grad.zero_()
    u = (x * x).detach()
    (u * x).sum().backward()
    print(x.grad, "== u:", bool((x.grad == u).all()))

    print("\n>>> Python control flow")

    def f(a):
        b = a * 2
        while b.norm() < 1000:
            b = b * 2
        return b if b.sum() > 0 else 100 * b

    torch.manual_seed(0)
    a = torch.randn(size=(), requires_grad=True)
    d = f(a)
    d.backward()
    print("a =", a, " d =", d)
    print("a.grad == d / a:", bool(a.grad == d / a))

    print("\n>>> higher derivatives: y = x**3 at x = 2")
    x = torch.tensor(2.0, requires_grad=True)
    y = x ** 3
    (dy,) = torch.autograd.grad(y, x, create_graph=True)
    (d2y,) = torch.autograd.grad(dy, x)
    print("dy/dx =", dy, " d2y/dx2 =", d2y)

    print("\n>>> misuse gets PyTorch's error")
    y = (x * x).sin()
    y.backward()
    try:
        y.backward()
    except RuntimeError as e:
        print("RuntimeError:", str(e).splitlines()[0][:90], "...")


if __name__ == "__main__":
    main()
