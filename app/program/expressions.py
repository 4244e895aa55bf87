"""Expression evaluation: one handler per allowed node type; failures get the innermost node's position."""

from __future__ import annotations

import abc
import ast
from collections.abc import Callable
from typing import Any

import torch
from torch import nn

from app.errors import ForbiddenOperation, ForbiddenSyntax
from app.program.arguments import check_data
from app.program.attributes import get_attribute
from app.program.context import RunContext
from app.program.diagnostics import as_program_error, unknown_name
from app.program.iteration import counted, materialize
from app.program.operators import binary, compare, unary
from app.program.printing import format_value
from app.program.values import Builtin, Env

__all__ = ["Evaluator", "bind_target"]

_INDEXABLE = (list, tuple, str, dict, range, nn.Sequential, nn.ModuleList)
_IMPORT_HINTS = {
    "torch": "import torch", "nn": "import torch.nn as nn", "F": "import torch.nn.functional as F",
    "optim": "import torch.optim as optim", "math": "import math",
}  # fmt: skip


class Evaluator(abc.ABC):
    """Evaluates expressions in an environment; calls are delegated to `call_value` (see calls.py)."""

    def __init__(self, ctx: RunContext, builtins: dict[str, Builtin]) -> None:
        self.ctx = ctx
        self.builtins = builtins
        self._handlers: dict[type[ast.AST], Callable[[Any, Env], Any]] = {
            ast.Constant: self._constant, ast.Name: self._name, ast.Attribute: self._attribute,
            ast.Subscript: self._subscript, ast.Slice: self._slice, ast.Call: self._call,
            ast.BinOp: self._binop, ast.UnaryOp: self._unaryop, ast.BoolOp: self._boolop,
            ast.Compare: self._compare, ast.IfExp: self._ifexp, ast.Tuple: self._tuple, ast.List: self._list,
            ast.Dict: self._dict, ast.ListComp: self._listcomp, ast.JoinedStr: self._joinedstr,
        }  # fmt: skip

    def eval(self, node: ast.AST, env: Env) -> Any:
        """The value of `node`; any failure becomes a GradtraceError positioned at the innermost node."""
        handler = self._handlers.get(type(node))
        if handler is None:
            raise as_program_error(ForbiddenSyntax(f"'{type(node).__name__}' cannot be evaluated here"), node)
        try:
            return handler(node, env)
        except Exception as exc:
            raise as_program_error(exc, node) from None

    @abc.abstractmethod
    def call_value(self, callee: Any, args: list[Any], kwargs: dict[str, Any]) -> Any:
        """Call a program value (the calling layer, calls.py)."""

    @abc.abstractmethod
    def call_super_init(self, env: Env) -> None:
        """`super().__init__()` (the calling layer, calls.py)."""

    def _constant(self, node: ast.Constant, env: Env) -> Any:
        value = node.value
        return self.ctx.budget.integer(value) if type(value) is int else value

    def _name(self, node: ast.Name, env: Env) -> Any:
        found, value = env.lookup(node.id)
        if found:
            return value
        if node.id in self.builtins:
            return self.builtins[node.id]
        error = unknown_name(node.id, [*env.names(), *self.builtins])
        if node.id in _IMPORT_HINTS:
            error.message += f" (add `{_IMPORT_HINTS[node.id]}` at the top)"
        raise error

    def _attribute(self, node: ast.Attribute, env: Env) -> Any:
        return get_attribute(self.eval(node.value, env), node.attr, self.ctx)

    def _subscript(self, node: ast.Subscript, env: Env) -> Any:
        container = self.eval(node.value, env)
        index = self.eval(node.slice, env)
        if isinstance(container, torch.Tensor):
            check_data(index, "tensor indexing")
            return container[index]
        if not isinstance(container, _INDEXABLE):
            raise ForbiddenOperation(f"a {type(container).__name__} cannot be indexed")
        return container[index]

    def _slice(self, node: ast.Slice, env: Env) -> slice:
        parts = [
            None if part is None else self.eval(part, env) for part in (node.lower, node.upper, node.step)
        ]
        return slice(*parts)

    def _call(self, node: ast.Call, env: Env) -> Any:
        if _is_super_init(node):
            return self.call_super_init(env)
        callee = self.eval(node.func, env)
        args: list[Any] = []
        for arg in node.args:
            if isinstance(arg, ast.Starred):
                args.extend(materialize(self.eval(arg.value, env), self.ctx.budget))
            else:
                args.append(self.eval(arg, env))
        kwargs = {str(keyword.arg): self.eval(keyword.value, env) for keyword in node.keywords}
        return self.call_value(callee, args, kwargs)

    def _binop(self, node: ast.BinOp, env: Env) -> Any:
        return binary(node.op, self.eval(node.left, env), self.eval(node.right, env), self.ctx.budget)

    def _unaryop(self, node: ast.UnaryOp, env: Env) -> Any:
        return unary(node.op, self.eval(node.operand, env))

    def _boolop(self, node: ast.BoolOp, env: Env) -> Any:
        value: Any = None
        for operand in node.values:
            value = self.eval(operand, env)
            if bool(value) == isinstance(node.op, ast.Or):
                return value
        return value

    def _compare(self, node: ast.Compare, env: Env) -> Any:
        left = self.eval(node.left, env)
        result: Any = True
        for op, right_node in zip(node.ops, node.comparators, strict=True):
            right = self.eval(right_node, env)
            result = compare(op, left, right)
            if len(node.ops) > 1 and not bool(result):
                return result
            left = right
        return result

    def _ifexp(self, node: ast.IfExp, env: Env) -> Any:
        return self.eval(node.body if self.eval(node.test, env) else node.orelse, env)

    def _tuple(self, node: ast.Tuple, env: Env) -> tuple[Any, ...]:
        return tuple(self._list(node, env))

    def _list(self, node: ast.List | ast.Tuple, env: Env) -> list[Any]:
        values = [self.eval(element, env) for element in node.elts]
        self.ctx.budget.literal(_nested_size(values, self.ctx.budget.limits.max_literal_elements))
        return values

    def _dict(self, node: ast.Dict, env: Env) -> dict[Any, Any]:
        if any(key is None for key in node.keys):
            raise ForbiddenSyntax("**unpacking in dict literals is not supported")
        keys = [self.eval(key, env) for key in node.keys if key is not None]
        values = [self.eval(value, env) for value in node.values]
        self.ctx.budget.literal(_nested_size(values, self.ctx.budget.limits.max_literal_elements))
        return dict(zip(keys, values, strict=True))

    def _listcomp(self, node: ast.ListComp, env: Env) -> list[Any]:
        scope = Env(env)
        results: list[Any] = []
        self._generate(node, list(node.generators), scope, results)
        return results

    def _generate(
        self, node: ast.ListComp, generators: list[ast.comprehension], scope: Env, out: list[Any]
    ) -> None:
        """Nested `for ... in ... if ...` clauses, each iteration paid from the budget."""
        if not generators:
            out.append(self.eval(node.elt, scope))
            return
        first, rest = generators[0], generators[1:]
        for item in counted(self.eval(first.iter, scope), self.ctx.budget):
            bind_target(first.target, item, scope, self.ctx)
            if all(self.eval(condition, scope) for condition in first.ifs):
                self._generate(node, rest, scope, out)

    def _joinedstr(self, node: ast.JoinedStr, env: Env) -> str:
        parts: list[str] = []
        for part in node.values:
            if isinstance(part, ast.FormattedValue):
                spec = "" if part.format_spec is None else str(self.eval(part.format_spec, env))
                parts.append(format_value(self.eval(part.value, env), part.conversion, spec, self.ctx))
            else:
                parts.append(str(self.eval(part, env)))
        return "".join(parts)


