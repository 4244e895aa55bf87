"""The recording window: a long training loop runs whole, the graph keeps its first and last passes in full.

The run is cut into segments at each `.backward()`: segment k is what ran after pass k-1 (the optimizer step,
the next forward) up to pass k. Once a pass ends, the segment two passes back is dropped unless it is one of
the first `limits.max_passes_kept // 2`: its records let go of their tensors (memory stays bounded however
long the loop) and leave the response, except those a kept record still uses. Every pass leaves its loss
behind, so the loss curve covers the whole run.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Callable, Sequence
from typing import Any

from app.capture.records import Capture, PassRecord, ValueRecord

__all__ = ["end_of_pass"]


def end_of_pass(capture: Capture, index: int, loss: float | None, segments: dict[int, list[int]]) -> int:
    """Record pass `index` and drop what the window no longer keeps; the number of records dropped.
    `segments` lists the records of each segment (it loses the dropped one)."""
    capture.passes.append(PassRecord(index, loss))
    keep_first = capture.limits.max_passes_kept // 2
    keep_last = capture.limits.max_passes_kept - keep_first
    old = index - keep_last
    if old < keep_first:
        return 0
    capture.passes[old] = PassRecord(old, capture.passes[old].loss, kept=False)
    return _drop_segment(capture, old, segments)


def _drop_segment(capture: Capture, segment: int, segments: dict[int, list[int]]) -> int:
    """Release the segment's records that no later record uses; the used ones are carried into the next
    segment (dropped in their turn once nothing uses them), cut from the history that was dropped."""
    values = capture.values
    later = [i for k, indices in segments.items() if k > segment for i in indices]
    used = {source for i in later for source in values[i].inputs}
    dropped = 0
    carried: list[int] = []
    for index in segments.pop(segment, []):
        record = values[index]
        if record.dropped:
            continue
        if index in used:
            carried.append(index)
        else:
            _release(record)
            dropped += 1
    for index in carried:
        record = values[index]
        record.inputs = [source for source in record.inputs if not values[source].dropped]
        record.segment = segment + 1
    segments.setdefault(segment + 1, [])[:0] = carried
    events = capture.backward
    for event in events[_span(events, segment, lambda e: e.pass_index)]:
        event.dropped = True
        event.grad_outputs, event.grad_inputs, event.sources = [], [], []
    steps = capture.optimizer
    for step in steps[_span(steps, segment, lambda s: s.segment)]:
        step.dropped = True
        step.params = []
    return dropped


def _span(items: Sequence[Any], value: int, key: Callable[[Any], int]) -> slice:
    """The slice of `items` (sorted by `key`) whose key is `value`."""
    return slice(bisect_left(items, value, key=key), bisect_right(items, value, key=key))


def _release(record: ValueRecord) -> None:
    record.dropped = True
    record.tensor = record.value = record.grad = None
    record.grad_fn = None
    record.saved = []
