"""The page that plays a backward pass (Trace.to_html): self-contained,
the right node and numbers at each step (as data here; in a browser in
test_viz_browser.py), and a picture of its own where Graphviz is absent."""
import re
import shutil

import pytest

import chainrule
from chainrule import viz
from chainrule.viz import page


def _seed_trace():
    x = chainrule.tensor(4.0, requires_grad=True)
    z = chainrule.pow(x, 3) + 2 * chainrule.pow(x, 2) + 8 * x
    return viz.explain(z, {"x": x}, names={"z": z}), {"x": x, "z": z}


def test_steps_data_of_the_seed():
    t, names = _seed_trace()
    g = t.graph(names=names)
    data = page.steps_data(t, g)
    assert [d["step"] for d in data] == list(range(1, 8))
    by_label = {}
    for d in data:
        by_label.setdefault(d["label"], []).append(d)
        assert d["node"] in g.source            # the id of a drawn node
        for e in d["edges"]:
            assert f"id={e}," in g.source       # the ids of drawn edges
    (pow2,) = [d for d in by_label["PowBackward0"] if "2 × local derivative 8 = 16" in " ".join(d["lines"])]
    (pow3,) = [d for d in by_label["PowBackward0"] if "1 × local derivative 48 = 48" in " ".join(d["lines"])]
    (leaf,) = by_label["x"]
    assert "x.grad = 72" in " ".join(leaf["lines"]) and leaf["grads"] == {"x": "72"}
    assert "= 72" in leaf["lines"][0] and "16" in leaf["lines"][0]       # the sum where paths meet
    # before the leaf runs its gradient waits, summed as it arrives
    before = data[leaf["step"] - 2]
    assert any(w.startswith("x (step 7): ") and w.count("+") == 2 for w in before["waiting"])
    assert before["grads"] == {"x": "—"}
    assert pow2["node"] != pow3["node"]


@pytest.mark.parametrize("dot", [True, False], ids=["graphviz", "own-layout"])
def test_the_page_is_self_contained(dot, tmp_path, monkeypatch):
    if dot and shutil.which("dot") is None:
        pytest.skip("Graphviz's dot is not installed")
    if not dot:
        real = shutil.which
        monkeypatch.setattr(shutil, "which", lambda name: None if name == "dot" else real(name))
    t, names = _seed_trace()
    path = t.to_html(str(tmp_path / "p.html"), names=names)
    with open(path, encoding="utf-8") as f:
        text = f.read()
    assert text.startswith("<!DOCTYPE html>") and "<svg" in text
    # nothing fetched from elsewhere: no external scripts, styles, images or fonts
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", text)
    assert "@import" not in text and "url(http" not in text
    data = page.steps_data(t, t.graph(names=names))
    for d in data:
        assert f'id="{d["node"]}"' in text      # each step's node is an element of the SVG


def test_own_layout_draws_every_node_and_edge():
    from chainrule.viz import _layout
    t, names = _seed_trace()
    g = t.graph(names=names)
    svg = _layout.svg(g.nodes, g.edges)
    assert svg.count('class="node"') == len(g.nodes) == 8
    assert svg.count('class="edge"') == len(g.edges) == 9
