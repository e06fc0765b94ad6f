"""Train a small CNN on scikit-learn's bundled 8x8 digits (no download).

    python -m chainrule.examples.digits                  # chainrule
    python -m chainrule.examples.digits --backend torch  # the same script on PyTorch
    python -m chainrule.examples.digits --plot curves.png
    python -m chainrule.examples.digits --epochs 30 --resume   # 10 more

The model, the training loop and the evaluation are written once against the
module variable ``T``: chainrule, or torch with ``--backend torch``; the split,
the batches' order and the hyper-parameters are the same for both (the
weights' random initialisation and dropout are each library's own). Each
epoch saves a checkpoint (model, optimiser and lr-schedule state, random
state, epoch, curves) that ``--resume`` continues from exactly. Needs the ``examples`` extra: scikit-learn, tqdm (progress
bar) and matplotlib (``--plot``).
"""
import argparse
import importlib
import os
import sys
import time

import numpy as np

from .checkpoint import load_checkpoint, save_checkpoint

try:                                   # the examples extra; main() says if it is missing
    from sklearn.datasets import load_digits
except ImportError:
    load_digits = None
try:
    from tqdm import tqdm
except ImportError:
    tqdm = None

T = None   # the tensor library in use: chainrule, or torch (use_backend sets it)

QUICK_BATCHES = 6   # --quick: this many training batches per epoch


def use_backend(name):
    """Point T at chainrule or torch and return it."""
    global T
    T = importlib.import_module({"chainrule": "chainrule", "torch": "torch"}[name])
    return T


def split_digits(seed, test_fraction=0.2):
    """(x_train, y_train, x_test, y_test) as NumPy arrays: images scaled to
    [0, 1] with a channel dim, a seeded shuffle, the last test_fraction held out."""
    digits = load_digits()
    x = (digits.images / 16.0).astype(np.float32)[:, None]
    y = digits.target.astype(np.int64)
    order = np.random.default_rng(seed).permutation(len(y))
    n_test = int(round(len(y) * test_fraction))
    train, test = order[:-n_test], order[-n_test:]
    return x[train], y[train], x[test], y[test]


def build_model():
    """Two 3x3 convolutions (1 -> 32 -> 64 channels) and a 2x2 max-pool, then two
    linear layers (1024 -> 128 -> 10 logits), dropout between them."""
    nn, F = T.nn, T.nn.functional

    class DigitsNet(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv1 = nn.Conv2d(1, 32, 3, padding=1)
            self.conv2 = nn.Conv2d(32, 64, 3, padding=1)
            self.pool = nn.MaxPool2d(2)
            self.fc1 = nn.Linear(64 * 4 * 4, 128)
            self.fc2 = nn.Linear(128, 10)

        def forward(self, x):
            x = F.relu(self.conv1(x))
            x = self.pool(F.relu(self.conv2(x)))
            x = F.relu(self.fc1(x.flatten(1)))
            # dropout: the training images are few, and the network learns them all
            return self.fc2(F.dropout(x, 0.3, self.training))

    return DigitsNet()


def make_loader(x, y, batch_size, seed):
    """A shuffling DataLoader whose order depends only on (seed, epoch): the
    caller reseeds the returned generator each epoch, so a resumed run sees
    the batches an uninterrupted one would. The sampler hands out whole
    batches of indices (batch_size=None: no per-sample collation), so a batch
    is one indexing of the tensors rather than batch_size lookups and a stack."""
    data = T.utils.data.TensorDataset(T.tensor(x), T.tensor(y))
    generator = T.Generator()
    batches = T.utils.data.BatchSampler(T.utils.data.RandomSampler(data, generator=generator),
                                        batch_size, drop_last=False)
    loader = T.utils.data.DataLoader(data, sampler=batches, batch_size=None)
    return loader, generator


def evaluate(model, x, y):
    """(mean cross-entropy, accuracy) on the whole of x, y."""
    model.eval()
    with T.no_grad():
        logits = model(x)
        loss = T.nn.functional.cross_entropy(logits, y).item()
        accuracy = (logits.argmax(1) == y).float().mean().item()
    model.train()
    return loss, accuracy


def train_epoch(model, optimizer, loader, max_batches=None, progress=None):
    """One pass over loader; returns (mean loss, accuracy, per-batch losses)."""
    F = T.nn.functional
    total_loss, correct, seen, losses = 0.0, 0, 0, []
    for i, (xb, yb) in enumerate(loader):
        if max_batches is not None and i >= max_batches:
            break
        optimizer.zero_grad()
        logits = model(xb)
        loss = F.cross_entropy(logits, yb)
        loss.backward()
        optimizer.step()
        n = yb.shape[0]
        losses.append(loss.item())
        total_loss += losses[-1] * n
        correct += (logits.argmax(1) == yb).sum().item()
        seen += n
        if progress is not None:
            progress.update(1)
            progress.set_postfix(loss=f"{total_loss / seen:.4f}", acc=f"{correct / seen:.3f}")
    return total_loss / seen, correct / seen, losses


def plot_curves(history, path, backend):
    """Loss and accuracy per epoch, train and test, in one PNG."""
    figure_module = importlib.import_module("matplotlib.figure")  # optional extra, on demand
    fig = figure_module.Figure(figsize=(8, 3.2), dpi=100)
    ax_loss, ax_acc = fig.subplots(1, 2)
    epochs = range(1, len(history["train_loss"]) + 1)
    ax_loss.plot(epochs, history["train_loss"], label="train")
    ax_loss.plot(epochs, history["test_loss"], label="test")
    ax_loss.set_xlabel("epoch")
    ax_loss.set_ylabel("cross-entropy")
    ax_loss.set_yscale("log")
    ax_acc.plot(epochs, history["train_acc"], label="train")
    ax_acc.plot(epochs, history["test_acc"], label="test")
    ax_acc.set_xlabel("epoch")
    ax_acc.set_ylabel("accuracy")
    for ax in (ax_loss, ax_acc):
        ax.grid(alpha=0.3)
        ax.legend()
    fig.suptitle(f"8x8 digits, small CNN ({backend})")
    fig.tight_layout()
    fig.savefig(path)


def parse_args(argv):
    p = argparse.ArgumentParser(prog="python -m chainrule.examples.digits",
                                description="Train a small CNN on scikit-learn's 8x8 digits.")
    p.add_argument("--backend", choices=["chainrule", "torch"], default="chainrule")
    p.add_argument("--epochs", type=int, default=20, help="train up to this epoch (default 20)")
    p.add_argument("--batch-size", type=int, default=64)
    p.add_argument("--lr", type=float, default=3e-3, help="Adam's learning rate")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--checkpoint", default="digits_checkpoint.npz",
                   help="written after every epoch (default digits_checkpoint.npz)")
    p.add_argument("--resume", action="store_true",
                   help="continue from --checkpoint: model, optimiser and schedule, epoch")
    p.add_argument("--plot", metavar="PNG", help="write loss and accuracy curves here")
    p.add_argument("--quick", action="store_true",
                   help=f"only {QUICK_BATCHES} batches per epoch (a smoke test)")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    return p.parse_args(argv)


