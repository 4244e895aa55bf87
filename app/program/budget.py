"""Every budget of a run, checked before the work: counters for the interpreter and a torch mode that dry-runs
each torch call on the meta device to learn its result size and cost before the real call happens."""

from __future__ import annotations

import contextlib
import weakref
from collections.abc import Callable, Sequence
from typing import Any

import torch
from torch.overrides import TorchFunctionMode
from torch.utils._pytree import tree_flatten, tree_map_only

from app.errors import LimitExceeded
from app.limits import Limits
from app.program.flops import estimate_flops
from app.program.shapes import estimate_numel

__all__ = ["Budget", "BudgetMode"]

# Calls that make no new tensor data (or are counted elsewhere): no dry run needed.
_NO_DRY_RUN = frozenset(
    {
        "__get__", "__set__", "dim", "size", "numel", "item", "tolist", "stride", "backward", "__repr__",
        "__format__", "__str__", "__bool__", "__len__", "__hash__", "requires_grad_", "retain_grad",
        "is_floating_point", "is_contiguous", "element_size", "device", "storage_offset", "ndimension",
        "nelement", "register_hook", "__iter__", "__contains__", "__reduce_ex__", "__deepcopy__",
        "_set_grad_enabled",
    }
)  # fmt: skip


class Budget:
    """The counters of one run and the checks that stop it, each naming the budget, the value and the cap."""

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.ops = 0
        self.flops = 0.0
        self.iterations = 0
        self.depth = 0
        self.backward_calls = 0
        self.print_bytes = 0
        self.live_numel = 0

    def exceed(self, budget: str, value: float, cap: float, what: str) -> None:
        """Raise when `value` is over `cap`."""
        if value > cap:
            raise LimitExceeded(f"{what}: {_fmt(value)} is over the {budget} budget of {_fmt(cap)}")

    def iterate(self) -> None:
        """One more loop or comprehension iteration."""
        self.iterations += 1
        self.exceed("max_iterations", self.iterations, self.limits.max_iterations, "loop iterations")

    @contextlib.contextmanager
    def call(self) -> Any:
        """One more level of user function/method calls while the body runs."""
        self.depth += 1
        try:
            self.exceed("max_call_depth", self.depth, self.limits.max_call_depth, "nested calls")
            yield
        finally:
            self.depth -= 1

    def integer(self, value: int) -> int:
        """A Python int the program made: its magnitude is capped (JSON and JS precision, `9**9**9`)."""
        self.exceed("max_int", abs(value), self.limits.max_int, "integer magnitude")
        return value

    def power(self, base: int | float, exponent: int | float) -> None:
        """Before a scalar `**`: the exponent and, for ints, the result's size."""
        self.exceed("max_pow_exponent", abs(exponent), self.limits.max_pow_exponent, "exponent of **")
        if isinstance(base, int) and isinstance(exponent, int) and exponent > 0:
            bits = max(abs(base).bit_length() - 1, 0) * exponent
            self.exceed("max_int", 2.0**bits, self.limits.max_int, "integer magnitude of **")

    def literal(self, elements: int) -> None:
        """Elements in one list/tuple/dict literal, nested ones included."""
        self.exceed("max_literal_elements", elements, self.limits.max_literal_elements, "literal elements")

    def printed(self, size: int) -> None:
        """Bytes of print output so far."""
        self.print_bytes += size
        self.exceed("max_print_bytes", self.print_bytes, self.limits.max_print_bytes, "print output bytes")

    def backward(self) -> None:
        """One more `.backward()` call."""
        self.backward_calls += 1
        self.exceed("max_backward", self.backward_calls, self.limits.max_backward, ".backward() calls")

    def op(self, name: str, out_numel: int, flops: float) -> None:
        """Before a torch op runs: its result size, its cost and the run's totals."""
        self.ops += 1
        self.exceed("max_ops", self.ops, self.limits.max_ops, "torch ops")
        self.exceed("max_numel", out_numel, self.limits.max_numel, f"elements in the result of {name}")
        live = self.live_numel + out_numel
        self.exceed("max_live_numel", live, self.limits.max_live_numel, "elements alive in all tensors")
        self.exceed("max_flops_per_op", flops, self.limits.max_flops_per_op, f"FLOPs of {name}")
        self.flops += flops
        self.exceed("max_flops", self.flops, self.limits.max_flops, "FLOPs in the run")

    def track(self, result: object) -> None:
        """Count the tensors an op returned as alive until they are freed."""
        for tensor in tree_flatten(result)[0]:
            if isinstance(tensor, torch.Tensor) and tensor.device.type != "meta":
                numel = tensor.numel()
                self.live_numel += numel
                weakref.finalize(tensor, self._free, numel)

    def _free(self, numel: int) -> None:
        self.live_numel -= numel


class BudgetMode(TorchFunctionMode):
    """Sees every torch call of the run (the program's and those inside nn layers and optimizers)."""

    def __init__(self, budget: Budget, quiet: Callable[[], contextlib.AbstractContextManager[None]]) -> None:
        super().__init__()
        self.budget = budget
        self.quiet = quiet

    def __torch_function__(
        self,
        func: Callable[..., Any],
        types: Sequence[type],
        args: Sequence[Any] = (),
        kwargs: dict[str, Any] | None = None,
    ) -> Any:
        kwargs = kwargs or {}
        name = getattr(func, "__name__", "op")
        if name == "backward":
            self.budget.backward()
        if name in _NO_DRY_RUN:
            return func(*args, **kwargs)
        numel = self._dry_run(func, args, kwargs)
        if numel is not None:
            self.budget.op(name, numel, estimate_flops(name, args, numel))
        result = func(*args, **kwargs)
        if numel is None:
            self.budget.op(name, _numel(result), float(_numel(result)))
        self.budget.track(result)
        return result

    def _dry_run(self, func: Callable[..., Any], args: Sequence[Any], kwargs: dict[str, Any]) -> int | None:
        """Elements the call will produce: from shapes for common ops, else from a run on meta tensors;
        None when that fails (the real run is then bounded by its inputs, and checked after)."""
        numel = estimate_numel(getattr(func, "__name__", ""), args, kwargs)
        if numel is not None:
            return numel
        try:
            with self.quiet(), torch.device("meta"):
                meta_args, meta_kwargs = tree_map_only(torch.Tensor, _to_meta, (tuple(args), dict(kwargs)))
                if "device" in meta_kwargs:
                    meta_kwargs["device"] = "meta"
                return _numel(func(*meta_args, **meta_kwargs))
        except LimitExceeded:
            raise
        except Exception:
            return None


def _to_meta(tensor: torch.Tensor) -> torch.Tensor:
    """A data-less stand-in with the same shape, strides and dtype."""
    return torch.empty_strided(tensor.size(), tensor.stride(), dtype=tensor.dtype, device="meta")


def _numel(result: object) -> int:
    """Total logical elements in every tensor of a result."""
    return sum(t.numel() for t in tree_flatten(result)[0] if isinstance(t, torch.Tensor))


def _fmt(value: float) -> str:
    return f"{value:,.0f}" if value == int(value) else f"{value:,.3g}"
