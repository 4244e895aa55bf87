"""The shape rules of the validator: one check per node type that has more to it than being allowed."""

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
)

__all__ = ["IMPORTABLE", "MAX_STRING", "RULES", "Where", "is_name", "positioned"]

MAX_STRING = 200  # characters in one string constant
IMPORTABLE = frozenset({"torch", "torch.nn", "torch.nn.functional", "torch.optim", "math"})

_IDENTIFIER = re.compile(r"[A-Za-z][A-Za-z0-9_]*\Z")


@dataclass(frozen=True)
class Where:
    """What encloses a node: decides which special shapes (self.x targets, __init__) are allowed."""

    depth: int
    in_class: bool = False
    in_function: bool = False
    blessed: bool = False  # part of an already-checked special shape (super().__init__(), annotations)


def _check_name(node: ast.AST, where: Where) -> None:
    assert isinstance(node, ast.Name)
    if node.id == "super" and not where.blessed:
        raise positioned(ForbiddenName, node, "super is only allowed as super().__init__()")
    if node.id != "_":
        _identifier(node.id, node, ForbiddenName)


def _check_attribute(node: ast.AST, where: Where) -> None:
    assert isinstance(node, ast.Attribute)
    if node.attr == "__init__" and where.blessed:
        return
    _identifier(node.attr, node, ForbiddenAttribute)


def _check_function(node: ast.AST, where: Where) -> None:
    assert isinstance(node, ast.FunctionDef)
    if node.decorator_list:
        raise positioned(ForbiddenSyntax, node.decorator_list[0], "decorators are not supported")
    if not (node.name == "__init__" and where.in_class):
        _identifier(node.name, node, ForbiddenName)
    arguments = node.args
    if arguments.vararg or arguments.kwarg or arguments.posonlyargs:
        raise positioned(
            ForbiddenSyntax, node, "*args, **kwargs and positional-only parameters are not supported"
        )
    for default in [*arguments.defaults, *arguments.kw_defaults]:
        if default is not None and not _is_constant(default):
            raise positioned(
                ForbiddenSyntax, default, "default values must be numbers, strings, True/False or None"
            )


def _check_class(node: ast.AST, where: Where) -> None:
    assert isinstance(node, ast.ClassDef)
    _identifier(node.name, node, ForbiddenName)
    if node.decorator_list or node.keywords:
        raise positioned(ForbiddenSyntax, node, "classes take no decorators or keywords")
    if where.in_function or where.in_class:
        raise positioned(ForbiddenSyntax, node, "classes must be defined at the top level")
    if len(node.bases) != 1 or not _is_module_base(node.bases[0]):
        raise positioned(ForbiddenSyntax, node, "a class must have exactly one base class: nn.Module")
    for statement in node.body:
        if not isinstance(statement, ast.FunctionDef | ast.Pass | ast.Expr | ast.Assign):
            raise positioned(ForbiddenSyntax, statement, "a class body holds only methods and constants")
        if isinstance(statement, ast.Expr | ast.Assign) and not _is_constant(statement.value):
            raise positioned(ForbiddenSyntax, statement, "a class body holds only methods and constants")


def _check_import(node: ast.AST, where: Where) -> None:
    assert isinstance(node, ast.Import | ast.ImportFrom)
    if where.in_function or where.in_class:
        raise positioned(ForbiddenImport, node, "imports belong at the top of the program")
    for alias in node.names:
        module = alias.name if isinstance(node, ast.Import) else f"{node.module}.{alias.name}"
        if isinstance(node, ast.ImportFrom) and node.level:
            module = "." + module
        if module not in IMPORTABLE:
            raise positioned(
                ForbiddenImport,
                node,
                f"'{module}' cannot be imported; available: import torch, torch.nn as nn, "
                "torch.nn.functional as F, torch.optim as optim, math",
            )
        if alias.asname is not None:
            _identifier(alias.asname, node, ForbiddenName)