def bind_target(target: ast.expr, value: Any, env: Env, ctx: RunContext) -> list[tuple[str, Any]]:
    """Assign `value` to a name or unpack it into a tuple of names; returns the (name, value) pairs bound."""
    if isinstance(target, ast.Name):
        env.vars[target.id] = value
        return [(target.id, value)]
    assert isinstance(target, ast.Tuple | ast.List)
    items = materialize(value, ctx.budget) if not isinstance(value, list | tuple) else list(value)
    if len(items) != len(target.elts):
        raise ValueError(f"cannot unpack {len(items)} values into {len(target.elts)} names")
    pairs = []
    for element, item in zip(target.elts, items, strict=True):
        assert isinstance(element, ast.Name)
        env.vars[element.id] = item
        pairs.append((element.id, item))
    return pairs


def _nested_size(values: list[Any], cap: int) -> int:
    """Elements in nested lists/tuples/dicts, counting stops once past `cap`."""
    total, stack = 0, list(values)
    while stack and total <= cap:
        item = stack.pop()
        total += 1
        if isinstance(item, list | tuple):
            stack.extend(item)
        elif isinstance(item, dict):
            stack.extend(item.values())
    return total


def _is_super_init(node: ast.Call) -> bool:
    func = node.func
    return (
        isinstance(func, ast.Attribute)
        and func.attr == "__init__"
        and isinstance(func.value, ast.Call)
        and isinstance(func.value.func, ast.Name)
        and func.value.func.id == "super"
    )
