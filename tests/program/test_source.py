"""Text checks: size and line caps, the characters that make shown code differ from run code, newline
normalisation, empty programs. Any other Unicode is a program's own business."""

from __future__ import annotations

import pytest

from app.errors import EmptyProgram, SourceRejected
from app.program.source import check_source


def check(text: str, max_chars: int = 1000, max_lines: int = 20) -> str:
    return check_source(text, max_chars=max_chars, max_lines=max_lines)


def test_crlf_is_normalised_and_tabs_pass() -> None:
    assert check("x = 1\r\nif x:\n\ty = 2\r\n") == "x = 1\nif x:\n\ty = 2\n"


def test_too_many_characters_names_the_cap() -> None:
    with pytest.raises(SourceRejected, match="1001 characters; the limit is 1000"):
        check("x" * 1001)


def test_too_many_lines_names_the_cap() -> None:
    with pytest.raises(SourceRejected, match="21 lines; the limit is 20"):
        check("x = 1\n" * 20)


@pytest.mark.parametrize(
    ("text", "code", "line", "col", "why"),
    [
        ("x = 1\ny = '\x00'", "U+0000", 2, 5, "control"),
        ("s = 'abc\u202e'", "U+202E", 1, 8, "bidirectional"),  # Trojan Source: the shown order lies
        ("s = 1  # \u2066x", "U+2066", 1, 9, "bidirectional"),
        ("x = '\ud800'", "U+D800", 1, 5, "surrogate"),
        ("x = 1\x1b[2J", "U+001B", 1, 5, "control"),
    ],
)
def test_characters_that_hide_code_are_rejected_at_their_position(
    text: str, code: str, line: int, col: int, why: str
) -> None:
    with pytest.raises(SourceRejected) as caught:
        check(text)
    assert code in caught.value.message and why in caught.value.message
    assert (caught.value.line, caught.value.col, caught.value.end_col) == (line, col, col + 1)


@pytest.mark.parametrize(
    "text",
    [
        "print('café — naïve ✓')\n",
        "# Ελληνικά σχόλια\nx = 1\n",
        "größe = 3\n",
        "s = 'a\u00a0b'\n",
        "x = 1  # 😀\n",
    ],
)
def test_any_other_unicode_is_the_programs_own(text: str) -> None:
    assert check(text) == text


@pytest.mark.parametrize("text", ["", "   \n\n", "# only a comment\n   # another\n"])
def test_empty_or_comment_only_is_empty_program(text: str) -> None:
    with pytest.raises(EmptyProgram):
        check(text)
