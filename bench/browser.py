"""Page speed in headless Chromium: /graph response to fully drawn graph, and frame times while animating.

Usage: start the app (`make run`), then `.venv/bin/python bench/browser.py [--url http://127.0.0.1:8000]`.
Targets (issue #5): the GPT-2 124M graph drawn <= 1 s after its response arrives; animation >= 50 fps.
"""

from __future__ import annotations

import argparse
import statistics

from playwright.sync_api import Page, sync_playwright

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-gpu-vsync",
    "--disable-frame-rate-limit",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
DRAW_TARGET_MS = 1000.0
FPS_TARGET = 50.0
FRAMES = 240  # animation frames sampled per example
RUNS = 3  # draws per example; the median is reported

# Records requestAnimationFrame timestamps while the player advances one step per frame.
RECORD_FRAMES = """async (count) => {
  const stamps = [];
  await new Promise((done) => {
    const tick = (now) => {
      stamps.push(now);
      if (stamps.length > count) done();
      else requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  });
  return stamps.slice(1).map((t, i) => t - stamps[i]);
}"""


DRAWN_OR_FAILED = """() => performance.getEntriesByName('graph-draw').length > 0
  || document.querySelector('.status').dataset.kind === 'error'"""


GRAPH_BYTES = """() => performance.getEntriesByType('resource')
  .filter((entry) => entry.name.endsWith('/graph')).at(-1).decodedBodySize"""


def examples(page: Page) -> dict[str, str]:
    """Example name → program, from GET /examples (through the browser: no HTTP client import here)."""
    return {e["name"]: e["code"] for e in page.request.get("/examples").json()}


def draw_ms(page: Page, program: str) -> tuple[float, float]:
    """(response headers in → drawn, JSON parsed → drawn) in ms for one run of the program."""
    page.evaluate("performance.clearMarks(); performance.clearMeasures()")
    page.get_by_role("textbox", name="Program").fill(program)
    page.get_by_role("button", name="Run", exact=True).click()
    page.wait_for_function(DRAWN_OR_FAILED, timeout=300_000)
    if page.locator(".status").get_attribute("data-kind") == "error":
        raise SystemExit(f"the run failed: {page.locator('.status-message').text_content()}")
    draw = page.evaluate("performance.getEntriesByName('graph-draw')[0].duration")
    render = page.evaluate("performance.getEntriesByName('graph-render')[0].duration")
    return float(draw), float(render)


def frame_times(page: Page) -> list[float]:
    """Frame intervals (ms) while the animation advances one timeline step per frame."""
    page.get_by_role("button", name="Start", exact=True).click()
    page.get_by_label("Speed").select_option("0")
    page.get_by_role("button", name="Play", exact=True).click()
    intervals: list[float] = page.evaluate(RECORD_FRAMES, FRAMES)
    page.get_by_role("button", name="Pause", exact=True).click()
    return intervals


def measure(page: Page, name: str, program: str) -> None:
    draws = [draw_ms(page, program) for _ in range(RUNS)]
    response_to_drawn = statistics.median(d for d, _ in draws)
    parsed_to_drawn = statistics.median(r for _, r in draws)
    summary = page.locator(".status-message").text_content()
    steps = page.locator(".counter").text_content()
    drawn = page.locator("[data-node-id]").count()
    megabytes = page.evaluate(GRAPH_BYTES) / 1e6
    intervals = frame_times(page)
    mean = statistics.fmean(intervals)
    p95 = sorted(intervals)[int(len(intervals) * 0.95)]
    fps = 1000.0 / mean
    print(f"{name}: {summary}; {drawn} nodes drawn (others in collapsed groups); timeline {steps}")
    print(f"  /graph body: {megabytes:.2f} MB of JSON")
    ratio = response_to_drawn / DRAW_TARGET_MS
    print(f"  response -> drawn: {response_to_drawn:7.1f} ms (median {RUNS}, target 1 s, ratio {ratio:.2f})")
    print(f"  of which JSON parsed -> drawn: {parsed_to_drawn:7.1f} ms (rest: download + parse)")
    print(
        f"  animation: mean frame {mean:5.2f} ms, p95 {p95:5.2f} ms, {fps:6.1f} fps "
        f"(target >= {FPS_TARGET:.0f} fps, ratio {fps / FPS_TARGET:.2f})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="http://127.0.0.1:8000")
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    parser.add_argument("examples", nargs="*", default=["logistic", "gpt2_124m"], help="example names")
    args = parser.parse_args()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=args.chromium, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 720}, base_url=args.url)
        page.goto("/")
        page.wait_for_function(DRAWN_OR_FAILED, timeout=300_000)  # the page opens on the logistic neuron, run
        programs = examples(page)
        for name in args.examples:
            measure(page, name, programs[name])
        browser.close()


if __name__ == "__main__":
    main()
