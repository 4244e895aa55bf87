"""What the browser tests do on the page: put a program in the editor, run it, read it back, pick examples."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, Literal

from playwright.sync_api import Browser, ConsoleMessage, Page, expect
from waiting import BACKSTOP_SECONDS

Scheme = Literal["light", "dark"]

# The graph's answer: POST /graph, or GET /graph/{hash} for a request the page ran before
GRAPH_ANSWER = re.compile(r"/graph(/[0-9a-f]+)?$")

# Issue 15's sizes: a desktop, a laptop (or a projector) and a phone.
VIEWPORTS = {"1440x900": (1440, 900), "1280x720": (1280, 720), "390x844": (390, 844)}


@contextmanager
def opened(
    browser: Browser, base_url: str, size: tuple[int, int], scheme: Scheme = "light", locale: str = "en-US"
) -> Iterator[Page]:
    """The app in a fresh context, its first run drawn; fails the test if the page logs an error or throws.
    `locale` is the browser's language (navigator.languages): the page's when the link names none."""
    viewport = {"width": size[0], "height": size[1]}
    context = browser.new_context(viewport=viewport, base_url=base_url, color_scheme=scheme, locale=locale)
    context.set_default_timeout(BACKSTOP_SECONDS * 1000)  # waits for states; never a speed check
    tab = context.new_page()
    errors: list[str] = []
    tab.on("console", lambda message: record_error(errors, message))
    tab.on("pageerror", lambda error: errors.append(f"page error: {error}"))
    tab.goto("/")
    # Ready: the page opens on the logistic neuron, already run (its examples menu is filled before that run)
    expect(tab.locator(".graph-view")).to_have_attribute("data-state", "current")
    yield tab
    context.close()
    assert errors == []


def record_error(errors: list[str], message: ConsoleMessage) -> None:
    # Error answers (4xx) are part of the tests; the browser logs them as failed resources.
    if message.type == "error" and "the server responded with a status of 4" not in message.text:
        errors.append(message.text)


# A paste, as a person would do it: CodeMirror takes the text from the clipboard event. (Playwright's fill()
# goes through the browser's own editing, which writes style attributes that the page's CSP refuses and logs.)
PASTE = """(content, text) => {
  content.focus();
  const data = new DataTransfer();
  data.setData("text/plain", text);
  const init = { clipboardData: data, bubbles: true, cancelable: true };
  content.dispatchEvent(new ClipboardEvent("paste", init));
}"""

EDITOR_TEXT = "(content) => [...content.querySelectorAll('.cm-line')].map((l) => l.textContent).join('\\n')"


def set_program(page: Page, program: str, editor: str = "Program") -> None:
    """Replace the editor's whole text by pasting `program` over it all (`editor`: its name on the page)."""
    content = page.get_by_role("textbox", name=editor)
    content.press("Control+a")
    content.evaluate(PASTE, program)


def program_text(page: Page) -> str:
    """The editor's text, line by line (the test programs are short: every line is drawn)."""
    text: str = page.locator(".cm-content").evaluate(EDITOR_TEXT)
    return text


def settled(page: Page) -> None:
    """Wait until no run is in progress (the status line leaves "busy" once an answer is shown)."""
    expect(page.locator(".status")).not_to_have_attribute("data-kind", "busy")


def run(page: Page, program: str) -> dict[str, Any]:
    """Run a program from the editor; wait until its graph is drawn; return the graph the page received."""
    set_program(page, program)
    with page.expect_response(GRAPH_ANSWER) as response:
        page.get_by_role("button", name="Run", exact=True).click()
    settled(page)
    expect(page.locator("[data-node-id]").first).to_be_visible()
    graph: dict[str, Any] = response.value.json()
    return graph


def pick_example(page: Page, name: str) -> dict[str, Any]:
    """Choose an example in the examples menu (a click is an explicit choice: it runs); return the answer."""
    page.get_by_role("button", name="Examples").click()
    with page.expect_response(GRAPH_ANSWER) as response:
        page.locator(f'[role="menuitem"][data-name="{name}"]').click()
    settled(page)
    body: dict[str, Any] = response.value.json()
    return body
