"""End to end in headless Chromium against the live app: run, animate, read grads, errors, groups, links."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from actions import VIEWPORTS, opened, pick_example, program_text, run, set_program
from long_runs import UNFINISHABLE
from playwright.sync_api import Browser, Page, expect

pytestmark = pytest.mark.browser

LOGISTIC = """import torch
import torch.nn.functional as F
x = torch.tensor(1.1)
w = torch.tensor(2.2, requires_grad=True)
b = torch.tensor(0.0, requires_grad=True)
y = torch.tensor(1.0)
z = x * w + b
a = torch.sigmoid(z)
loss = F.binary_cross_entropy(a, y)
loss.backward()
"""

FAILS_AT_LINE_3 = """import torch
x = torch.tensor([1.0, 2.0])
y = x @ torch.ones(3)
"""

MODULES = """import torch
import torch.nn as nn
class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(3, 2)
        self.fc2 = nn.Linear(2, 1)
    def forward(self, x):
        return self.fc2(torch.relu(self.fc1(x)))
torch.manual_seed(0)
net = Net()
loss = net(torch.ones(1, 3)).sum()
loss.backward()
"""


def counter(page: Page) -> tuple[int, int]:
    position, length = page.locator(".counter").text_content().split(" / ")
    return int(position), int(length)


def play_to_end(page: Page) -> None:
    page.get_by_label("Speed").select_option("0")
    page.get_by_role("button", name="Play", exact=True).click()
    length = counter(page)[1]
    expect(page.locator(".counter")).to_have_text(f"{length} / {length}")


def grad_of(page: Page, label: str) -> float:
    text = page.locator(f'[data-label="{label}"] .grad').first.text_content()
    match = re.fullmatch(r"grad ([−-]?[\d.e−-]+)", text)
    assert match, f"no gradient on {label}: {text!r}"
    return float(match.group(1).replace("−", "-"))


def test_logistic_neuron_gradients_appear_after_playing_to_the_end(page: Page) -> None:
    run(page, LOGISTIC)
    assert page.locator('[data-label="w"] .grad').first.text_content() == ""
    play_to_end(page)
    assert round(grad_of(page, "w"), 4) == -0.0898
    assert round(grad_of(page, "b"), 4) == -0.0817
    expect(page.locator(".phases .current")).to_have_text(re.compile("backward|optimizer"))


def test_stepping_back_and_forth_hides_and_shows_the_same_values(page: Page) -> None:
    run(page, LOGISTIC)
    page.get_by_role("button", name="End", exact=True).click()
    position, length = counter(page)
    assert position == length > 0
    last_sentence = page.locator(".sentence").text_content()
    page.get_by_role("button", name="Step back", exact=True).click()
    assert counter(page)[0] == length - 1
    page.get_by_role("button", name="Step", exact=True).click()
    assert page.locator(".sentence").text_content() == last_sentence
    page.get_by_role("button", name="Start", exact=True).click()
    assert page.locator('[data-label="w"] .grad').first.text_content() == ""
    page.locator("body").click(position={"x": 5, "y": 5})
    page.keyboard.press("ArrowRight")
    assert counter(page)[0] == 1
    expect(page.locator(".sentence")).to_contain_text("Forward:")
    page.keyboard.press("End")
    assert round(grad_of(page, "w"), 4) == -0.0898


def test_a_runtime_error_marks_its_line_and_shows_the_message(page: Page) -> None:
    set_program(page, FAILS_AT_LINE_3)
    page.get_by_role("textbox", name="Program").press("Control+Enter")
    expect(page.locator(".status")).to_have_attribute("data-kind", "error")
    expect(page.locator(".problem-place")).to_have_text("Line 3, column 5")
    expect(page.locator(".problem-message")).to_have_text(
        re.compile(r"^RuntimeError: inconsistent tensor size")
    )
    expect(page.locator(".cm-lint-marker-error")).to_have_count(1)
    expect(page.locator(".cm-lintRange-error")).to_have_text("x @ torch.ones(3)")  # the server's span
    expect(page.locator('[data-label="x"]')).to_be_visible()  # what ran before the error, laid out
    expect(page.locator(".graph-view")).to_have_attribute("data-state", "partial")


def test_collapsing_a_module_hides_its_nodes_and_expanding_restores_them(page: Page) -> None:
    run(page, MODULES)
    header = page.locator('.group-header[data-group-id="net"]')
    members = page.locator('[data-node-id][data-label^="fc1."]')
    expect(members.first).to_be_visible()
    header.click()
    expect(page.locator('.group-header[data-group-id="net"]')).to_have_attribute("aria-expanded", "false")
    expect(members.first).to_be_hidden()
    expect(page.locator(".call-box")).to_have_count(0)  # the calls inside net are inside its box too
    page.locator('.group-header[data-group-id="net"]').click()
    expect(page.locator('.group-header[data-group-id="net"]')).to_have_attribute("aria-expanded", "true")
    expect(members.first).to_be_visible()
    expect(page.locator('.call-box[data-label="fc1"]')).to_be_visible()


def test_a_shared_link_reproduces_the_run(page: Page) -> None:
    run(page, LOGISTIC)
    page.get_by_label("Dtype").select_option("float64")
    page.get_by_role("button", name="Share", exact=True).click()
    # every run already wrote its own link into the address bar: wait for Share's (it encodes float64)
    expect(page.locator(".status-message")).to_contain_text(re.compile("link", re.IGNORECASE))
    expect(page).to_have_url(re.compile(r"#p=[\w-]+&lang=en$"))  # the link carries the page's language
    shared = page.context.new_page()
    shared.goto(page.url)
    expect(shared.locator('[data-label="w"]').first).to_be_visible()
    assert program_text(shared) == LOGISTIC
    assert shared.get_by_label("Dtype").input_value() == "float64"
    shared.get_by_role("button", name="End", exact=True).click()
    assert round(grad_of(shared, "w"), 4) == -0.0898


def test_program_text_stays_text(page: Page) -> None:
    program = LOGISTIC + "# </script><img src=x id=injected>\nprint('<b id=bold>', w.grad)\n"
    run(page, program)
    expect(page.get_by_label("Printed output")).to_contain_text("<b id=bold>")
    assert page.locator("#bold").count() == 0
    page.locator('[data-label="w"]').first.click()
    expect(page.locator(".inspector h3")).to_have_text("w")
    assert page.locator("#injected").count() == 0
    assert program_text(page) == program


def test_clicking_a_node_inspects_it_and_a_line_highlights_its_nodes(page: Page) -> None:
    run(page, LOGISTIC)
    page.get_by_role("button", name="End", exact=True).click()
    page.locator('[data-label="w"]').first.click()
    expect(page.locator(".inspector .source-line")).to_contain_text("w = torch.tensor(2.2")
    expect(page.locator(".inspector .tensor.grad td")).to_have_text(re.compile(r"^−0\.0898"))
    expect(page.locator(".cm-marked-line")).to_have_text("w = torch.tensor(2.2, requires_grad=True)")
    page.locator(".cm-line").nth(7).click()  # a = torch.sigmoid(z)
    expect(page.locator(".node.highlight")).to_have_count(1)
    expect(page.locator(".node.highlight")).to_have_attribute("data-label", "a")


@pytest.mark.slow
def test_every_example_draws_and_animates(page: Page, artifacts: Path) -> None:
    examples = page.request.get("/examples").json()
    assert len(examples) >= 6
    for example in examples:
        pick_example(page, example["name"])
        status = page.locator(".status")
        assert status.get_attribute("data-kind") == "info", f"{example['name']}: {status.text_content()}"
        page.get_by_role("button", name="End", exact=True).click()
        page.screenshot(path=artifacts / f"example-{example['name']}.png")
        assert page.locator("[data-node-id]").count() > 0


def test_graph_json_and_svg_download(page: Page, tmp_path: Path) -> None:
    run(page, LOGISTIC)
    with page.expect_download() as json_download:
        page.get_by_role("button", name="Download JSON").click()
    graph = json.loads(Path(json_download.value.path()).read_text())
    assert {node["label"] for node in graph["nodes"]} >= {"w", "b", "loss"}
    with page.expect_download() as svg_download:
        page.get_by_role("button", name="Download SVG").click()
    drawing = Path(svg_download.value.path()).read_text()
    assert drawing.startswith("<svg") and 'data-label="w"' in drawing
    assert json_download.value.suggested_filename == "gradtrace-graph.json"


def test_arrow_keys_step_after_pressing_a_player_button(page: Page) -> None:
    run(page, LOGISTIC)
    page.get_by_role("button", name="Step", exact=True).click()
    page.keyboard.press("ArrowRight")
    assert counter(page)[0] == 2
    page.keyboard.press("Home")
    assert counter(page)[0] == 0


def test_dark_theme_follows_the_system(browser: Browser, base_url: str, artifacts: Path) -> None:
    with opened(browser, base_url, VIEWPORTS["1280x720"], "dark") as dark:
        run(dark, LOGISTIC)
        dark.get_by_role("button", name="End", exact=True).click()
        background = dark.evaluate("getComputedStyle(document.body).backgroundColor")
        dark.screenshot(path=artifacts / "dark-logistic.png")
    assert background == "rgb(20, 21, 24)"


def test_a_long_run_shows_elapsed_time_and_can_be_cancelled(page: Page) -> None:
    """The run would end only at the server's wall-clock limit: the elapsed time and Cancel are there to see,
    however fast the machine."""
    set_program(page, UNFINISHABLE)
    page.get_by_role("button", name="Run", exact=True).click()
    expect(page.locator(".status-elapsed")).to_have_text(re.compile(r"^\d+\.\d s$"))
    page.get_by_role("button", name="Cancel").click()
    expect(page.locator(".status-message")).to_have_text("Cancelled.")
    expect(page.locator(".graph-view")).to_have_attribute("data-state", "stale")  # the first run's, greyed
    expect(page.locator(".view-note")).to_have_text("Cancelled, so this is the previous run's graph.")
    run(page, LOGISTIC)
    expect(page.locator(".graph-view")).to_have_attribute("data-state", "current")
    expect(page.locator('[data-label="w"]').first).to_be_visible()


def test_inspector_shows_a_matrix_as_heatmap_with_statistics(page: Page, artifacts: Path) -> None:
    program = "import torch\ntorch.manual_seed(0)\nw = torch.randn(16, 16, requires_grad=True)\n"
    program += "loss = (w * w).sum()\nloss.backward()\n"
    run(page, program)
    page.get_by_role("button", name="End", exact=True).click()
    page.locator('[data-label="w"]').first.click()
    expect(page.locator(".tensor.value canvas.heatmap")).to_have_attribute("width", re.compile(r"^\d+$"))
    expect(page.locator(".tensor.grad canvas.heatmap")).to_be_visible()
    expect(page.locator(".tensor.value .stats")).to_contain_text("numel256")
    page.screenshot(path=artifacts / "inspector-heatmap.png")


def test_tab_indents_and_escape_releases_the_focus(page: Page) -> None:
    set_program(page, "def f(x):\n")
    area = page.get_by_role("textbox", name="Program")
    area.press("Control+End")
    area.press("Tab")
    page.keyboard.type("return x")
    assert program_text(page) == "def f(x):\n    return x"
    expect(page.locator(".editor-hint")).to_contain_text("Esc then Tab leaves the editor")
    area.press("Escape")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.closest('.editor') === null")  # focus moved on: no trap
    expect(area).not_to_be_focused()
