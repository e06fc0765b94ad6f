"""The suite's small-tensor workloads: the seeds' functions, one recorded op,
elementwise chains, a 2-16-16-1 MLP's training step and a Hessian-vector
product. Here the per-op overhead of the library is the whole cost, which
is what issue 15's targets are about. See suite_workload.py for the shape
of a workload."""
import numpy as np

from suite_workload import Workload, float32

# ---- the seeds --------------------------------------------------------------------------------


class Polynomial(Workload):
    key = "poly"
    name = "seed: x**3 + 2*x**2 + 8*x at 4, backward"

    def make(self, lib, wrap, small):
        x = lib.tensor([4.0], requires_grad=True)
        f = wrap(lambda x: x ** 3 + 2 * x ** 2 + 8 * x)

        def step():
            x.grad = None
            f(x).backward()
            return [x.grad]
        return step

    def floor(self, small):
        x = np.array([4.0], np.float32)

        def step():
            x ** 3 + 2 * x ** 2 + 8 * x              # the forward (its value goes unused)
            gz = np.ones_like(x)                     # backward of a 1-element output: ones
            gx = gz * (3 * x ** 2) + gz * 2 * (2 * x) + gz * 8
            return [gx]
        return step

    def jax(self, J, small):
        x = J.jnp.array([4.0], J.jnp.float32)
        g = J.jax.jit(J.jax.grad(lambda x: (x ** 3 + 2 * x ** 2 + 8 * x).sum()))
        return lambda: [J.jax.block_until_ready(g(x))]


def seed_f(a):
    """The seed's function (shared/seeds 000 and 003): a while loop and an if on
    the values of tensors."""
    b = a * 2
    while b.norm() < 1000:
        b = b * 2
    if b.sum() > 0:
        c = b
    else:
        c = 100 * b
    return c


def seed_f_jnp(jnp):
    def f(a):
        b = a * 2
        while jnp.linalg.norm(b) < 1000:
            b = b * 2
        if b.sum() > 0:
            c = b
        else:
            c = 100 * b
        return c
    return f


class ControlFlow(Workload):
    key = "control_flow"
    name = "seed: f(a) with while/if on tensors, backward"

    def make(self, lib, wrap, small):
        a = lib.tensor(0.0139, requires_grad=True)
        f = wrap(seed_f)

        def step():
            a.grad = None
            f(a).backward()
            return [a.grad]
        return step

    def floor(self, small):
        a = np.float32(0.0139)

        def step():
            factors = [2]                  # the tape: d(out)/d(in) of each multiplication
            b = a * 2
            while abs(b) < 1000:           # the norm of a 0-d value is its absolute value
                b = b * 2
                factors.append(2)
            if b > 0:
                c = b
            else:
                c = 100 * b
                factors.append(100)
            g = np.ones_like(c)
            for factor in reversed(factors):
                g = g * factor
            return [g]
        return step

    def jax(self, J, small):
        a = J.jnp.array(0.0139, J.jnp.float32)
        g = J.jax.jit(J.jax.grad(seed_f_jnp(J.jnp)))   # refused at the first call: see suite.py
        return lambda: [J.jax.block_until_ready(g(a))]


# ---- one recorded op, and chains of them ------------------------------------------------------


class TimesTwo(Workload):
    key = "x2"
    name = "x * 2.0, x requiring grad (forward only)"

    def make(self, lib, wrap, small):
        x = lib.tensor([1.0, 2.0, 3.0, 4.0], requires_grad=True)
        f = wrap(lambda x: x * 2.0)
        return lambda: [f(x)]

    def floor(self, small):
        x = np.array([1.0, 2.0, 3.0, 4.0], np.float32)
        return lambda: [x * 2.0]

    def jax(self, J, small):               # forward only: jit(f), there is no grad to take
        x = J.jnp.array([1.0, 2.0, 3.0, 4.0], J.jnp.float32)
        f = J.jax.jit(lambda x: x * 2.0)
        return lambda: [J.jax.block_until_ready(f(x))]


