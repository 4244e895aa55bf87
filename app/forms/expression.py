"""Expression form: one formula plus variables becomes a short program that ends in `.backward()`.

The formula is parsed with `ast.parse(mode="eval")` only to check its shape and find its names; it is never
compiled or run here. Bare math names become torch calls, and unknown names become scalar leaves that require
grad (micrograd style), so `a * b + c` just works.
"""

from __future__ import annotations

import ast
import random
from collections.abc import Mapping
from dataclasses import dataclass

from app.errors import InvalidRequest
from app.forms.code import ResolvedProgram, fresh_name, import_lines, loss_line, tensor_code
from app.forms.models import BARE_FUNCTIONS, MODULE_NAMES, InitSpec, Target, TensorSpec, Variable
from app.forms.scalars import is_scalar
from app.forms.shapes import variable_shape

__all__ = ["expression_program", "parse_expression"]

MAX_CHARS = 2_000  # characters in one expression
MAX_DEPTH = 64  # nesting of the expression tree
MAX_STRING = 64  # characters in a string constant, as in the program language

ALLOWED = (
    ast.Expression, ast.BinOp, ast.UnaryOp, ast.Call, ast.keyword, ast.Name, ast.Load, ast.Constant,
    ast.Attribute, ast.Subscript, ast.Slice, ast.Tuple, ast.List,
    ast.Add, ast.Sub, ast.Mult, ast.Div, ast.FloorDiv, ast.Mod, ast.Pow, ast.MatMult, ast.USub, ast.UAdd,
)  # fmt: skip


@dataclass(frozen=True)
class Formula:
    """A checked expression, rewritten to torch calls, with the names it reads."""

    text: str  # program text of the rewritten expression
    names: tuple[str, ...]  # variable and free names, in order of first use
    modules: frozenset[str]  # module names it uses ("torch", "F", ...)
    tree: ast.expr


def reject(message: str, node: ast.AST | None = None) -> InvalidRequest:
    where = f" (column {node.col_offset + 1})" if isinstance(node, ast.expr) else ""
    return InvalidRequest(f"expression: {message}{where}")


def parse_tree(expression: str) -> ast.Expression:
    """Parse one expression, refusing anything too long or too deeply nested to walk safely."""
    if len(expression) > MAX_CHARS:
        raise reject(f"{len(expression)} characters; at most {MAX_CHARS}")
    try:
        tree = ast.parse(expression, mode="eval")
    except SyntaxError as error:
        raise reject(f"not a single Python expression: {error.msg}") from None
    except (RecursionError, MemoryError):
        raise reject("too deeply nested") from None
    if tree_depth(tree) > MAX_DEPTH:
        raise reject(f"nested more than {MAX_DEPTH} levels deep")
    return tree


def tree_depth(tree: ast.AST) -> int:
    """The nesting depth, found without recursion (the tree may be deep)."""
    deepest, stack = 0, [(tree, 1)]
    while stack:
        node, depth = stack.pop()
        deepest = max(deepest, depth)
        stack.extend((child, depth + 1) for child in ast.iter_child_nodes(node))
    return deepest


def check_node(node: ast.AST) -> None:
    """Only arithmetic, calls, names, attributes, subscripts and plain constants are allowed."""
    if not isinstance(node, ALLOWED):
        raise reject(f"{type(node).__name__} is not allowed in an expression", node)
    name = node.id if isinstance(node, ast.Name) else node.attr if isinstance(node, ast.Attribute) else ""
    if name.startswith("_"):
        raise reject(f"names may not begin with '_': {name}", node)
    if isinstance(node, ast.Constant) and not is_plain_constant(node.value):
        raise reject(f"constant {node.value!r} is not allowed", node)


def is_plain_constant(value: object) -> bool:
    if isinstance(value, str):
        return len(value) <= MAX_STRING
    return value is None or isinstance(value, bool | int | float)


