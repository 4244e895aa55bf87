"""Imported once by the fork server: runs and lays out the example programs so every module that torch, the
capture and the layout load lazily (~800 of them, several seconds, e.g. sympy for the dispatch mode) is loaded
before any child forks.

Children cannot import them later: a child runs as `nobody` when the server is root, and it should not
spend seconds importing on every run anyway. The fork server stays single-threaded (checked in the tests).
"""

from __future__ import annotations

import gc
import logging

from app.errors import GradtraceError
from app.examples import EXAMPLES
from app.layout import initial_layout
from app.limits import Limits
from app.models import GraphOptions
from app.runner import run

__all__ = ["warm_up"]

log = logging.getLogger(__name__)

# Small budgets: the big examples stop at their first large tensor, after the code paths they share.
WARM_UP_LIMITS = Limits(max_numel=1_000_000, max_live_numel=4_000_000, max_flops=1e9)


def warm_up() -> int:
    """Run and lay out every example once on the CPU; the number that ran to the end."""
    finished = 0
    for example in EXAMPLES:
        try:
            graph = run(
                example.code, GraphOptions(device="cpu"), WARM_UP_LIMITS, max_chars=100_000, max_lines=5_000
            )
            initial_layout(graph)
            finished += 1
        except GradtraceError as error:
            log.info("warm-up example %s stopped early: %s", example.name, error.kind)
        except Exception:  # a warm-up must never take the fork server down; the runs will report it
            log.exception("warm-up example %s failed", example.name)
    return finished


warm_up()
gc.freeze()  # warmed objects stay out of the children's collections, so no child GC copies their pages
