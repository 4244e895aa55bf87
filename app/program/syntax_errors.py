"""Layer 2a: `ast.parse`, every parser failure turned into a positioned error with a hint where obvious."""

from __future__ import annotations

import ast

from app.errors import ProgramError, SyntaxProblem, TooComplex

__all__ = ["parse"]


def parse(source: str) -> ast.Module:
    """The module tree, or a SyntaxProblem/TooComplex carrying line, column and a hint."""
    try:
        return ast.parse(source, mode="exec")
    except (RecursionError, MemoryError) as exc:
        raise TooComplex("the program is nested too deeply for the parser") from exc
    except SyntaxError as exc:
        raise _from_syntax_error(exc, source) from None
    except (ValueError, UnicodeError) as exc:
        raise SyntaxProblem(f"the program could not be read: {exc}") from None


def _from_syntax_error(exc: SyntaxError, source: str) -> ProgramError:
    """Python's message and position, plus a hint for the mistakes learners make most."""
    line = exc.lineno or 1
    col = max((exc.offset or 1) - 1, 0)
    message = exc.msg or "invalid syntax"
    if "too many nested" in message or "too many statically nested" in message:
        return TooComplex(f"{message} (line {line})", line=line, col=col)
    lines = source.split("\n")
    text = lines[line - 1] if 0 < line <= len(lines) else ""
    hint = _hint(exc, message, text)
    end_line = exc.end_lineno if exc.end_lineno and exc.end_lineno >= line else None
    end_col = max(exc.end_offset - 1, 0) if exc.end_offset and end_line else None
    full = f"{message} (line {line}, column {col + 1})" + (f". Hint: {hint}" if hint else "")
    return SyntaxProblem(full, line=line, col=col, end_line=end_line, end_col=end_col)


def _hint(exc: SyntaxError, message: str, text: str) -> str | None:
    """A short hint when the cause is obvious from the message or the line."""
    if "//" in text:
        return "Python comments start with #, not //"
    if isinstance(exc, TabError) or "tabs and spaces" in message:
        return "indent with spaces only (4 per level); do not mix tabs and spaces"
    if isinstance(exc, IndentationError):
        return "lines in the same block must start at the same column"
    if "never closed" in message or "unmatched" in message or "does not match" in message:
        return "check that every (, [ and { has its matching ), ] or }"
    return None
