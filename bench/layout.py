"""Layout speed and quality at scale: prints milliseconds, target ratios and overlap counts.

Graphs: the real GPT-2 124M graph (captured from bench/capture.py's nanoGPT model, T=16), synthetic
GPT-2-like stacks of 12, 16, 47 and 156 blocks (772, 1,024, 2,977 and 9,892 nodes) and seeded random DAGs of
1,000, 3,000 and 10,000 nodes (tests/layout/layout_graphs.py).

    .venv/bin/python bench/layout.py [--synthetic-only]

Targets (issue #19): GPT-2 124M <= 60 ms; 1,000 / 3,000 / 10,000 nodes <= 0.1 / 0.3 / 1 s, no overlaps.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HERE = str(ROOT / "bench")  # on sys.path when run as a script; its http.py would shadow the stdlib's
sys.path[:] = [str(ROOT), str(ROOT / "tests" / "layout")] + [p for p in sys.path if p not in ("", HERE)]

import igraph  # noqa: E402
from layout_graphs import gpt2_like, random_dag  # noqa: E402

from app.layout import default_collapsed, fold_repeats, layout  # noqa: E402
from app.models import GraphResponse  # noqa: E402

REPEATS = 7
SCALES = ((1_000, 16, 100), (3_000, 47, 300), (10_000, 156, 1_000))  # nodes, GPT-2-like blocks, target ms


def best_ms(work: Callable[[], object]) -> tuple[float, float, float]:
    """(median wall, median CPU, best CPU) time of `work` in ms over REPEATS runs after one warm-up.

    CPU time of this process is the steadier figure on a shared machine, its best run the least disturbed
    by neighbours; wall time is what a user waits.
    """
    work()
    wall, cpu = [], []
    for _ in range(REPEATS):
        start, start_cpu = time.perf_counter(), time.process_time()
        work()
        wall.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
    return statistics.median(wall), statistics.median(cpu), min(cpu)


def overlaps(boxes: list[tuple[float, float, float, float]]) -> int:
    """Pairs of (x, y, w, h) boxes that overlap, by a sweep over x."""
    boxes = sorted(boxes)
    count = 0
    for index, (x, y, w, h) in enumerate(boxes):
        for ox, oy, _, oh in boxes[index + 1 :]:
            if ox >= x + w:
                break
            count += y < oy + oh and oy < y + h
    return count


def igraph_alone(graph: GraphResponse) -> str:
    """igraph's own Sugiyama (its layering and x), once: the baseline our layering and placement replace."""
    index = {node.id: i for i, node in enumerate(graph.nodes)}
    pairs = sorted({(index[e.source], index[e.target]) for e in graph.edges})
    ig = igraph.Graph(n=len(graph.nodes), edges=pairs, directed=True)
    start = time.process_time()
    drawing = ig.layout_sugiyama()
    cpu = (time.process_time() - start) * 1000
    dummies = sum(len(bends) for bends in drawing.edge_routing)
    return f"igraph alone: {cpu:.0f} ms CPU, {dummies} dummy vertices"


def our_dummies(graph: GraphResponse) -> int:
    """Dummy vertices our layering leaves (route points inside layers, two per crossed band)."""
    drawn = layout(graph, [])
    return sum((len(edge.points) - 2) // 2 for edge in drawn.edges)


def report(name: str, graph: GraphResponse, target_ms: float) -> None:
    """One line per graph: expanded and default-collapsed layout times, ratio to target, overlaps."""
    median, cpu, best = best_ms(lambda: layout(graph, []))
    drawn = layout(graph, [])
    ours = overlaps([(n.x, n.y, n.w, n.h) for n in drawn.nodes])
    folded = fold_repeats(graph)
    collapsed = default_collapsed(folded)
    collapsed_ms, _, _ = best_ms(lambda: layout(folded, collapsed))
    print(
        f"{name:<26} {len(graph.nodes):>5} nodes  layout {median:7.1f} ms wall, CPU {cpu:6.1f} ms "
        f"(best {best:5.1f}, {best / target_ms:4.2f} x target {target_ms:.0f} ms)  overlaps {ours}  "
        f"collapsed ({len(collapsed)} groups) {collapsed_ms:6.1f} ms wall  dummies {our_dummies(graph)}"
    )


def real_gpt2() -> GraphResponse:
    """The captured graph of nanoGPT's GPT-2 124M forward+backward (the model bench/capture.py times)."""
    from app.capture import capture
    from app.graph import build_graph
    from bench.capture import LIMITS, gpt2  # imports torch: only when the real graph is wanted

    return build_graph(capture(gpt2(), limits=LIMITS))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--synthetic-only", action="store_true", help="skip capturing the real GPT-2")
    args = parser.parse_args()
    print(f"layout bench, median of {REPEATS} runs (ms)")
    if not args.synthetic_only:
        report("real GPT-2 124M (captured)", real_gpt2(), 60)
    report("synthetic GPT-2 (12 blocks)", gpt2_like(12), 60)
    print("  " + igraph_alone(gpt2_like(12)))
    for size, blocks, target in SCALES:
        report(f"GPT-2-like {size:,} nodes", gpt2_like(blocks), target)
        report(f"random DAG {size:,} nodes", random_dag(size), target)


if __name__ == "__main__":
    main()
