"""Comparing two runs in the page: the Sigmoid/ReLU example opens compared (matched count, per-node deltas,
an A/B switch to play either run), and the Compare button keeps a run as A for the next run."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import httpx
from actions import run, settled
from playwright.sync_api import Page, expect
from waiting import BACKSTOP_SECONDS

from app.examples import SIGMOID_RELU

PANEL = ".compare"
PAINTED = re.compile(r"\bdiff-coloured\b")


def _server_diff(base_url: str, before: str, after: str) -> dict[str, Any]:
    """POST /diff's answer: the page compares the same two runs by the same rules."""
    body = {"before": {"program": before}, "after": {"program": after}}
    answer: dict[str, Any] = httpx.post(f"{base_url}/diff", json=body, timeout=BACKSTOP_SECONDS).json()
    return answer


def _match(diff: dict[str, Any], label: str) -> dict[str, Any]:
    found: dict[str, Any] = next(match for match in diff["matched"] if match["label"] == label)
    return found


def test_the_sigmoid_relu_pair_opens_compared_with_per_node_deltas(
    page: Page, base_url: str, artifacts: Path
) -> None:
    page.get_by_role("button", name="Examples").click()
    page.locator('[role="menuitem"][data-name="sigmoid_relu"]').click()
    panel = page.locator(PANEL)
    expect(panel.locator(".diff-counts")).to_have_text("38 matched · 0 added · 0 removed")
    settled(page)
    expect(page.locator(".cm-content")).to_contain_text("Activation = nn.ReLU")  # B is the editor's program
    expect(panel.get_by_role("button", name="B (after)")).to_have_attribute("aria-pressed", "true")
    expect(panel.locator(".diff-loss")).to_have_text("loss A 1.024 → B 1.099 (change 0.07543)")
    expect(panel.get_by_label("Colour by")).to_have_value("ratio")  # the pair opens on gradient size B / A
    diff = _server_diff(base_url, SIGMOID_RELU.code, SIGMOID_RELU.after or "")
    first, last = _match(diff, "0.weight"), _match(diff, "6.weight")
    # gradient size B / A: the first layer's gradient is 36.9 times larger with ReLU (78 % of the way from
    # white to red on the scale's two decades), the last layer's 0.92 times (white, a shade of blue)
    assert round(first["grad"]["after_norm"] / first["grad"]["before_norm"], 1) == 36.9
    assert round(last["grad"]["after_norm"] / last["grad"]["before_norm"], 2) == 0.92
    node = page.locator(f'[data-node-id="{first["after"]}"]')
    expect(node).to_have_class(PAINTED)
    colour = "n => n.style.getPropertyValue('--diff')"
    assert node.evaluate(colour) == "rgb(226, 84, 84)"
    assert page.locator(f'[data-node-id="{last["after"]}"]').evaluate(colour) == "rgb(244, 247, 252)"
    page.screenshot(path=str(artifacts / "compare-sigmoid-relu.png"))

    panel.get_by_label("Colour by").select_option("grad")  # the relative difference of each gradient
    assert float(node.get_attribute("data-diff-rel") or "nan") == first["grad"]["rel"]
    ids = "nodes => nodes.map((n) => n.dataset.nodeId)"
    drawn = set(page.locator("[data-node-id]").evaluate_all(ids))  # internals of closed calls are not drawn
    painted = set(page.locator("[data-node-id].diff-coloured").evaluate_all(ids))
    assert painted == {m["after"] for m in diff["matched"] if m["grad"] is not None} & drawn
    assert len(painted) == 16
    node.click()
    expect(panel.locator(".diff-node")).to_have_text(
        "0.weight: gradient max |B − A| = 0.02966 (relative 0.9954). "
        "Norm of the gradient: A 0.001622 → B 0.05986."
    )


