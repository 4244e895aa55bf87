"""What crosses the pipe between the server and a child: JSON bytes with a one-byte tag, never pickles."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from app.errors import Frame, GradtraceError, Problem, error_class

__all__ = ["PREPARED", "Confinement", "Job", "Preparation", "decode_reply", "encode_error", "encode_result"]

# A job turns request bytes into result bytes inside the child; it runs only there.
Job = Callable[[bytes], bytes]
# What a spare child for CUDA runs does on the GPU while it waits for its job (in the child only).
Preparation = Callable[[], object]

RESULT = b"R"  # the job's own JSON follows
ERROR = b"E"  # {"error": {kind, message, line, ...}, "graph": {...} | null} follows
PREPARED = b"P"  # a spare for CUDA runs, unasked, once its GPU is prepared (before any job)


class Confinement(BaseModel):
    """The limits a child sets on itself before it runs a job (sent ahead of the job's payload)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    wall_seconds: float = Field(gt=0)  # enforced by the parent, which kills the child
    cpu_seconds: int = Field(gt=0)
    memory_mb: int | None = Field(gt=0)  # address space added to the child's own; None for CUDA runs
    cuda_memory_fraction: float | None = Field(default=None, gt=0, le=1)  # of the GPU, for CUDA runs
    max_result_bytes: int = Field(gt=0)


def encode_result(result: bytes) -> bytes:
    return RESULT + result


def encode_error(error: GradtraceError) -> bytes:
    """The error as JSON; a partial graph that cannot be encoded strictly is dropped, never the error."""
    try:
        body = json.dumps(error.envelope(error.graph), allow_nan=False)
    except (TypeError, ValueError):
        body = json.dumps(error.envelope(None))
    return ERROR + body.encode()


def decode_reply(reply: bytes) -> bytes:
    """The job's result bytes, or the error the child reported, raised again as its own class."""
    tag, body = reply[:1], reply[1:]
    if tag == RESULT:
        return body
    if tag == ERROR:
        raise _rebuild(json.loads(body))
    raise error_class("internal_error")(f"the worker sent a reply with an unknown tag {tag!r}")


def _problem(info: dict[str, Any]) -> Problem:
    return Problem(**{**info, "frames": [Frame(**frame) for frame in info.get("frames", [])]})


def _rebuild(envelope: dict[str, Any]) -> GradtraceError:
    info = envelope["error"]
    return error_class(info["kind"])(
        info["message"],
        line=info.get("line"),
        col=info.get("col"),
        end_line=info.get("end_line"),
        end_col=info.get("end_col"),
        graph=envelope.get("graph"),
        frames=[Frame(**frame) for frame in info.get("frames", [])],
        also=[_problem(problem) for problem in envelope.get("errors", [])[1:]],
    )
