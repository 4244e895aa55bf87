"""Program-defined classes as real `nn.Module` subclasses, so torch sees ordinary modules and parameters."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from torch import nn

from app.errors import ForbiddenArgument
from app.program.values import UserFunction, UserMethod

__all__ = ["Caller", "UserModule", "instantiate", "make_class"]

Caller = Callable[[Any, list[Any], dict[str, Any]], Any]


class UserModule(nn.Module):
    """Base of every `class X(nn.Module)` in a program: forward runs the interpreted `forward` body."""

    gt_methods: ClassVar[dict[str, UserFunction]] = {}
    gt_constants: ClassVar[dict[str, Any]] = {}
    gt_caller: ClassVar[Caller | None] = None

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        """nn.Module.__call__ lands here (with hooks run by torch); the program's forward does the work."""
        method = type(self).gt_methods.get("forward")
        caller = type(self).gt_caller
        if method is None or caller is None:
            raise ForbiddenArgument(f"{type(self).__name__} has no forward method")
        return caller(UserMethod(method, self), list(args), kwargs)


def make_class(
    name: str, methods: dict[str, UserFunction], constants: dict[str, Any], caller: Caller
) -> type:
    """A fresh UserModule subclass named as in the program."""
    namespace = {"gt_methods": methods, "gt_constants": constants, "gt_caller": staticmethod(caller)}
    return type(name, (UserModule,), namespace)


def instantiate(cls: type[UserModule], args: list[Any], kwargs: dict[str, Any], caller: Caller) -> UserModule:
    """Run the program's `__init__` (or nn.Module's when there is none) on a new instance."""
    module = cls.__new__(cls)
    init = cls.gt_methods.get("__init__")
    if init is None:
        if args or kwargs:
            raise ForbiddenArgument(f"{cls.__name__}() takes no arguments (it has no __init__)")
        nn.Module.__init__(module)
    else:
        caller(UserMethod(init, module), args, kwargs)
    return module
