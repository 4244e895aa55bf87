"""Layer 2b: one iterative walk over the tree that only lets through the shapes the interpreter supports."""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass

from app.errors import (
    ForbiddenAttribute,
    ForbiddenImport,
    ForbiddenName,
    ForbiddenSyntax,
    ProgramError,
    TooComplex,
)
from app.program.syntax_errors import parse

__all__ = ["IMPORTABLE", "MAX_AST_DEPTH", "MAX_AST_NODES", "MAX_STRING", "validate"]

MAX_AST_DEPTH = 40
MAX_AST_NODES = 10_000
MAX_STRING = 200  # characters in one string constant
IMPORTABLE = frozenset({"torch", "torch.nn", "torch.nn.functional", "torch.optim", "math"})

_IDENTIFIER = re.compile(r"[A-Za-z][A-Za-z0-9_]*\Z")
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


@dataclass(frozen=True)
class _Where:
    """What encloses a node: decides which special shapes (self.x targets, __init__) are allowed."""

    depth: int
    in_class: bool = False
    in_function: bool = False
    blessed: bool = False  # part of an already-checked special shape (super().__init__(), annotations)


def validate(source: str) -> ast.Module:
    """The parsed tree when every node is allowed; otherwise the first offending node's error."""
    tree = parse(source)
    stack: list[tuple[ast.AST, _Where]] = [(tree, _Where(depth=0))]
    count = 0
    while stack:
        node, where = stack.pop()
        count += 1
        if count > MAX_AST_NODES:
            raise _at(TooComplex, node, f"the program has more than {MAX_AST_NODES} syntax nodes")
        if where.depth > MAX_AST_DEPTH:
            raise _at(TooComplex, node, f"expressions are nested more than {MAX_AST_DEPTH} levels deep")
        _check_node(node, where)
        stack.extend(_children(node, where))
    return tree


