"""Statistics of big tensors computed ahead, on a spare core, while the program still runs.

The encoder's slowest part is exact statistics of the big tensors (GPT-2 124M: ~250 M parameter and
gradient elements, ~120 ms of one core), and the sandbox child runs torch on one thread while a second core
idles. A forward value is final once a backward pass starts and a gradient once the engine hands it on, unless
something later writes into its memory, which the snapshot registry counts. So their statistics are taken
beside the backward pass, and the encoder uses a row taken ahead only when the tensor it was read from is
still alive and over the same memory (so that memory cannot have been freed and reused) and that memory saw
no write since.
"""

from __future__ import annotations

import weakref
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass

import torch

from app.capture.reductions import SEGMENT_MAX, dense_view, spare_cores, stats_row
from app.capture.snapshots import Snapshots, storage_of

__all__ = ["StatsAhead"]

# elements reduced ahead per run at most (~0.25 s of one core): a long loop over a big model must not spend
# the spare core on passes the recording window drops
AHEAD_ELEMENTS = 1 << 29

MemoryKey = tuple[int, int, torch.dtype]  # data_ptr, numel, dtype of a dense block of CPU memory


@dataclass
class _Ahead:
    source: weakref.ref[torch.Tensor]
    storage: int
    writes: int
    row: Future[torch.Tensor | None]


class StatsAhead:
    """`submit` big CPU tensors as they become final; `row` answers the encoder while the answer holds.
    Without a core torch leaves idle (`spare`, measured by default) nothing is taken ahead."""

    def __init__(self, snapshots: Snapshots, *, spare: bool | None = None) -> None:
        self._snapshots = snapshots
        self._rows: dict[MemoryKey, _Ahead] = {}
        self._left = AHEAD_ELEMENTS
        if spare is None:
            spare = spare_cores() > 1
        self._pool = ThreadPoolExecutor(1, thread_name_prefix="stats-ahead") if spare else None

    def submit(self, tensor: torch.Tensor | None) -> None:
        """Take `tensor`'s statistics now, in the background; it is only read (no op runs on this thread,
        so the recording modes see nothing)."""
        if self._pool is None or tensor is None or not tensor.is_cpu or tensor.layout != torch.strided:
            return
        numel = tensor.numel()
        key = (tensor.data_ptr(), numel, tensor.dtype)
        if numel <= SEGMENT_MAX or numel > self._left or key in self._rows or tensor.is_complex():
            return
        storage = storage_of(tensor)
        self._left -= numel
        row = self._pool.submit(_dense_stats, tensor)
        self._rows[key] = _Ahead(weakref.ref(tensor), storage, self._snapshots.writes(storage), row)

    def row(self, tensor: torch.Tensor) -> torch.Tensor | None:
        """The statistics of a dense `tensor`'s memory if they were taken ahead and still hold, else None."""
        ahead = self._rows.get((tensor.data_ptr(), tensor.numel(), tensor.dtype))
        if ahead is None:
            return None
        source = ahead.source()
        if source is None or storage_of(source) != ahead.storage:
            return None
        if self._snapshots.writes(ahead.storage) != ahead.writes:
            return None
        return ahead.row.result()

    def stop(self) -> None:
        """No more submissions (the run ended); what was submitted still completes for `row`."""
        if self._pool is not None:
            self._pool.shutdown(wait=False)
            self._pool = None


def _dense_stats(tensor: torch.Tensor) -> torch.Tensor | None:
    """stats_row of a tensor laid out as one dense block (`w` or `w.t()`), else None: its key names memory
    it does not cover in full."""
    with torch.no_grad():
        dense = dense_view(tensor.detach())
        return stats_row(dense) if dense.is_contiguous() else None
