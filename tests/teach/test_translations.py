"""The page's languages (issue 20, part 4): static/i18n/<language>.json hold the same keys with the same
placeholders and the same numbers, the examples' words match the server's, and the Greek catalogue keeps to
the terms of docs/i18n.md's glossary."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest

from app.examples import EXAMPLES
from app.teach.render import CATALOGUE

ROOT = Path(__file__).resolve().parents[2]
FILES = sorted((ROOT / "static" / "i18n").glob("*.json"))
CATALOGUES = {path.stem: json.loads(path.read_text(encoding="utf-8")) for path in FILES}
GREEK = CATALOGUES["el"]
_PLACEHOLDER = re.compile(r"\{(\w+)\+?\}")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")

# docs/i18n.md: one Greek term per concept; its alternatives never appear
GLOSSARY_ALTERNATIVES = {
    "προκατάληψ": "bias is πόλωση",
    "βαθμίδ": "gradient is κλίση",
    "οπισθοδιάδοσ": "backward pass is ανάστροφο πέρασμα",
    "ευθύ πέρασμα": "forward pass is εμπρόσθιο πέρασμα",
    "προς τα εμπρός πέρασμα": "forward pass is εμπρόσθιο πέρασμα",
    "εμφύτευσ": "embedding is ενσωμάτωση",
    "ενσωμάτωμα": "embedding is ενσωμάτωση",
    "ζυγ": "weights are βάρη",
    "ζημί": "loss is απώλεια",
    "κόστος": "loss is απώλεια",
}


def test_the_page_speaks_english_and_greek() -> None:
    assert sorted(CATALOGUES) == ["el", "en"]
    assert CATALOGUES["en"] == CATALOGUE


@pytest.mark.parametrize("language", ["el"])
def test_every_key_is_in_every_catalogue(language: str) -> None:
    assert sorted(set(CATALOGUE) ^ set(CATALOGUES[language])) == []


def _differing(language: str, feature: Callable[[str], object]) -> list[str]:
    """The keys whose text in `language` differs from the English in `feature`."""
    other = CATALOGUES[language]
    return [key for key, text in CATALOGUE.items() if feature(text) != feature(other[key])]


@pytest.mark.parametrize("language", ["el"])
def test_each_key_has_the_same_placeholders_in_every_catalogue(language: str) -> None:
    assert _differing(language, lambda text: set(_PLACEHOLDER.findall(text))) == []
    # and names them plainly: every brace is a placeholder's
    for key, template in CATALOGUES[language].items():
        assert template.count("{") == template.count("}") == len(_PLACEHOLDER.findall(template)), key


@pytest.mark.parametrize("language", ["el"])
def test_each_sentence_has_the_same_numbers_in_every_catalogue(language: str) -> None:
    """One number format for every language: a translation writes 0.0852 and 32,704 as English does."""
    assert _differing(language, lambda text: sorted(_NUMBER.findall(text))) == []


def test_every_example_is_worded_in_the_catalogue_as_the_server_words_it() -> None:
    """GET /examples keeps its English; the menu shows example.<name>.* in the page's words."""
    for example in EXAMPLES:
        assert CATALOGUE[f"example.{example.name}.title"] == example.title
        assert CATALOGUE[f"example.{example.name}.description"] == example.description
    named = {key.split(".")[1] for key in CATALOGUE if key.startswith("example.")}
    assert named == {example.name for example in EXAMPLES}


def test_the_greek_catalogue_is_greek_and_keeps_to_the_glossary() -> None:
    found = [
        (key, word) for key, text in GREEK.items() for word in GLOSSARY_ALTERNATIVES if word in text.lower()
    ]
    assert found == []
    sentences = [key for key, text in CATALOGUE.items() if re.search(r"[a-z]{3,} [a-z]{3,} [a-z]{3,}", text)]
    untranslated = [key for key in sentences if GREEK[key] == CATALOGUE[key]]
    assert len(sentences) > 100
    assert untranslated == []
    assert "κλίση" in GREEK["inspector.grad"] and "πόλωση" in GREEK["example.logistic.description"]
