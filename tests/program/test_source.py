"""Layer 1: size and line caps, printable ASCII only, newline normalisation, empty programs."""

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
    ("text", "code", "line", "col"),
    [
        ("x = 1\ny = '\x00'", "U+0000", 2, 5),
        ("ｔｏｒｃｈ = 1", "U+FF54", 1, 0),
        ("x = 1\u200b", "U+200B", 1, 5),
        ("s = 'abc\u202e'", "U+202E", 1, 8),
        ("p = 'р'", "U+0440", 1, 5),  # Cyrillic er
        ("x = '\ud800'", "U+D800", 1, 5),
    ],
)
def test_non_ascii_is_rejected_at_its_position(text: str, code: str, line: int, col: int) -> None:
    with pytest.raises(SourceRejected) as caught:
        check(text)
    assert code in caught.value.message
    assert (caught.value.line, caught.value.col, caught.value.end_col) == (line, col, col + 1)


@pytest.mark.parametrize("text", ["", "   \n\n", "# only a comment\n   # another\n"])
def test_empty_or_comment_only_is_empty_program(text: str) -> None:
    with pytest.raises(EmptyProgram):
        check(text)
