"""Page speed in headless Chromium: /graph response to drawn graph; frames while animating, panning, zooming.

Usage: start the app (`make run`), then `.venv/bin/python bench/browser.py [--url http://127.0.0.1:8000]`.
Targets (issues #5 and #15): a graph drawn <= 1 s after its response arrives (GPT-2 124M, and a 5,000-node
graph); animation >= 50 fps; GPT-2 124M with every group and call open pans and zooms at >= 50 fps.
"""

from __future__ import annotations

import argparse
import base64
import json
import statistics
import zlib

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
FRAMES = 240  # frames sampled per measurement
RUNS = 3  # draws per example; the median is reported

# 50 chains of 97 tanh: 4,952 nodes, the most a response holds (max_nodes 5,000)
CHAINS = """import torch

xs = [torch.randn(3, requires_grad=True) for _ in range(50)]
outs = []
for x in xs:
    h = x
    for _ in range(97):
        h = torch.tanh(h)
    outs.append(h.sum())
loss = torch.stack(outs).sum()
loss.backward()
"""

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

# Each frame one gesture on the drawing, as a person makes them: a wheel notch in or out, or a drag step.
PAN_AND_ZOOM = """async (count) => {
  const stage = document.querySelector(".graph-stage");
  const box = stage.getBoundingClientRect();
  const at = { clientX: box.left + box.width / 2, clientY: box.top + box.height / 2, bubbles: true };
  const stamps = [];
  await new Promise((done) => {
    const tick = (now) => {
      const i = stamps.push(now);
      if (i % 40 < 20) {
        const deltaY = i % 80 < 40 ? 60 : -60;
        stage.dispatchEvent(new WheelEvent("wheel", { ...at, deltaY, cancelable: true }));
      } else {
        const [dx, dy] = [(i % 40) * 6, (i % 40) * 9];
        const step = { ...at, pointerId: 1, clientX: at.clientX + dx, clientY: at.clientY + dy };
        if (i % 40 === 20) stage.dispatchEvent(new PointerEvent("pointerdown", { ...at, pointerId: 1 }));
        stage.dispatchEvent(new PointerEvent("pointermove", step));
        if (i % 40 === 39) stage.dispatchEvent(new PointerEvent("pointerup", step));
      }
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

ALL_OPEN = """() => document.querySelectorAll('.graph .group.collapsed, .graph .call-box').length === 0
  && !document.querySelector('.graph.moving')"""


def link(program: str) -> str:
    """The page's own link format (static/js/state.js): the run's JSON, raw-deflated, base64url."""
    state = json.dumps({"program": program, "options": {"device": "auto", "dtype": "float32"}})
    packer = zlib.compressobj(wbits=-15)
    raw = packer.compress(state.encode()) + packer.flush()
    return "/#p=" + base64.urlsafe_b64encode(raw).decode().rstrip("=")


def examples(page: Page) -> dict[str, str]:
    """Example name → program, from GET /examples (through the browser: no HTTP client import here)."""
    return {e["name"]: e["code"] for e in page.request.get("/examples").json()}


def draw_ms(page: Page, program: str) -> tuple[float, float]:
    """(response headers in → drawn, JSON parsed → drawn) in ms for one run of the program, from its link."""
    page.goto("about:blank")
    page.goto(link(program))
    page.wait_for_function(DRAWN_OR_FAILED, timeout=300_000)
    if page.locator(".status").get_attribute("data-kind") == "error":
        raise SystemExit(f"the run failed: {page.locator('.status-message').text_content()}")
    draw = page.evaluate("performance.getEntriesByName('graph-draw')[0].duration")
    render = page.evaluate("performance.getEntriesByName('graph-render')[0].duration")
    return float(draw), float(render)


def animation(page: Page) -> list[float]:
    """Frame intervals (ms) while the animation advances one timeline step per frame."""
    page.get_by_role("button", name="Start", exact=True).click()
    page.get_by_label("Speed").select_option("0")
    page.get_by_role("button", name="Play", exact=True).click()
    intervals: list[float] = page.evaluate(RECORD_FRAMES, FRAMES)
    page.get_by_role("button", name="Pause", exact=True).click()
    return intervals


def pan_and_zoom(page: Page) -> list[float]:
    """Frame intervals (ms) while the drawing is zoomed with the wheel and dragged, one gesture a frame."""
    intervals: list[float] = page.evaluate(PAN_AND_ZOOM, FRAMES)
    return intervals


def report(what: str, intervals: list[float]) -> None:
    mean = statistics.fmean(intervals)
    p95 = sorted(intervals)[int(len(intervals) * 0.95)]
    fps = 1000.0 / mean
    print(
        f"  {what}: mean frame {mean:5.2f} ms, p95 {p95:5.2f} ms, {fps:6.1f} fps "
        f"(target >= {FPS_TARGET:.0f} fps, ratio {fps / FPS_TARGET:.2f})"
    )


def measure(page: Page, name: str, program: str, expand: bool) -> None:
    draws = [draw_ms(page, program) for _ in range(RUNS)]
    response_to_drawn = statistics.median(d for d, _ in draws)
    parsed_to_drawn = statistics.median(r for _, r in draws)
    summary = page.locator(".status-message").text_content()
    steps = page.locator(".counter").text_content()
    drawn = page.locator(".graph [data-node-id]").count()
    megabytes = page.evaluate(GRAPH_BYTES) / 1e6
    print(f"{name}: {summary}; {drawn} boxes in the page (the rest in collapsed groups or off view); {steps}")
    print(f"  /graph body: {megabytes:.2f} MB of JSON")
    ratio = response_to_drawn / DRAW_TARGET_MS
    print(f"  response -> drawn: {response_to_drawn:7.1f} ms (median {RUNS}, target 1 s, ratio {ratio:.2f})")
    print(f"  of which JSON parsed -> drawn: {parsed_to_drawn:7.1f} ms (rest: download + parse)")
    report("animation", animation(page))
    report("pan and zoom", pan_and_zoom(page))
    if expand:
        page.get_by_role("button", name="Expand all").click()
        page.wait_for_function(ALL_OPEN, timeout=300_000)
        drawn = page.locator(".graph [data-node-id]").count()
        print(f"  every group and call open: {drawn} boxes in the page")
        report("pan and zoom, all open", pan_and_zoom(page))


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
            measure(page, name, programs[name], expand=name == "gpt2_124m")
        measure(page, "5,000 nodes (50 tanh chains)", CHAINS, expand=False)
        browser.close()


if __name__ == "__main__":
    main()
