"""Cards in English, from static/i18n/en.json: the one source of the wording, which the page also renders
(static/js/model/cards.js does there what `render` does here)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from app.models import Card
from app.teach.numbers import number

__all__ = ["CATALOGUE", "CATALOGUE_FILE", "render"]

CATALOGUE_FILE = Path(__file__).resolve().parents[2] / "static" / "i18n" / "en.json"
# read once at import: the sandbox child that renders may not read files outside the Python installation
CATALOGUE: dict[str, str] = json.loads(CATALOGUE_FILE.read_text(encoding="utf-8"))

_PLACEHOLDER = re.compile(r"\{(\w+)(\+?)\}")
_SPECIAL = {"NaN": float("nan"), "Infinity": float("inf"), "-Infinity": float("-inf")}

NumberFormat = Callable[[float], str]
Part = tuple[str, str, bool]  # text before a placeholder, the arg it names ("" at the end), joined with +


def _parts(template: str) -> list[Part]:
    """A template split once at its placeholders (GPT-2 124M renders ~2,000 lines per response)."""
    parts: list[Part] = []
    start = 0
    for match in _PLACEHOLDER.finditer(template):
        parts.append((template[start : match.start()], match.group(1), bool(match.group(2))))
        start = match.end()
    parts.append((template[start:], "", False))
    return parts


_TEMPLATES = {key: _parts(template) for key, template in CATALOGUE.items()}


def render(card: Card, fmt: NumberFormat = number) -> str:
    """The card's template, each `{arg}` filled in (`{arg+}` joins a list with " + "), numbers by `fmt`."""
    return _render(card.key, card.args, fmt)


def _render(key: str, args: dict[str, Any], fmt: NumberFormat) -> str:
    pieces: list[str] = []
    for text, name, joined in _TEMPLATES[key]:
        pieces.append(text)
        if not name:
            continue
        value = args[name]  # a missing arg is a bug of the card's maker: let it show in tests
        if joined and isinstance(value, list):
            pieces.append(" + ".join(_text(item, fmt) for item in value))
        else:
            pieces.append(_text(value, fmt))
    return "".join(pieces)


def _text(value: object, fmt: NumberFormat) -> str:
    kind = type(value)
    if kind is str:
        text = str(value)
        return fmt(_SPECIAL[text]) if text in _SPECIAL else text
    if kind is float or kind is int:
        return fmt(value)  # type: ignore[arg-type]
    if isinstance(value, Card):
        return _render(value.key, value.args, fmt)
    if isinstance(value, dict):  # a card inside a card read back from JSON
        return _render(value["key"], value.get("args", {}), fmt)
    if isinstance(value, list):
        return "[" + ", ".join(_text(item, fmt) for item in value) + "]"
    return "" if value is None else str(value)
