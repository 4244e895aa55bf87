"""Record video (issue 20) in headless Chromium: how long a recording takes against the video it makes, and
the file's size, per example, size and framing. A recording cannot take less than its video (MediaRecorder
encodes in real time); what it takes beyond that is the time to draw each step (the SVG serialised and
decoded as an image).

Usage: start the app (`make run`), then `.venv/bin/python bench/record.py [--url http://127.0.0.1:8000]
[--examples logistic simplenet gpt2_block] [--speed 8]`.
"""

from __future__ import annotations

import argparse
import base64
import time
from pathlib import Path
from tempfile import TemporaryDirectory

from playwright.sync_api import Page, expect, sync_playwright

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]
SETTLE_MS = 300_000  # a backstop for one recording, never a target

# The file's length as a <video> element reads it.
DURATION = """async (data) => {
  const bytes = Uint8Array.from(atob(data), (c) => c.charCodeAt(0));
  const video = document.createElement("video");
  video.src = URL.createObjectURL(new Blob([bytes], { type: "video/webm" }));
  await new Promise((resolve) => { video.onloadedmetadata = resolve; });
  return video.duration;
}"""


def pick(page: Page, name: str) -> None:
    page.get_by_role("button", name="Examples").click()
    with page.expect_response(lambda response: "/graph" in response.url):
        page.locator(f'[role="menuitem"][data-name="{name}"]').click()
    expect(page.locator(".graph-view")).to_have_attribute("data-state", "current", timeout=SETTLE_MS)


def record(page: Page, folder: Path, size: str, framing: str, speed: str) -> tuple[float, int, bytes]:
    """(seconds the recording took, steps, the file)."""
    page.get_by_role("button", name="Record video").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("Size").select_option(size)
    dialog.get_by_label("Framing").select_option(framing)
    dialog.get_by_label("Speed").select_option(speed)
    message = dialog.locator(".record-message")
    expect(message).to_contain_text("steps")
    steps = int((message.text_content() or "0").split()[0])
    start = time.perf_counter()
    with page.expect_download(timeout=SETTLE_MS) as download:
        dialog.get_by_role("button", name="Start recording").click()
    took = time.perf_counter() - start
    path = folder / "video.webm"
    download.value.save_as(path)
    dialog.get_by_role("button", name="Close").click()
    return took, steps, path.read_bytes()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="http://127.0.0.1:8000")
    parser.add_argument("--examples", nargs="+", default=["logistic", "simplenet", "gpt2_block"])
    parser.add_argument("--speed", default="8", choices=["0.5", "1", "2", "4", "8"])
    args = parser.parse_args()
    with sync_playwright() as playwright, TemporaryDirectory() as folder:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1440, "height": 900}, accept_downloads=True)
        page.goto(args.url)
        blank = browser.new_page()
        for name in args.examples:
            pick(page, name)
            for size in ("1280x720", "1920x1080"):
                for framing in ("whole", "view"):
                    took, steps, data = record(page, Path(folder), size, framing, args.speed)
                    length = blank.evaluate(DURATION, base64.b64encode(data).decode())
                    print(
                        f"{name} ({steps} steps) {size} {framing} at {args.speed}×: video {length:.1f} s, "
                        f"recorded in {took:.1f} s ({(took - length) / max(1, steps) * 1000:.0f} ms a step "
                        f"beyond the video), {len(data) / 1e6:.2f} MB"
                    )
        browser.close()


if __name__ == "__main__":
    main()
