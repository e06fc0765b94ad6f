"""chainrule.utils.data: datasets, samplers, collation and the DataLoader,
with torch.utils.data's names and behaviour (loading in the calling process)."""
from .dataset import (Dataset, IterableDataset, TensorDataset, Subset, ConcatDataset,
                      ChainDataset, random_split)
from .sampler import (Sampler, SequentialSampler, RandomSampler, SubsetRandomSampler,
                      WeightedRandomSampler, BatchSampler)
from .collate import default_collate, default_convert
from .dataloader import DataLoader, get_worker_info

__all__ = ["Dataset", "IterableDataset", "TensorDataset", "Subset", "ConcatDataset",
           "ChainDataset", "random_split", "Sampler", "SequentialSampler", "RandomSampler",
           "SubsetRandomSampler", "WeightedRandomSampler", "BatchSampler", "default_collate",
           "default_convert", "DataLoader", "get_worker_info"]
