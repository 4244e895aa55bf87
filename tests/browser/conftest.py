"""Browser fixtures: live uvicorn with the app, headless Debian Chromium, a page failing on console errors."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
STARTUP_S = 60.0  # the worker pool imports torch before /healthz answers

if not CHROMIUM.exists():
    if os.environ.get("GRADTRACE_REQUIRE_BROWSER"):
        raise RuntimeError(f"{CHROMIUM} is missing and GRADTRACE_REQUIRE_BROWSER is set")
    pytest.skip(f"{CHROMIUM} is missing (install Debian's chromium)", allow_module_level=True)

from playwright.sync_api import Browser, ConsoleMessage, Page, sync_playwright  # noqa: E402


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_healthy(url: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + STARTUP_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"uvicorn exited with {process.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/healthz", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"{url}/healthz did not answer within {STARTUP_S} s")


@pytest.fixture(scope="session")
def base_url() -> Iterator[str]:
    """The app under uvicorn on a free port (GRADTRACE_BROWSER_URL points at a running server instead)."""
    existing = os.environ.get("GRADTRACE_BROWSER_URL")
    if existing:
        yield existing.rstrip("/")
        return
    port = free_port()
    command = [sys.executable, "-m", "uvicorn", "app.main:app", "--host", "127.0.0.1", "--port", str(port)]
    process = subprocess.Popen(command, cwd=ROOT)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(url, process)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Browser, base_url: str) -> Iterator[Page]:
    """A 1280×720 page at the app; the test fails if the page logs an error or throws."""
    context = browser.new_context(viewport={"width": 1280, "height": 720}, base_url=base_url)
    tab = context.new_page()
    errors: list[str] = []
    tab.on("console", lambda message: record_error(errors, message))
    tab.on("pageerror", lambda error: errors.append(f"page error: {error}"))
    tab.goto("/")
    yield tab
    context.close()
    assert errors == []


def record_error(errors: list[str], message: ConsoleMessage) -> None:
    # Error answers (4xx) are part of the tests; the browser logs them as failed resources.
    if message.type == "error" and "the server responded with a status of 4" not in message.text:
        errors.append(message.text)


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
