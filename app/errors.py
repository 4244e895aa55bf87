"""Every expected failure, as one small exception tree; each leaf's `kind` is the JSON error kind.

    GradtraceError                       (kind, status, message, line, col, end_line, end_col, graph)
    ├── RequestError                     the HTTP request itself is wrong
    │   ├── BodyTooLarge                 413 body_too_large
    │   ├── InvalidRequest               422 invalid_request
    │   ├── DeviceUnavailable            422 device_unavailable
    │   └── Busy                         503 busy
    ├── ProgramError                     the program was refused before it ran
    │   ├── SourceRejected               422 source_rejected
    │   ├── EmptyProgram                 422 empty_program
    │   ├── SyntaxProblem                422 syntax_error
    │   ├── TooComplex                   422 too_complex
    │   ├── ForbiddenSyntax              422 forbidden_syntax
    │   ├── ForbiddenImport              422 forbidden_import
    │   ├── ForbiddenName                422 forbidden_name
    │   ├── ForbiddenAttribute           422 forbidden_attribute
    │   ├── ForbiddenArgument            422 forbidden_argument
    │   └── ForbiddenOperation           422 forbidden_operation
    ├── RunError                         the program started and stopped early (may carry a partial graph)
    │   ├── LimitExceeded                422 limit_exceeded
    │   ├── ProgramRuntimeError          422 runtime_error
    │   ├── Timeout                      422 timeout
    │   ├── CpuLimit                     422 cpu_limit
    │   ├── MemoryLimit                  422 memory_limit
    │   └── ReplyRejected                422 reply_rejected (the run's child sent what the server refuses)
    └── ServerError                      should never happen; logged
        ├── WorkerCrashed                500 worker_crashed
        ├── InternalError                500 internal_error
        └── JailUnavailable              503 jail_unavailable (strict mode on a host without the jail)
"""

from __future__ import annotations

import json
from typing import Any, ClassVar

__all__ = [
    "MAX_MESSAGE",
    "BodyTooLarge",
    "Busy",
    "CpuLimit",
    "DeviceUnavailable",
    "EmptyProgram",
    "ForbiddenArgument",
    "ForbiddenAttribute",
    "ForbiddenImport",
    "ForbiddenName",
    "ForbiddenOperation",
    "ForbiddenSyntax",
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
    "WorkerCrashed",
    "error_class",
    "known_kinds",
]

MAX_MESSAGE = 300  # characters: messages never carry tracebacks or whole programs


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

    def to_body(self) -> dict[str, Any]:
        """The `error` object of the response body (the partial graph travels beside it)."""
        return {
            "kind": self.kind,
            "message": self.message,
            "line": self.line,
            "col": self.col,
            "end_line": self.end_line,
            "end_col": self.end_col,
        }

    def body_json(self) -> bytes:
        """The whole response body, `{"error": ..., "graph": ...}`, with the graph's bytes as they came."""
        graph = (
            self.graph if isinstance(self.graph, bytes) else json.dumps(self.graph, allow_nan=False).encode()
        )
        return b'{"error":' + json.dumps(self.to_body()).encode() + b',"graph":' + graph + b"}"


class RequestError(GradtraceError):
    status = 422


class BodyTooLarge(RequestError):
    kind, status = "body_too_large", 413


class InvalidRequest(RequestError):
    kind = "invalid_request"


class DeviceUnavailable(RequestError):
    kind = "device_unavailable"


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


class ForbiddenSyntax(ProgramError):
    kind = "forbidden_syntax"


class ForbiddenImport(ProgramError):
    kind = "forbidden_import"


class ForbiddenName(ProgramError):
    kind = "forbidden_name"


class ForbiddenAttribute(ProgramError):
    kind = "forbidden_attribute"


class ForbiddenArgument(ProgramError):
    kind = "forbidden_argument"


class ForbiddenOperation(ProgramError):
    kind = "forbidden_operation"


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
