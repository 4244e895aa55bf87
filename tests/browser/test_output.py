"""The output panel: what the program printed, the figures it drew, and a long loop's passes."""

from __future__ import annotations

from actions import run
from playwright.sync_api import Page, expect

PLOT = """\
import matplotlib.pyplot as plt
import torch
losses = torch.tensor([3.0, 2.0, 1.0]) * 2
plt.plot(losses.tolist())
plt.show()
print("plotted")
"""

LOOP = """\
import torch
w = torch.tensor(1.0, requires_grad=True)
for step in range(30):
    loss = (w * 3 - 2) ** 2
    loss.backward()
    with torch.no_grad():
        w -= 0.01 * w.grad
    w.grad = None
"""


def test_a_figure_the_program_drew_shows_under_its_output(page: Page) -> None:
    graph = run(page, PLOT)
    assert len(graph["figures"]) == 1
    figure = page.locator(".output img.figure")
    expect(figure).to_have_count(1)
    expect(page.locator(".output .stdout")).to_have_text("plotted\n")
    width = figure.evaluate("image => image.naturalWidth")
    assert width > 100  # the PNG decoded under the page's CSP


def test_a_long_loop_says_which_passes_the_graph_draws_and_plots_every_loss(page: Page) -> None:
    graph = run(page, LOOP)
    assert graph["passes"]["total"] == 30 and graph["passes"]["kept"] == [0, 1, 28, 29]
    expect(page.locator(".passes-sentence")).to_contain_text("ran 30 backward passes")
    expect(page.locator(".passes-sentence")).to_contain_text("passes 1, 2, 29, 30")
    expect(page.locator(".passes-curve")).to_have_attribute("data-points", "30")
    expect(page.locator(".passes-curve .kept-pass")).to_have_count(4)
