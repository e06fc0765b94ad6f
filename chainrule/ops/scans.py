"""Scans and order statistics: cumsum, cumprod, sort, topk, median and kin (issue 11)."""
