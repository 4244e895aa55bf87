"""Layer 2b: one iterative walk over the tree that only lets through the shapes the interpreter supports."""

from __future__ import annotations

import ast

from app.errors import ForbiddenSyntax, TooComplex
from app.program.rules import RULES, Where, is_name, positioned
from app.program.syntax_errors import parse

__all__ = ["MAX_AST_DEPTH", "MAX_AST_NODES", "validate"]

MAX_AST_DEPTH = 40
MAX_AST_NODES = 10_000
_ALLOWED: frozenset[type[ast.AST]] = frozenset(
    {
        ast.Module, ast.Expr, ast.Assign, ast.AugAssign, ast.Return, ast.If, ast.For, ast.Pass, ast.Break,
        ast.Continue, ast.FunctionDef, ast.ClassDef, ast.Import, ast.ImportFrom, ast.alias, ast.arguments,
        ast.arg, ast.Name, ast.Load, ast.Store, ast.Constant, ast.Attribute, ast.Subscript, ast.Slice,
        ast.Call, ast.keyword, ast.BinOp, ast.UnaryOp, ast.BoolOp, ast.Compare, ast.IfExp, ast.Tuple,
        ast.List, ast.Dict, ast.ListComp, ast.comprehension, ast.With, ast.withitem, ast.JoinedStr,
        ast.FormattedValue, ast.Starred,
        ast.Add, ast.Sub, ast.Mult, ast.Div, ast.FloorDiv, ast.Mod, ast.Pow, ast.MatMult, ast.USub, ast.UAdd,
        ast.Not, ast.And, ast.Or, ast.Eq, ast.NotEq, ast.Lt, ast.LtE, ast.Gt, ast.GtE, ast.Is, ast.IsNot,
        ast.In, ast.NotIn,
    }
)  # fmt: skip


def validate(source: str) -> ast.Module:
    """The parsed tree when every node is allowed; otherwise the first offending node's error."""
    tree = parse(source)
    stack: list[tuple[ast.AST, Where]] = [(tree, Where(depth=0))]
    count = 0
    while stack:
        node, where = stack.pop()
        count += 1
        if count > MAX_AST_NODES:
            raise positioned(TooComplex, node, f"the program has more than {MAX_AST_NODES} syntax nodes")
        if where.depth > MAX_AST_DEPTH:
            raise positioned(
                TooComplex, node, f"expressions are nested more than {MAX_AST_DEPTH} levels deep"
            )
        _check_node(node, where)
        stack.extend(_children(node, where))
    return tree


def _children(node: ast.AST, where: Where) -> list[tuple[ast.AST, Where]]:
    """Child nodes with their context; annotations are skipped (they are never evaluated)."""
    inner = Where(
        depth=where.depth + 1,
        in_class=isinstance(node, ast.ClassDef) or (where.in_class and not isinstance(node, ast.FunctionDef)),
        in_function=where.in_function or isinstance(node, ast.FunctionDef),
    )
    skipped = _annotations(node)
    blessed = _blessed_children(node, where)
    return [
        (child, Where(inner.depth, inner.in_class, inner.in_function, any(child is b for b in blessed)))
        for child in ast.iter_child_nodes(node)
        if not any(child is s for s in skipped)
    ]


def _annotations(node: ast.AST) -> list[ast.AST]:
    """Type annotations: never evaluated, so not validated either."""
    if isinstance(node, ast.arg) and node.annotation is not None:
        return [node.annotation]
    if isinstance(node, ast.FunctionDef) and node.returns is not None:
        return [node.returns]
    return []


def _blessed_children(node: ast.AST, where: Where) -> list[ast.AST]:
    """Parts allowed only in one place: `*items` as a call argument, and the chain of
    `super().__init__()` / `super(X, self).__init__()` (call -> attribute -> call -> name)."""
    if where.blessed and isinstance(node, ast.Attribute):
        return [node.value]
    if not isinstance(node, ast.Call):
        return []
    if where.blessed:
        return [node.func]
    blessed: list[ast.AST] = [arg for arg in node.args if isinstance(arg, ast.Starred)]
    attribute = node.func
    if isinstance(attribute, ast.Attribute) and attribute.attr == "__init__":
        inner = attribute.value
        if isinstance(inner, ast.Call) and is_name(inner.func, "super"):
            blessed.append(attribute)
    return blessed


def _check_node(node: ast.AST, where: Where) -> None:
    """One node against the allowlist and its shape rules."""
    if type(node) not in _ALLOWED:
        raise positioned(ForbiddenSyntax, node, f"{_describe(node)}: not supported in gradtrace programs")
    checker = RULES.get(type(node))
    if checker is not None:
        checker(node, where)


def _describe(node: ast.AST) -> str:
    names = {
        ast.While: "while loops", ast.Lambda: "lambda", ast.Try: "try/except", ast.GeneratorExp: "generators",
        ast.Global: "global", ast.Nonlocal: "nonlocal", ast.Yield: "yield", ast.YieldFrom: "yield from",
        ast.Delete: "del", ast.Raise: "raise", ast.SetComp: "set comprehensions", ast.Set: "sets",
        ast.DictComp: "dict comprehensions", ast.NamedExpr: "the := operator", ast.Assert: "assert",
    }  # fmt: skip
    return names.get(type(node), f"'{type(node).__name__}'")
