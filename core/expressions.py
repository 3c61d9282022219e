"""A loss typed by a student, as a torch function autograd can differentiate, and as LaTeX.

The formula is never run as Python. It is parsed to an abstract syntax tree that may hold only
numbers, the variables, + − × ÷ and powers with a numeric exponent, and calls of the functions in
FUNCTIONS; anything else (attributes, subscripts, strings, lambdas, comparisons, `__import__`, ...)
is refused with a message. The checked tree is then evaluated by simpleeval (a maintained safe
expression evaluator) twice: with torch tensors for the variables (values and, through autograd,
gradients) and with sympy symbols (the LaTeX shown on the page).

Variables: `w` (or `x` alone) for a curve l(w); `x` and `y` for a surface L(x, y).
"""
from __future__ import annotations

import ast
import math
from dataclasses import dataclass
from typing import Callable

import sympy
import torch
from simpleeval import SimpleEval

MAX_LENGTH = 200  # characters of a formula
MAX_NODES = 120  # nodes of its syntax tree
MAX_EXPONENT = 100.0  # |b| in a ** b

FUNCTIONS: dict[str, tuple[Callable, Callable]] = {  # name -> (torch, sympy)
    "sin": (torch.sin, sympy.sin), "cos": (torch.cos, sympy.cos), "tan": (torch.tan, sympy.tan),
    "exp": (torch.exp, sympy.exp), "log": (torch.log, sympy.log), "sqrt": (torch.sqrt, sympy.sqrt),
    "tanh": (torch.tanh, sympy.tanh), "abs": (torch.abs, sympy.Abs),
    "sigmoid": (torch.sigmoid, lambda v: 1 / (1 + sympy.exp(-v))),
}
CONSTANTS = {"pi": (math.pi, sympy.pi), "e": (math.e, sympy.E)}
_OPERATORS = (ast.Add, ast.Sub, ast.Mult, ast.Div, ast.Pow, ast.USub, ast.UAdd)


class FormulaError(ValueError):
    """A formula that cannot be used; the message says why, for the page."""


@dataclass(frozen=True)
class Formula:
    text: str
    variables: tuple[str, ...]  # ("w",) / ("x",) for a curve, ("x", "y") for a surface
    latex: str

    @property
    def dim(self) -> int:
        return len(self.variables)

    def __call__(self, w: torch.Tensor) -> torch.Tensor:
        """The loss at w[..., dim] (any float tensor, gradients flow): a tensor of shape w.shape[:-1]."""
        names = {v: w[..., i] for i, v in enumerate(self.variables)}
        value = _evaluator(names, torch_side=True).eval(self.text)
        if not isinstance(value, torch.Tensor):  # a constant formula: still a function of w for autograd
            value = 0.0 * w[..., 0] + float(value)
        return value


def _check_tree(tree: ast.AST, allowed_names: set[str]) -> list[str]:
    """Every node must be a number, an allowed name, an arithmetic operator or a call of FUNCTIONS;
    returns the variables used. Raises FormulaError naming the first thing that is not allowed."""
    used: list[str] = []
    nodes = list(ast.walk(tree))
    if len(nodes) > MAX_NODES:
        raise FormulaError(f"The formula is too long: keep it under {MAX_NODES} symbols.")
    for node in nodes:
        if isinstance(node, (ast.Expression, ast.Load) + _OPERATORS):
            continue
        if isinstance(node, ast.BinOp):
            if isinstance(node.op, ast.Pow) and _depends_on_variables(node.right, allowed_names):
                raise FormulaError("A power's exponent must be a number, not an expression in the variables "
                                   "(write x**3, not x**x).")
            continue
        if isinstance(node, ast.UnaryOp):
            continue
        if isinstance(node, ast.Constant):
            if isinstance(node.value, bool) or not isinstance(node.value, (int, float)):
                raise FormulaError(f"Only numbers may appear as constants (not {node.value!r:.20}).")
            if not math.isfinite(node.value) or abs(node.value) > 1e100:
                raise FormulaError("Numbers in a formula are limited to ±1e100.")
            continue
        if isinstance(node, ast.Name):
            if node.id in allowed_names:
                used.append(node.id)
            elif node.id not in FUNCTIONS and node.id not in CONSTANTS:
                raise FormulaError(f"Unknown name '{node.id[:20]}'. Use the variables "
                                   f"{' and '.join(sorted(allowed_names))}, the constants pi and e, and the "
                                   f"functions {', '.join(FUNCTIONS)}.")
            continue
        if isinstance(node, ast.Call):
            if not isinstance(node.func, ast.Name) or node.func.id not in FUNCTIONS:
                raise FormulaError(f"Only these functions can be called: {', '.join(FUNCTIONS)}.")
            if len(node.args) != 1 or node.keywords:
                raise FormulaError(f"{node.func.id}() takes exactly one argument.")
            continue
        raise FormulaError(f"'{type(node).__name__}' is not allowed in a formula: use numbers, variables, "
                           "+ − * / **, parentheses and the listed functions.")
    return used


