"""The suite's training workloads through nn / optim: one SGD step of a
784-512-512-10 MLP (float32, batch 256) and one epoch of the digits CNN
(chainrule/examples/digits.py's own train_epoch). Here the time is mostly
BLAS, so the figures say how much the library adds around the matmuls. See
suite_workload.py for the shape of a workload."""
import importlib

import numpy as np

import suite_digits_floor
import suite_digits_jax
from suite_workload import Workload

MLP_LR = 0.01
MLP_SIZES = ((784, 512), (512, 512), (512, 10))


def mlp_weights():
    """The three layers' weights (out, in) and biases, Linear's default range
    U(+-1/sqrt(n_in)), float32, from a fixed seed."""
    rng = np.random.default_rng(0)
    out = []
    for n_in, n_out in MLP_SIZES:
        bound = 1 / np.sqrt(n_in)
        out += [rng.uniform(-bound, bound, (n_out, n_in)).astype(np.float32),
                rng.uniform(-bound, bound, n_out).astype(np.float32)]
    return out


def mlp_batch(batch):
    rng = np.random.default_rng(1)
    return (rng.standard_normal((batch, 784)).astype(np.float32),
            rng.integers(0, 10, batch))


def mlp_model(lib, weights):
    """nn.Sequential of the three Linear layers holding `weights` (F.relu goes
    between them in the forward)."""
    nn = lib.nn
    model = nn.Sequential(*(nn.Linear(n_in, n_out) for n_in, n_out in MLP_SIZES))
    names = [f"{i}.{kind}" for i in range(3) for kind in ("weight", "bias")]
    model.load_state_dict({k: lib.tensor(v) for k, v in zip(names, weights)})
    return model


def mlp_forward(lib, model):
    """The model's forward and the cross-entropy: what a compiler wraps."""
    F = lib.nn.functional
    first, second, last = model

    def loss(x, y):
        return F.cross_entropy(last(F.relu(second(F.relu(first(x))))), y)
    return loss


def mlp_floor_pass(params, x, y):
    """Forward and backward of the MLP by hand in NumPy: (loss, gradients)."""
    w1, b1, w2, b2, w3, b3 = params
    z1 = x @ w1.T + b1
    h1 = np.maximum(z1, 0)
    z2 = h1 @ w2.T + b2
    h2 = np.maximum(z2, 0)
    z3 = h2 @ w3.T + b3
    shifted = z3 - z3.max(1, keepdims=True)
    e = np.exp(shifted)
    total = e.sum(1, keepdims=True)
    rows = np.arange(len(y))
    loss = (np.log(total[:, 0]) - shifted[rows, y]).mean()
    g = e / total                                  # softmax - onehot, over the batch
    g[rows, y] -= 1
    g /= len(y)
    gw3, gb3 = g.T @ h2, g.sum(0)
    g = (g @ w3) * (z2 > 0)
    gw2, gb2 = g.T @ h1, g.sum(0)
    g = (g @ w2) * (z1 > 0)
    gw1, gb1 = g.T @ x, g.sum(0)
    return loss, [gw1, gb1, gw2, gb2, gw3, gb3]


class MLP784(Workload):
    key = "mlp784"
    name = "784-512-512-10 MLP step, batch 256 (nn, optim.SGD)"
    rtol, atol = 1e-3, 1e-5
    training = True

    @staticmethod
    def _batch(small):
        return 4 if small else 256

    def make(self, lib, wrap, small):
        model = mlp_model(lib, mlp_weights())
        opt = lib.optim.SGD(model.parameters(), lr=MLP_LR)
        x, y = (lib.tensor(a) for a in mlp_batch(self._batch(small)))
        loss_fn = wrap(mlp_forward(lib, model))
        params = list(model.parameters())

        def step():
            opt.zero_grad()
            loss = loss_fn(x, y)
            loss.backward()
            opt.step()
            return [loss] + [p.grad for p in params]
        return step

    def floor(self, small):
        params = mlp_weights()
        x, y = mlp_batch(self._batch(small))

        def step():
            loss, grads = mlp_floor_pass(params, x, y)
            for p, g in zip(params, grads):
                p -= MLP_LR * g
            return [loss] + grads
        return step

    def jax(self, J, small):
        jax, jnp = J.jax, J.jnp
        x, y = (jnp.asarray(a) for a in mlp_batch(self._batch(small)))
        state = [tuple(jnp.asarray(p) for p in mlp_weights())]

        def loss_fn(ps):
            w1, b1, w2, b2, w3, b3 = ps
            h = jax.nn.relu(x @ w1.T + b1)
            h = jax.nn.relu(h @ w2.T + b2)
            logp = jax.nn.log_softmax(h @ w3.T + b3, axis=1)
            return -jnp.take_along_axis(logp, y[:, None], axis=1).mean()

        @jax.jit
        def train(ps):
            loss, grads = jax.value_and_grad(loss_fn)(ps)
            return loss, grads, tuple(p - MLP_LR * g for p, g in zip(ps, grads))

        def step():
            loss, grads, state[0] = jax.block_until_ready(train(state[0]))
            return [loss, *grads]
        return step


class DigitsEpoch(Workload):
    """One epoch of the digits example (23 batches of 64, Adam), each library
    running the example's own train_epoch; the model goes through `wrap`. The
    floor and JAX run the same network and batches written out
    (suite_digits_floor.py, suite_digits_jax.py)."""
    key = "digits"
    name = "digits CNN: one epoch (23 batches of 64, Adam)"
    checked = False
    unchecked = "dropout masks and initial weights are each library's own"

    def __init__(self):
        self._data = None

    def data(self):
        if self._data is None:
            self._data = self.digits().split_digits(0)
        return self._data

    @staticmethod
    def digits():
        """The example module (its data needs scikit-learn: see missing)."""
        return importlib.import_module("chainrule.examples.digits")

    def missing(self):
        if self.digits().load_digits is None:
            return "the digits example needs scikit-learn: pip install scikit-learn"
        return None

    def make(self, lib, wrap, small):
        digits = self.digits()
        x, y = self.data()[:2]
        previous, digits.T = digits.T, lib
        try:
            lib.manual_seed(0)
            loader, generator = digits.make_loader(x, y, 64, 0)
            model = digits.build_model()
        finally:
            digits.T = previous
        opt = lib.optim.Adam(model.parameters(), lr=3e-3)
        wrapped = wrap(model)
        epoch = [0]

        def step():
            previous, digits.T = digits.T, lib   # the example reads its library from a global
            try:
                epoch[0] += 1
                generator.manual_seed(epoch[0])
                digits.train_epoch(wrapped, opt, loader, max_batches=1 if small else None)
            finally:
                digits.T = previous
            return []
        return step

    def floor(self, small):
        epochs = suite_digits_floor.Epochs(*self.data()[:2])

        def step():
            epochs(max_batches=1 if small else None)
            return []
        return step

    def jax(self, J, small):
        epochs = suite_digits_jax.Epochs(J, *self.data()[:2])

        def step():
            epochs(max_batches=1 if small else None)
            return []
        return step
