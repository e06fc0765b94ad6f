"""Rewrite tests/seeds/expected_NNN.json from a live torch run.

    python tests/seeds/regenerate.py            # all seeds
    python tests/seeds/regenerate.py 000 002    # some seeds

Each file holds, per cell, torch's stdout / exception / warnings, plus every value
torch.rand/randn/... returned (under torch.manual_seed(int(seed_id))), so tests/test_seeds.py
can replay them into chainrule and compare even where torch is not installed.
"""
import importlib.util
import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def _harness():
    path = HERE.parent / "test_seeds.py"
    spec = importlib.util.spec_from_file_location("_seed_harness", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main(argv):
    harness = _harness()
    seed_ids = argv or harness.SEED_IDS
    for seed_id in seed_ids:
        data = harness.run_torch(seed_id)
        path = harness.expected_path(seed_id)
        with open(path, "w", encoding="utf-8") as fh:
            json.dump(data, fh, indent=1, ensure_ascii=False)
            fh.write("\n")
        print(f"wrote {path.relative_to(HERE.parent.parent)}: {len(data['cells'])} cells, "
              f"{len(data['random'])} random draws")


if __name__ == "__main__":
    main(sys.argv[1:])
