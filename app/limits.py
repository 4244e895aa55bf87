"""Budgets for one run, in one frozen object; a request may lower any of them, never raise them."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["Limits", "LimitsOverride", "clamp"]


class Limits(BaseModel):
    """Every budget a run is held to. Defaults fit the GPT-2 124M example (50257 x 768 embeddings, T=16).

    What a run may COMPUTE (checked per aten op; rlimits and the wall clock are the backstop) is separate
    from what is RECORDED for the graph: a 2,000-step loop runs whole while the graph keeps a window."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    # what runs: checked on every aten op before it runs
    max_numel: int = Field(
        67_108_864, gt=0, description="elements in any one operand or result (views count)"
    )
    max_flops_per_op: float = Field(2e10, gt=0, description="floating-point operations in one op")
    max_flops: float = Field(1e12, gt=0, description="floating-point operations in the whole run")
    # what is recorded and sent
    max_nodes: int = Field(5_000, gt=0, description="graph nodes recorded; past it the program runs on")
    max_passes_kept: int = Field(
        4, ge=2, description="backward passes drawn in full (the first half and the last ones)"
    )
    max_print_bytes: int = Field(65_536, gt=0, description="bytes of printed output kept")
    max_inline_values: int = Field(
        64, gt=0, description="values sent in full per tensor; bigger ones get a preview"
    )
    # enforced by the sandbox process
    wall_seconds: float = Field(30.0, gt=0, description="wall-clock time of one run, seconds")
    cpu_seconds: int = Field(60, gt=0, description="CPU time of one run, seconds")
    memory_mb: int = Field(6_144, gt=0, description="memory the run may add, MiB")


class LimitsOverride(BaseModel):
    """What a request may ask for: any subset of Limits, each only lower than the server's cap."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    max_numel: int | None = Field(None, gt=0)
    max_flops_per_op: float | None = Field(None, gt=0)
    max_flops: float | None = Field(None, gt=0)
    max_nodes: int | None = Field(None, gt=0)
    max_passes_kept: int | None = Field(None, ge=2)
    max_print_bytes: int | None = Field(None, gt=0)
    max_inline_values: int | None = Field(None, gt=0)
    wall_seconds: float | None = Field(None, gt=0)
    cpu_seconds: int | None = Field(None, gt=0)
    memory_mb: int | None = Field(None, gt=0)


def clamp(caps: Limits, wanted: LimitsOverride | None) -> Limits:
    """The limits of one run: the request's values where given, but never above the server's caps."""
    if wanted is None:
        return caps
    lowered = {
        name: min(value, getattr(caps, name)) for name, value in wanted.model_dump(exclude_none=True).items()
    }
    return caps.model_copy(update=lowered)
