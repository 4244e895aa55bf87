"""Failures as answers: suggestions for unknown names, positions, and torch errors as runtime_error."""

from __future__ import annotations

import ast
import difflib
import logging
import os
import re
from collections.abc import Iterable

from app.errors import (
    ForbiddenAttribute,
    ForbiddenName,
    GradtraceError,
    InternalError,
    LimitExceeded,
    MemoryLimit,
    ProgramError,
    ProgramRuntimeError,
)

__all__ = ["as_program_error", "did_you_mean", "missing", "unknown_name"]

log = logging.getLogger(__name__)
_RECORDING_CODE = (f"{os.sep}app{os.sep}capture{os.sep}", f"{os.sep}app{os.sep}graph{os.sep}")
_PATH = re.compile(r"(?:[A-Za-z]:)?(?:/[\w.+-]+){2,}")
_INTERNAL_NOTE = re.compile(r"\s*\(Triggered internally at [^)]*\)")


def did_you_mean(name: str, candidates: Iterable[str]) -> str | None:
    """The closest candidate when it is close enough to be a typo."""
    close = difflib.get_close_matches(name, list(candidates), n=1, cutoff=0.7)
    return close[0] if close else None


def missing(qualified: str, name: str, candidates: Iterable[str], reason: str | None = None) -> ProgramError:
    """The error for an unavailable attribute: why (when known) or the closest available name."""
    if reason is not None:
        return ForbiddenAttribute(f"{qualified} is not available: it {reason}")
    close = did_you_mean(name, candidates)
    hint = f". Did you mean {qualified[: -len(name)]}{close}?" if close else ""
    return ForbiddenAttribute(f"{qualified} is not available{hint}")


def unknown_name(name: str, candidates: Iterable[str]) -> ProgramError:
    """The error for a name that is neither defined by the program nor a builtin."""
    close = did_you_mean(name, candidates)
    hint = f". Did you mean {close}?" if close else ""
    return ForbiddenName(f"name '{name}' is not defined or not available{hint}")


def as_program_error(exc: BaseException, node: ast.AST) -> GradtraceError:
    """An exception raised while evaluating `node`, as a positioned GradtraceError (no traceback/paths)."""
    if isinstance(exc, GradtraceError):
        error = exc
    elif _raised_in_recording(exc):
        log.error("recording failed inside the program", exc_info=exc)
        error = InternalError("recording this program failed (a gradtrace bug, logged on the server)")
    elif isinstance(exc, RecursionError):
        error = LimitExceeded("the program nests calls or expressions too deeply")
    elif isinstance(exc, MemoryError):
        error = MemoryLimit("the program ran out of memory")
    else:
        error = ProgramRuntimeError(f"{type(exc).__name__}: {_clean(str(exc))}")
    if error.line is None:
        error.line = getattr(node, "lineno", None)
        error.col = getattr(node, "col_offset", None)
        error.end_line = getattr(node, "end_lineno", None)
        error.end_col = getattr(node, "end_col_offset", None)
    return error


def _raised_in_recording(exc: BaseException) -> bool:
    """True when the innermost frame is the capture engine or graph builder: our bug, not the program's."""
    traceback = exc.__traceback__
    while traceback is not None and traceback.tb_next is not None:
        traceback = traceback.tb_next
    filename = traceback.tb_frame.f_code.co_filename if traceback is not None else ""
    return any(part in filename for part in _RECORDING_CODE)


def _clean(message: str) -> str:
    """Torch's message without notes about its own source files."""
    message = _INTERNAL_NOTE.sub("", message)
    return _PATH.sub("<internal>", message).strip()
