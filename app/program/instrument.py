"""Tell the capture which variable names the program gives its values; nothing else in the tree changes.

After each assignment to plain names (`z = x * w + b`, `a, b = t.chunk(2)`, `loss += l`, `h: Tensor = f(x)`)
and at the top of each `for` body with name targets, a call `__gradtrace_name__("z", z)` is inserted, placed
at the assignment's position. Expressions are never wrapped: `super()`, scoping and the positions of every
instruction (which the capture reads from the program's frames) stay exactly Python's. This is bookkeeping,
not a security boundary: the kernel jail is.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

__all__ = ["NAME_HOOK", "instrument"]

NAME_HOOK = "__gradtrace_name__"  # bound in the program's globals to the capture's name callback


def instrument(tree: ast.Module) -> ast.Module:
    """The same tree with name reports after assignments (modified in place and returned)."""
    _Names().visit(tree)
    return tree


class _Names(ast.NodeTransformer):
    def generic_visit(self, node: ast.AST) -> ast.AST:
        super().generic_visit(node)
        for field in ("body", "orelse", "finalbody"):
            block = getattr(node, field, None)
            if isinstance(block, list) and block and isinstance(block[0], ast.stmt):
                setattr(node, field, _with_reports(block))
        if isinstance(node, ast.For | ast.AsyncFor):
            node.body[:0] = _reports(node.target, node)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            _report_parameters(node)
        return node


def _report_parameters(function: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
    """A function's parameters are names too (`def forward(self, x)`: what came in is `x` inside)."""
    arguments = function.args
    names = [a.arg for a in (*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs)]
    names = [name for name in names if name not in ("self", "cls")]
    if not names or not function.body:
        return
    at = 1 if ast.get_docstring(function, clean=False) is not None else 0  # after a docstring
    where = function.body[min(at, len(function.body) - 1)]
    reports = [_report(name, where) for name in names]
    function.body[at:at] = reports


def _with_reports(block: list[ast.stmt]) -> list[ast.stmt]:
    out: list[ast.stmt] = []
    for statement in block:
        out.append(statement)
        if isinstance(statement, ast.Assign):
            for target in statement.targets:
                out.extend(_reports(target, statement))
        elif isinstance(statement, ast.AugAssign | ast.AnnAssign) and (
            not isinstance(statement, ast.AnnAssign) or statement.value is not None
        ):
            out.extend(_reports(statement.target, statement))
    return out


def _reports(target: ast.expr, where: ast.stmt) -> list[ast.stmt]:
    """`__gradtrace_name__("x", x)` for each plain name the target binds, at the statement's position."""
    return [_report(name, where) for name in _names(target)]


def _report(name: str, where: ast.stmt) -> ast.stmt:
    """Every new node placed at `where` here (ast.fix_missing_locations walked the whole tree for them)."""
    hook, label, value = (
        ast.copy_location(node, where)
        for node in (ast.Name(NAME_HOOK, ast.Load()), ast.Constant(name), ast.Name(name, ast.Load()))
    )
    call = ast.copy_location(ast.Call(func=hook, args=[label, value], keywords=[]), where)
    return ast.copy_location(ast.Expr(call), where)


def _names(target: ast.expr) -> Iterator[str]:
    if isinstance(target, ast.Name):
        yield target.id
    elif isinstance(target, ast.Tuple | ast.List):
        for item in target.elts:
            yield from _names(item)
    elif isinstance(target, ast.Starred):
        yield from _names(target.value)
