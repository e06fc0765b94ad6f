"""chainrule.viz: the DOT text of known graphs."""
import re
import shutil

import pytest

import chainrule as torch
from chainrule import viz


def _nodes(source):
    return dict(re.findall(r'^\s*(n\d+) \[.*?label="([^"]*)"', source, flags=re.M))


def _edges(source):
    return re.findall(r"^\s*(n\d+) -> (n\d+)", source, flags=re.M)


def test_the_seed_polynomial():
    x = torch.tensor(4.0, requires_grad=True)
    z = x ** 3 + 2 * x ** 2 + 8 * x
    src = viz.graph(z, names={"x": x, "z": z}).source
    labels = _nodes(src)
    kinds = sorted(label.split("\\n")[0] for label in labels.values())
    assert kinds == ["AddBackward0", "AddBackward0", "MulBackward0", "MulBackward0",
                     "PowBackward0", "PowBackward0", "x", "z"]
    leaf = [k for k, v in labels.items() if v.startswith("x\\n")][0]
    assert labels[leaf] == "x\\n() [4] torch.float32"
    # x feeds the two powers and 8*x: three edges leave the leaf
    assert sum(1 for a, _ in _edges(src) if a == leaf) == 3
    assert len(_edges(src)) == 9
    pows = [v for v in labels.values() if v.startswith("PowBackward0")]
    assert all("self: () [4]" in v for v in pows)
    assert src.startswith("digraph backward {") and src.rstrip().endswith("}")


def test_saved_output_is_result_and_several_roots():
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y = x.exp()
    w = x.sin()
    src = viz.graph(y, w, names={"x": x}).source
    labels = list(_nodes(src).values())
    assert any(v.startswith("ExpBackward0\\nresult: (2) [2.718, 7.389]") for v in labels)
    assert any(v.startswith("SinBackward0\\nself: (2) [1, 2]") for v in labels)
    assert "output 0\\n(2) [2.718, 7.389]" in labels and any(v.startswith("output 1") for v in labels)


def test_deep_graph_needs_no_recursion():
    x = torch.tensor(1.0, requires_grad=True)
    y = x
    for _ in range(20000):
        y = y * 1.0
    src = viz.graph(y, collapse=False).source
    assert src.count("MulBackward0") == 20000


def test_rendering_without_dot_says_how_to_install(monkeypatch, tmp_path):
    monkeypatch.setattr(shutil, "which", lambda name: None)
    x = torch.tensor(1.0, requires_grad=True)
    g = viz.graph(x * 2)
    target = tmp_path / "out.svg"
    with pytest.raises(RuntimeError, match="apt-get install graphviz"):
        g.render(str(target))
    assert not target.exists()         # nothing half-written
    assert g._repr_svg_() is None


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz's dot is not installed")
def test_render_svg(tmp_path):
    x = torch.tensor(1.0, requires_grad=True)
    path = viz.graph((x * 2).sin(), names={"x": x}).render(str(tmp_path / "g.svg"))
    with open(path) as f:
        assert "<svg" in f.read()


def test_to_graphviz():
    graphviz = pytest.importorskip("graphviz")
    x = torch.tensor(1.0, requires_grad=True)
    g = viz.graph(x * 2, names={"x": x})
    src = g.to_graphviz()
    assert isinstance(src, graphviz.Source) and src.source == g.source


def test_to_graphviz_without_the_package_says_how_to_install(monkeypatch):
    import importlib

    def missing(name, *a, **k):
        raise ImportError(name)
    monkeypatch.setattr(importlib, "import_module", missing)
    with pytest.raises(ImportError, match=r"pip install 'chainrule\[viz\]'"):
        viz.graph(torch.tensor(1.0, requires_grad=True) * 2).to_graphviz()
