"""The tree-walking interpreter: statements, scopes and the run's entry point. User text is never compiled."""

from __future__ import annotations

import ast
from collections.abc import Callable
from typing import Any

import torch

from app.limits import Limits
from app.program.attributes import get_attribute, set_attribute
from app.program.budget import Budget, BudgetMode
from app.program.builtins import builtin_names
from app.program.calls import Caller
from app.program.context import Recorder, RunContext
from app.program.diagnostics import as_program_error
from app.program.expressions import bind_target
from app.program.iteration import counted
from app.program.modules import make_class
from app.program.operators import binary
from app.program.symbols_nn import nn_namespace
from app.program.symbols_torch import math_namespace, torch_namespace
from app.program.values import Break, Continue, Env, Namespace, Return, UserFunction

__all__ = ["Interpreter"]


class Interpreter(Caller):
    """Runs one validated program under a recorder, within its budgets."""

    def __init__(self, tree: ast.Module, *, limits: Limits, device: torch.device, recorder: Recorder) -> None:
        ctx = RunContext(budget=Budget(limits), recorder=recorder, device=device)
        super().__init__(ctx, builtin_names(ctx, lambda a, b: binary(ast.Add(), a, b, ctx.budget)))
        self.tree = tree
        self.globals = Env()
        nn_ns = nn_namespace(ctx)
        self.modules: dict[str, Namespace] = {
            "torch": torch_namespace(device, nn_ns),
            "torch.nn": nn_ns,
            "torch.nn.functional": nn_ns.child("functional"),
            "torch.optim": nn_ns.child("optim"),
            "math": math_namespace(),
        }
        self._statements: dict[type[ast.AST], Callable[[Any, Env], None]] = {
            ast.Expr: self._expr, ast.Assign: self._assign, ast.AugAssign: self._augassign,
            ast.Return: self._return, ast.If: self._if, ast.For: self._for, ast.Pass: _nothing,
            ast.Break: _break, ast.Continue: _continue, ast.FunctionDef: self._def, ast.ClassDef: self._class,
            ast.Import: self._import, ast.ImportFrom: self._import, ast.With: self._with,
        }  # fmt: skip

    @property
    def stdout(self) -> str:
        """Everything the program printed."""
        return "".join(self.ctx.stdout)

    def run(self) -> None:
        """Execute the whole program; torch calls are budgeted by a function mode for the run's duration."""
        with BudgetMode(self.ctx.budget, self.ctx.recorder.quiet):
            self.exec_block(self.tree.body, self.globals)

    def exec_block(self, body: list[ast.stmt], env: Env) -> None:
        for statement in body:
            self.at((statement.lineno, statement.col_offset, statement.end_lineno or statement.lineno,
                     statement.end_col_offset or 0))  # fmt: skip
            try:
                self._statements[type(statement)](statement, env)
            except Exception as exc:
                raise as_program_error(exc, statement) from None

    def _expr(self, node: ast.Expr, env: Env) -> None:
        self.eval(node.value, env)

    def _assign(self, node: ast.Assign, env: Env) -> None:
        value = self.eval(node.value, env)
        for target in node.targets:
            if isinstance(target, ast.Attribute):
                set_attribute(self.eval(target.value, env), target.attr, value)
                continue
            for name, bound in bind_target(target, value, env, self.ctx):
                self.ctx.recorder.name(bound, name)

    def _augassign(self, node: ast.AugAssign, env: Env) -> None:
        target = node.target
        value = self.eval(node.value, env)
        if isinstance(target, ast.Attribute):
            receiver = self.eval(target.value, env)
            current = get_attribute(receiver, target.attr, self.ctx)
            set_attribute(
                receiver, target.attr, binary(node.op, current, value, self.ctx.budget, in_place=True)
            )
            return
        assert isinstance(target, ast.Name)
        result = binary(node.op, self.eval(target, env), value, self.ctx.budget, in_place=True)
        env.vars[target.id] = result
        self.ctx.recorder.name(result, target.id)

    def _return(self, node: ast.Return, env: Env) -> None:
        raise Return(None if node.value is None else self.eval(node.value, env))

    def _if(self, node: ast.If, env: Env) -> None:
        self.exec_block(node.body if self.eval(node.test, env) else node.orelse, env)

    def _for(self, node: ast.For, env: Env) -> None:
        for item in counted(self.eval(node.iter, env), self.ctx.budget):
            bind_target(node.target, item, env, self.ctx)
            try:
                self.exec_block(node.body, env)
            except Break:
                return
            except Continue:
                continue

    def _def(self, node: ast.FunctionDef, env: Env) -> None:
        env.vars[node.name] = UserFunction(node, env)

    def _class(self, node: ast.ClassDef, env: Env) -> None:
        methods = {f.name: UserFunction(f, env) for f in node.body if isinstance(f, ast.FunctionDef)}
        constants = {
            target.id: self.eval(statement.value, env)
            for statement in node.body
            if isinstance(statement, ast.Assign)
            for target in statement.targets
            if isinstance(target, ast.Name)
        }
        env.vars[node.name] = make_class(node.name, methods, constants, self.call_value)

    def _import(self, node: ast.Import | ast.ImportFrom, env: Env) -> None:
        for alias in node.names:
            if isinstance(node, ast.ImportFrom):
                env.vars[alias.asname or alias.name] = self.modules[f"{node.module}.{alias.name}"]
            elif alias.asname:
                env.vars[alias.asname] = self.modules[alias.name]
            else:
                root = alias.name.split(".")[0]
                env.vars[root] = self.modules[root]

    def _with(self, node: ast.With, env: Env) -> None:
        with torch.no_grad():
            self.exec_block(node.body, env)


def _nothing(node: ast.stmt, env: Env) -> None:
    """`pass`."""


def _break(node: ast.stmt, env: Env) -> None:
    raise Break


def _continue(node: ast.stmt, env: Env) -> None:
    raise Continue
