"""The program language: text checks, validation and a tree-walking interpreter (never eval/exec)."""

from __future__ import annotations

from app.program.context import Recorder
from app.program.interpreter import Interpreter
from app.program.source import check_source
from app.program.validate import validate

__all__ = ["Interpreter", "Recorder", "check_source", "validate"]
