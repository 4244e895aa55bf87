"""A program's exception as an answer: its kind, a one-line message with a hint, and the program's own frames.

Only the program's frames are shown (torch's and gradtrace's never). An exception that the capture raised
about itself (RecordingFailed) is a gradtrace bug and becomes internal_error, logged with its traceback.
"""

from __future__ import annotations

import errno
import logging
import re
import socket

from app.errors import GradtraceError, InternalError, MemoryLimit, ProgramRuntimeError
from app.program.positions import traceback_frames

__all__ = ["RecordingFailed", "program_error"]

log = logging.getLogger(__name__)
# paths into the installation (torch's sources, the standard library): never the program's own files
_PATH = re.compile(r"(?:/[\w.+-]+)*/(?:site-packages|dist-packages|lib/python3[\w.]*)(?:/[\w.+-]+)*")
_INTERNAL_NOTE = re.compile(r"\s*\(Triggered internally at [^)]*\)")
NO_NETWORK = "the sandbox has no network"
INSTALLED_ONLY = (
    "the sandbox has the installed stack only (the standard library, torch, numpy) and no network to "
    "install or download anything"
)
FILES = "a program may read its installation and the data folder, and write only in its working folder"


class RecordingFailed(Exception):
    """The capture itself failed while the program ran (a gradtrace bug, not the program's)."""


def program_error(exc: BaseException) -> GradtraceError:
    """The error to answer for an exception that ended the program, positioned at its innermost frame."""
    frames = traceback_frames(exc.__traceback__)
    if isinstance(exc, RecordingFailed):
        log.error("recording failed inside the program", exc_info=exc.__cause__ or exc)
        return InternalError("recording this program failed (a gradtrace bug, logged on the server)")
    if isinstance(exc, GradtraceError):
        error = exc
    elif isinstance(exc, MemoryError):
        error = MemoryLimit("the program ran out of memory (MemoryError)")
    else:
        error = ProgramRuntimeError(_message(exc))
    if frames and error.line is None:
        where = frames[-1]
        error.line, error.col, error.end_line, error.end_col = (
            where.line, where.col, where.end_line, where.end_col,
        )  # fmt: skip
    if not error.frames:
        error.frames = frames
    return error


def _message(exc: BaseException) -> str:
    """`ZeroDivisionError: division by zero`, torch's notes about its own files removed, with a hint."""
    text = _PATH.sub("<internal>", _INTERNAL_NOTE.sub("", str(exc))).strip()
    message = f"{type(exc).__name__}: {text}" if text else type(exc).__name__
    hint = _hint(exc)
    return f"{message} ({hint})" if hint else message


def _hint(exc: BaseException) -> str | None:
    if isinstance(exc, ModuleNotFoundError):
        return INSTALLED_ONLY
    if isinstance(exc, EOFError):
        return "a program cannot read input here: give values in the code instead of input()"
    if isinstance(exc, socket.gaierror | ConnectionError):
        return NO_NETWORK
    if isinstance(exc, OSError) and exc.errno in (errno.EPERM, errno.EACCES, errno.EROFS):
        return FILES if exc.filename is not None else NO_NETWORK  # a refused socket() names no file
    return None
