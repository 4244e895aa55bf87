"""The matching rules of a comparison, on the fixture the page's tests/js/model/diff.test.js checks too: both
sides must answer every case exactly alike."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from app.diff import diff_graphs
from app.diff.lines import MAX_CELLS, align_lines
from app.diff.match import tensor_delta

FIXTURE = Path(__file__).resolve().parents[1] / "js" / "fixtures" / "diff.json"
CASES: list[dict[str, Any]] = json.loads(FIXTURE.read_text(encoding="utf-8"))


@pytest.mark.parametrize("case", CASES, ids=[case["name"] for case in CASES])
def test_the_server_answers_each_shared_case_as_the_fixture_says(case: dict[str, Any]) -> None:
    before, after = case["before"], case["after"]
    assert diff_graphs(before["graph"], after["graph"], before["source"], after["source"]) == case["expected"]


def test_the_fixture_covers_added_removed_norms_and_missing_deltas() -> None:
    by_name = {case["name"].split(":")[0]: case["expected"] for case in CASES}
    assert by_name["a line inserted"]["added"] == ["n1"]
    assert [(m["before"], m["after"]) for m in by_name["a line inserted"]["matched"]] == [
        ("n0", "n0"),
        ("n1", "n2"),
        ("n2", "n3"),
    ]
    assert by_name["a line deleted"]["removed"] == ["n1"]
    edited = by_name["a line edited next to an inserted one"]
    assert ([(m["label"], m["after"]) for m in edited["matched"]], edited["added"]) == (
        [("w", "n0"), ("loss", "n2")],
        ["n1"],
    )
    swapped = by_name["an activation swapped"]
    assert swapped["matched"][1]["data"] == {
        "abs": 0.5,
        "rel": 0.5,
        "basis": "values",
        "before_norm": None,
        "after_norm": None,
    }
    assert (swapped["before"]["loss"], swapped["after"]["loss"]) == (0.75, 1.0)
    big = next(c["expected"] for c in CASES if c["name"].startswith("big tensors"))
    assert big["matched"][0]["data"]["basis"] == "norm"
    assert [m["data"] for m in big["matched"][1:3]] == [None, None]


def test_lines_move_with_an_insertion_and_an_edited_line_keeps_its_place() -> None:
    assert align_lines("a\nb\nc", "a\nX\nb\nc") == {1: 1, 2: 3, 3: 4}
    assert align_lines("a\nb = 1\nc", "a\nb = 2\nc") == {1: 1, 2: 2, 3: 3}
    assert align_lines("a\nb\nc\nd", "a\nc\nd") == {1: 1, 3: 2, 4: 3}


def test_a_middle_too_big_for_the_table_is_paired_in_order() -> None:
    side = int(MAX_CELLS**0.5) + 2
    before = "\n".join(["top", *(f"b{k}" for k in range(side)), "end"])
    after = "\n".join(["top", *(f"a{k}" for k in range(side)), "end"])
    pairs = align_lines(before, after)
    assert len(pairs) == side + 2 and pairs[2] == 2 and pairs[side + 2] == side + 2


def test_relative_delta_is_against_the_larger_magnitude() -> None:
    before = {"shape": [2], "values": [0.25, -1.0]}
    after = {"shape": [2], "values": [0.75, -1.0]}
    delta = tensor_delta(before, after)
    assert delta is not None and (delta["abs"], delta["rel"]) == (0.5, 0.5)
    assert tensor_delta(before, None) is None
