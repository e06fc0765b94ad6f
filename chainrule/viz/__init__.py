"""chainrule.viz: see the chain rule at work.

    graph(z, names={"x": x})     the backward graph as Graphviz DOT (dot.py)
    explain(z, {"x": x})         run z.backward() and record every step:
                                 incoming gradient, local derivatives,
                                 outgoing gradients, sums where paths meet
                                 (trace.py); str() is a table
    explain(...).graph()         the graph with the gradient along each edge
    explain(...).to_html(path)   one self-contained page that plays the
                                 backward pass node by node (page.py)
"""
from .dot import Graph, graph
from .trace import Flow, Step, Trace, explain

__all__ = ["graph", "Graph", "explain", "Trace", "Step", "Flow"]
