"""A lesson file (issue 20): downloaded from the page and opened from file:// with every other request
refused, it plays the logistic neuron to dL/dw = −0.0898, inspects w, and its server-only controls say why
they are off."""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from actions import VIEWPORTS, pick_example, record_error, run
from playwright.sync_api import Browser, Page, Route, expect

OFFLINE_TEXT = "This lesson file works without the gradtrace server"
OFFLINE = re.compile(f"^{OFFLINE_TEXT}")


ROOT = Path(__file__).resolve().parents[2]
# a matrix past the response's value budget: its "Show all values" would page through it with POST /values
BIG_MATRIX = """\
import torch

m = torch.randn(300, 400, requires_grad=True)
m.sum().backward()
"""


def save_lesson(page: Page, folder: Path, button: str = "Download lesson") -> Path:
    """The lesson of the run the page shows, saved by "Download lesson" (`button`: its name in the page)."""
    with page.expect_download() as download:
        page.get_by_role("button", name=button).click()
    assert download.value.suggested_filename == "gradtrace-lesson.html"
    saved = folder / "lesson.html"
    download.value.save_as(saved)
    return saved


@contextmanager
def offline(browser: Browser, lesson_file: Path, locale: str = "en-US", fragment: str = "") -> Iterator[Page]:
    """The lesson opened from disk (its address ending in `fragment`), in a browser speaking `locale`:
    anything but a file:// request is refused, and fails the test."""
    width, height = VIEWPORTS["1280x720"]
    context = browser.new_context(viewport={"width": width, "height": height}, locale=locale)
    refused: list[str] = []

    def only_files(route: Route) -> None:
        if route.request.url.startswith("file://"):
            route.continue_()
        else:
            refused.append(route.request.url)
            route.abort()

    context.route("**/*", only_files)
    tab = context.new_page()
    errors: list[str] = []
    tab.on("console", lambda message: record_error(errors, message))
    tab.on("pageerror", lambda error: errors.append(f"page error: {error}"))
    tab.goto(lesson_file.as_uri() + fragment)
    expect(tab.locator(".graph-view")).to_have_attribute("data-state", "current")
    yield tab
    context.close()
    assert (errors, refused) == ([], [])


@pytest.fixture
def lesson(browser: Browser, page: Page, tmp_path: Path) -> Iterator[Page]:
    """The lesson of the run the page opens on (the logistic neuron), offline."""
    with offline(browser, save_lesson(page, tmp_path)) as tab:
        yield tab


def test_the_lesson_plays_the_logistic_neuron_offline(lesson: Page) -> None:
    counter = lesson.locator(".counter")
    expect(counter).to_have_text(re.compile(r"^0 / \d+$"))
    assert lesson.locator('[data-label="w"] .grad').first.text_content() == ""
    total = int((counter.text_content() or "").split("/")[1])
    for position in range(1, total + 1):
        lesson.get_by_role("button", name="Step", exact=True).click()
        expect(counter).to_have_text(f"{position} / {total}")
    lesson.locator('[data-label="w"]').first.click()
    expect(lesson.locator(".inspector h3")).to_have_text("w")
    expect(lesson.locator(".inspector .tensor.grad td")).to_have_text(re.compile(r"^−0\.0898"))
    expect(lesson.locator(".phases .current")).to_have_text(re.compile("backward|optimizer"))
    lesson.get_by_role("button", name="Step back", exact=True).click()
    expect(counter).to_have_text(f"{total - 1} / {total}")
    lesson.get_by_role("slider", name="Timeline").fill("0")  # scrubbed back: no gradient yet
    expect(counter).to_have_text(f"0 / {total}")
    expect(lesson.locator('[data-label="w"] .grad').first).to_have_text("")


def test_the_lesson_holds_the_program_and_its_server_controls_say_why_they_are_off(lesson: Page) -> None:
    expect(lesson.locator(".cm-content")).to_contain_text("a = torch.sigmoid(z)")
    for name in ("Run", "Share", "Download lesson", "Compare"):
        button = lesson.get_by_role("button", name=name, exact=True)
        expect(button).to_be_disabled()
        expect(button).to_have_attribute("title", OFFLINE)
    expect(lesson.get_by_role("button", name="Examples ▾")).to_be_disabled()
    lesson.get_by_role("textbox", name="Program").press("Control+Enter")  # the editor's own Run: explained
    expect(lesson.locator(".status")).to_contain_text(OFFLINE_TEXT)


def test_show_all_values_needs_the_server_and_says_so(browser: Browser, page: Page, tmp_path: Path) -> None:
    run(page, BIG_MATRIX)
    with offline(browser, save_lesson(page, tmp_path)) as lesson:
        lesson.get_by_role("button", name="End", exact=True).click()
        lesson.locator('[data-label="m"]').first.click()
        show = lesson.locator(".inspector .tensor.grad").get_by_role("button", name="Show all values")
        expect(show).to_be_disabled()
        expect(show).to_have_attribute("title", OFFLINE)


def test_opening_groups_needs_the_server_and_says_so(browser: Browser, page: Page, tmp_path: Path) -> None:
    pick_example(page, "simplenet")
    with offline(browser, save_lesson(page, tmp_path)) as lesson:
        expect(lesson.locator('[data-label="fc1.weight"]').first).to_be_attached()
        lesson.get_by_role("button", name="Open all", exact=True).click()
        expect(lesson.locator(".status")).to_contain_text(OFFLINE_TEXT)


def test_the_command_lines_lesson_plays_offline_too(browser: Browser, tmp_path: Path) -> None:
    saved = tmp_path / "lesson.html"
    program = ROOT / "app" / "examples" / "programs" / "logistic.py.txt"
    command = [sys.executable, "-m", "app.export", str(program), "-o", str(saved)]
    subprocess.run(command, cwd=ROOT, check=True, capture_output=True)
    with offline(browser, saved) as lesson:
        lesson.get_by_role("button", name="End", exact=True).click()
        lesson.locator('[data-label="w"]').first.click()
        expect(lesson.locator(".inspector .tensor.grad td")).to_have_text(re.compile(r"^−0\.0898"))
