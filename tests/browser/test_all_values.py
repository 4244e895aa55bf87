"""'Show all values' in Chromium: pages of a truncated tensor from POST /values, checked with plain torch."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import torch
from actions import run, set_program
from playwright.sync_api import Locator, Page, expect
from tolerance import assert_within_rounding

pytestmark = pytest.mark.browser

LINEAR = """\
import torch
import torch.nn as nn

torch.manual_seed(7)
lin = nn.Linear(300, 400)
x = torch.randn(8, 300)
y = lin(x)
loss = (y * y).mean()
loss.backward()
"""
# 400 steps on a 20 x 20 tensor: 800 heatmaps of 256 cells (values and gradients), past the response's budget
MANY_MATRICES = """\
import torch

h = torch.randn(20, 20, requires_grad=True)
for step in range(400):
    h = h * 1.001
h.sum().backward()
"""


def oracle() -> dict[str, torch.Tensor]:
    """LINEAR in plain torch: the weight (drawn: the same bits as the server's) and its gradient, flattened
    row-major."""
    torch.manual_seed(7)
    lin = torch.nn.Linear(300, 400)
    x = torch.randn(8, 300)
    (lin(x) ** 2).mean().backward()
    assert lin.weight.grad is not None
    return {"value": lin.weight.detach().flatten(), "grad": lin.weight.grad.flatten()}


def inspect(page: Page, graph: dict[str, Any], label: str) -> None:
    node = next(n for n in graph["nodes"] if n["label"] == label)
    page.locator(f'[data-node-id="{node["id"]}"]').dispatch_event("click")
    expect(page.locator(".inspector h3")).to_have_text(label)


def cell(panel: Locator, index: str) -> float:
    """The number in the row of this element index ("[3, 124]"), as shown (every digit, the page's "−")."""
    row = panel.locator("tbody tr").filter(has=panel.page.get_by_role("rowheader", name=index, exact=True))
    return float((row.locator("td").text_content() or "").replace("−", "-"))


def as_float32(value: float) -> torch.Tensor:
    return torch.tensor(value, dtype=torch.float32)


def test_all_values_page_through_the_weight_as_plain_torch_has_it(page: Page, tmp_path: Path) -> None:
    graph = run(page, LINEAR)
    page.get_by_role("button", name="End", exact=True).click()
    set_program(page, LINEAR.replace("seed(7)", "seed(8)"))  # edited, not run
    inspect(page, graph, "lin.weight")
    expected = oracle()
    section = page.locator(".inspector .tensor.value")
    section.get_by_role("button", name="Show all values").click()
    panel = section.locator(".values-panel")
    expect(panel.locator(".values-status")).to_have_text("Elements 0–1,023 of 120,000: [0, 0] to [3, 123]")
    assert as_float32(cell(panel, "[0, 0]")) == expected["value"][0]  # the graph's program, not the editor's

    panel.get_by_role("button", name="Next ▶").click()
    status = "Elements 1,024–2,047 of 120,000: [3, 124] to [6, 247]"
    expect(panel.locator(".values-status")).to_have_text(status)
    assert as_float32(cell(panel, "[3, 124]")) == expected["value"][1_024]

    panel.get_by_label("Element index").fill("399, 299")  # in the second block of 65,536: fetched on demand
    panel.get_by_label("Element index").press("Enter")
    expect(panel.locator("tr.marked th")).to_have_text("[399, 299]")
    assert as_float32(cell(panel, "[399, 299]")) == expected["value"][119_999]
    expect(panel.get_by_role("button", name="Next ▶")).to_be_disabled()

    with page.expect_download() as download:
        panel.get_by_role("button", name="CSV").click()
    csv = Path(download.value.path()).read_text().splitlines()
    assert csv[0] == "i0,i1,flat_index,value" and len(csv) == 1 + 120_000 - 119_808
    assert csv[-1].startswith("399,299,119999,")
    assert as_float32(float(csv[-1].split(",")[3])) == expected["value"][119_999]


def test_gradient_pages_and_a_bad_index(page: Page) -> None:
    graph = run(page, LINEAR)
    page.get_by_role("button", name="End", exact=True).click()
    inspect(page, graph, "lin.weight")
    section = page.locator(".inspector .tensor.grad")
    section.get_by_role("button", name="Show all values").click()
    panel = section.locator(".values-panel")
    expect(panel.locator(".values-status")).to_contain_text("Elements 0–1,023 of 120,000")
    grad = oracle()["grad"]  # reduced along 300 inputs then 8 rows, in another order than the child's
    scale = grad.abs().max().item()
    assert_within_rounding(cell(panel, "[1, 5]"), grad[305], dtype=torch.float32, terms=300 + 8, scale=scale)
    panel.get_by_label("Element index").fill("400, 0")
    panel.get_by_role("button", name="Go", exact=True).click()
    expect(panel.locator(".values-status")).to_have_text("No element 400, 0 in a tensor of shape [400, 300].")
    expect(panel).to_have_class("values-panel failed")


def test_a_matrix_whose_heatmap_the_budget_left_out_says_so(page: Page) -> None:
    graph = run(page, MANY_MATRICES)
    assert graph["truncated"]["heatmaps"] is True
    node = next(n for n in graph["nodes"] if n["data"]["preview"] and n["data"]["heatmap"] is None)
    page.get_by_role("button", name="End", exact=True).click()
    page.locator(f'[data-node-id="{node["id"]}"]').dispatch_event("click")
    expect(page.locator(".inspector .tensor.value .heatmap-left-out")).to_have_text(
        "heatmap left out: the response keeps heatmaps for the smaller tensors only"
    )
    assert page.locator(".inspector .tensor.value canvas, .inspector .tensor.value .heatmap").count() == 0
