"""Layer 1: text checks before parsing, so homoglyphs, bidi tricks and NUL bytes never reach the parser."""

from __future__ import annotations

from app.errors import EmptyProgram, SourceRejected

__all__ = ["check_source"]

_ALLOWED_CONTROLS = frozenset("\n\t")


def check_source(text: str, *, max_chars: int, max_lines: int) -> str:
    """The program with `\\r\\n` normalised, or an error naming the cap or the first bad character."""
    if len(text) > max_chars:
        raise SourceRejected(f"the program has {len(text)} characters; the limit is {max_chars}")
    text = text.replace("\r\n", "\n")
    lines = text.split("\n")
    if len(lines) > max_lines:
        raise SourceRejected(f"the program has {len(lines)} lines; the limit is {max_lines}")
    for number, line in enumerate(lines, start=1):
        _check_line(line, number)
    if not any(_is_code(line) for line in lines):
        raise EmptyProgram("the program is empty (only blank lines or comments)")
    return text


def _check_line(line: str, number: int) -> None:
    """Only printable ASCII plus tab: this one rule stops NUL, surrogates, zero-width, bidi and homoglyphs."""
    for col, char in enumerate(line):
        if (" " <= char <= "~") or char in _ALLOWED_CONTROLS:
            continue
        raise SourceRejected(
            f"character U+{ord(char):04X} at line {number}, column {col + 1} is not allowed: "
            "programs are plain printable ASCII",
            line=number,
            col=col,
            end_line=number,
            end_col=col + 1,
        )


def _is_code(line: str) -> bool:
    """A line that is neither blank nor only a comment."""
    stripped = line.strip()
    return bool(stripped) and not stripped.startswith("#")
