"""A plain SVG drawing of a graph's nodes and edges, for pages written
where Graphviz's dot is not installed: nodes in layers by their longest
distance from the outputs (which sit at the bottom), edges as straight
arrows.  Less tidy than dot's, but the page works anywhere.  The element ids
are the DOT names, as in dot's SVG, so the page highlights either alike."""
from html import escape

_W, _LINE, _GAP_X, _GAP_Y, _PAD = 190, 14, 24, 46, 20
_FILL = {"output": "lightblue", "node": "lightgrey", "leaf": "lightgreen", "collapsed": "white"}


def svg(nodes, edges):
    """nodes: (id, label, kind); edges: (id, from, to, label), from -> to in
    the forward direction (to is nearer the outputs)."""
    consumers = {}
    for _, src, dst, _ in edges:
        consumers.setdefault(src, []).append(dst)
    # Longest distance to an output, walked iteratively (outputs have no consumers).
    depth = {}
    for nid, _, _ in nodes:
        stack = [(nid, False)]
        while stack:
            n, ready = stack.pop()
            if n in depth:
                continue
            ups = consumers.get(n, ())
            if ready or not ups:
                depth[n] = 1 + max((depth.get(u, 0) for u in ups), default=-1)
                continue
            stack.append((n, True))
            stack.extend((u, False) for u in ups if u not in depth)
    layers = {}
    for nid, label, kind in nodes:
        layers.setdefault(depth[nid], []).append((nid, label, kind))
    top = max(layers) if layers else 0
    heights = {nid: _LINE * (label.count("\n") + 1) + 12 for nid, label, _ in nodes}
    row_h = {d: max(heights[n] for n, _, _ in layer) for d, layer in layers.items()}
    width = max(len(layer) for layer in layers.values()) * (_W + _GAP_X) + 2 * _PAD if layers else 100
    pos, y = {}, _PAD
    for d in range(top, -1, -1):             # leaves (deepest) at the top
        layer = layers.get(d, [])
        x0 = (width - len(layer) * (_W + _GAP_X) + _GAP_X) / 2
        for i, (nid, _, _) in enumerate(layer):
            pos[nid] = (x0 + i * (_W + _GAP_X), y)
        y += row_h.get(d, 0) + _GAP_Y
    height = y - _GAP_Y + _PAD
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" height="{height:.0f}" '
           f'viewBox="0 0 {width:.0f} {height:.0f}" font-family="Helvetica, sans-serif" '
           f'font-size="11">',
           '<defs><marker id="arrow" markerWidth="8" markerHeight="8" refX="7" refY="4" '
           'orient="auto"><path d="M0,0 L8,4 L0,8 z" fill="#444"/></marker></defs>']
    for eid, src, dst, label in edges:
        (x1, y1), (x2, y2) = pos[src], pos[dst]
        ax, ay = x1 + _W / 2, y1 + heights[src]        # bottom of the input
        bx, by = x2 + _W / 2, y2                       # top of the consumer
        # gradients flow from the consumer back to the input: the arrow points up
        out.append(f'<g id="{escape(eid)}" class="edge"><path d="M{bx:.1f},{by:.1f} '
                   f'L{ax:.1f},{ay + 2:.1f}" stroke="#444" fill="none" '
                   f'marker-end="url(#arrow)"/>')
        if label is not None:
            out.append(f'<text x="{(ax + bx) / 2 + 4:.1f}" y="{(ay + by) / 2:.1f}">'
                       f'{escape(label)}</text>')
        out.append("</g>")
    for nid, label, kind in nodes:
        x, y = pos[nid]
        h = heights[nid]
        shape = (f'<ellipse cx="{x + _W / 2:.1f}" cy="{y + h / 2:.1f}" rx="{_W / 2:.1f}" '
                 f'ry="{h / 2:.1f}"' if kind == "output" else
                 f'<polygon points="{x:.1f},{y:.1f} {x + _W:.1f},{y:.1f} {x + _W:.1f},{y + h:.1f} '
                 f'{x:.1f},{y + h:.1f}"')
        out.append(f'<g id="{escape(nid)}" class="node">{shape} fill="{_FILL[kind]}" '
                   f'stroke="#333"/>')
        for k, line in enumerate(label.split("\n")):
            out.append(f'<text x="{x + _W / 2:.1f}" y="{y + 16 + k * _LINE:.1f}" '
                       f'text-anchor="middle">{escape(line)}</text>')
        out.append("</g>")
    out.append("</svg>")
    return "\n".join(out)
