"""Selecting, splitting, repeating and rearranging elements: split, chunk, flip, roll, tril, scatter and kin (issue 11)."""
