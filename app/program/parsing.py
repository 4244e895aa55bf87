"""`ast.parse` with positioned errors and hints; the other syntax errors come from parso.

CPython stops at the first syntax error. A learner who pasted code with several (`//` comments, a missing `:`
here and there) should see all of them at once, so parso's error-recovering parser lists the later ones.
"""

from __future__ import annotations

import ast
import logging

import parso

from app.errors import Problem, ProgramError, SyntaxProblem, TooComplex

__all__ = ["parse"]

log = logging.getLogger(__name__)
_GRAMMAR = parso.load_grammar(version="3.11")  # type: ignore[attr-defined]


def parse(source: str) -> ast.Module:
    """The module tree, or a SyntaxProblem/TooComplex carrying line, column, a hint and the later errors."""
    try:
        return ast.parse(source, filename="<program>", mode="exec")
    except (RecursionError, MemoryError) as exc:
        raise TooComplex("the program is nested too deeply for the parser") from exc
    except SyntaxError as exc:
        error = _from_syntax_error(exc, source)
    except (ValueError, UnicodeError) as exc:
        raise SyntaxProblem(f"the program could not be read: {exc}") from None
    error.also = _other_errors(source, besides=error.line or 0)
    raise error


def _from_syntax_error(exc: SyntaxError, source: str) -> ProgramError:
    """Python's message and position, plus a hint for the mistakes learners make most."""
    line = exc.lineno or 1
    col = max((exc.offset or 1) - 1, 0)
    message = exc.msg or "invalid syntax"
    if "too many nested" in message or "too many statically nested" in message:
        return TooComplex(message, line=line, col=col)
    lines = source.split("\n")
    text = lines[line - 1] if 0 < line <= len(lines) else ""
    hint = _hint(exc, message, text)
    end_line = exc.end_lineno if exc.end_lineno and exc.end_lineno >= line else None
    end_col = max(exc.end_offset - 1, 0) if exc.end_offset and end_line else None
    full = message + (f". Hint: {hint}" if hint else "")
    return SyntaxProblem(full, line=line, col=col, end_line=end_line, end_col=end_col)


def _hint(exc: SyntaxError, message: str, text: str) -> str | None:
    """A short hint when the cause is obvious from the message or the line."""
    if "//" in text.split("#")[0] and "//" not in message:
        return "Python comments start with #, not //"
    if isinstance(exc, TabError) or "tabs and spaces" in message:
        return "indent with spaces only (4 per level); do not mix tabs and spaces"
    if isinstance(exc, IndentationError):
        return "lines in the same block must start at the same column"
    if "never closed" in message or "unmatched" in message or "does not match" in message:
        return "check that every (, [ and { has its matching ), ] or }"
    if "print " in text and "Missing parentheses" in message:
        return "print is a function in Python 3: print(x)"
    return None


def _other_errors(source: str, *, besides: int) -> list[Problem]:
    """Syntax errors on other lines than `besides`, one per line, as parso's recovering parser sees them."""
    try:
        found = _GRAMMAR.iter_errors(_GRAMMAR.parse(source))
    except Exception:  # parso is only a second opinion: never let it hide the first error
        log.warning("parso could not list further syntax errors", exc_info=True)
        return []
    problems: list[Problem] = []
    seen = {besides}
    for issue in sorted(found, key=lambda item: item.start_pos):
        (line, col), (end_line, end_col) = issue.start_pos, issue.end_pos
        if line in seen:
            continue
        seen.add(line)
        message = issue.message.removeprefix("SyntaxError: ").removeprefix("IndentationError: ")
        problems.append(Problem("syntax_error", message, line, col, end_line, end_col))
    return problems
