"""Issue 15 in Chromium: WCAG AA contrast in both themes, heading order, one tab stop in the graph, and an
examples menu that runs only on an explicit choice."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from actions import GRAPH_ANSWER, VIEWPORTS, Scheme, opened, program_text, run
from playwright.sync_api import Browser, Page, expect
from test_page import MODULES

pytestmark = pytest.mark.browser

# Two nn.Linear layers in a module, then an SGD step: inputs, parameters, operations, groups, the optimizer.
NET = MODULES + "opt = torch.optim.SGD(net.parameters(), lr=0.1)\nopt.step()\n"

# Every visible text (HTML, the editor's shadow DOM, SVG) and every graphic that must stand out (edges, node
# and group outlines, control borders, legend swatches, the primary button), with the colours it is drawn on:
# `layers` from top to bottom, each [CSS colour, extra alpha]. The contrast is computed in Python below.
COLLECT = """() => {
  const items = [];
  const all = [];
  const walk = (root) => {
    for (const el of root.querySelectorAll("*")) {
      all.push(el);
      if (el.shadowRoot) walk(el.shadowRoot);
    }
  };
  walk(document);
  const up = (el) => el.parentElement ?? el.parentNode?.host ?? null;
  const css = (el) => getComputedStyle(el);
  const alpha = (colour) => Number(colour.match(/rgba\\([^)]*,\\s*([\\d.]+)\\)/)?.[1] ?? 1);
  const opacity = (el) => {
    let o = 1;
    for (let e = el; e; e = up(e)) o *= Number(css(e).opacity);
    return o;
  };
  const behind = (el) => {
    const layers = [];
    for (let e = el; e; e = up(e)) {
      const colour = css(e).backgroundColor;
      if (alpha(colour) === 0) continue;
      layers.push([colour, 1]);
      if (alpha(colour) === 1) break;
    }
    return layers;
  };
  const shown = (el) => {
    const box = el.getBoundingClientRect();
    const area = box.width * box.height;
    return area > 4 && el.checkVisibility({ opacityProperty: true, visibilityProperty: true });
  };
  const exempt = (el) => Boolean(el.closest(":disabled, [data-state=stale] .graph")); // inactive ones
  const label = (el) => {
    const text = (el.textContent ?? "").trim().slice(0, 40);
    return `${el.tagName.toLowerCase()}.${[...el.classList].join(".")} "${text}"`;
  };
  // What an SVG text is drawn on: the shapes under its centre, then the page behind the drawing (null when
  // it is off screen or covered, as the phone's scrolled-away graph is).
  const under = (el) => {
    const box = el.getBoundingClientRect();
    const stack = document.elementsFromPoint(box.x + box.width / 2, box.y + box.height / 2);
    if (!stack.length || !el.ownerSVGElement.contains(stack[0])) return null; // covered by something else
    const layers = [];
    for (const hit of stack) {
      if (hit instanceof SVGGeometryElement) {
        const fill = css(hit).fill;
        if (fill === "none" || fill.startsWith("url")) continue;
        const extra = Number(css(hit).fillOpacity) * opacity(hit);
        layers.push([fill, extra]);
        if (extra === 1 && alpha(fill) === 1) return layers;
      } else if (!(hit instanceof SVGElement)) {
        return layers.concat(behind(hit));
      }
    }
    return layers;
  };
  for (const el of all) {
    if (!shown(el) || exempt(el)) continue;
    const ownText = [...el.childNodes].some((n) => n.nodeType === Node.TEXT_NODE && n.textContent.trim());
    const field = el.matches("select, input[type=text], input[type=number], input[type=search]");
    if (el instanceof SVGTextElement && ownText) {
      const layers = under(el);
      if (layers) items.push({ what: label(el), kind: "text", fg: [css(el).fill, opacity(el)], layers });
    } else if (!(el instanceof SVGElement) && (ownText || field)) {
      items.push({ what: label(el), kind: "text", fg: [css(el).color, opacity(el)], layers: behind(el) });
    }
    if (el.matches("button, select, input[type=text], input[type=number], input[type=search], .swatch")) {
      const primary = el.matches("button.primary");
      const colour = primary ? css(el).backgroundColor : css(el).borderTopColor;
      const layers = behind(up(el));
      items.push({ what: `border of ${label(el)}`, kind: "graphic", fg: [colour, 1], layers });
    }
    if (el.matches(".edge, .node .shape, .group-box")) {
      const stroke = css(el).stroke;
      const layers = behind(el.ownerSVGElement);
      items.push({ what: `stroke of ${label(el)}`, kind: "graphic", fg: [stroke, opacity(el)], layers });
    }
  }
  return items;
}"""

FOCUS_RING = """(el) => {
  const style = getComputedStyle(el);
  let parent = el.parentElement;
  while (getComputedStyle(parent).backgroundColor === "rgba(0, 0, 0, 0)") parent = parent.parentElement;
  return [style.outlineStyle, style.outlineColor, getComputedStyle(parent).backgroundColor];
}"""


def rgba(colour: str) -> tuple[float, float, float, float]:
    numbers = [float(part) for part in re.findall(r"[\d.]+", colour)]
    assert colour.startswith("rgb") and len(numbers) in (3, 4), f"unexpected colour {colour!r}"
    return (numbers[0], numbers[1], numbers[2], numbers[3] if len(numbers) == 4 else 1.0)


def over(
    top: tuple[float, float, float, float], bottom: tuple[float, float, float]
) -> tuple[float, float, float]:
    """Alpha compositing of a colour over an opaque one (sRGB, as browsers blend)."""
    a = top[3]
    r, g, b = (top[i] * a + bottom[i] * (1 - a) for i in range(3))
    return (r, g, b)


def flatten(layers: list[list[Any]], canvas: tuple[float, float, float]) -> tuple[float, float, float]:
    colour = canvas
    for css_colour, extra in reversed(layers):
        r, g, b, a = rgba(css_colour)
        colour = over((r, g, b, a * extra), colour)
    return colour


def luminance(rgb: tuple[float, float, float]) -> float:
    """WCAG 2 relative luminance of an sRGB colour (0–255 channels)."""

    def linear(channel: float) -> float:
        c = channel / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (linear(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(one: tuple[float, float, float], other: tuple[float, float, float]) -> float:
    high, low = sorted((luminance(one), luminance(other)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def low_contrast(items: list[dict[str, Any]], canvas: tuple[float, float, float]) -> list[str]:
    """Every item under AA: 4.5:1 for text, 3:1 for graphics, each against what it is drawn on."""
    failures = []
    for item in items:
        background = flatten(item["layers"], canvas)
        r, g, b, a = rgba(item["fg"][0])
        ratio = contrast(over((r, g, b, a * item["fg"][1]), background), background)
        needed = 4.5 if item["kind"] == "text" else 3.0
        if ratio < needed:
            failures.append(f"{item['what']}: {ratio:.2f}:1 < {needed}:1 ({item['fg'][0]} on {background})")
    return failures


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("size", list(VIEWPORTS))
def test_text_and_graphics_meet_wcag_aa_contrast(
    browser: Browser, base_url: str, size: str, scheme: Scheme
) -> None:
    canvas = (255.0, 255.0, 255.0) if scheme == "light" else (0.0, 0.0, 0.0)
    with opened(browser, base_url, VIEWPORTS[size], scheme) as page:
        run(page, NET)
        page.get_by_role("button", name="End", exact=True).click()
        page.get_by_role("button", name="Step back", exact=True).click()  # an active node and a pulsing edge
        page.locator('[data-node-id][data-label="fc1.weight"]').first.click()  # the inspector's numbers
        items: list[dict[str, Any]] = page.evaluate(COLLECT)
        if page.locator(".drawer-close").is_visible():  # a phone: the drawer covers the toolbar
            page.locator(".drawer-close").click()
        page.get_by_role("textbox", name="Program").press("Control+f")  # the editor's search panel
        page.get_by_role("button", name="Examples").click()  # the menu's titles and notes
        items += page.evaluate(COLLECT)
        page.keyboard.press("Escape")
        page.route("**/graph**", answer_with_problems)  # this program ran before: GET /graph/{hash}
        page.get_by_role(
            "button", name="Run", exact=True
        ).click()  # the error states: status and problem list
        expect(page.locator(".problem")).to_have_count(2)
        items += page.evaluate(COLLECT)
    checked = {item["what"].split(" ")[0] for item in items} | {
        " ".join(item["what"].split(" ")[:3]) for item in items
    }
    assert {
        "button.primary", "text.value", "text.grad", "text.label", "span.tok-keyword", "span.problem-message",
        "span.menu-title", "td.", "stroke of path.edge", "stroke of rect.group-box", "border of button.",
        "button.cm-button", "p.view-note",
    } <= checked, sorted(checked)  # fmt: skip
    assert low_contrast(items, canvas) == []


def answer_with_problems(route: Any) -> None:
    problems = [
        {"kind": "syntax_error", "message": "invalid syntax", "line": 2, "col": 0, "end_line": 2,
         "end_col": 3},
        {"kind": "forbidden_name", "message": "name 'q' is not defined", "line": 5, "col": 0,
         "end_line": None, "end_col": None},
    ]  # fmt: skip
    body = {"error": problems[0], "errors": problems, "graph": None}
    route.fulfill(status=422, content_type="application/json", body=json.dumps(body))


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_keyboard_focus_is_drawn_at_3_to_1(browser: Browser, base_url: str, scheme: Scheme) -> None:
    with opened(browser, base_url, VIEWPORTS["1280x720"], scheme) as page:
        page.get_by_role("button", name="Examples").focus()
        page.keyboard.press("Shift+Tab")  # focus by keyboard: :focus-visible
        style, ring, background = page.get_by_role("button", name="Run", exact=True).evaluate(FOCUS_RING)
        assert style == "solid"
        assert contrast(over(rgba(ring), rgba(background)[:3]), rgba(background)[:3]) >= 3
        page.get_by_role("searchbox", name="Search nodes").focus()
        page.keyboard.press("Tab")  # into the graph: its one tab stop
        node = page.locator("[data-node-id]:focus")
        stroke = node.locator(".shape").evaluate("(shape) => getComputedStyle(shape).stroke")
        panel = page.locator(".pane-graph").evaluate("(pane) => getComputedStyle(pane).backgroundColor")
        assert contrast(rgba(stroke)[:3], rgba(panel)[:3]) >= 3


def test_headings_go_down_one_level_at_a_time(sized_page: Page) -> None:
    page = sized_page
    page.get_by_role("checkbox", name="Gradient check").check()  # its table and heading, in the inspector
    run(page, NET)
    page.locator('[data-node-id][data-label="fc2.bias"]').first.dispatch_event("click")
    expect(page.locator(".inspector h3")).to_have_text("fc2.bias")
    levels = page.evaluate(
        "[...document.querySelectorAll('h1, h2, h3, h4, h5, h6')].map((h) => Number(h.tagName[1]))"
    )
    assert levels[0] == 1 and levels.count(1) == 1
    assert all(after <= before + 1 for before, after in zip(levels, levels[1:], strict=False)), levels
    assert {2, 3, 4} <= set(levels)


def tab_stops_in_graph(page: Page) -> int:
    """Elements of the drawing (itself included) in the tab order."""
    count: int = page.locator(".graph").evaluate(
        "(svg) => [svg, ...svg.querySelectorAll('*')].filter((e) => e.getAttribute('tabindex') === '0')"
        ".length"
    )
    return count


def test_the_graph_is_one_tab_stop_and_arrow_keys_move_between_nodes(sized_page: Page) -> None:
    page = sized_page
    graph = run(page, NET)
    shown = [n for n in graph["nodes"] if n["w"] > 0]
    calls = [g["label"] for g in graph["groups"] if g["kind"] == "call" and g["collapsed"] and g["w"] > 0]
    assert calls == ["fc1", "fc2"]  # each nn.Linear call is one box, drawn as a node
    assert page.locator(".graph [data-node-id]").count() == len(shown) + len(calls)
    assert page.locator(".graph .group-header").count() == 1  # net
    assert tab_stops_in_graph(page) == 1
    page.locator(".search-input, .drawer-toggle:visible").last.focus()  # the control just before the drawing
    page.keyboard.press("Tab")
    focused = page.locator(".graph :focus")
    expect(focused).to_have_attribute(
        "aria-label", "x: input"
    )  # the first in reading order: the input at the top
    page.locator('.graph .group-header[data-group-id="net"]').focus()
    expect(focused).to_have_attribute("aria-label", "Collapse net (Net)")
    assert tab_stops_in_graph(page) == 1
    page.keyboard.press("Enter")  # a header toggles its group; the focus stays on it, redrawn
    expect(focused).to_have_attribute("aria-label", "Expand net (Net)")
    assert tab_stops_in_graph(page) == 1
    page.keyboard.press("Enter")
    expect(focused).to_have_attribute("aria-label", "Collapse net (Net)")
    counter = page.locator(".counter").text_content()
    page.keyboard.press("ArrowDown")
    expect(focused).to_have_attribute("data-node-id")  # from the header down to a box of the drawing
    assert (
        page.locator(".counter").text_content() == counter
    )  # arrows in the graph move focus, not the player
    assert tab_stops_in_graph(page) == 1
    assert focused.get_attribute("tabindex") == "0"
    page.locator('.graph [data-label="fc1.weight"]').focus()
    page.keyboard.press("Enter")  # a node: Enter selects it
    expect(page.locator(".inspector h3")).to_have_text("fc1.weight")
    page.locator('.graph .call-box[data-label="fc1"]').focus()
    page.keyboard.press("Enter")  # a call: Enter opens it, and the focus stays on its header
    expect(focused).to_have_attribute("aria-label", "Collapse fc1")
    expect(page.locator('.graph [data-node-id][data-label="t"]').first).to_be_visible()  # its autograd nodes
    assert tab_stops_in_graph(page) == 1
    page.keyboard.press("Enter")
    expect(page.locator('.graph .call-box[data-label="fc1"]:focus')).to_have_count(1)
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Fit")).to_be_focused()  # one Tab leaves the drawing


def test_arrow_keys_browse_the_examples_menu_without_running_anything(sized_page: Page) -> None:
    page = sized_page
    runs: list[str] = []
    page.on("request", lambda request: runs.append(request.url) if request.url.endswith("/graph") else None)
    before = program_text(page)
    button = page.get_by_role("button", name="Examples")
    button.focus()
    page.keyboard.press("ArrowDown")  # opens the menu on its first item
    menu = page.get_by_role("menu")
    expect(menu).to_be_visible()
    for key in ["ArrowDown", "ArrowDown", "ArrowDown", "ArrowUp", "End", "Home", "ArrowDown"]:
        page.keyboard.press(key)
    expect(page.locator('[role="menuitem"]:focus')).to_have_attribute("data-name", "tensors")
    page.keyboard.press("Escape")
    expect(menu).to_be_hidden()
    expect(button).to_be_focused()
    assert runs == [] and program_text(page) == before  # browsing ran nothing
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    with page.expect_response(GRAPH_ANSWER):
        page.keyboard.press("Enter")  # the explicit choice: the second example
    assert len(runs) == 1
    example = page.request.get("/examples").json()[1]
    assert program_text(page) == example["code"]
    expect(button).to_be_focused()
