"""The program: text checks, parsing with positioned errors, name reports, and running it as real Python.

The kernel jail around the sandbox child is the wall (app/sandbox); nothing here is a security boundary.
"""

from __future__ import annotations

from app.program.execute import CompiledProgram, NameHook, compile_program
from app.program.failures import RecordingFailed, program_error
from app.program.output import BoundedOutput
from app.program.positions import PROGRAM_FILE, frame_span, program_frame
from app.program.source import check_source

__all__ = [
    "PROGRAM_FILE",
    "BoundedOutput",
    "CompiledProgram",
    "NameHook",
    "RecordingFailed",
    "check_source",
    "compile_program",
    "frame_span",
    "program_error",
    "program_frame",
]
