"""Issue 15 in Chromium: the panes at a desk, on a laptop and on a phone (stacked, the inspector a drawer)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from actions import pick_example
from playwright.sync_api import Locator, Page, expect

pytestmark = pytest.mark.browser

# Scrolls the element to the middle of the screen; true when all of it is on screen and nothing covers it.
UNCOVERED = """(element) => {
  element.scrollIntoView({ block: "center" });
  const box = element.getBoundingClientRect();
  const onScreen = box.top >= 0 && box.left >= 0 && box.bottom <= innerHeight && box.right <= innerWidth;
  const centre = document.elementFromPoint(box.x + box.width / 2, box.y + box.height / 2);
  return onScreen && element.contains(centre);
}"""


def box(locator: Locator) -> dict[str, Any]:
    found = locator.bounding_box()
    assert found, f"{locator} is not displayed"
    return dict(found)


def test_the_panes_fit_the_screen_and_the_player_stays_usable(sized_page: Page, artifacts: Path) -> None:
    page = sized_page
    width = page.viewport_size["width"] if page.viewport_size else 0
    editor, graph = box(page.locator(".pane-editor")), box(page.locator(".pane-graph"))
    assert page.evaluate("document.scrollingElement.scrollWidth") <= width  # nothing sticks out sideways
    if width >= 900:  # three columns: editor | graph | inspector
        inspector = box(page.locator(".pane-inspector"))
        assert editor["x"] + editor["width"] <= graph["x"] < graph["x"] + graph["width"] <= inspector["x"]
        assert inspector["x"] + inspector["width"] <= width
    else:  # stacked: editor, then the graph at the full width; the inspector waits in a closed drawer
        assert editor["y"] + editor["height"] <= graph["y"]
        assert graph["width"] >= 0.95 * width
        assert box(page.locator(".graph-view .graph-stage"))["width"] >= 0.95 * width  # the drawing's window
        expect(page.locator(".pane-inspector")).to_be_hidden()
    page.get_by_role("button", name="Examples").click()
    menu = box(page.get_by_role("menu"))
    assert menu["x"] >= 0 and menu["x"] + menu["width"] <= width  # the open menu fits the screen too
    page.keyboard.press("Escape")
    play = page.get_by_role("button", name="Play", exact=True)
    assert play.evaluate(UNCOVERED)
    page.screenshot(path=artifacts / f"layout-{width}.png")
    page.get_by_role("button", name="Step", exact=True).click()
    expect(page.locator(".counter")).to_have_text("1 / 14")


def test_on_a_phone_the_inspector_is_a_drawer_that_gives_the_player_back(sized_page: Page) -> None:
    page = sized_page
    toggle = page.get_by_role("button", name="Inspector")
    if (page.viewport_size or {"width": 0})["width"] >= 900:
        expect(toggle).to_be_hidden()  # a column there, always open
        expect(page.locator(".pane-inspector")).to_be_visible()
        return
    page.locator('[data-node-id][data-label="w"]').click()  # a tapped node opens the drawer on its facts
    drawer = page.locator(".pane-inspector")
    expect(drawer).to_be_in_viewport()
    expect(drawer.locator(".inspector h3")).to_have_text("w")
    expect(toggle).to_have_attribute("aria-expanded", "true")
    drawer.get_by_role("button", name="Close").click()
    expect(drawer).to_be_hidden()
    assert page.get_by_role("button", name="Play", exact=True).evaluate(UNCOVERED)
    toggle.click()
    expect(drawer).to_be_in_viewport()
    page.keyboard.press("Escape")
    expect(drawer).to_be_visible()  # Escape closes it only from inside
    drawer.get_by_role("button", name="Close").focus()
    page.keyboard.press("Escape")
    expect(drawer).to_be_hidden()
    expect(toggle).to_be_focused()


def test_a_long_program_scrolls_inside_the_editor_never_over_the_graph(sized_page: Page) -> None:
    page = sized_page
    pick_example(page, "gpt2_block")  # about a hundred lines
    editor = page.locator(".editor-host")
    drawn = editor.evaluate(
        "(host) => host.shadowRoot.querySelector('.cm-editor').getBoundingClientRect().height"
    )
    assert drawn <= box(editor)["height"] + 1  # the editor scrolls; it never spills over the panes below
    for control in ("Play", "Zoom out"):
        assert page.get_by_role("button", name=control, exact=True).evaluate(UNCOVERED), control
