"""Imported once by the fork server: runs and lays out the example programs so every module that torch, the
capture and the layout load lazily (~800 of them, several seconds, e.g. sympy for the dispatch mode) is loaded
before any child forks.

Children cannot import them later: a child runs as `nobody` when the server is root, and it should not
spend seconds importing on every run anyway. The fork server stays single-threaded (checked in the tests).

The runs' backward passes skip autograd's engine (app/sandbox/forksafe.py); the same ~2,100 modules load.
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
from app.sandbox.forksafe import autograd_engine_untouched

__all__ = ["warm_up"]

log = logging.getLogger(__name__)

# Small budgets: the big examples stop at their first large tensor, after the code paths they share.
WARM_UP_LIMITS = Limits(max_numel=1_000_000, max_flops=1e9)


def warm_up() -> int:
    """Run and lay out every example once on the CPU, autograd's engine left alone; the number that ran to
    the end."""
    with autograd_engine_untouched():
        return sum(_warmed(example.name, example.code) for example in EXAMPLES)


def _warmed(name: str, code: str) -> bool:
    """Whether the example ran and was laid out to the end."""
    try:
        graph = run(code, GraphOptions(device="cpu"), WARM_UP_LIMITS, max_chars=100_000, max_lines=5_000)
        initial_layout(graph)
        return True
    except GradtraceError as error:
        log.info("warm-up example %s stopped early: %s", name, error.kind)
    except Exception:  # a warm-up must never take the fork server down; the runs will report it
        log.exception("warm-up example %s failed", name)
    return False


warm_up()
gc.freeze()  # warmed objects stay out of the children's collections, so no child GC copies their pages
