"""One self-contained HTML page that plays a backward pass node by node
(Trace.to_html): the graph (Graphviz's SVG, or _layout's without dot)
with the current node and the edges it sends gradients along highlighted,
"incoming gradient × local derivative = outgoing gradient" written out with
the numbers, the gradients waiting to be summed where paths meet, and the
running .grad of each leaf.  Next / previous / play buttons and the keyboard
(→ ← space, Home End).  Everything is inline: no network, no CDN."""
import json
import shutil
from html import escape

from . import _layout
from ._values import values

__all__ = ["page", "steps_data"]


def _svg(g):
    if shutil.which("dot") is not None:
        text = g.pipe("svg").decode()
        return text[text.index("<svg"):]           # (no XML prolog inside HTML)
    return _layout.svg(g.nodes, g.edges)


def steps_data(trace, g):
    """What the page shows at each step, as plain data (also what tests read)."""
    ids = g.ids
    out = []
    leaf_grads = {s.label: "—" for s in trace.leaves()}
    waiting = {}                          # target label -> [gradient texts] not yet summed
    for s in trace.steps:
        nid = ids.get(id(s.obj))
        waiting.pop(s.index, None)
        lines = []
        if s.parts and len(s.parts) > 1:
            incoming = " + ".join(values(f.grad) for f in s.parts) + " = " + values(s.grad)
            lines.append(f"The paths meet here: their gradients add, {incoming}.")
        elif not s.parts:
            lines.append(f"The backward pass starts with the gradient {values(s.grad)} "
                         f"(d {trace.output_name} / d {trace.output_name}).")
        edges = []
        if s.index == 1 and nid is not None:
            edges.append(f"{nid}_{ids.get(id(trace.output))}")
        if s.is_leaf:
            after = values(s.grad_after) if s.grad_after is not None else "—"
            lines.append(f"{s.label} is a leaf: its gradient accumulates into {s.label}.grad "
                         f"= {after}.")
            leaf_grads[s.label] = after
        else:
            lines.append(f"incoming gradient: {values(s.grad)}")
            for f in s.flows:
                to = f.step.label if f.step is not None else "?"
                if f.local is not None:
                    lines.append(f"to {to} ({f.input_name}): incoming gradient {values(s.grad)} "
                                 f"× local derivative {values(f.local)} = {values(f.grad)}")
                else:
                    rule = f" by {f.rule}" if f.rule else ""
                    lines.append(f"to {to} ({f.input_name}): outgoing gradient{rule} = "
                                 f"{values(f.grad)}")
                tid = ids.get(id(f.target))
                if nid is not None and tid is not None:
                    edges.append(f"{nid}_{tid}_{f.index}")
                if f.step is not None:
                    waiting.setdefault(f.step.index, (f"{f.step.label} (step {f.step.index})", []))[1].append(values(f.grad))
        out.append({
            "step": s.index, "node": nid, "label": s.label, "edges": edges, "lines": lines,
            "grads": dict(leaf_grads),
            "waiting": [f"{label}: {' + '.join(parts)}" for _, (label, parts)
                        in sorted(waiting.items()) if len(parts) > 0],
        })
    return out


def page(trace, names=None):
    g = trace.graph(names=names)
    data = steps_data(trace, g)
    blob = json.dumps({"title": f"backward of {trace.output_name} = {values(trace.output)}",
                       "steps": data}, ensure_ascii=False).replace("</", "<\\/")
    table = trace._repr_html_()
    return _TEMPLATE.replace("@TITLE@", escape(f"chainrule: backward of {trace.output_name}")) \
        .replace("@SVG@", _svg(g)).replace("@DATA@", blob).replace("@TABLE@", table)