def main(argv=None):
    """Run the example; returns the history dict (per-epoch curves, seconds,
    and the quick runs' per-batch losses) for tests and benchmarks."""
    args = parse_args(argv)
    if load_digits is None or tqdm is None:
        sys.exit("this example needs scikit-learn and tqdm: pip install 'chainrule[examples]'")
    use_backend(args.backend)
    T.manual_seed(args.seed)
    x_tr, y_tr, x_te, y_te = split_digits(args.seed)
    loader, generator = make_loader(x_tr, y_tr, args.batch_size, args.seed)
    x_test, y_test = T.tensor(x_te), T.tensor(y_te)
    model = build_model()
    optimizer = T.optim.Adam(model.parameters(), lr=args.lr)
    # lr decayed each epoch, so the late epochs settle rather than jitter; by a
    # factor, not towards a set end, so a resumed run keeps the same schedule
    scheduler = T.optim.lr_scheduler.ExponentialLR(optimizer, gamma=0.85)
    history = {"train_loss": [], "train_acc": [], "test_loss": [], "test_acc": [],
               "seconds": [], "batch_losses": []}
    start = 0
    if args.resume:
        if not os.path.exists(args.checkpoint):
            sys.exit(f"no checkpoint at {args.checkpoint} to resume from")
        state = load_checkpoint(args.checkpoint, T)
        model.load_state_dict(state["model"])
        optimizer.load_state_dict(state["optimizer"])
        scheduler.load_state_dict(state["scheduler"])
        if state["backend"] == args.backend:   # dropout's masks go on as they would have
            T.set_rng_state(state["rng"])
        else:                                  # the generators' states do not translate
            print(f"(checkpoint written by {state['backend']}: its random state is not used)")
        start, history = state["epoch"], state["history"]
        print(f"resumed from {args.checkpoint} after epoch {start}")
    batches = len(loader) if not args.quick else min(QUICK_BATCHES, len(loader))
    print(f"{args.backend}: {len(y_tr)} training and {len(y_te)} test images, "
          f"batch size {args.batch_size}, {batches} batches per epoch")
    for epoch in range(start + 1, args.epochs + 1):
        generator.manual_seed(args.seed * 100_003 + epoch)
        progress = tqdm(total=batches, desc=f"epoch {epoch}/{args.epochs}", leave=False,
                        disable=args.no_progress, file=sys.stderr)
        t0 = time.perf_counter()
        loss, acc, losses = train_epoch(model, optimizer, loader,
                                        QUICK_BATCHES if args.quick else None, progress)
        seconds = time.perf_counter() - t0
        progress.close()
        scheduler.step()
        test_loss, test_acc = evaluate(model, x_test, y_test)
        for key, value in (("train_loss", loss), ("train_acc", acc), ("test_loss", test_loss),
                           ("test_acc", test_acc), ("seconds", seconds)):
            history[key].append(value)
        history["batch_losses"].append(losses)
        print(f"epoch {epoch:2d}  loss {loss:.4f}  train acc {acc:.4f}  test loss "
              f"{test_loss:.4f}  test acc {test_acc:.4f}  {seconds:.2f} s")
        save_checkpoint({"model": model.state_dict(), "optimizer": optimizer.state_dict(),
                         "scheduler": scheduler.state_dict(), "rng": T.get_rng_state(),
                         "backend": args.backend,
                         "epoch": epoch, "history": history}, args.checkpoint, T)
    if history["test_acc"]:
        per_epoch = sum(history["seconds"]) / len(history["seconds"])
        print(f"{args.backend}: test accuracy {history['test_acc'][-1]:.2%}, "
              f"{per_epoch:.2f} s per epoch (training, {len(history['seconds'])} epochs)")
    if args.plot:
        plot_curves(history, args.plot, args.backend)
        print(f"curves written to {args.plot}")
    return history


if __name__ == "__main__":
    main()
