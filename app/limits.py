"""Budgets for one run, in one frozen object; a request may lower any of them, never raise them."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["Limits", "LimitsOverride", "clamp"]


class Limits(BaseModel):
    """Every budget a run is held to. Defaults fit the GPT-2 124M example (50257 x 768 embeddings, T=16)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    # checked by the interpreter before the work is done
    max_numel: int = Field(67_108_864, gt=0, description="elements in any one tensor result (logical numel)")
    max_live_numel: int = Field(400_000_000, gt=0, description="elements alive in all tensors together")
    max_flops_per_op: float = Field(2e10, gt=0, description="floating-point operations in one op")
    max_flops: float = Field(2e11, gt=0, description="floating-point operations in the whole run")
    max_ops: int = Field(20_000, gt=0, description="torch ops executed")
    max_iterations: int = Field(10_000, gt=0, description="loop and comprehension iterations")
    max_call_depth: int = Field(16, gt=0, description="nested calls of user functions and methods")
    max_literal_elements: int = Field(4_096, gt=0, description="elements in list/tuple literals, nested")
    max_int: int = Field(2**53, gt=0, description="magnitude of any Python int")
    max_pow_exponent: int = Field(64, gt=0, description="exponent of a Python scalar **")
    max_backward: int = Field(64, gt=0, description=".backward() calls")
    max_print_bytes: int = Field(16_384, gt=0, description="bytes of print output kept")
    # checked by the capture and the encoder
    max_nodes: int = Field(5_000, gt=0, description="graph nodes in the response")
    max_inline_values: int = Field(
        64, gt=0, description="values sent in full per tensor; bigger ones get a preview"
    )
    # enforced by the sandbox process
    wall_seconds: float = Field(30.0, gt=0, description="wall-clock time of one run, seconds")
    cpu_seconds: int = Field(60, gt=0, description="CPU time of one run, seconds")
    memory_mb: int = Field(6_144, gt=0, description="address space the run may add, MiB (CPU runs)")


class LimitsOverride(BaseModel):
    """What a request may ask for: any subset of Limits, each only lower than the server's cap."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    max_numel: int | None = Field(None, gt=0)
    max_live_numel: int | None = Field(None, gt=0)
    max_flops_per_op: float | None = Field(None, gt=0)
    max_flops: float | None = Field(None, gt=0)
    max_ops: int | None = Field(None, gt=0)
    max_iterations: int | None = Field(None, gt=0)
    max_call_depth: int | None = Field(None, gt=0)
    max_literal_elements: int | None = Field(None, gt=0)
    max_int: int | None = Field(None, gt=0)
    max_pow_exponent: int | None = Field(None, gt=0)
    max_backward: int | None = Field(None, gt=0)
    max_print_bytes: int | None = Field(None, gt=0)
    max_nodes: int | None = Field(None, gt=0)
    max_inline_values: int | None = Field(None, gt=0)
    wall_seconds: float | None = Field(None, gt=0)
    cpu_seconds: int | None = Field(None, gt=0)
    memory_mb: int | None = Field(None, gt=0)


def clamp(caps: Limits, wanted: LimitsOverride | None) -> Limits:
    """The limits of one run: the request's values where given, but never above the server's caps."""
    if wanted is None:
        return caps
    lowered = {
        name: min(value, getattr(caps, name))
        for name, value in wanted.model_dump(exclude_none=True).items()
    }
    return caps.model_copy(update=lowered)
