"""Tensor statistics for the encoder: exact [min, max, mean, std, norm] with few passes over memory.

Memory is what costs here, not arithmetic: on a small VM a fresh 64 MB temporary costs 38 ms to touch and a
pass over GPT-2's 150 MB embedding ~5 ms. So small tensors are stacked a few at a time into one reused
buffer, and big ones are reduced a cache-sized chunk at a time, so that their three reductions read main
memory once.
"""

from __future__ import annotations

import os
from collections import defaultdict
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING

import torch

from app.capture.transfer import cat_on_host

if TYPE_CHECKING:
    from app.capture.ahead import StatsAhead

__all__ = ["SEGMENT_MAX", "big_stats", "dense_view", "segment_stats", "spare_cores", "stats_row"]

NORM_ROW = 4096  # elements per partial norm (float accuracy)
# elements of a big tensor reduced at a time on CPU (4 MB of float: cache-resident)
CACHE_CHUNK = 256 * NORM_ROW
SEGMENT_MAX = 65_536  # tensors up to this many elements get their stats from one batched reduction
STACK_CHUNK = 1 << 19  # elements of small same-size tensors stacked at a time into one reused buffer
# threads for big CPU tensors where cores are left over by torch's own: the sandbox child runs torch on one,
# and a second core reducing other tensors meanwhile takes GPT-2's 250 M parameter and gradient elements
# from 122 to 75 ms (where torch already runs on every core, another thread only got in its way: 200 -> 250)
BIG_STATS_THREADS = 2

GroupKey = tuple[int, torch.dtype, torch.device]