class BareFunctions(ast.NodeTransformer):
    """Rewrites `sigmoid(x)` to `torch.sigmoid(x)`; a bare `softmax(x)` gets `dim=-1`."""

    def visit_Call(self, node: ast.Call) -> ast.Call:
        self.generic_visit(node)
        softmax = isinstance(node.func, ast.Attribute) and ast.unparse(node.func) == "torch.softmax"
        if softmax and len(node.args) == 1 and not any(word.arg == "dim" for word in node.keywords):
            node.keywords.append(ast.keyword(arg="dim", value=ast.Constant(-1)))
        return node

    def visit_Name(self, node: ast.Name) -> ast.expr:
        if node.id not in BARE_FUNCTIONS:
            return node
        return ast.Attribute(value=ast.Name(id="torch", ctx=ast.Load()), attr=node.id, ctx=ast.Load())


def called_names(tree: ast.AST) -> set[str]:
    return {
        node.func.id
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
    }


def parse_expression(expression: str) -> Formula:
    """Check an expression and rewrite its bare math names; InvalidRequest says what and where."""
    tree = parse_tree(expression)
    for node in ast.walk(tree):
        check_node(node)
    unknown = sorted(called_names(tree) - set(BARE_FUNCTIONS))
    if unknown:
        raise reject(f"unknown function {unknown[0]!r}; use torch.{unknown[0]} or a bare math name")
    read = names_by_use(tree)
    names = tuple(name for name in read if name not in MODULE_NAMES and name not in BARE_FUNCTIONS)
    rewritten = ast.fix_missing_locations(BareFunctions().visit(tree))
    return Formula(ast.unparse(rewritten), names, frozenset(read) & MODULE_NAMES, rewritten.body)


def names_by_use(tree: ast.AST) -> list[str]:
    """Distinct names in the order they appear in the text (ast.walk is breadth-first)."""
    found = sorted(
        (node for node in ast.walk(tree) if isinstance(node, ast.Name)),
        key=lambda node: (node.lineno, node.col_offset),
    )
    return list(dict.fromkeys(node.id for node in found))


def free_leaves(names: list[str], seed: int) -> dict[str, Variable]:
    """Scalar leaves for names nobody gave: seeded values in [-1, 1), like micrograd's neurons."""
    rng = random.Random(seed)
    return {name: TensorSpec(value=round(rng.uniform(-1.0, 1.0), 4), requires_grad=True) for name in names}


def expression_program(
    expression: str, variables: Mapping[str, Variable], target: Target | None, seed: int
) -> ResolvedProgram:
    """The program for an expression form request, and the notes the response carries."""
    formula = parse_expression(expression)
    free = [name for name in formula.names if name not in variables]
    leaves = {**variables, **free_leaves(free, seed)}
    taken = set(leaves)
    output = fresh_name("out", taken)
    lines = [f"{name} = {tensor_code(value)}" for name, value in leaves.items()]
    lines.append(f"{output} = {formula.text}")
    notes = [f"free names: {', '.join(free)} (scalar leaves, random values, requires_grad)"] if free else []
    ending, ending_notes = backward_lines(formula, output, target, taken | {output}, variables)
    modules = set(formula.modules) | ({"F"} if target else set())
    seeded = any(isinstance(value, InitSpec) and value.init == "randn" for value in variables.values())
    head = [*import_lines(modules), "", *([f"torch.manual_seed({seed})"] if seeded else [])]
    return ResolvedProgram("\n".join([*head, *lines, *ending]) + "\n", tuple(notes + ending_notes))


def backward_lines(
    formula: Formula, output: str, target: Target | None, taken: set[str], variables: Mapping[str, Variable]
) -> tuple[list[str], list[str]]:
    """The lines that end the program (loss and backward) and the notes they call for."""
    if target is not None:
        wanted, loss = fresh_name("y", taken), fresh_name("loss", taken)
        exact = target.loss == "cross_entropy"  # class indices stay integers
        lines = [
            f"{wanted} = {tensor_code(target.value, exact=exact)}",
            loss_line(loss, target.loss, output, wanted),
        ]
        notes = [] if "loss" in target.model_fields_set else ["no loss given: mse"]
        return [*lines, f"{loss}.backward()"], notes
    if is_scalar(formula.tree, scalar_names(formula, variables)):
        return [f"{output}.backward()"], []
    return [f"{output}.sum().backward()"], [
        f"backward runs from {output}.sum(): {output} may not be a scalar"
    ]


def scalar_names(formula: Formula, variables: Mapping[str, Variable]) -> set[str]:
    """Names known to hold 0-d tensors: free leaves and variables given as one number."""
    return {name for name in formula.names if name not in variables or variable_shape(variables[name]) == []}
