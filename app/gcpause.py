"""Pausing Python's cyclic garbage collector around bursts of allocation that make no garbage cycles."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["collections_paused", "collections_resumed"]


@contextmanager
def collections_paused() -> Iterator[None]:
    """No automatic collection inside: a full one walks every live object (a GPT-2 graph's payload took 108 ms
    in the sandbox child) and would find nothing to free among freshly built results."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@contextmanager
def collections_resumed() -> Iterator[None]:
    """Automatic collection on inside, whatever pause surrounds it: the user's program makes garbage cycles
    like any Python program, so it runs with the collector as it would outside gradtrace."""
    paused = not gc.isenabled()
    gc.enable()
    try:
        yield
    finally:
        if paused:
            gc.disable()
