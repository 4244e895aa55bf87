"""Text checks before parsing: size caps, and the few characters that make displayed code lie.

The program runs as real Python inside the kernel jail, so these checks are not a security boundary. They
keep what the page shows equal to what runs: bidi controls (Trojan Source), NUL and lone surrogates are
refused with their position; any other Unicode (an accented name in a string, an emoji in a comment) is fine.
"""

from __future__ import annotations

import unicodedata

from app.errors import EmptyProgram, SourceRejected

__all__ = ["check_source"]

_BIDI = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c")
_ALLOWED_CONTROLS = frozenset("\n\t\f")


def check_source(text: str, *, max_chars: int, max_lines: int) -> str:
    """The program with `\\r\\n` normalised, or an error naming the cap or the first refused character."""
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
    for col, char in enumerate(line):
        reason = None if char in _ALLOWED_CONTROLS else _reason(char)
        if reason is not None:
            raise SourceRejected(
                f"character U+{ord(char):04X} at line {number}, column {col + 1} is not allowed: {reason}",
                line=number,
                col=col,
                end_line=number,
                end_col=col + 1,
            )


def _reason(char: str) -> str | None:
    """Why a character is refused, or None: any other character (a non-breaking space...) is harmless."""
    if char in _BIDI:
        return "bidirectional controls make the code shown differ from the code run"
    category = unicodedata.category(char)
    if category == "Cs":
        return "a lone surrogate is not a character"
    if category == "Cc":
        return "control characters are refused"
    return None


def _is_code(line: str) -> bool:
    """A line that is neither blank nor only a comment."""
    stripped = line.strip()
    return bool(stripped) and not stripped.startswith("#")
