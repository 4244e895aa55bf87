"""Browser fixtures: headless Debian Chromium and a page on the live app that fails on console errors.

Every wait (an expect, an action, a response, a download) has the suite's backstop as its timeout: a page
waits for a state, and on a loaded machine a run or a drawing may take long; no test bounds how long.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from actions import VIEWPORTS, opened
from playwright.sync_api import Browser, Page, expect, sync_playwright
from waiting import BACKSTOP_SECONDS

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-dev-shm-usage",  # CI containers often give /dev/shm 64 MB: a renderer would crash there
]
ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"

REQUIRED = bool(os.environ.get("GRADTRACE_REQUIRE_BROWSER"))  # CI sets it: a missing browser fails there
BACKSTOP_MS = BACKSTOP_SECONDS * 1000
expect.set_options(timeout=BACKSTOP_MS)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Skip the browser tests, with the reason, where Chromium is missing and not required."""
    if CHROMIUM.exists() or REQUIRED:
        return
    skip = pytest.mark.skip(reason=f"{CHROMIUM} is missing (install Debian's chromium)")
    here = Path(__file__).parent
    for item in items:
        if here in item.path.parents:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def base_url(request: pytest.FixtureRequest) -> str:
    """The live app from tests/conftest.py (GRADTRACE_BROWSER_URL points at a running server instead)."""
    existing = os.environ.get("GRADTRACE_BROWSER_URL")
    return existing.rstrip("/") if existing else str(request.getfixturevalue("server").url)


@pytest.fixture(scope="module")  # closed when the module ends: sync Playwright holds an event loop open
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing and GRADTRACE_REQUIRE_BROWSER is set")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Browser, base_url: str) -> Iterator[Page]:
    """A 1280×720 page at the app, its first run drawn."""
    with opened(browser, base_url, VIEWPORTS["1280x720"]) as tab:
        yield tab


@pytest.fixture(params=list(VIEWPORTS))
def sized_page(request: pytest.FixtureRequest, browser: Browser, base_url: str) -> Iterator[Page]:
    """The same at each size the page must work at: 1440×900, 1280×720 and a 390×844 phone."""
    with opened(browser, base_url, VIEWPORTS[request.param]) as tab:
        yield tab


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