def _children(node: ast.AST, where: _Where) -> list[tuple[ast.AST, _Where]]:
    """Child nodes with their context; annotations are skipped (they are never evaluated)."""
    inner = _Where(
        depth=where.depth + 1,
        in_class=isinstance(node, ast.ClassDef) or (where.in_class and not isinstance(node, ast.FunctionDef)),
        in_function=where.in_function or isinstance(node, ast.FunctionDef),
    )
    skipped = _annotations(node)
    blessed = _blessed_children(node, where)
    return [
        (child, _Where(inner.depth, inner.in_class, inner.in_function, any(child is b for b in blessed)))
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


def _blessed_children(node: ast.AST, where: _Where) -> list[ast.AST]:
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
        if isinstance(inner, ast.Call) and _is_name(inner.func, "super"):
            blessed.append(attribute)
    return blessed


def _check_node(node: ast.AST, where: _Where) -> None:
    """One node against the allowlist and its shape rules."""
    if type(node) not in _ALLOWED:
        raise _at(ForbiddenSyntax, node, f"{_describe(node)}: not supported in gradtrace programs")
    checker = _CHECKS.get(type(node))
    if checker is not None:
        checker(node, where)


def _check_name(node: ast.AST, where: _Where) -> None:
    assert isinstance(node, ast.Name)
    if node.id == "super" and not where.blessed:
        raise _at(ForbiddenName, node, "super is only allowed as super().__init__()")
    if node.id != "_":
        _identifier(node.id, node, ForbiddenName)


def _check_attribute(node: ast.AST, where: _Where) -> None:
    assert isinstance(node, ast.Attribute)
    if node.attr == "__init__" and where.blessed:
        return
    _identifier(node.attr, node, ForbiddenAttribute)


def _check_function(node: ast.AST, where: _Where) -> None:
    assert isinstance(node, ast.FunctionDef)
    if node.decorator_list:
        raise _at(ForbiddenSyntax, node.decorator_list[0], "decorators are not supported")
    if not (node.name == "__init__" and where.in_class):
        _identifier(node.name, node, ForbiddenName)
    arguments = node.args
    if arguments.vararg or arguments.kwarg or arguments.posonlyargs:
        raise _at(ForbiddenSyntax, node, "*args, **kwargs and positional-only parameters are not supported")
    for default in [*arguments.defaults, *arguments.kw_defaults]:
        if default is not None and not _is_constant(default):
            raise _at(ForbiddenSyntax, default, "default values must be numbers, strings, True/False or None")


def _check_class(node: ast.AST, where: _Where) -> None:
    assert isinstance(node, ast.ClassDef)
    _identifier(node.name, node, ForbiddenName)
    if node.decorator_list or node.keywords:
        raise _at(ForbiddenSyntax, node, "classes take no decorators or keywords")
    if where.in_function or where.in_class:
        raise _at(ForbiddenSyntax, node, "classes must be defined at the top level")
    if len(node.bases) != 1 or not _is_module_base(node.bases[0]):
        raise _at(ForbiddenSyntax, node, "a class must have exactly one base class: nn.Module")
    for statement in node.body:
        if not isinstance(statement, ast.FunctionDef | ast.Pass | ast.Expr | ast.Assign):
            raise _at(ForbiddenSyntax, statement, "a class body holds only methods and constants")
        if isinstance(statement, ast.Expr | ast.Assign) and not _is_constant(statement.value):
            raise _at(ForbiddenSyntax, statement, "a class body holds only methods and constants")


def _check_import(node: ast.AST, where: _Where) -> None:
    assert isinstance(node, ast.Import | ast.ImportFrom)
    if where.in_function or where.in_class:
        raise _at(ForbiddenImport, node, "imports belong at the top of the program")
    for alias in node.names:
        module = alias.name if isinstance(node, ast.Import) else f"{node.module}.{alias.name}"
        if isinstance(node, ast.ImportFrom) and node.level:
            module = "." + module
        if module not in IMPORTABLE:
            raise _at(
                ForbiddenImport,
                node,
                f"'{module}' cannot be imported; available: import torch, torch.nn as nn, "
                "torch.nn.functional as F, torch.optim as optim, math",
            )
        if alias.asname is not None:
            _identifier(alias.asname, node, ForbiddenName)


def _check_assign(node: ast.AST, where: _Where) -> None:
    assert isinstance(node, ast.Assign | ast.AugAssign)
    targets = node.targets if isinstance(node, ast.Assign) else [node.target]
    for target in targets:
        _check_target(target, where)


def _check_target(target: ast.expr, where: _Where) -> None:
    """Names, tuples of names, `self.<name>` in methods and `<tensor>.requires_grad`."""
    if isinstance(target, ast.Name):
        return
    if isinstance(target, ast.Tuple | ast.List):
        for element in target.elts:
            if not isinstance(element, ast.Name):
                raise _at(ForbiddenSyntax, element, "unpack only into plain names: a, b = ...")
        return
    if isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name):
        in_method = target.value.id == "self" and where.in_function
        if in_method or target.attr == "requires_grad":
            return
    raise _at(
        ForbiddenSyntax,
        target,
        "assign to names, tuples of names, self.<name> inside methods, or <tensor>.requires_grad",
    )


def _check_for(node: ast.AST, where: _Where) -> None:
    assert isinstance(node, ast.For | ast.comprehension)
    target = node.target
    names = target.elts if isinstance(target, ast.Tuple) else [target]
    if not all(isinstance(name, ast.Name) for name in names):
        raise _at(ForbiddenSyntax, target, "loop variables must be names or tuples of names")
    if isinstance(node, ast.For) and node.orelse:
        raise _at(ForbiddenSyntax, node, "for ... else is not supported")
    if isinstance(node, ast.comprehension) and node.is_async:
        raise _at(ForbiddenSyntax, target, "async comprehensions are not supported")


def _check_with(node: ast.AST, where: _Where) -> None:
    assert isinstance(node, ast.With)
    if len(node.items) != 1 or node.items[0].optional_vars is not None or not _is_no_grad(node):
        raise _at(ForbiddenSyntax, node, "the only supported with-statement is `with torch.no_grad():`")


