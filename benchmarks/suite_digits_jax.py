"""The digits CNN's training epoch in JAX for the suite's digits row: the same
network, batches and bookkeeping as suite_digits_floor.py (channels-last),
the whole step (forward, backward, Adam) under one jax.jit; the loss and the
count of correct predictions come back to Python each batch, as they do in
the example's train_epoch."""
import numpy as np

import suite_digits_floor as floor


class Epochs:
    def __init__(self, J, x, y, batch=64, seed=0):
        jax, jnp = J.jax, J.jnp
        self.jax, self.jnp = jax, jnp
        self.x = np.ascontiguousarray(x.transpose(0, 2, 3, 1))
        self.y, self.batch, self.epoch = y, batch, 0
        p = floor.init_params(seed)
        hwio = [p[0].reshape(1, 3, 3, 32).transpose(1, 2, 0, 3),
                p[2].reshape(32, 3, 3, 64).transpose(1, 2, 0, 3)]
        params = (hwio[0], p[1], hwio[1], p[3], *p[4:])
        self.state = (tuple(jnp.asarray(a) for a in params),
                      tuple(jnp.zeros_like(jnp.asarray(a)) for a in params),
                      tuple(jnp.zeros_like(jnp.asarray(a)) for a in params), jnp.zeros((), jnp.int32))
        self.key = jax.random.PRNGKey(seed)
        self.train = jax.jit(self._train)

    def _loss(self, params, xb, yb, key):
        jax, jnp = self.jax, self.jnp
        cw1, cb1, cw2, cb2, fw1, fb1, fw2, fb2 = params

        def conv(h, w):
            return jax.lax.conv_general_dilated(h, w, (1, 1), "SAME",
                                                dimension_numbers=("NHWC", "HWIO", "NHWC"))
        h = jax.nn.relu(conv(xb, cw1) + cb1)
        h = jax.nn.relu(conv(h, cw2) + cb2)
        h = jax.lax.reduce_window(h, -jnp.inf, jax.lax.max, (1, 2, 2, 1), (1, 2, 2, 1), "VALID")
        h = jax.nn.relu(h.reshape(h.shape[0], 1024) @ fw1 + fb1)
        keep = jax.random.bernoulli(key, 1 - floor.DROP, h.shape)
        logits = jnp.where(keep, h / (1 - floor.DROP), 0) @ fw2 + fb2
        logp = jax.nn.log_softmax(logits, axis=1)
        return -jnp.take_along_axis(logp, yb[:, None], axis=1).mean(), logits

    def _train(self, state, xb, yb, key, lr=3e-3, b1=0.9, b2=0.999, eps=1e-8):
        jax, jnp = self.jax, self.jnp
        params, m, v, t = state
        (loss, logits), grads = jax.value_and_grad(self._loss, has_aux=True)(params, xb, yb, key)
        t = t + 1
        m = tuple(b1 * a + (1 - b1) * g for a, g in zip(m, grads))
        v = tuple(b2 * a + (1 - b2) * g * g for a, g in zip(v, grads))
        c1, c2 = 1 - b1 ** t, 1 - b2 ** t
        params = tuple(p - (lr / c1) * a / (jnp.sqrt(b / c2) + eps)
                       for p, a, b in zip(params, m, v))
        return (params, m, v, t), loss, (logits.argmax(1) == yb).sum()

    def __call__(self, max_batches=None):
        self.epoch += 1
        order = np.random.default_rng(self.epoch).permutation(len(self.y))
        total, correct = 0.0, 0
        for i, start in enumerate(range(0, len(order), self.batch)):
            if max_batches is not None and i >= max_batches:
                break
            idx = order[start:start + self.batch]
            self.key, sub = self.jax.random.split(self.key)
            self.state, loss, right = self.train(self.state, self.x[idx], self.y[idx], sub)
            total += float(loss) * len(idx)
            correct += int(right)
        return total, correct