def _depends_on_variables(node: ast.AST, variables: set[str]) -> bool:
    return any(isinstance(n, ast.Name) and n.id in variables for n in ast.walk(node))


def _safe_power(a, b):
    if not isinstance(b, (int, float)) or abs(b) > MAX_EXPONENT:
        raise FormulaError(f"Exponents are limited to ±{MAX_EXPONENT:g}.")
    if isinstance(a, (int, float)):
        try:
            return float(a) ** float(b)
        except (OverflowError, ZeroDivisionError):
            return math.inf
    return a ** b


def _safe_div(a, b):
    if isinstance(b, (int, float)) and b == 0:
        raise FormulaError("The formula divides by zero.")
    return a / b


def _evaluator(names: dict, torch_side: bool) -> SimpleEval:
    side = 0 if torch_side else 1
    functions = {name: pair[side] for name, pair in FUNCTIONS.items()}
    constants = {name: pair[side] for name, pair in CONSTANTS.items()}
    evaluator = SimpleEval(names={**constants, **names}, functions=functions)
    evaluator.operators = {ast.Add: lambda a, b: a + b, ast.Sub: lambda a, b: a - b,
                           ast.Mult: lambda a, b: a * b, ast.Div: _safe_div, ast.Pow: _safe_power,
                           ast.USub: lambda a: -a, ast.UAdd: lambda a: a}
    return evaluator


def parse_formula(text: str, dim: int | None = None) -> Formula:
    """Check a formula and return it ready to evaluate. `dim` 1 asks for a curve in w (or x), 2 for a
    surface in x and y; None takes the dimension from the variables used. Raises FormulaError (a
    ValueError) with a message for the page: empty, too long, not parseable, a disallowed construct,
    the wrong variables, or an exponent that is not a small number."""
    text = (text or "").strip().replace("^", "**")
    if not text:
        raise FormulaError("Type a formula, e.g. x**2 + 10*y**2.")
    if len(text) > MAX_LENGTH:
        raise FormulaError(f"The formula is too long ({len(text):,} characters): keep it under {MAX_LENGTH}.")
    try:
        tree = ast.parse(text, mode="eval")
    except (SyntaxError, ValueError, MemoryError, RecursionError):
        raise FormulaError("This is not a formula I can read: check the brackets and operators "
                           "(powers are written x**2 or x^2, products 2*x).") from None
    used = set(_check_tree(tree, {"w", "x", "y"}))
    if "w" in used and used & {"x", "y"}:
        raise FormulaError("Use w alone for a curve l(w), or x and y for a surface L(x, y).")
    if dim == 2 or "y" in used:
        if "w" in used:
            raise FormulaError("A surface is a formula in x and y (w is for a curve).")
        variables = ("x", "y")
    else:
        variables = ("x",) if "x" in used else ("w",)
    if dim is not None and len(variables) != dim:
        raise FormulaError("This view needs a curve in one variable, w." if dim == 1
                           else "This view needs a surface in x and y.")
    symbols = {v: sympy.Symbol(v, real=True) for v in variables}
    try:
        latex = sympy.latex(sympy.sympify(_evaluator(symbols, torch_side=False).eval(text)))
    except FormulaError:
        raise
    except Exception:  # sympy may fail on a formula torch evaluates fine; show the text instead
        latex = text.replace("**", "^").replace("*", r" \cdot ")
    formula = Formula(text, variables, latex)
    try:
        formula(torch.zeros(1, len(variables), dtype=torch.float64))
    except FormulaError:
        raise
    except Exception as exc:
        raise FormulaError(f"The formula cannot be evaluated ({type(exc).__name__}).") from None
    return formula
