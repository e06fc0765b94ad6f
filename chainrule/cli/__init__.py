"""chainrule's command line (python -m chainrule ...): see calc.py."""