def test_either_run_is_shown_and_plays(page: Page) -> None:
    page.get_by_role("button", name="Examples").click()
    page.locator('[role="menuitem"][data-name="sigmoid_relu"]').click()
    panel = page.locator(PANEL)
    expect(panel.locator(".diff-counts")).to_have_text("38 matched · 0 added · 0 removed")
    settled(page)
    activation = page.locator('[data-label="1"]').first  # the first activation: nn.ReLU in B, nn.Sigmoid in A
    expect(activation).to_have_attribute("aria-label", "1: operation ReluBackward0")
    panel.get_by_role("button", name="A (before)").click()
    expect(panel.get_by_role("button", name="A (before)")).to_have_attribute("aria-pressed", "true")
    expect(activation).to_have_attribute("aria-label", "1: operation SigmoidBackward0")
    expect(activation).to_have_class(PAINTED)  # A is painted from its own side of the comparison
    page.get_by_role("button", name="End", exact=True).click()  # A's whole run, its backward pass included
    expect(page.locator(".player .counter")).to_have_text(re.compile(r"^(\d+) / \1$"))
    # its gradient, from A's backward pass (the camera followed the pass: the node may be off screen)
    page.locator('[data-label="0.weight"]').first.dispatch_event("click")
    expect(page.locator(".inspector h3")).to_have_text("0.weight")
    expect(page.locator(".inspector .tensor.grad")).not_to_contain_text("not computed yet")


def test_compare_keeps_a_run_and_marks_the_node_a_new_line_added(page: Page, base_url: str) -> None:
    before = "import torch\nw = torch.tensor(2.0, requires_grad=True)\nloss = w * 3\nloss.backward()\n"
    after = before.replace("loss = w * 3", "v = w + 1\nloss = v * 3")
    run(page, before)
    page.get_by_role("button", name="Compare", exact=True).click()
    expect(page.locator(".status")).to_contain_text("This run is kept as A")
    graph = run(page, after)
    panel = page.locator(PANEL)
    expect(panel.locator(".diff-counts")).to_have_text("3 matched · 2 added · 0 removed")
    expect(panel.locator(".diff-loss")).to_have_text("loss A 6 → B 9 (change 3)")
    matched = {m["after"] for m in _server_diff(base_url, before, after)["matched"]}
    added = {node["id"] for node in graph["nodes"]} - matched
    assert len(added) == 2
    for node_id in added:
        expect(page.locator(f'[data-node-id="{node_id}"]')).to_have_class(re.compile(r"\bdiff-only\b"))
    panel.get_by_role("button", name="A (before)").click()  # A's loss is on line 3, which B gave to `v`
    page.locator('[data-label="loss"]').first.dispatch_event("click")
    expect(page.locator(".inspector .source-line")).to_have_text("loss = w * 3")
    panel.get_by_role("button", name="Stop comparing").click()
    expect(panel).to_be_hidden()
    expect(page.locator("[data-node-id].diff-coloured")).to_have_count(0)


def test_a_shared_link_reopens_the_comparison(page: Page) -> None:
    page.get_by_role("button", name="Examples").click()
    page.locator('[role="menuitem"][data-name="sigmoid_relu"]').click()
    counts = page.locator(PANEL).locator(".diff-counts")
    expect(counts).to_have_text("38 matched · 0 added · 0 removed")
    settled(page)
    page.get_by_role("button", name="Share", exact=True).click()
    expect(page.locator(".status")).to_contain_text(re.compile("link", re.IGNORECASE))
    page.reload()  # the address bar's link, opened again: A runs, then B, compared
    expect(counts).to_have_text("38 matched · 0 added · 0 removed")
    settled(page)
    expect(page.locator(".cm-content")).to_contain_text("Activation = nn.ReLU")
    activation = page.locator('[data-label="1"]').first
    expect(activation).to_have_attribute("aria-label", "1: operation ReluBackward0")


# The status line's kind in every frame the page paints, from the click on until it is stopped.
SAMPLE_KINDS = """() => {
  window.kinds = [];
  const sample = () => {
    window.kinds.push(document.querySelector(".status").dataset.kind);
    if (!window.stopSampling) requestAnimationFrame(sample);
  };
  requestAnimationFrame(sample);
}"""


def test_a_pair_is_one_run_to_the_person_waiting(page: Page) -> None:
    """Between A's answer and B's start the page never shows itself finished (a finished status is what a
    person, and the tests' `settled`, take as "the example is open")."""
    page.evaluate(SAMPLE_KINDS)
    page.get_by_role("button", name="Examples").click()
    page.locator('[role="menuitem"][data-name="sigmoid_relu"]').click()
    expect(page.locator(PANEL).locator(".diff-counts")).to_have_text("38 matched · 0 added · 0 removed")
    settled(page)
    kinds: list[str] = page.evaluate("() => { window.stopSampling = true; return window.kinds; }")
    ran = kinds[kinds.index("busy") :]
    finished = ran.index("info")
    assert set(ran[:finished]) == {"busy"} and set(ran[finished:]) == {"info"}, ran
