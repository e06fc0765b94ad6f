"""The digits CNN's training epoch written by hand in NumPy: the floor of the
suite's digits row (benchmarks/suite_workloads_nn.py). The same network as
chainrule/examples/digits.py (3x3 convolutions 1 -> 32 -> 64, padding 1,
ReLU, a 2x2 max-pool, Linear 1024 -> 128, ReLU, dropout 0.3, Linear 128 -> 10,
cross-entropy, Adam at 3e-3), the same batches of 64, the same per-batch
bookkeeping (the loss as a number, the count of correct predictions).

Images are kept channels-last (batch, height, width, channels), so a
convolution is one im2col copy and one matmul; a convolution weight is held
as (in_channels * 3 * 3, out_channels) and the flattening is (h, w, c):
`torch_layout` converts the parameters to the example's layout (the smoke
test checks these gradients against torch's with it).
"""
import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

SHAPES = [(9, 32), (32,), (288, 64), (64,), (1024, 128), (128,), (128, 10), (10,)]
FAN_IN = [9, 9, 288, 288, 1024, 1024, 128, 128]
DROP = 0.3


def init_params(seed=0):
    """U(+-1/sqrt(fan_in)) for weights and biases, float32."""
    rng = np.random.default_rng(seed)
    return [rng.uniform(-1 / np.sqrt(f), 1 / np.sqrt(f), s).astype(np.float32)
            for s, f in zip(SHAPES, FAN_IN)]


def _im2col(x):
    """(B, 8, 8, C) -> (B * 64, C * 9): each row one 3x3 window (padding 1), (c, i, j)."""
    b, h, w, c = x.shape
    padded = np.zeros((b, h + 2, w + 2, c), x.dtype)
    padded[:, 1:-1, 1:-1] = x
    return sliding_window_view(padded, (3, 3), axis=(1, 2)).reshape(b * h * w, c * 9)


def _col2im(gcols, shape):
    """The adjoint of _im2col: each window's gradient added back where it came from."""
    b, h, w, c = shape
    g = gcols.reshape(b, h, w, c, 3, 3)
    padded = np.zeros((b, h + 2, w + 2, c), gcols.dtype)
    for i in range(3):
        for j in range(3):
            padded[:, i:i + h, j:j + w] += g[..., i, j]
    return padded[:, 1:-1, 1:-1]


def forward_backward(params, x, y, keep):
    """x (B, 8, 8, 1) channels-last, y (B,) labels, keep (B, 128) the dropout mask
    (already scaled by 1 / (1 - p)). Returns (loss, logits, gradients)."""
    cw1, cb1, cw2, cb2, fw1, fb1, fw2, fb2 = params
    b = len(y)
    cols1 = _im2col(x)
    z1 = (cols1 @ cw1 + cb1).reshape(b, 8, 8, 32)
    h1 = np.maximum(z1, 0)
    cols2 = _im2col(h1)
    z2 = (cols2 @ cw2 + cb2).reshape(b, 8, 8, 64)
    h2 = np.maximum(z2, 0)
    blocks = h2.reshape(b, 4, 2, 4, 2, 64)
    pooled = blocks.max(axis=(2, 4))
    flat = pooled.reshape(b, 1024)
    z3 = flat @ fw1 + fb1
    h3 = np.maximum(z3, 0) * keep
    logits = h3 @ fw2 + fb2
    shifted = logits - logits.max(1, keepdims=True)
    e = np.exp(shifted)
    total = e.sum(1, keepdims=True)
    rows = np.arange(b)
    loss = (np.log(total[:, 0]) - shifted[rows, y]).mean()
    # backward
    g = e / total
    g[rows, y] -= 1
    g /= b
    gfw2, gfb2 = h3.T @ g, g.sum(0)
    g = (g @ fw2.T) * keep * (z3 > 0)
    gfw1, gfb1 = flat.T @ g, g.sum(0)
    g = (g @ fw1.T).reshape(b, 4, 1, 4, 1, 64)
    # the max's gradient to where the max was (ties only at 0, where ReLU's gradient is 0)
    g = (blocks == pooled.reshape(b, 4, 1, 4, 1, 64)) * g
    g = g.reshape(b, 8, 8, 64) * (z2 > 0)
    g = g.reshape(b * 64, 64)
    gcw2, gcb2 = cols2.T @ g, g.sum(0)
    g = _col2im(g @ cw2.T, h1.shape) * (z1 > 0)
    g = g.reshape(b * 64, 32)
    gcw1, gcb1 = cols1.T @ g, g.sum(0)
    return loss, logits, [gcw1, gcb1, gcw2, gcb2, gfw1, gfb1, gfw2, gfb2]


class Adam:
    """torch.optim.Adam's update (no weight decay), in place."""

    def __init__(self, params, lr=3e-3, betas=(0.9, 0.999), eps=1e-8):
        self.params, self.lr, self.betas, self.eps, self.t = params, lr, betas, eps, 0
        self.m = [np.zeros_like(p) for p in params]
        self.v = [np.zeros_like(p) for p in params]

    def step(self, grads):
        self.t += 1
        b1, b2 = self.betas
        c1, c2 = 1 - b1 ** self.t, 1 - b2 ** self.t
        for p, g, m, v in zip(self.params, grads, self.m, self.v):
            m *= b1
            m += (1 - b1) * g
            v *= b2
            v += (1 - b2) * g * g
            p -= (self.lr / c1) * m / (np.sqrt(v / c2) + self.eps)


class Epochs:
    """Epoch after epoch of training; call with max_batches (None: all)."""

    def __init__(self, x, y, batch=64, seed=0):
        self.x = np.ascontiguousarray(x.transpose(0, 2, 3, 1))     # NCHW -> NHWC, once
        self.y, self.batch = y, batch
        self.params = init_params(seed)
        self.opt = Adam(self.params)
        self.epoch = 0

    def __call__(self, max_batches=None):
        self.epoch += 1
        rng = np.random.default_rng(self.epoch)
        order = rng.permutation(len(self.y))
        total, correct = 0.0, 0
        for i, start in enumerate(range(0, len(order), self.batch)):
            if max_batches is not None and i >= max_batches:
                break
            idx = order[start:start + self.batch]
            xb, yb = self.x[idx], self.y[idx]
            keep = (rng.random((len(idx), 128), dtype=np.float32) >= DROP) / np.float32(1 - DROP)
            loss, logits, grads = forward_backward(self.params, xb, yb, keep)
            self.opt.step(grads)
            total += float(loss) * len(idx)
            correct += int((logits.argmax(1) == yb).sum())
        return total, correct


def torch_layout(params):
    """The parameters in the example's layout, for its DigitsNet's
    load_state_dict: convolution weights (out, in, 3, 3), Linear weights
    (out, in) with fc1's inputs in (c, h, w) order."""
    cw1, cb1, cw2, cb2, fw1, fb1, fw2, fb2 = params
    fc1 = fw1.reshape(4, 4, 64, 128).transpose(3, 2, 0, 1).reshape(128, 1024)
    return {"conv1.weight": cw1.T.reshape(32, 1, 3, 3), "conv1.bias": cb1,
            "conv2.weight": cw2.T.reshape(64, 32, 3, 3), "conv2.bias": cb2,
            "fc1.weight": np.ascontiguousarray(fc1), "fc1.bias": fb1,
            "fc2.weight": np.ascontiguousarray(fw2.T), "fc2.bias": fb2}
