"""Graphs as big as POST /layout takes (LAYOUT_MAX_NODES), in several weakly connected components, are laid
out: igraph 1.0 misplaces the dummy vertices of such graphs, which killed a 10,000-node random DAG's process
(SIGSEGV) or grew it to 20 GB. The layout runs in a fresh interpreter here, where a crash is an exit
status, not a lost test session."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from layout_checks import assert_routes_join_ends
from layout_graphs import Builder

from app.layout import layout
from app.models import LAYOUT_MAX_NODES

HERE = Path(__file__).resolve().parent
LAY_OUT = f"""
import sys
sys.path[:0] = [{str(HERE.parents[1])!r}, {str(HERE)!r}]
from layout_checks import overlapping_pairs
from layout_graphs import random_dag
from app.layout import layout
drawn = layout(random_dag({LAYOUT_MAX_NODES}), [])
print(len(drawn.nodes), len(overlapping_pairs(drawn)))
"""


def test_a_random_dag_as_big_as_the_cap_is_laid_out_without_overlaps() -> None:
    done = subprocess.run([sys.executable, "-c", LAY_OUT], capture_output=True, text=True, check=False)
    assert done.returncode == 0, f"exit status {done.returncode}: {done.stderr[-2000:]}"
    assert done.stdout.split() == [str(LAYOUT_MAX_NODES), "0"]


def test_a_long_edge_beside_a_second_component_is_routed_through_the_layers_it_crosses() -> None:
    b = Builder()
    b.leaf("lonely", [3], None, kind="input")  # a component of its own
    x = b.leaf("x", [3], None, kind="input")
    h1 = b.op("ExpBackward0", [x], [3], None, "h1")
    h2 = b.op("ExpBackward0", [h1], [3], None, "h2")
    b.op("AddBackward0", [h2, x], [3], None, "h3")  # x -> h3 crosses the layers of h1 and h2
    drawn = layout(b.graph(), [])
    skip = next(edge for edge in drawn.edges if edge.source == x and edge.target == "n4")
    ys = [point.y for point in skip.points]
    assert len(skip.points) > 2  # bent around h1 and h2, not drawn straight (nor given another edge's points)
    assert ys == sorted(ys)
    assert_routes_join_ends(drawn)
