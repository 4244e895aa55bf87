"""The opaque values a program can hold besides tensors, numbers, strings and containers."""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "Break",
    "Builtin",
    "Continue",
    "Env",
    "GradFnView",
    "Namespace",
    "Return",
    "UserFunction",
    "UserMethod",
]


class Namespace:
    """A proxy for `torch`, `nn`, `F`, `optim`, `math`: only its listed members are reachable."""

    def __init__(self, path: str, members: Mapping[str, object]) -> None:
        self.path = path
        self.members = dict(members)

    def child(self, name: str) -> Namespace:
        """A member that is itself a namespace (`torch.nn` -> `functional`)."""
        member = self.members[name]
        assert isinstance(member, Namespace)
        return member

    def __repr__(self) -> str:
        return f"<module '{self.path}'>"


@dataclass(frozen=True)
class Builtin:
    """An allowed callable: a wrapper that checks its arguments and then calls torch or Python."""

    name: str
    fn: Callable[[list[Any], dict[str, Any]], Any]

    def __repr__(self) -> str:
        return f"<built-in {self.name}>"


@dataclass(frozen=True)
class GradFnView:
    """What `tensor.grad_fn` shows: the autograd node's name and nothing behind it."""

    name: str

    def __repr__(self) -> str:
        return f"<{self.name} object>"


class Env:
    """One scope: variables of the module, a function call or a comprehension, with a lexical parent."""

    def __init__(self, parent: Env | None = None) -> None:
        self.vars: dict[str, Any] = {}
        self.parent = parent

    def lookup(self, name: str) -> tuple[bool, Any]:
        """(found, value), searching outwards."""
        env: Env | None = self
        while env is not None:
            if name in env.vars:
                return True, env.vars[name]
            env = env.parent
        return False, None

    def names(self) -> Iterator[str]:
        """Every visible name (for did-you-mean)."""
        env: Env | None = self
        while env is not None:
            yield from env.vars
            env = env.parent


@dataclass(frozen=True)
class UserFunction:
    """A `def` of the program: its syntax node and the scope it was defined in."""

    node: ast.FunctionDef
    env: Env = field(compare=False)

    @property
    def name(self) -> str:
        return self.node.name

    def __repr__(self) -> str:
        return f"<function {self.node.name}>"


@dataclass(frozen=True)
class UserMethod:
    """A user function bound to the module instance it was looked up on."""

    function: UserFunction
    receiver: object

    def __repr__(self) -> str:
        return f"<bound method {self.function.name}>"


class Return(BaseException):  # noqa: N818 - control flow, not an error
    """`return value` unwinding to the call (BaseException: torch code in between never catches it)."""

    def __init__(self, value: Any) -> None:
        super().__init__()
        self.value = value


class Break(BaseException):  # noqa: N818
    """`break` unwinding to its loop."""


class Continue(BaseException):  # noqa: N818
    """`continue` unwinding to its loop."""
