"""What crosses the pipe between the server and a child: JSON bytes with a one-byte tag, never pickles.

    server -> child   F + a byte count (optional: a spare, asked to prefill its heap while the pool is
                      idle), Confinement JSON (the limits and profile), later the job's payload
    child  -> server  P (a spare for CUDA runs, once prepared), then J + JailReport JSON (confined, waiting
                      for the payload), then R + the result, or E + {"errors": [...]} JSON + newline +
                      partial graph JSON

Everything after J may come from the user's program (it can reach the pipe), so the server trusts none of it:
a strict model for the error, known kinds only, the partial graph forwarded as bytes and never parsed, one
size cap and one deadline for the whole reply (app/sandbox/receive.py).
"""

from __future__ import annotations

import json
from collections.abc import Callable

from pydantic import BaseModel, ConfigDict, Field, ValidationError, computed_field, field_validator

from app.errors import (
    MAX_FRAMES,
    MAX_MESSAGE,
    MAX_PROBLEMS,
    Frame,
    GradtraceError,
    Problem,
    ReplyRejected,
    error_class,
    known_kinds,
)

__all__ = [
    "JAILED",
    "PREFILL",
    "PREPARED",
    "Confinement",
    "JailReport",
    "Job",
    "Preparation",
    "decode_reply",
    "encode_error",
    "encode_result",
]

# A job turns request bytes into result bytes inside the child; it runs only there.
Job = Callable[[bytes], bytes]
# What a spare child for CUDA runs does on the GPU while it waits for its job (in the child only).
Preparation = Callable[[], object]

RESULT = b"R"  # the job's own JSON follows
ERROR = b"E"  # {kind, message, line, ...} JSON, a newline, then the partial graph's JSON (or null)
PREPARED = b"P"  # a spare for CUDA runs, unasked, once its GPU is prepared (before any job)
JAILED = b"J"  # the child, confined, waits for its payload; a JailReport follows
PREFILL = b"F"  # server -> spare: populate this many bytes of heap for the next run (ASCII digits follow)
GRAPH_SEPARATOR = b"\n"  # json.dumps never writes a raw newline
# statuses a child may answer with: a 503 or a 413 would be the server's to say (busy, body too large)
CHILD_STATUSES = (422, 500)


class Confinement(BaseModel):
    """The limits a child sets on itself before it runs a job (sent ahead of the job's payload)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    wall_seconds: float = Field(gt=0)  # enforced by the parent, which kills the child: jail, run and reply
    cpu_seconds: int = Field(gt=0)
    memory_mb: int | None = Field(gt=0)  # address space added to the child's own; None for CUDA runs
    # resident memory the parent lets the run add before killing it (CUDA runs, where RLIMIT_AS breaks CUDA)
    host_memory_mb: int | None = Field(default=None, gt=0)
    cuda_memory_fraction: float | None = Field(default=None, gt=0, le=1)  # of the GPU, for CUDA runs
    max_result_bytes: int = Field(gt=0)
    scratch_mb: int = Field(default=64, gt=0)  # the scratch folder, all files together (and each one)
    tasks: int | None = Field(default=None, gt=0)  # RLIMIT_NPROC, set by the server when it sends this


class JailReport(BaseModel):
    """The layers a child put in place before it took its payload (what /healthz reports, per layer)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    landlock: int = Field(ge=0)  # the Landlock ABI in force; 0: none
    seccomp: bool
    no_new_privs: bool
    uid_separated: bool  # the child runs as another uid than the server (it was root and became nobody)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def truncate_rule(self) -> bool:
        """Truncating files outside the scratch folder is refused (Landlock ABI 3)."""
        return self.landlock >= 3

    @computed_field  # type: ignore[prop-decorator]
    @property
    def network_rules(self) -> bool:
        """Landlock itself refuses TCP bind and connect (ABI 4), beside seccomp's socket ban."""
        return self.landlock >= 4

    @computed_field  # type: ignore[prop-decorator]
    @property
    def device_ioctl_rule(self) -> bool:
        """ioctl on device files is refused unless granted (ABI 5)."""
        return self.landlock >= 5

    @computed_field  # type: ignore[prop-decorator]
    @property
    def signal_scoping(self) -> bool:
        """No signal leaves the child's domain, whatever the uid (ABI 6)."""
        return self.landlock >= 6

    @computed_field  # type: ignore[prop-decorator]
    @property
    def abstract_unix_scoping(self) -> bool:
        """No connection to an abstract unix socket outside the domain (ABI 6)."""
        return self.landlock >= 6

    @computed_field  # type: ignore[prop-decorator]
    @property
    def complete(self) -> bool:
        """Both walls stand: Landlock and seccomp (what strict mode requires)."""
        return self.landlock > 0 and self.seccomp

    def missing(self) -> list[str]:
        """The layers strict mode requires that are not in force, by name."""
        return [
            name
            for name, present in (("landlock", self.landlock > 0), ("seccomp", self.seccomp))
            if not present
        ]


