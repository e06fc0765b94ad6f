"""Samplers: what order a DataLoader reads a map-style dataset in, and how
it groups indices into batches (torch.utils.data's samplers).  Shuffles
come from chainrule's random generator (values differ from PyTorch's)."""
from ... import _dtypes
from ..._factories import Generator, as_tensor, rand, randint, randperm

__all__ = ["Sampler", "SequentialSampler", "RandomSampler", "SubsetRandomSampler",
           "WeightedRandomSampler", "BatchSampler"]


class Sampler:
    def __init__(self, data_source=None):
        pass

    def __iter__(self):
        raise NotImplementedError


class SequentialSampler(Sampler):
    def __init__(self, data_source):
        self.data_source = data_source

    def __iter__(self):
        return iter(range(len(self.data_source)))

    def __len__(self):
        return len(self.data_source)


def _fresh_generator():
    """PyTorch's default for a sampler without a generator: a new one,
    seeded from the global generator (so manual_seed makes it reproducible)."""
    seed = int(randint(0, 2 ** 63 - 1, (), dtype=_dtypes.int64).item())
    return Generator().manual_seed(seed)


class RandomSampler(Sampler):
    def __init__(self, data_source, replacement=False, num_samples=None, generator=None):
        self.data_source = data_source
        self.replacement = replacement
        self._num_samples = num_samples
        self.generator = generator
        if not isinstance(self.replacement, bool):
            raise TypeError("replacement should be a boolean value, but got "
                            f"replacement={self.replacement}")
        if not isinstance(self.num_samples, int) or self.num_samples <= 0:
            raise ValueError("num_samples should be a positive integer value, but got "
                             f"num_samples={self.num_samples}")

    @property
    def num_samples(self):
        return len(self.data_source) if self._num_samples is None else self._num_samples

    def __iter__(self):
        n = len(self.data_source)
        generator = self.generator if self.generator is not None else _fresh_generator()
        if self.replacement:
            # drawn 32 at a time, as PyTorch does
            for _ in range(self.num_samples // 32):
                yield from randint(0, n, (32,), generator=generator).tolist()
            yield from randint(0, n, (self.num_samples % 32,), generator=generator).tolist()
        else:
            for _ in range(self.num_samples // n):
                yield from randperm(n, generator=generator).tolist()
            yield from randperm(n, generator=generator).tolist()[:self.num_samples % n]

    def __len__(self):
        return self.num_samples


class SubsetRandomSampler(Sampler):
    """The given indices, in a random order."""

    def __init__(self, indices, generator=None):
        self.indices = indices
        self.generator = generator

    def __iter__(self):
        for i in randperm(len(self.indices), generator=self.generator).tolist():
            yield self.indices[i]

    def __len__(self):
        return len(self.indices)


def _weighted_draw(weights, num_samples, replacement, generator):
    """Indices drawn with probability proportional to the float64 `weights`
    (chainrule ops throughout): with replacement by inverting the running
    sum, a block of draws at a time; without, by the top num_samples of
    u ** (1 / w) for uniform u (Efraimidis and Spirakis: the distribution of
    drawing one at a time and removing what was drawn)."""
    n = weights.numel()
    if not replacement and num_samples > n:
        raise RuntimeError("cannot sample n_sample > prob_dist.size(-1) samples without "
                           "replacement")
    if bool((weights < 0).any()) or bool(weights.isnan().any()):
        raise RuntimeError("invalid multinomial distribution (encountering probability entry "
                           "< 0)")
    if bool(weights.isinf().any()):
        raise RuntimeError("invalid multinomial distribution (encountering probability entry "
                           "= infinity or NaN)")
    total = weights.sum()
    if not total.item() > 0:
        raise RuntimeError("invalid multinomial distribution (sum of probabilities <= 0)")
    u = rand(num_samples if replacement else n, generator=generator, dtype=weights.dtype)
    if not replacement:
        return (u ** (1.0 / weights)).topk(num_samples).indices.tolist()
    cdf = weights.cumsum(0) / total
    block = max(1, 2 ** 20 // n)          # draws compared with the whole cdf at once
    out = []
    for start in range(0, num_samples, block):
        chunk = u[start:start + block]
        below = (cdf.unsqueeze(0) <= chunk.unsqueeze(1)).sum(1)
        out.extend(below.clamp_max(n - 1).tolist())
    return out


class WeightedRandomSampler(Sampler):
    """num_samples indices, index i drawn with probability weights[i] / sum."""

    def __init__(self, weights, num_samples, replacement=True, generator=None):
        if isinstance(num_samples, bool) or not isinstance(num_samples, int) or \
                num_samples <= 0:
            raise ValueError("num_samples should be a positive integer value, but got "
                             f"num_samples={num_samples}")
        if not isinstance(replacement, bool):
            raise ValueError("replacement should be a boolean value, but got "
                             f"replacement={replacement}")
        weights_tensor = as_tensor(weights, dtype=_dtypes.float64)
        if weights_tensor.dim() != 1:
            raise ValueError("weights should be a 1d sequence but given weights have shape "
                             f"{tuple(weights_tensor.shape)}")
        self.weights = weights_tensor
        self.num_samples = num_samples
        self.replacement = replacement
        self.generator = generator

    def __iter__(self):
        yield from _weighted_draw(self.weights, self.num_samples, self.replacement,
                                  self.generator)

    def __len__(self):
        return self.num_samples


class BatchSampler(Sampler):
    """Lists of batch_size indices from `sampler` (the last one shorter, or
    dropped with drop_last)."""

    def __init__(self, sampler, batch_size, drop_last):
        if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size <= 0:
            raise ValueError("batch_size should be a positive integer value, but got "
                             f"batch_size={batch_size}")
        if not isinstance(drop_last, bool):
            raise ValueError(f"drop_last should be a boolean value, but got drop_last={drop_last}")
        self.sampler = sampler
        self.batch_size = batch_size
        self.drop_last = drop_last

    def __iter__(self):
        batch = []
        for idx in self.sampler:
            batch.append(idx)
            if len(batch) == self.batch_size:
                yield batch
                batch = []
        if batch and not self.drop_last:
            yield batch

    def __len__(self):
        if self.drop_last:
            return len(self.sampler) // self.batch_size
        return (len(self.sampler) + self.batch_size - 1) // self.batch_size
