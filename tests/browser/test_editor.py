"""Issue 15 in Chromium: the CodeMirror editor, each problem marked and said once, a first run on arrival."""

from __future__ import annotations

import json
import re

import pytest
from actions import program_text, run, set_program
from playwright.sync_api import Page, Route, expect

pytestmark = pytest.mark.browser

SEVEN_LINES = "import torch\nx = torch.tensor(1.0\nw = 2\nb = wieght + 1\n\nloss = (x * w\nprint(loss)\n"
PROBLEMS = [
    {"kind": "syntax_error", "message": "'(' was never closed (line 2, column 17)", "line": 2, "col": 16,
     "end_line": 2, "end_col": 17},
    {"kind": "forbidden_name", "message": "name 'wieght' is not defined", "line": 4, "col": 4, "end_line": 4,
     "end_col": 10},
    {"kind": "syntax_error", "message": "'(' was never closed", "line": 6, "col": 7, "end_line": None,
     "end_col": None},
]  # fmt: skip


def body_text(page: Page) -> str:
    text: str = page.evaluate("document.body.innerText")
    return text


def boxes_overlap(page: Page, first: str, second: str) -> bool:
    a, b = page.locator(first).bounding_box(), page.locator(second).bounding_box()
    assert a and b
    return not (
        a["x"] + a["width"] <= b["x"]
        or b["x"] + b["width"] <= a["x"]
        or a["y"] + a["height"] <= b["y"]
        or b["y"] + b["height"] <= a["y"]
    )


def test_the_first_visit_opens_on_the_logistic_neuron_already_run(sized_page: Page) -> None:
    page = sized_page  # the fixture waited for the first run's graph: no click was needed
    first = page.request.get("/examples").json()[0]
    assert first["name"] == "logistic"
    assert program_text(page) == first["code"]
    expect(page.locator('[data-node-id][data-label="w"]')).to_be_visible()
    expect(page.locator('[data-node-id][data-label="loss"]')).to_be_attached()
    expect(page.locator(".status-message")).to_have_text(
        re.compile(r"^8 nodes, 6 backward steps · loss 0\.08519")
    )
    expect(page.locator(".view-note")).to_be_hidden()


def test_the_editor_highlights_matches_brackets_undoes_and_searches(sized_page: Page) -> None:
    page = sized_page
    keyword = page.locator(".cm-line .tok-keyword").first
    expect(keyword).to_have_text("import")
    expect(page.locator(".cm-line .tok-number").first).to_have_text("1.1")
    expect(page.locator(".cm-line .tok-comment").first).to_have_text(
        re.compile(r"^# A single logistic neuron")
    )
    plain = page.locator(".cm-line").nth(1).evaluate("(line) => getComputedStyle(line).color")
    assert keyword.evaluate("(token) => getComputedStyle(token).color") != plain
    content = page.get_by_role("textbox", name="Program")
    set_program(page, "y = (1 + 2)\n")
    content.press("Control+Home")
    for _ in range(5):
        content.press("ArrowRight")  # the caret ends just after "(": it and its ")" are marked
    expect(page.locator(".cm-matchingBracket")).to_have_count(2)
    editor = page.locator(".cm-editor")
    expect(editor).to_have_class(re.compile("cm-focused"))
    assert editor.evaluate("(e) => [getComputedStyle(e).outlineStyle, getComputedStyle(e).outlineWidth]") == [
        "solid",
        "2px",
    ]
    page.keyboard.type("z")
    assert program_text(page) == "y = (z1 + 2)\n"
    content.press("Control+z")
    assert program_text(page) == "y = (1 + 2)\n"
    content.press("Control+f")
    expect(page.locator(".cm-search [name=search]")).to_be_focused()


def test_every_problem_the_server_lists_is_marked_and_written_once(sized_page: Page) -> None:
    page = sized_page

    def answer(route: Route) -> None:
        body = {"error": PROBLEMS[0], "errors": PROBLEMS, "graph": None}
        route.fulfill(status=422, content_type="application/json", body=json.dumps(body))

    page.route("**/graph", answer)
    set_program(page, SEVEN_LINES)
    page.get_by_role("button", name="Run", exact=True).click()
    expect(page.locator(".status")).to_have_attribute("data-kind", "error")
    expect(page.locator(".cm-gutter-lint .cm-lint-marker-error")).to_have_count(3)
    expect(page.locator(".cm-lintRange-error")).to_have_text(["(", "wieght", "("])
    expect(page.locator(".problem-place")).to_have_text(
        ["Line 2, column 17", "Line 4, column 5", "Line 6, column 8"]
    )
    text = body_text(page)
    assert text.count("'(' was never closed") == 2  # once per problem that says it
    assert text.count("name 'wieght' is not defined") == 1
    assert "(line 2, column 17)" not in text  # the place is said once, by the list, not again in the message
    expect(page.locator(".status-message")).to_have_text(
        "Run failed (syntax error): see the 3 problems under the program."
    )
    assert not boxes_overlap(page, ".problems", ".editor-host")  # written under the code, never over it
    assert page.locator(".problems").evaluate("(list) => list.scrollHeight <= list.clientHeight")  # all shown
    expect(page.locator(".graph-view")).to_have_attribute("data-state", "stale")
    expect(page.locator(".graph-view .graph")).to_have_css("opacity", "0.35")
    page.locator(
        ".cm-lint-marker-error"
    ).first.hover()  # the gutter's tooltip: the message, without its place
    expect(page.locator(".cm-tooltip-lint")).to_have_text("'(' was never closed")
    page.locator(".problem-place").nth(2).click()
    expect(page.get_by_role("textbox", name="Program")).to_be_focused()


def test_a_syntax_error_greys_the_old_graph_and_a_fixed_program_brings_a_current_one(
    sized_page: Page,
) -> None:
    page = sized_page
    set_program(page, "import torch\nx = torch.tensor(1.0\ny = (x +\n")
    page.get_by_role("textbox", name="Program").press("Control+Enter")
    places = page.locator(".problem-place")  # every syntax error, the first one first
    expect(places).to_have_text(["Line 2, column 18", "Line 3, column 1", "Line 4, column 1"], timeout=30_000)
    expect(page.locator(".problem-message").first).to_have_text("invalid syntax. Perhaps you forgot a comma?")
    assert "column 18" not in page.locator(".status-message").text_content()
    assert body_text(page).count("Perhaps you forgot a comma?") == 1
    expect(page.locator(".graph-view")).to_have_attribute("data-state", "stale")
    expect(page.locator(".view-note")).to_have_text(
        "Not up to date: the last run failed, so this is the previous run's graph."
    )
    expect(page.locator(".cm-lint-marker-error")).to_have_count(3)
    run(page, "import torch\nx = torch.tensor(1.0, requires_grad=True)\ny = (x + 1) * x\ny.backward()\n")
    expect(page.locator(".graph-view")).to_have_attribute("data-state", "current")
    expect(page.locator(".problems")).to_be_hidden()
    expect(page.locator(".cm-lint-marker-error")).to_have_count(0)
    expect(page.locator('[data-node-id][data-label="x"]')).to_be_visible()