class _Frame(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    function: str = Field(max_length=MAX_MESSAGE)
    line: int = Field(ge=0)
    col: int | None = Field(default=None, ge=0)
    end_line: int | None = Field(default=None, ge=0)
    end_col: int | None = Field(default=None, ge=0)


class _Problem(BaseModel):
    """One problem of an E reply, as strict as the child's own encoder is."""

    model_config = ConfigDict(extra="forbid", strict=True)

    kind: str
    message: str = Field(max_length=MAX_MESSAGE)
    line: int | None = Field(default=None, ge=0)
    col: int | None = Field(default=None, ge=0)
    end_line: int | None = Field(default=None, ge=0)
    end_col: int | None = Field(default=None, ge=0)
    frames: list[_Frame] = Field(default=[], max_length=MAX_FRAMES)

    @field_validator("kind")
    @classmethod
    def _known(cls, kind: str) -> str:
        if kind not in known_kinds() or error_class(kind).status not in CHILD_STATUSES:
            raise ValueError("not an error kind a run may report")
        return kind

    def frames_back(self) -> list[Frame]:
        return [Frame(**frame.model_dump()) for frame in self.frames]


class _ErrorInfo(BaseModel):
    """The error part of an E reply: every problem, the error first."""

    model_config = ConfigDict(extra="forbid", strict=True)

    errors: list[_Problem] = Field(min_length=1, max_length=MAX_PROBLEMS + 1)


def encode_result(result: bytes) -> bytes:
    return RESULT + result


def encode_error(error: GradtraceError, max_bytes: int) -> bytes:
    """The error, and its partial graph when it is strict JSON and the whole fits in `max_bytes`; a graph
    that does not is left out and the message says so (never the error itself)."""
    graph = _strict_json(error.graph)
    info = json.dumps({"errors": error.problems()}).encode()
    if len(ERROR) + len(info) + len(GRAPH_SEPARATOR) + len(graph) > max_bytes:
        error = _without_graph(
            error,
            f"the partial graph ({len(graph)} bytes) was over the reply cap "
            f"({max_bytes} bytes) and was left out",
        )
        graph, info = b"null", json.dumps({"errors": error.problems()}).encode()
    return ERROR + info + GRAPH_SEPARATOR + graph


def _strict_json(graph: object) -> bytes:
    try:
        return json.dumps(graph, allow_nan=False).encode()
    except (TypeError, ValueError):
        return b"null"


def _without_graph(error: GradtraceError, note: str) -> GradtraceError:
    room = MAX_MESSAGE - len(note) - 2
    message = error.message if len(error.message) <= room else error.message[: room - 1] + "…"
    return type(error)(
        f"{message}; {note}",
        line=error.line,
        col=error.col,
        end_line=error.end_line,
        end_col=error.end_col,
        frames=error.frames,
        also=error.also,
    )


def decode_reply(reply: bytes) -> bytes:
    """The job's result bytes, or the error the child reported, raised again as its own class (its partial
    graph as the bytes it came in). Anything else is the run's doing: ReplyRejected."""
    tag, body = reply[:1], reply[1:]
    if tag == RESULT:
        return body
    if tag != ERROR:
        raise ReplyRejected(f"the run's worker sent a reply with an unknown tag {tag!r}")
    info_json, separator, graph = body.partition(GRAPH_SEPARATOR)
    try:
        first, *others = _ErrorInfo.model_validate_json(info_json).errors
    except ValidationError:
        raise ReplyRejected("the run's worker sent an error the server cannot read") from None
    raise error_class(first.kind)(
        first.message,
        line=first.line,
        col=first.col,
        end_line=first.end_line,
        end_col=first.end_col,
        graph=graph if separator and graph != b"null" else None,
        frames=first.frames_back(),
        also=[
            Problem(**other.model_dump(exclude={"frames"}), frames=other.frames_back()) for other in others
        ],
    )
