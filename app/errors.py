"""Every expected failure, as one small exception tree; each leaf's `kind` is the JSON error kind.

    GradtraceError                       (kind, status, message, line, col, end_line, end_col, graph)
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
    │   └── MemoryLimit                  422 memory_limit
    └── ServerError                      should never happen; logged
        ├── WorkerCrashed                500 worker_crashed
        └── InternalError                500 internal_error
"""

from __future__ import annotations

from typing import Any, ClassVar

__all__ = [
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
    "LimitExceeded",
    "MemoryLimit",
    "ProgramError",
    "ProgramRuntimeError",
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
    "validation_message",
]

MAX_MESSAGE = 300  # characters: messages never carry tracebacks or whole programs
MAX_LOCATION_PART = 40  # characters of one field name in a message: keys are client input too


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
        graph: dict[str, Any] | None = None,
    ) -> None:
        message = message if len(message) <= MAX_MESSAGE else message[: MAX_MESSAGE - 1] + "…"
        super().__init__(message)
        self.message = message
        self.line = line
        self.col = col
        self.end_line = end_line
        self.end_col = end_col
        self.graph = graph  # partial graph JSON (already encoded) when the run got somewhere

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


class ServerError(GradtraceError):
    status = 500


class WorkerCrashed(ServerError):
    kind = "worker_crashed"


class InternalError(ServerError):
    kind = "internal_error"


def _leaves(cls: type[GradtraceError]) -> list[type[GradtraceError]]:
    subs = cls.__subclasses__()
    return [leaf for sub in subs for leaf in _leaves(sub)] if subs else [cls]


_BY_KIND: dict[str, type[GradtraceError]] = {leaf.kind: leaf for leaf in _leaves(GradtraceError)}


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