def _check_assign(node: ast.AST, where: Where) -> None:
    assert isinstance(node, ast.Assign | ast.AugAssign)
    targets = node.targets if isinstance(node, ast.Assign) else [node.target]
    for target in targets:
        _check_target(target, where)


def _check_target(target: ast.expr, where: Where) -> None:
    """Names, tuples of names, `self.<name>` in methods, `<tensor>.requires_grad` and `<tensor>.data`."""
    if isinstance(target, ast.Name):
        return
    if isinstance(target, ast.Tuple | ast.List):
        for element in target.elts:
            if not isinstance(element, ast.Name):
                raise positioned(ForbiddenSyntax, element, "unpack only into plain names: a, b = ...")
        return
    if isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name):
        in_method = target.value.id == "self" and where.in_function
        if in_method or target.attr in ("requires_grad", "data"):
            return
    raise positioned(
        ForbiddenSyntax,
        target,
        "assign to names, tuples of names, self.<name> in methods, <tensor>.requires_grad or <tensor>.data",
    )


def _check_for(node: ast.AST, where: Where) -> None:
    assert isinstance(node, ast.For | ast.comprehension)
    target = node.target
    names = target.elts if isinstance(target, ast.Tuple) else [target]
    if not all(isinstance(name, ast.Name) for name in names):
        raise positioned(ForbiddenSyntax, target, "loop variables must be names or tuples of names")
    if isinstance(node, ast.For) and node.orelse:
        raise positioned(ForbiddenSyntax, node, "for ... else is not supported")
    if isinstance(node, ast.comprehension) and node.is_async:
        raise positioned(ForbiddenSyntax, target, "async comprehensions are not supported")


def _check_with(node: ast.AST, where: Where) -> None:
    assert isinstance(node, ast.With)
    if len(node.items) != 1 or node.items[0].optional_vars is not None or not _is_no_grad(node):
        raise positioned(
            ForbiddenSyntax, node, "the only supported with-statement is `with torch.no_grad():`"
        )


def _check_constant(node: ast.AST, where: Where) -> None:
    assert isinstance(node, ast.Constant)
    value = node.value
    if not isinstance(value, int | float | str | bool) and value is not None:
        raise positioned(ForbiddenSyntax, node, f"{type(value).__name__} constants are not supported")
    if isinstance(value, str) and len(value) > MAX_STRING:
        raise positioned(ForbiddenSyntax, node, f"string constants are limited to {MAX_STRING} characters")


def _check_starred(node: ast.AST, where: Where) -> None:
    if not where.blessed:
        raise positioned(ForbiddenSyntax, node, "*unpacking is only supported in call arguments: f(*items)")


def _check_call(node: ast.AST, where: Where) -> None:
    assert isinstance(node, ast.Call)
    for keyword in node.keywords:
        if keyword.arg is None:
            raise positioned(ForbiddenSyntax, keyword.value, "**keyword unpacking is not supported")
        _identifier(keyword.arg, keyword.value, ForbiddenName)


def _check_formatted(node: ast.AST, where: Where) -> None:
    assert isinstance(node, ast.FormattedValue)
    if node.conversion not in (-1, ord("s"), ord("r")):
        raise positioned(ForbiddenSyntax, node, "only !s and !r conversions are supported in f-strings")


RULES = {
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
        raise positioned(error, node, f"'{name}' is not allowed: names may not start with an underscore")


def is_name(node: ast.AST, name: str) -> bool:
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
    return is_name(inner, "nn") or (
        isinstance(inner, ast.Attribute) and inner.attr == "nn" and is_name(inner.value, "torch")
    )


def _is_no_grad(node: ast.With) -> bool:
    call = node.items[0].context_expr
    return (
        isinstance(call, ast.Call)
        and not call.args
        and isinstance(call.func, ast.Attribute)
        and call.func.attr == "no_grad"
        and is_name(call.func.value, "torch")
    )


def positioned(error: type[ProgramError], node: ast.AST, message: str) -> ProgramError:
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
