"""Every expected failure, as one small exception tree; each leaf's `kind` is the JSON error kind.

GradtraceError                       (kind, status, message, line, col, end_line, end_col, graph,
                                      frames: the program's traceback, also: other problems found)
├── RequestError                     the HTTP request itself is wrong
│   ├── BodyTooLarge                 413 body_too_large
│   ├── InvalidRequest               422 invalid_request
│   ├── DeviceUnavailable            422 device_unavailable
│   ├── TooManyRequests              429 too_many_requests (this client already has its runs going)
│   └── Busy                         503 busy
├── ProgramError                     the program was refused before it ran
│   ├── SourceRejected               422 source_rejected
│   ├── EmptyProgram                 422 empty_program
│   ├── SyntaxProblem                422 syntax_error
│   └── TooComplex                   422 too_complex
├── RunError                         the program started and stopped early (may carry a partial graph)
│   ├── LimitExceeded                422 limit_exceeded
│   ├── ProgramRuntimeError          422 runtime_error
│   ├── Timeout                      422 timeout
│   ├── CpuLimit                     422 cpu_limit
│   ├── MemoryLimit                  422 memory_limit
│   ├── ForbiddenOperation           422 forbidden_operation (a system call the jail forbids)
│   └── ReplyRejected                422 reply_rejected (the run's child sent what the server refuses)
└── ServerError                      should never happen; logged
    ├── WorkerCrashed                500 worker_crashed
    ├── InternalError                500 internal_error
    └── JailUnavailable              503 jail_unavailable (strict mode on a host without the jail)
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any, ClassVar

__all__ = [
    "MAX_FRAMES",
    "MAX_MESSAGE",
    "MAX_PROBLEMS",
    "Frame",
    "Problem",
    "BodyTooLarge",
    "Busy",
    "CpuLimit",
    "DeviceUnavailable",
    "EmptyProgram",
    "ForbiddenOperation",
    "GradtraceError",
    "InternalError",
    "InvalidRequest",
    "JailUnavailable",
    "LimitExceeded",
    "MemoryLimit",
    "ProgramError",
    "ProgramRuntimeError",
    "ReplyRejected",
    "RequestError",
    "RunError",
    "ServerError",
    "SourceRejected",
    "SyntaxProblem",
    "Timeout",
    "TooComplex",
    "TooManyRequests",
    "WorkerCrashed",
    "error_class",
    "known_kinds",
    "validation_message",
]

MAX_PROBLEMS = 20  # positioned problems listed beside the first (syntax errors found elsewhere)
MAX_FRAMES = 20  # traceback frames of the program's own code, innermost last
MAX_MESSAGE = 300  # characters: messages never carry tracebacks or whole programs
MAX_LOCATION_PART = 40  # characters of one field name in a message: keys are client input too


@dataclass(frozen=True)
class Frame:
    """One frame of the program's own code in a runtime error's traceback (gradtrace's are never shown)."""

    function: str
    line: int
    col: int | None = None
    end_line: int | None = None
    end_col: int | None = None


@dataclass(frozen=True)
class Problem:
    """Another positioned problem found beside the error (the first one), e.g. a syntax error elsewhere."""

    kind: str
    message: str
    line: int | None = None
    col: int | None = None
    end_line: int | None = None
    end_col: int | None = None
    frames: list[Frame] = field(default_factory=list)


class GradtraceError(Exception):
    """Base of every error that becomes a JSON error body."""

    kind: ClassVar[str] = "internal_error"
    status: ClassVar[int] = 500

    def __init__(
        self,
        message: str,
        *,
        line: int | None = None,
        col: int | None = None,
        end_line: int | None = None,
        end_col: int | None = None,
        graph: dict[str, Any] | bytes | None = None,
        frames: list[Frame] | None = None,
        also: list[Problem] | None = None,
    ) -> None:
        message = message if len(message) <= MAX_MESSAGE else message[: MAX_MESSAGE - 1] + "…"
        super().__init__(message)
        self.message = message
        self.line = line
        self.col = col
        self.end_line = end_line
        self.end_col = end_col
        # the partial graph when the run got somewhere: built in the child as a dict; in the server, the JSON
        # bytes the child sent, forwarded untouched (a GPT-2 graph is megabytes: never parsed there)
        self.graph = graph
        self.frames = (frames or [])[-MAX_FRAMES:]  # the program's traceback, innermost last
        self.also = (also or [])[:MAX_PROBLEMS]  # further problems, e.g. other syntax errors
        self.side: str | None = None  # POST /diff: "before" or "after", the program that failed

    def to_body(self) -> dict[str, Any]:
        """The `error` object of the response body (the partial graph travels beside it)."""
        return {
            "kind": self.kind,
            "message": self.message,
            "line": self.line,
            "col": self.col,
            "end_line": self.end_line,
            "end_col": self.end_col,
            "frames": [asdict(frame) for frame in self.frames],
        } | ({"side": self.side} if self.side is not None else {})

    def problems(self) -> list[dict[str, Any]]:
        """Every problem found, this error first: the response's `errors`."""
        return [self.to_body(), *(asdict(problem) for problem in self.also)]

    def body_json(self) -> bytes:
        """The whole response body, `{"error": ..., "errors": [...], "graph": ...}`, with the graph's bytes
        as they came."""
        graph = (
            self.graph if isinstance(self.graph, bytes) else json.dumps(self.graph, allow_nan=False).encode()
        )
        problems = self.problems()
        head = b'{"error":' + json.dumps(problems[0]).encode() + b',"errors":' + json.dumps(problems).encode()
        return head + b',"graph":' + graph + b"}"


class RequestError(GradtraceError):
    status = 422


class BodyTooLarge(RequestError):
    kind, status = "body_too_large", 413


class InvalidRequest(RequestError):
    kind = "invalid_request"


class DeviceUnavailable(RequestError):
    kind = "device_unavailable"


class TooManyRequests(RequestError):
    kind, status = "too_many_requests", 429


class Busy(RequestError):
    kind, status = "busy", 503


class ProgramError(GradtraceError):
    status = 422


class SourceRejected(ProgramError):
    kind = "source_rejected"


class EmptyProgram(ProgramError):
    kind = "empty_program"


class SyntaxProblem(ProgramError):
    kind = "syntax_error"


class TooComplex(ProgramError):
    kind = "too_complex"


class RunError(GradtraceError):
    status = 422


class LimitExceeded(RunError):
    kind = "limit_exceeded"


class ProgramRuntimeError(RunError):
    kind = "runtime_error"


class Timeout(RunError):
    kind = "timeout"


class CpuLimit(RunError):
    kind = "cpu_limit"


class MemoryLimit(RunError):
    kind = "memory_limit"


class ForbiddenOperation(RunError):
    """The run made a system call the jail forbids and the kernel stopped it (seccomp's SIGSYS)."""

    kind = "forbidden_operation"


class ReplyRejected(RunError):
    """The child ran the program and then sent something the server does not accept (too big, too slow,
    malformed): the program's doing, since it can reach the result pipe; never a 500."""

    kind = "reply_rejected"


class ServerError(GradtraceError):
    status = 500


class WorkerCrashed(ServerError):
    kind = "worker_crashed"


class InternalError(ServerError):
    kind = "internal_error"


class JailUnavailable(ServerError):
    kind, status = "jail_unavailable", 503


def _leaves(cls: type[GradtraceError]) -> list[type[GradtraceError]]:
    subs = cls.__subclasses__()
    return [leaf for sub in subs for leaf in _leaves(sub)] if subs else [cls]


_BY_KIND: dict[str, type[GradtraceError]] = {leaf.kind: leaf for leaf in _leaves(GradtraceError)}


def known_kinds() -> frozenset[str]:
    """Every error kind there is."""
    return frozenset(_BY_KIND)


def error_class(kind: str) -> type[GradtraceError]:
    """The exception class for a kind, used to rebuild errors that crossed the worker pipe as JSON."""
    return _BY_KIND.get(kind, InternalError)


def validation_message(errors: Any) -> str:
    """`options.device: Input should be 'cpu', 'cuda' or 'auto'` for the first of pydantic's errors; never
    the input (used by the API and by sandboxed jobs that validate what the server only forwarded)."""
    if not errors:
        return "the request body is not valid"
    first = errors[0]
    where = ".".join(str(part)[:MAX_LOCATION_PART] for part in first.get("loc", ()) if part != "body")
    more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
    return f"{where or 'body'}: {first.get('msg', 'invalid')}{more}"
