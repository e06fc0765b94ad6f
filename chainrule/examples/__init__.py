"""Runnable examples: `python -m chainrule.examples.digits`."""