def chain(x, n):
    """n elementwise ops, y * c + 0.5 repeated, then a sum; c = 1 + 0.1 / n keeps
    the values and the gradient (c ** (n / 2), about 1.05) in float32's range."""
    c = 1.0 + 0.1 / n
    y = x
    for _ in range(n // 2):
        y = y * c + 0.5
    return y.sum()


class Chain(Workload):
    """An n-op elementwise chain on 4 elements and its backward."""

    def __init__(self, key, n, small_n, full_only=False, skip=None, skip_unless_full=None):
        self.key, self.n, self.small_n, self.full_only = key, n, small_n, full_only
        self.name = f"{n:,}-op elementwise chain, backward"
        self.skip, self.skip_unless_full = skip or {}, skip_unless_full or {}
        self.no_jax = f"tracing {n:,} unrolled ops is not attempted" if n > 100_000 else ""

    def _n(self, small):
        return self.small_n if small else self.n

    def make(self, lib, wrap, small):
        n = self._n(small)
        x = lib.tensor([1.0, 2.0, 3.0, 4.0], requires_grad=True)
        f = wrap(lambda x: chain(x, n))

        def step():
            x.grad = None
            f(x).backward()
            return [x.grad]
        return step

    def floor(self, small):
        n = self._n(small)
        x = np.array([1.0, 2.0, 3.0, 4.0], np.float32)
        c = 1.0 + 0.1 / n

        def step():
            y = x
            for _ in range(n // 2):
                y = y * c + 0.5
            y.sum()
            g = np.ones_like(x)            # sum's backward
            for _ in range(n // 2):        # each + 0.5 passes g on, each * c scales it
                g = g * c
            return [g]
        return step

    def jax(self, J, small):
        if self.n > 100_000:
            return None
        n = self._n(small)
        x = J.jnp.array([1.0, 2.0, 3.0, 4.0], J.jnp.float32)
        g = J.jax.jit(J.jax.grad(lambda x: chain(x, n)))
        return lambda: [J.jax.block_until_ready(g(x))]


# ---- a tiny MLP's training step ---------------------------------------------------------------

TINY_LR = 0.05


def _tiny_data(small):
    rng = np.random.default_rng(0)
    batch = 4 if small else 16
    params = [float32(rng, 2, 16, scale=0.7), float32(rng, 16, scale=0.1),
              float32(rng, 16, 16, scale=0.25), float32(rng, 16, scale=0.1),
              float32(rng, 16, 1, scale=0.25), float32(rng, 1, scale=0.1)]
    x = float32(rng, batch, 2)
    y = np.sin(x[:, :1] * 2).astype(np.float32) * x[:, 1:]
    return params, x, y


def tiny_mse(tanh, x, y, w1, b1, w2, b2, w3, b3):
    h = tanh(x @ w1 + b1)
    h = tanh(h @ w2 + b2)
    d = h @ w3 + b3 - y
    return (d * d).mean()


def _tiny_floor_pass(x, y, w1, b1, w2, b2, w3, b3):
    """The 2-16-16-1 tanh MLP's MSE and its gradients, by hand in NumPy (the
    floor of both tiny MLP steps)."""
    h1 = np.tanh(x @ w1 + b1)
    h2 = np.tanh(h1 @ w2 + b2)
    d = h2 @ w3 + b3 - y
    loss = (d * d).mean()
    g = d * (2 / d.size)
    gw3, gb3 = h2.T @ g, g.sum(0)
    g = (g @ w3.T) * (1 - h2 * h2)
    gw2, gb2 = h1.T @ g, g.sum(0)
    g = (g @ w2.T) * (1 - h1 * h1)
    gw1, gb1 = x.T @ g, g.sum(0)
    return loss, [gw1, gb1, gw2, gb2, gw3, gb3]


class TinyMLP(Workload):
    key = "mlp_tiny"
    name = "2-16-16-1 tanh MLP step, batch 16 (MSE, SGD)"
    rtol, atol = 2e-4, 1e-6
    training = True

    def make(self, lib, wrap, small):
        params, x, y = _tiny_data(small)
        ps = [lib.tensor(p, requires_grad=True) for p in params]
        x, y = lib.tensor(x), lib.tensor(y)
        loss_fn = wrap(lambda x, y, *ps: tiny_mse(lib.tanh, x, y, *ps))

        def step():
            for p in ps:
                p.grad = None
            loss = loss_fn(x, y, *ps)
            loss.backward()
            with lib.no_grad():
                for p in ps:
                    p -= TINY_LR * p.grad
            return [loss] + [p.grad for p in ps]
        return step

    def floor(self, small):
        (w1, b1, w2, b2, w3, b3), x, y = _tiny_data(small)

        def step():
            loss, grads = _tiny_floor_pass(x, y, w1, b1, w2, b2, w3, b3)
            for p, gp in zip((w1, b1, w2, b2, w3, b3), grads):
                p -= TINY_LR * gp
            return [loss] + grads
        return step

    def jax(self, J, small):
        jax, jnp = J.jax, J.jnp
        params, x, y = _tiny_data(small)
        state = [tuple(jnp.asarray(p) for p in params)]
        x, y = jnp.asarray(x), jnp.asarray(y)

        @jax.jit
        def train(ps):
            loss, grads = jax.value_and_grad(lambda ps: tiny_mse(jnp.tanh, x, y, *ps))(ps)
            return loss, grads, tuple(p - TINY_LR * g for p, g in zip(ps, grads))

        def step():
            loss, grads, state[0] = jax.block_until_ready(train(state[0]))
            return [loss, *grads]
        return step


TINY_ADAM_LR = 0.01


class TinyMLPAdam(Workload):
    key = "mlp_tiny_adam"
    name = "2-16-16-1 tanh MLP step, batch 16 (MSE, optim.Adam)"
    rtol, atol = 2e-4, 1e-6
    training = True

    def make(self, lib, wrap, small):
        params, x, y = _tiny_data(small)
        ps = [lib.tensor(p, requires_grad=True) for p in params]
        x, y = lib.tensor(x), lib.tensor(y)
        opt = lib.optim.Adam(ps, lr=TINY_ADAM_LR)
        loss_fn = wrap(lambda x, y, *ps: tiny_mse(lib.tanh, x, y, *ps))

        def step():
            opt.zero_grad()
            loss = loss_fn(x, y, *ps)
            loss.backward()
            opt.step()
            return [loss] + [p.grad for p in ps]
        return step

    def floor(self, small):
        params, x, y = _tiny_data(small)
        moments = [[np.zeros_like(p), np.zeros_like(p)] for p in params]
        count = [0]

        def step():
            loss, grads = _tiny_floor_pass(x, y, *params)
            count[0] += 1
            t = count[0]
            for p, gp, (m, v) in zip(params, grads, moments):
                m *= 0.9
                m += 0.1 * gp
                v *= 0.999
                v += 0.001 * gp * gp
                p -= (TINY_ADAM_LR / (1 - 0.9 ** t)) * m / (np.sqrt(v / (1 - 0.999 ** t)) + 1e-8)
            return [loss] + grads
        return step


# ---- a Hessian-vector product -----------------------------------------------------------------


def _hvp_data(small):
    rng = np.random.default_rng(0)
    n = 8 if small else 64
    return float32(rng, n, n, scale=1 / np.sqrt(n)), float32(rng, n), float32(rng, n)


class HVP(Workload):
    key = "hvp"
    name = "Hessian-vector product, sum(tanh(W @ x)), W 64x64"
    known_errors = {"torch.compile": "its compiled backward is not differentiable "
                                     "(no double backward)"}

    def make(self, lib, wrap, small):
        w, x, v = _hvp_data(small)
        w, x, v = lib.tensor(w), lib.tensor(x, requires_grad=True), lib.tensor(v)
        f = wrap(lambda w, x: lib.tanh(w @ x).sum())

        def step():
            (g,) = lib.autograd.grad(f(w, x), x, create_graph=True)
            (hv,) = lib.autograd.grad(g, x, v)     # double backward: d(g . v)/dx
            return [g, hv]
        return step

    def floor(self, small):
        w, x, v = _hvp_data(small)

        def step():
            t = np.tanh(w @ x)
            s = 1 - t * t                          # tanh'
            g = w.T @ s
            hv = w.T @ ((-2 * t * s) * (w @ v))    # tanh'' = -2 tanh tanh'
            return [g, hv]
        return step

    def jax(self, J, small):
        jax, jnp = J.jax, J.jnp
        w, x, v = (jnp.asarray(a) for a in _hvp_data(small))
        grad_f = jax.grad(lambda x: jnp.tanh(w @ x).sum())
        both = jax.jit(lambda x: (grad_f(x), jax.grad(lambda x: jnp.vdot(grad_f(x), v))(x)))
        return lambda: list(jax.block_until_ready(both(x)))


ALL = [Polynomial(), ControlFlow(), TimesTwo(), Chain("chain10", 10, 10), TinyMLP(),
       TinyMLPAdam(),
       Chain("chain10k", 10_000, 100,
             skip_unless_full={"torch.compile": "its compile of the 10,000-op graph took "
                                                "about 2 minutes here: only with --full"}),
       Chain("chain1m", 1_000_000, 200, full_only=True,
             skip={"torch.compile": "compiling a 1,000,000-op graph is not attempted"}),
       HVP()]
