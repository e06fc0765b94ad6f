"""torch.linalg: norms, inverses, determinants and solves (issue 11)."""