def _check_constant(node: ast.AST, where: _Where) -> None:
    assert isinstance(node, ast.Constant)
    value = node.value
    if not isinstance(value, int | float | str | bool) and value is not None:
        raise _at(ForbiddenSyntax, node, f"{type(value).__name__} constants are not supported")
    if isinstance(value, str) and len(value) > MAX_STRING:
        raise _at(ForbiddenSyntax, node, f"string constants are limited to {MAX_STRING} characters")


def _check_starred(node: ast.AST, where: _Where) -> None:
    if not where.blessed:
        raise _at(ForbiddenSyntax, node, "*unpacking is only supported in call arguments: f(*items)")


def _check_call(node: ast.AST, where: _Where) -> None:
    assert isinstance(node, ast.Call)
    for keyword in node.keywords:
        if keyword.arg is None:
            raise _at(ForbiddenSyntax, keyword.value, "**keyword unpacking is not supported")
        _identifier(keyword.arg, keyword.value, ForbiddenName)


def _check_formatted(node: ast.AST, where: _Where) -> None:
    assert isinstance(node, ast.FormattedValue)
    if node.conversion not in (-1, ord("s"), ord("r")):
        raise _at(ForbiddenSyntax, node, "only !s and !r conversions are supported in f-strings")


_CHECKS = {
    ast.Name: _check_name,
    ast.Attribute: _check_attribute,
    ast.FunctionDef: _check_function,
    ast.ClassDef: _check_class,
    ast.Import: _check_import,
    ast.ImportFrom: _check_import,
    ast.Assign: _check_assign,
    ast.AugAssign: _check_assign,
    ast.For: _check_for,
    ast.comprehension: _check_for,
    ast.With: _check_with,
    ast.Constant: _check_constant,
    ast.Starred: _check_starred,
    ast.Call: _check_call,
    ast.FormattedValue: _check_formatted,
}


def _identifier(name: str, node: ast.AST, error: type[ProgramError]) -> None:
    if not _IDENTIFIER.match(name):
        raise _at(error, node, f"'{name}' is not allowed: names may not start with an underscore")


def _is_name(node: ast.AST, name: str) -> bool:
    return isinstance(node, ast.Name) and node.id == name


def _is_constant(node: ast.AST) -> bool:
    """A literal number/string/bool/None, possibly negated."""
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
        node = node.operand
    return isinstance(node, ast.Constant)


def _is_module_base(node: ast.AST) -> bool:
    """`nn.Module` or `torch.nn.Module`."""
    if not (isinstance(node, ast.Attribute) and node.attr == "Module"):
        return False
    inner = node.value
    return _is_name(inner, "nn") or (
        isinstance(inner, ast.Attribute) and inner.attr == "nn" and _is_name(inner.value, "torch")
    )


def _is_no_grad(node: ast.With) -> bool:
    call = node.items[0].context_expr
    return (
        isinstance(call, ast.Call)
        and not call.args
        and isinstance(call.func, ast.Attribute)
        and call.func.attr == "no_grad"
        and _is_name(call.func.value, "torch")
    )


def _describe(node: ast.AST) -> str:
    names = {
        ast.While: "while loops", ast.Lambda: "lambda", ast.Try: "try/except", ast.GeneratorExp: "generators",
        ast.Global: "global", ast.Nonlocal: "nonlocal", ast.Yield: "yield", ast.YieldFrom: "yield from",
        ast.Delete: "del", ast.Raise: "raise", ast.SetComp: "set comprehensions", ast.Set: "sets",
        ast.DictComp: "dict comprehensions", ast.NamedExpr: "the := operator", ast.Assert: "assert",
    }  # fmt: skip
    return names.get(type(node), f"'{type(node).__name__}'")


def _at(error: type[ProgramError], node: ast.AST, message: str) -> ProgramError:
    """The error positioned at `node` (line/col as in Python's ast)."""
    line = getattr(node, "lineno", None)
    col = getattr(node, "col_offset", None)
    where = f" (line {line})" if line else ""
    return error(
        message + where,
        line=line,
        col=col,
        end_line=getattr(node, "end_lineno", None),
        end_col=getattr(node, "end_col_offset", None),
    )
