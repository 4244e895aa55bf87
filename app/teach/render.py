"""Cards in English, from static/i18n/en.json: the one source of the wording, which the page also renders
(static/js/model/cards.js does there what `render` does here)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

from app.models import Card
from app.teach.numbers import number

__all__ = ["CATALOGUE", "CATALOGUE_FILE", "render", "render_all"]

CATALOGUE_FILE = Path(__file__).resolve().parents[2] / "static" / "i18n" / "en.json"
# read once at import: the sandbox child that renders may not read files outside the Python installation
CATALOGUE: dict[str, str] = json.loads(CATALOGUE_FILE.read_text(encoding="utf-8"))

_PLACEHOLDER = re.compile(r"\{(\w+)(\+?)\}")
_SPECIAL = {"NaN": float("nan"), "Infinity": float("inf"), "-Infinity": float("-inf")}

NumberFormat = Callable[[float], str]


def render(card: Card, fmt: NumberFormat = number) -> str:
    """The card's template, each `{arg}` filled in (`{arg+}` joins a list with " + "), numbers by `fmt`."""

    def fill(match: re.Match[str]) -> str:
        name, joined = match.groups()
        value = card.args[name]  # a missing arg is a bug of the card's maker: let it show in tests
        if joined and isinstance(value, list):
            return " + ".join(_text(item, fmt) for item in value)
        return _text(value, fmt)

    return _PLACEHOLDER.sub(fill, CATALOGUE[card.key])


def render_all(cards: list[Card]) -> str | None:
    """Several cards as one line (`formula`): joined with "; ", None for none."""
    return "; ".join(render(item) for item in cards) or None


def _text(value: object, fmt: NumberFormat) -> str:
    if isinstance(value, Card):
        return render(value, fmt)
    if isinstance(value, list):
        return "[" + ", ".join(_text(item, fmt) for item in value) + "]"
    if isinstance(value, int | float) and not isinstance(value, bool):
        return fmt(value)
    if value is None:
        return ""
    text = str(value)
    return fmt(_SPECIAL[text]) if text in _SPECIAL else text