def segment_stats(tensors: list[torch.Tensor]) -> list[list[float]]:
    """[min, max, mean, std, norm] of many small tensors at once: tensors of one size, dtype and device are
    stacked and reduced along rows (a few groups in a real model), instead of five reductions per tensor.
    This is 3-4x faster than one flat vector with segment ids, whose id vector alone cost 150 ms on GPT-2."""
    groups: dict[GroupKey, list[int]] = defaultdict(list)
    for position, tensor in enumerate(tensors):
        groups[(tensor.numel(), tensor.dtype, tensor.device)].append(position)
    scratch = _Scratch()
    order: list[int] = []
    results: list[torch.Tensor] = []
    for (numel, dtype, device), picked in groups.items():
        step = max(1, STACK_CHUNK // numel)
        for start in range(0, len(picked), step):
            part = picked[start : start + step]
            block = scratch.block(len(part), numel, dtype, device)
            torch.stack([tensors[i].reshape(-1) for i in part], out=block)
            results.append(_block_rows(block, scratch))
            order.extend(part)
    rows: list[list[float]] = [[] for _ in tensors]
    for position, row in zip(order, cat_on_host(results).tolist(), strict=True):
        rows[position] = row
    return rows


class _Scratch:
    """One reused buffer per dtype and device: on GPT-2 fresh temporaries cost more than the arithmetic."""

    def __init__(self) -> None:
        self._flat: dict[tuple[torch.dtype, torch.device], torch.Tensor] = {}

    def block(self, rows: int, cols: int, dtype: torch.dtype, device: torch.device) -> torch.Tensor:
        flat = self._flat.get((dtype, device))
        if flat is None or flat.numel() < rows * cols:
            flat = self._flat[dtype, device] = torch.empty(
                max(STACK_CHUNK, rows * cols), dtype=dtype, device=device
            )
        return flat[: rows * cols].view(rows, cols)


def _block_rows(block: torch.Tensor, scratch: _Scratch) -> torch.Tensor:
    """Stats of each row; the mean summed in float64 (a float sum loses a near-zero gradient mean)."""
    block = _widened(block)
    rows, count = block.shape
    low, high = block.amin(1), block.amax(1)  # aminmax along a dim is 16x slower than the two
    wide = block
    if block.dtype != torch.float64:  # sum(dtype=float64) converts into fresh memory: 20 ms on GPT-2
        wide = scratch.block(rows, count, torch.float64, block.device).copy_(block)
    mean = wide.sum(1) / count
    norm = torch.linalg.vector_norm(block, dim=1).double()
    variance = (norm * norm - count * mean * mean).clamp(min=0) / max(count - 1, 1)
    return torch.stack([low.double(), high.double(), mean, variance.sqrt(), norm], dim=1)


def _widened(values: torch.Tensor) -> torch.Tensor:
    """Integers as float64 and half floats as float: a half sum of squares overflows."""
    if not values.is_floating_point():
        return values.double()
    return values.float() if values.dtype in (torch.float16, torch.bfloat16) else values


def dense_view(tensor: torch.Tensor) -> torch.Tensor:
    """The same elements in a contiguous order when the tensor is a permuted dense block (`w.t()`):
    reductions over strided memory run an order of magnitude slower, and stats ignore element order."""
    if tensor.is_contiguous():
        return tensor
    strides = tensor.stride()
    order = sorted(range(tensor.dim()), key=lambda d: -strides[d])
    permuted = tensor.permute(order)
    return permuted if permuted.is_contiguous() else tensor


def spare_cores() -> int:
    """How many torch-sized shares of this process's cores there are: 2 in the sandbox child, whose torch runs
    on one thread of two cores (1: torch already runs on every core)."""
    return len(os.sched_getaffinity(0)) // torch.get_num_threads()


def big_stats(tensors: list[torch.Tensor], ahead: StatsAhead | None = None) -> list[list[float]]:
    """`stats_row` of each tensor, or the row `ahead` took during the run. CPU tensors are shared out among a
    few threads when torch leaves cores idle, the biggest first to the least loaded (torch lets go of the GIL
    while it reduces); a GPU queues its work in order anyway."""
    if not tensors:
        return []
    rows: dict[int, torch.Tensor] = {}
    if ahead is not None:
        known = ((i, ahead.row(tensor)) for i, tensor in enumerate(tensors))
        rows = {i: row for i, row in known if row is not None}
    todo = [i for i in range(len(tensors)) if i not in rows]
    on_cpu = sorted((i for i in todo if tensors[i].is_cpu), key=lambda i: -tensors[i].numel())
    shares: list[list[int]] = [[] for _ in range(max(1, min(BIG_STATS_THREADS, spare_cores())))]
    loads = [0] * len(shares)
    for i in on_cpu:
        least = loads.index(min(loads))
        shares[least].append(i)
        loads[least] += tensors[i].numel()
    shares[0] += [i for i in todo if not tensors[i].is_cpu]

    def reduce(share: list[int]) -> list[tuple[int, torch.Tensor]]:
        return [(i, stats_row(tensors[i])) for i in share]

    first, *others = shares
    with ThreadPoolExecutor(max(1, len(others))) as pool:
        running = pool.map(reduce, others)  # started now; this thread takes the first share meanwhile
        rows.update(reduce(first))
        for done in running:
            rows.update(done)
    return cat_on_host([rows[i][None] for i in range(len(tensors))]).tolist()


def stats_row(tensor: torch.Tensor) -> torch.Tensor:
    """[min, max, mean, std, norm] of one tensor; std follows from the sum and the norm.

    torch.std_mean and float64 sums are 30x slower than float sums on CPU, and one float norm over millions
    of elements is off by 0.3%: the norm is taken per 4096-element row and combined in float64, the sum per
    chunk (torch sums pairwise within one) and combined in float64."""
    lows, highs, sums, norms = [], [], [], []
    for piece in _pieces(dense_view(tensor).reshape(-1)):
        piece = _widened(piece)
        norms.append(torch.linalg.vector_norm(piece, dim=1))  # the slowest first, while memory streams in
        sums.append(piece.sum())
        low, high = torch.aminmax(piece)
        lows.append(low)
        highs.append(high)
    numel = tensor.numel()
    mean = torch.stack(sums).double().sum() / numel
    norm = torch.cat(norms).double().square().sum().sqrt()
    variance = (norm * norm - numel * mean * mean).clamp(min=0) / max(numel - 1, 1)
    low, high = torch.stack(lows).min().double(), torch.stack(highs).max().double()
    return torch.stack([low, high, mean, variance.sqrt(), norm])


def _pieces(flat: torch.Tensor) -> Iterator[torch.Tensor]:
    """(rows, NORM_ROW) blocks of at most CACHE_CHUNK elements on CPU (one block on other devices, where a
    launch costs more than a pass), then what is left as one row."""
    cut = flat.numel() - flat.numel() % NORM_ROW
    step = CACHE_CHUNK if flat.is_cpu else max(cut, NORM_ROW)
    for start in range(0, cut, step):
        yield flat[start : min(start + step, cut)].view(-1, NORM_ROW)
    if cut < flat.numel():
        yield flat[cut:].view(1, -1)
