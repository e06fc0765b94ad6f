"""python -m chainrule: the command line (chainrule/cli/calc.py)."""
import sys

from .cli.calc import main

sys.exit(main())
