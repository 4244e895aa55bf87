"""One source of wording: every key the server emits is in static/i18n/en.json, en.json has no key nobody
emits, and the page's renderer (static/js/model/cards.js) writes what the server's writes."""

from __future__ import annotations

import ast
import json
import math
import re
from pathlib import Path

import pytest
from teaching import NEURON, traced

from app.errors import known_kinds
from app.examples import EXAMPLES
from app.models import Card
from app.teach.cards import KEYS, card
from app.teach.render import CATALOGUE, CATALOGUE_FILE, render

ROOT = Path(__file__).resolve().parents[2]
FIXTURE = ROOT / "tests" / "js" / "fixtures" / "cards.json"
_PLACEHOLDER = re.compile(r"\{(\w+)(\+?)\}")


def _string_literals(paths: list[Path]) -> set[str]:
    """Every string constant in the code, except in the registry of keys itself (`KEYS = ...`)."""
    found: set[str] = set()
    for path in paths:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        tree.body = [
            statement
            for statement in tree.body
            if not (isinstance(statement, ast.Assign) and getattr(statement.targets[0], "id", None) == "KEYS")
        ]
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                found.add(node.value)
    return found


def test_every_key_the_server_emits_is_in_the_english_catalogue() -> None:
    assert sorted(KEYS - set(CATALOGUE)) == []


# Keys the page builds from data: each example's words and each error kind's (static/js/ui/examples-menu.js,
# static/js/model/problems.js kindWords; "http_error" is the page's own, for an answer without an error body).
DATA_KEYS = {f"example.{item.name}.{field}" for item in EXAMPLES for field in ("title", "description")} | {
    f"error.{kind}" for kind in known_kinds() | {"http_error"}
}


def test_the_catalogue_has_no_key_nobody_emits() -> None:
    sources = [
        *(ROOT / "static" / "js").rglob("*.js"),
        *(ROOT / "templates").glob("*.html"),
    ]  # data-i18n="key"
    page = "".join(path.read_text(encoding="utf-8") for path in sources)
    unused = [key for key in CATALOGUE if key not in KEYS | DATA_KEYS and f'"{key}"' not in page]
    assert unused == []


def test_every_example_and_error_kind_is_worded() -> None:
    assert sorted(DATA_KEYS - set(CATALOGUE)) == []


def test_every_registered_key_is_used_in_the_server_code() -> None:
    assert sorted(KEYS - _string_literals(list((ROOT / "app").rglob("*.py")))) == []


def test_every_literal_key_given_to_card_is_registered() -> None:
    calls: list[str] = []
    for path in (ROOT / "app").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "card" and node.args:
                first = node.args[0]
                if isinstance(first, ast.Constant) and isinstance(first.value, str):
                    calls.append(first.value)
    assert len(calls) > 50
    assert sorted(set(calls) - KEYS) == []
    with pytest.raises(KeyError):
        card("chain.nonsense")


def test_templates_name_their_args_plainly() -> None:
    for key, template in json.loads(CATALOGUE_FILE.read_text(encoding="utf-8")).items():
        assert template.count("{") == template.count("}") == len(_PLACEHOLDER.findall(template)), key


def test_render_formats_numbers_lists_cards_and_sums() -> None:
    stats = card("tensor.stats.nonfinite", shape="5×10", nan=1, inf=2, mean=-0.35, norm=3.0)
    assert render(card("step.result", formula=card("local.log", y="y", x="x"), value=stats)) == (
        "dy/dx = 1/x = [5×10] with 1 NaN and 2 ±∞; its finite elements: μ = −0.3500, ‖·‖ = 3.0000"
    )
    fan = card("fanout.sum", x="b", terms=[[1.0, math.nan], [2.0, -math.inf]], value=[3.0, math.nan], count=2)
    assert render(fan) == "dL/db = [1.0000, NaN] + [2.0000, −∞] = [3.0000, NaN] (b is used 2 times)"
    sent = Card.model_validate_json(fan.model_dump_json())  # as the page receives it: "NaN" strings
    assert sent.args["terms"] == [[1.0, "NaN"], [2.0, "-Infinity"]]
    assert render(sent) == render(fan)


def _fixed(value: float) -> str:
    """The number format both sides of the parity fixture use (JavaScript's toFixed(4), String(±Infinity))."""
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    return f"{value:.4f}"


def _fixture_cards() -> list[Card]:
    _, graph = traced(NEURON)
    cards = [item for event in graph.backward for item in event.cards]
    cards.append(
        card("fanout.sum", x="b", terms=[[1.0, math.nan], [2.0, -math.inf]], value=[3.0, math.nan], count=2)
    )
    stats = card("tensor.stats.nonfinite", shape="5×10", nan=1, inf=2, mean=-0.35, norm=3.0)
    cards.append(card("step.result", formula=card("local.log", y="y", x="x"), value=stats))
    return cards


def test_the_page_fixture_is_what_the_server_sends_and_renders() -> None:
    """tests/js/model/cards.test.js renders these cards with static/js/model/cards.js: same text."""
    expected = [
        {"card": json.loads(item.model_dump_json()), "english": render(item, _fixed)}
        for item in _fixture_cards()
    ]
    written = json.loads(FIXTURE.read_text(encoding="utf-8")) if FIXTURE.exists() else None
    if written != expected:
        FIXTURE.write_text(json.dumps(expected, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        pytest.fail(f"{FIXTURE.name} was out of date and has been rewritten: review and commit it")
