"""Graphs as big as POST /layout takes (LAYOUT_MAX_NODES) are laid out. igraph's Sugiyama recurses in C:
a 10,000-node random DAG overflowed a main thread's 8 MB stack and killed the process (SIGSEGV), so the
layout runs in a fresh interpreter here, where a crash is an exit status, not a lost test session."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

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
