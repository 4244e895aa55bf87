"""What the browser tests read off the drawn graph: label sizes in CSS px, boxes, overlaps, group toggles."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import Page, expect

Box = dict[str, float]

# Font size x the screen transform of every node label inside the drawing's window: what a person sees.
LABEL_PX = """() => {
  const stage = document.querySelector(".graph-stage").getBoundingClientRect();
  return [...document.querySelectorAll(".graph .node .label")].filter((t) => {
    const box = t.getBoundingClientRect();
    return box.width > 0 && box.left >= stage.left && box.right <= stage.right && box.top >= stage.top
      && box.bottom <= stage.bottom;
  }).map((t) => [t.textContent, parseFloat(getComputedStyle(t).fontSize) * t.getScreenCTM().a]);
}"""

# Screen rectangles of every box drawn: nodes, calls drawn as nodes, collapsed groups.
BOXES = """() => [...document.querySelectorAll(".graph .node, .graph .group.collapsed .group-box")]
  .filter((e) => e.getBoundingClientRect().width > 0 && getComputedStyle(e).display !== "none"
    && getComputedStyle(e.closest("g")).display !== "none")
  .map((e) => {
    const r = (e.matches(".node") ? e.querySelector(".shape") : e).getBoundingClientRect();
    const name = e.dataset.nodeId ?? e.closest("[data-group]").dataset.group;
    return { name, x: r.x, y: r.y, w: r.width, h: r.height };
  })"""

# The toggle of a group reachable by a pointer: its centre is inside the drawing's window, and the element a
# click there hits is the toggle itself (nothing drawn over it).
CLICKABLE = """(toggle) => {
  const stage = document.querySelector(".graph-stage").getBoundingClientRect();
  const r = (toggle.querySelector(".call-toggle-hit, text") ?? toggle).getBoundingClientRect();
  const x = r.x + r.width / 2;
  const y = r.y + r.height / 2;
  if (x < stage.left || x > stage.right || y < stage.top || y > stage.bottom) return null;
  const hit = document.elementFromPoint(x, y);
  return toggle.contains(hit) ? [x, y] : null;
}"""


def label_sizes(page: Page) -> list[tuple[str, float]]:
    """(label, rendered size in CSS px) of the labels the view shows."""
    sizes: list[list[Any]] = page.evaluate(LABEL_PX)
    return [(str(text), float(px)) for text, px in sizes]


def boxes(page: Page) -> list[Box]:
    found: list[Box] = page.evaluate(BOXES)
    return found


def overlapping(found: list[Box]) -> list[tuple[str, str]]:
    """Pairs of boxes that share more than a hairline of area."""
    pairs = []
    for i, a in enumerate(found):
        for b in found[i + 1 :]:
            dx = min(a["x"] + a["w"], b["x"] + b["w"]) - max(a["x"], b["x"])
            dy = min(a["y"] + a["h"], b["y"] + b["h"]) - max(a["y"], b["y"])
            if dx > 1 and dy > 1:
                pairs.append((str(a["name"]), str(b["name"])))
    return pairs


def rect(page: Page, selector: str) -> Box:
    found = page.locator(selector).first.bounding_box()
    assert found, f"{selector} is not displayed"
    return dict(found)


def inside(inner: Box, outer: Box) -> bool:
    return (
        inner["x"] >= outer["x"] - 0.5
        and inner["y"] >= outer["y"] - 0.5
        and inner["x"] + inner["width"] <= outer["x"] + outer["width"] + 0.5
        and inner["y"] + inner["height"] <= outer["y"] + outer["height"] + 0.5
    )


def toggle_of(page: Page, group: str) -> str:
    """The selector of what opens or closes a group: an open group's header, a collapsed call's box."""
    return f'.graph .group-header[data-group-id="{group}"], .graph .call-box[data-group-id="{group}"]'


def click_toggle(page: Page, group: str) -> None:
    """Open or close a group with a real mouse click: the keyboard focus brings its toggle on screen, then the
    pointer clicks it where it is drawn (it must be the topmost thing there)."""
    selector = toggle_of(page, group)
    before = page.locator(selector).first.get_attribute("aria-expanded")
    page.locator(selector).first.evaluate(
        "(toggle) => toggle.blur()"
    )  # a focus event, even if it had the focus
    page.locator(selector).first.focus()
    handle = page.locator(selector).first.element_handle()
    point = page.wait_for_function(CLICKABLE, arg=handle).json_value()
    page.mouse.click(point[0], point[1])
    after = "false" if before == "true" else "true"
    expect(page.locator(selector).first).to_have_attribute("aria-expanded", after, timeout=30_000)
    expect(page.locator(".graph.moving")).to_have_count(0)
