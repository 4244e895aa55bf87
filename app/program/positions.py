"""Where in the program something happens, read from the program's own frames (Python 3.11 positions).

The program is compiled with the file name PROGRAM_FILE, so its frames are told apart from torch's and ours.
Each instruction of a 3.11 code object knows the exact source range it came from: for the CALL that is running
`torch.sigmoid(w * x + b)` that is the whole call, for `x * w` the BINARY_OP's operands and operator.
"""

from __future__ import annotations

import sys
import weakref
from types import CodeType, FrameType, TracebackType
from typing import TypeAlias

from app.errors import Frame

__all__ = ["PROGRAM_FILE", "Span", "frame_span", "program_frame", "traceback_frames"]

PROGRAM_FILE = "<program>"
Span: TypeAlias = tuple[int, int, int, int]  # line, col, end_line, end_col (1-based lines, 0-based cols)


def program_frame(depth: int = 1) -> FrameType | None:
    """The innermost frame of the program's own code on the current stack, skipping `depth` callers."""
    frame: FrameType | None = sys._getframe(depth + 1)
    while frame is not None and frame.f_code.co_filename != PROGRAM_FILE:
        frame = frame.f_back
    return frame


def frame_span(frame: FrameType) -> Span | None:
    """The source range of the instruction `frame` is executing now."""
    return _instruction_span(frame.f_code, frame.f_lasti)


def traceback_frames(traceback: TracebackType | None) -> list[Frame]:
    """The program's own frames of a traceback, outermost first (torch's and gradtrace's are left out)."""
    frames: list[Frame] = []
    while traceback is not None:
        code = traceback.tb_frame.f_code
        if code.co_filename == PROGRAM_FILE:
            span = _instruction_span(code, traceback.tb_lasti) or (traceback.tb_lineno, None, None, None)
            name = "<module>" if code.co_name == "<module>" else code.co_qualname
            frames.append(Frame(name, *span))
        traceback = traceback.tb_next
    return frames


def _instruction_span(code: CodeType, lasti: int) -> Span | None:
    if lasti < 0:
        return None
    try:
        line, end_line, col, end_col = _positions(code)[lasti // 2]
    except IndexError:
        return None
    if line is None or col is None or end_line is None or end_col is None:
        return None
    return line, col, end_line, end_col


_Positions: TypeAlias = list[tuple[int | None, int | None, int | None, int | None]]
_CACHE: weakref.WeakKeyDictionary[CodeType, _Positions] = weakref.WeakKeyDictionary()


def _positions(code: CodeType) -> _Positions:
    """co_positions() as a list, once per code object (a loop body asks for the same code many times)."""
    found = _CACHE.get(code)
    if found is None:
        found = _CACHE[code] = list(code.co_positions())
    return found