_TEMPLATE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>@TITLE@</title>
<style>
body { font-family: Helvetica, Arial, sans-serif; margin: 1.2em; color: #222; }
#main { display: flex; gap: 2em; align-items: flex-start; flex-wrap: wrap; }
#picture svg { max-width: 62vw; max-height: 84vh; width: auto; height: auto; }
#panel { min-width: 22em; max-width: 36em; }
#panel h2 { font-size: 1.1em; margin: 0.2em 0 0.6em; }
#lines li { margin: 0.35em 0; font-family: Menlo, Consolas, monospace; font-size: 0.92em; }
button { font-size: 1em; margin-right: 0.4em; padding: 0.25em 0.8em; }
table { border-collapse: collapse; font-size: 0.9em; }
td, th { border: 1px solid #ccc; padding: 0.15em 0.5em; text-align: left; }
.node.current polygon, .node.current ellipse { fill: #ffd54f !important; stroke: #e65100; stroke-width: 3; }
.node.done polygon, .node.done ellipse { stroke: #2e7d32; stroke-width: 2; }
.edge.flow path { stroke: #e65100 !important; stroke-width: 3; }
.edge.flow polygon { fill: #e65100 !important; stroke: #e65100 !important; }
.edge.flow text { fill: #e65100; font-weight: bold; }
#hint { color: #777; font-size: 0.85em; }
</style></head>
<body data-step="1">
<h1 id="title" style="font-size:1.3em"></h1>
<div id="controls"><button id="first">|◀ first</button><button id="prev">◀ previous</button>
<button id="play">▶ play</button><button id="next">next ▶</button><button id="last">last ▶|</button>
<span id="counter"></span> <span id="hint">keys: → ← space Home End</span></div>
<div id="main"><div id="picture">@SVG@</div>
<div id="panel"><h2 id="stephead"></h2><ul id="lines"></ul>
<h3 style="font-size:1em">waiting to be summed</h3><ul id="waiting"></ul>
<h3 style="font-size:1em">.grad of the leaves</h3><table id="grads"></table></div></div>
<details><summary>the whole trace as a table</summary>@TABLE@</details>
<script id="trace-data" type="application/json">@DATA@</script>
<script>
(function () {
  var data = JSON.parse(document.getElementById("trace-data").textContent);
  var steps = data.steps, k = 0, timer = null;
  document.getElementById("title").textContent = data.title;
  function el(id) { return id ? document.getElementById(id) : null; }
  function fill(list, items) {
    list.innerHTML = "";
    items.forEach(function (t) { var li = document.createElement("li"); li.textContent = t; list.appendChild(li); });
  }
  function show(i) {
    k = Math.max(0, Math.min(steps.length - 1, i));
    var s = steps[k];
    document.querySelectorAll(".current, .flow, .done").forEach(function (e) {
      e.classList.remove("current", "flow", "done"); });
    for (var j = 0; j < k; j++) { var d = el(steps[j].node); if (d) d.classList.add("done"); }
    var n = el(s.node); if (n) n.classList.add("current");
    s.edges.forEach(function (id) { var e = el(id); if (e) e.classList.add("flow"); });
    document.body.dataset.step = s.step;
    document.getElementById("stephead").textContent = "step " + s.step + " of " + steps.length + ": " + s.label;
    document.getElementById("counter").textContent = s.step + " / " + steps.length;
    fill(document.getElementById("lines"), s.lines);
    fill(document.getElementById("waiting"), s.waiting.length ? s.waiting : ["(nothing)"]);
    var rows = "";
    Object.keys(s.grads).forEach(function (name) {
      rows += "<tr><td></td><td></td></tr>"; });
    var table = document.getElementById("grads");
    table.innerHTML = rows;
    Object.keys(s.grads).forEach(function (name, r) {
      table.rows[r].cells[0].textContent = name + ".grad";
      table.rows[r].cells[1].textContent = s.grads[name]; });
  }
  function stop() { if (timer) { clearInterval(timer); timer = null; document.getElementById("play").textContent = "▶ play"; } }
  function play() {
    if (timer) { stop(); return; }
    if (k === steps.length - 1) show(0);
    document.getElementById("play").textContent = "❚❚ pause";
    timer = setInterval(function () { if (k >= steps.length - 1) stop(); else show(k + 1); }, 1200);
  }
  document.getElementById("next").onclick = function () { stop(); show(k + 1); };
  document.getElementById("prev").onclick = function () { stop(); show(k - 1); };
  document.getElementById("first").onclick = function () { stop(); show(0); };
  document.getElementById("last").onclick = function () { stop(); show(steps.length - 1); };
  document.getElementById("play").onclick = play;
  document.addEventListener("keydown", function (e) {
    if (e.key === "ArrowRight") { stop(); show(k + 1); }
    else if (e.key === "ArrowLeft") { stop(); show(k - 1); }
    else if (e.key === " ") { play(); }
    else if (e.key === "Home") { stop(); show(0); }
    else if (e.key === "End") { stop(); show(steps.length - 1); }
    else return;
    e.preventDefault();          // (the keys step the pass; they do not scroll the page)
  });
  show(0);
})();
</script>
</body></html>
"""
