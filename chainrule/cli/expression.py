"""A safe little language for the command line: arithmetic expressions in
named variables, parsed with Python's `ast` and an allow-list.

Allowed: names (variables, `pi`, `e`), numbers, + - * / ** (and unary + -),
and calls of the functions in FUNCTIONS with positional arguments.  Anything
else (attributes, subscripts, lambdas, comprehensions, imports, keywords,
strings, dunder names, comparisons...) is refused with ExpressionError before
anything runs.  Evaluation cannot hang or exhaust memory: the source length,
the tree's size and depth, and every power's exponent are bounded first, and
values are small tensors given by the user.
"""
import ast
import math

__all__ = ["ExpressionError", "parse", "evaluate", "FUNCTIONS", "CONSTANTS"]

FUNCTIONS = ("sin", "cos", "tan", "tanh", "sinh", "cosh", "exp", "log", "log1p", "expm1",
             "sqrt", "abs", "sigmoid", "relu", "asin", "acos", "atan", "asinh", "atanh",
             "erf", "square", "softplus", "sum", "mean", "prod", "max", "min")
CONSTANTS = {"pi": math.pi, "e": math.e}

MAX_SOURCE = 2000          # characters
MAX_NODES = 500            # nodes of the syntax tree
MAX_DEPTH = 60             # nesting of the syntax tree
MAX_EXPONENT = 64          # |exponent| of a power with a constant exponent
MAX_NUMBER = 1e12          # magnitude of a literal


class ExpressionError(ValueError):
    """The expression is not one this calculator evaluates (nothing was run)."""


_BINARY = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.Pow: "**"}
_UNARY = {ast.UAdd: "+", ast.USub: "-"}


def parse(source, variables):
    """The checked syntax tree of `source`, whose free names must be in
    `variables` (or CONSTANTS)."""
    if not isinstance(source, str) or not source.strip():
        raise ExpressionError("the expression is empty")
    if len(source) > MAX_SOURCE:
        raise ExpressionError(f"the expression is longer than {MAX_SOURCE} characters")
    try:
        tree = ast.parse(source.strip(), mode="eval")
    except SyntaxError as e:
        raise ExpressionError(f"not a valid expression: {e.msg}") from None
    count = 0
    stack = [(tree.body, 1)]                   # (iterative: deep input cannot recurse here)
    while stack:
        node, depth = stack.pop()
        count += 1
        if count > MAX_NODES:
            raise ExpressionError(f"the expression has more than {MAX_NODES} parts")
        if depth > MAX_DEPTH:
            raise ExpressionError(f"the expression is nested more than {MAX_DEPTH} deep")
        if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
            if isinstance(node.op, ast.Pow):
                _check_exponent(node.right)
            stack += [(node.left, depth + 1), (node.right, depth + 1)]
        elif isinstance(node, ast.UnaryOp) and type(node.op) in _UNARY:
            stack.append((node.operand, depth + 1))
        elif isinstance(node, ast.Constant):
            v = node.value
            if isinstance(v, bool) or not isinstance(v, (int, float)):
                raise ExpressionError(f"only numbers are allowed, not {v!r}")
            if abs(v) > MAX_NUMBER:
                raise ExpressionError(f"the number {v!r} is too large (at most {MAX_NUMBER:g})")
        elif isinstance(node, ast.Name):
            _check_name(node.id, variables)
        elif isinstance(node, ast.Call):
            if not isinstance(node.func, ast.Name) or node.func.id not in FUNCTIONS:
                what = node.func.id if isinstance(node.func, ast.Name) else ast.unparse(node.func)
                raise ExpressionError(f"{what!s}() is not a function this calculator knows; "
                                      f"known: {', '.join(FUNCTIONS)}")
            if node.keywords or len(node.args) != 1:
                raise ExpressionError(f"{node.func.id}() takes exactly one argument")
            stack += [(a, depth + 1) for a in node.args]
        else:
            raise ExpressionError(f"{type(node).__name__} is not allowed here: only names, "
                                  "numbers, + - * / ** and calls of known functions")
    return tree


def _check_name(name, variables):
    if name.startswith("_"):
        raise ExpressionError(f"the name {name!r} is not allowed")
    if name not in variables and name not in CONSTANTS:
        known = ", ".join(sorted(variables)) or "none"
        raise ExpressionError(f"unknown name {name!r} (variables given with --at: {known}; "
                              f"constants: pi, e)")


def _check_exponent(node):
    """An exponent must be small where it is a constant; a non-constant one is
    an expression of the (small) values, so its size is the values' business,
    but a power tower of constants (9**9**9**9) is refused here."""
    value = _constant_value(node)
    if value == math.inf:
        raise ExpressionError("a power in an exponent (a tower such as 9**9**9) is not allowed")
    if value is not None and abs(value) > MAX_EXPONENT:
        raise ExpressionError(f"the exponent {value:g} is too large (at most {MAX_EXPONENT})")
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Pow):
        _check_exponent(node.right)


def _constant_value(node):
    """The value of a constant sub-expression of + - * / and unary minus,
    folded without evaluating any power (None if it is not constant or would
    be a power)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)):
        return float(node.value)
    if isinstance(node, ast.UnaryOp) and type(node.op) in _UNARY:
        v = _constant_value(node.operand)
        return None if v is None else (-v if isinstance(node.op, ast.USub) else v)
    if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Sub, ast.Mult)):
        a, b = _constant_value(node.left), _constant_value(node.right)
        if a is None or b is None:
            return None
        return a + b if isinstance(node.op, ast.Add) else a - b if isinstance(node.op, ast.Sub) \
            else a * b
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Pow):
        return math.inf           # a power in an exponent: a tower, always too large to allow
    return None


def evaluate(tree, values, lib):
    """The checked tree's value with `values` (name -> tensor) and library `lib`
    (chainrule); iterative, in post-order."""
    out = []
    stack = [(tree.body, False)]
    while stack:
        node, ready = stack.pop()
        if isinstance(node, ast.Constant):
            # (a float64 tensor, so that overflow gives inf rather than a Python error)
            out.append(lib.tensor(float(node.value), dtype=lib.float64))
        elif isinstance(node, ast.Name):
            out.append(values[node.id] if node.id in values else
                       lib.tensor(CONSTANTS[node.id], dtype=lib.float64))
        elif not ready:
            stack.append((node, True))
            kids = ([node.left, node.right] if isinstance(node, ast.BinOp) else
                    [node.operand] if isinstance(node, ast.UnaryOp) else node.args)
            stack += [(k, False) for k in reversed(kids)]
        elif isinstance(node, ast.BinOp):
            b, a = out.pop(), out.pop()
            out.append(_apply_binary(node.op, a, b, lib))
        elif isinstance(node, ast.UnaryOp):
            a = out.pop()
            out.append(-a if isinstance(node.op, ast.USub) else a)
        else:                                  # a call of a known function
            a = out.pop()
            out.append(_apply_function(node.func.id, a, lib))
    return out.pop()


def _apply_binary(op, a, b, lib):
    if isinstance(op, ast.Add):
        return a + b
    if isinstance(op, ast.Sub):
        return a - b
    if isinstance(op, ast.Mult):
        return a * b
    if isinstance(op, ast.Div):
        return a / b
    return a ** b


def _apply_function(name, a, lib):
    if name == "softplus":
        return lib.nn.functional.softplus(a)
    return getattr(lib, name)(a)
