"""Calling program values: wrappers, user functions and methods (with frames), classes, and modules."""

from __future__ import annotations

import abc
import ast
from typing import Any

from torch import nn

from app.errors import ForbiddenOperation, ProgramRuntimeError
from app.program.arguments import check_data
from app.program.expressions import Evaluator
from app.program.modules import UserModule, instantiate
from app.program.values import Builtin, Env, Return, UserFunction, UserMethod

__all__ = ["Caller"]

Span = tuple[int, int, int, int]


class Caller(Evaluator):
    """Adds calls to the evaluator; statements (interpreter.py) run the bodies of user functions."""

    span: Span = (1, 0, 1, 0)

    @abc.abstractmethod
    def exec_block(self, body: list[ast.stmt], env: Env) -> None:
        """Run statements (the statement layer, interpreter.py)."""

    def at(self, span: Span) -> None:
        """Tell the recorder which statement runs now."""
        self.span = span
        self.ctx.recorder.at(*span)

    def call_value(self, callee: Any, args: list[Any], kwargs: dict[str, Any]) -> Any:
        if isinstance(callee, Builtin):
            return callee.fn(args, kwargs)
        if isinstance(callee, UserFunction):
            return self.call_user(callee, args, kwargs)
        if isinstance(callee, UserMethod):
            return self.call_user(callee.function, [callee.receiver, *args], kwargs)
        if isinstance(callee, type) and issubclass(callee, UserModule):
            with self.ctx.recorder.quiet():
                return instantiate(callee, args, kwargs, self.call_value)
        if isinstance(callee, nn.Module):
            if not isinstance(callee, UserModule):
                check_data([*args, *kwargs.values()], f"{type(callee).__name__}(...)")
            return callee(*args, **kwargs)
        raise ForbiddenOperation(f"a {type(callee).__name__} value cannot be called")

    def call_user(self, function: UserFunction, args: list[Any], kwargs: dict[str, Any]) -> Any:
        """Run a `def` in a fresh frame; the caller's statement span is restored afterwards."""
        frame = Env(function.env)
        _bind_arguments(function.node, args, kwargs, frame)
        caller_span = self.span
        with self.ctx.budget.call():
            try:
                self.exec_block(function.node.body, frame)
            except Return as result:
                return result.value
            finally:
                self.at(caller_span)
        return None

    def call_super_init(self, env: Env) -> None:
        """`super().__init__()` inside a method: nn.Module's own initialiser on `self`."""
        found, receiver = env.lookup("self")
        if not found or not isinstance(receiver, UserModule):
            raise ForbiddenOperation("super().__init__() is only available in a module's __init__(self, ...)")
        nn.Module.__init__(receiver)


def _bind_arguments(node: ast.FunctionDef, args: list[Any], kwargs: dict[str, Any], frame: Env) -> None:
    """Python's rules for positional, keyword and default parameters (no *args/**kwargs)."""
    spec = node.args
    positional = [arg.arg for arg in spec.args]
    if len(args) > len(positional):
        raise ProgramRuntimeError(
            f"{node.name}() takes {len(positional)} arguments but {len(args)} were given"
        )
    frame.vars.update(zip(positional, args, strict=False))
    defaults = dict(zip(positional[len(positional) - len(spec.defaults) :], spec.defaults, strict=True))
    defaults.update(
        {a.arg: d for a, d in zip(spec.kwonlyargs, spec.kw_defaults, strict=True) if d is not None}
    )
    for name, value in kwargs.items():
        if name not in positional and name not in [a.arg for a in spec.kwonlyargs] or name in frame.vars:
            raise ProgramRuntimeError(f"{node.name}() got an unexpected or repeated argument '{name}'")
        frame.vars[name] = value
    for name in [*positional, *(a.arg for a in spec.kwonlyargs)]:
        if name not in frame.vars:
            if name not in defaults:
                raise ProgramRuntimeError(f"{node.name}() is missing the argument '{name}'")
            frame.vars[name] = _constant(defaults[name])


def _constant(node: ast.expr) -> Any:
    """A default value: a constant, possibly negated (the validator allows nothing else)."""
    if isinstance(node, ast.UnaryOp) and isinstance(node.operand, ast.Constant):
        value: Any = node.operand.value
        return -value if isinstance(node.op, ast.USub) else value
    assert isinstance(node, ast.Constant)
    return node.value
