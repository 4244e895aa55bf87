"""Tensors -> TensorData (design §4), many at once: few fused reductions on the tensor's own device and one
host transfer per value kind, instead of a stats pass and a sync per tensor.

Small tensors (numel <= max_inline) travel in full, nested like their shape; bigger ones as stats, the first
PREVIEW_VALUES values in row-major order and, when the last two dims are both > 1, a mean-pooled heatmap of
at most 16 x 16 cells over them (a 1 x N row adds nothing the stats and preview do not show), while a
response's cell budget lasts (`encode_within`: settled from shapes before any pooling).
NaN/±Inf become "NaN"/"Infinity"/"-Infinity"; integers beyond ±2**53 decimal strings.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import torch

from app.capture import heatmaps
from app.capture.ahead import StatsAhead
from app.capture.reductions import SEGMENT_MAX, big_stats, dense_view, segment_stats, stats_row
from app.capture.transfer import cat_on_host
from app.gcpause import collections_paused
from app.models import Heatmap, Nested, Scalar, Stats, TensorData

__all__ = ["encode", "encode_within", "json_numbers", "json_scalar"]

SAFE_INT = 2**53
MAX_SHIFT = 22  # 10**22 is the last exact float64 power of ten: values needing more go unrounded
DIGITS = {"float": 7, "grid": 3, "int": 0, "bool": 0}  # significant digits sent, per transfer (0: exact)
PREVIEW_VALUES = 16  # first values of a truncated tensor: the page shows stats and the heatmap, not these


def json_scalar(value: bool | int | float) -> Scalar:
    """A number as JSON carries it without loss or error."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return value if -SAFE_INT <= value <= SAFE_INT else str(value)
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    return value


Stream = tuple[str, torch.dtype]  # a transfer's kind and the dtype of the pieces it joins


@dataclass
class _Plan:
    """Where one tensor's pieces sit in the batched host transfers."""

    tensor: torch.Tensor
    kind: str  # "float", "int" or "bool": which transfer carries its values
    flat: tuple[Stream, int, int]  # slice of a transfer: values (small) or preview (big)
    grid: tuple[Stream, int, int, int] | None  # offset into a grid transfer, rows, cols
    stats_row: int | None  # row in the stats transfer (shared by views of the same memory)


class _Batch:
    """Device-side pieces of many tensors, gathered into one host transfer per kind and dtype (torch.cat of
    mixed dtypes costs ~10x as much per piece: GPT-2 124M's ~1,650 previews took 5 ms to join)."""

    def __init__(self, ahead: StatsAhead | None) -> None:
        self.ahead = ahead
        self.pieces: dict[Stream, list[torch.Tensor]] = {}
        self.sizes: dict[Stream, int] = {}
        self.small: list[torch.Tensor] = []  # tensors whose stats come from one segmented reduction
        self.big: list[torch.Tensor] = []  # tensors reduced one by one (a few at a time)
        self.rows: list[tuple[bool, int]] = []  # (small?, position) per stats row
        self._by_memory: dict[tuple[int, int, torch.dtype, torch.device], int] = {}
        self._pooled: dict[tuple[object, ...], torch.Tensor] = {}

    def heatmap(self, tensor: torch.Tensor) -> torch.Tensor:
        return heatmaps.heatmap(tensor, self._pooled)

    def put(self, kind: str, piece: torch.Tensor) -> tuple[Stream, int, int]:
        stream = (kind, piece.dtype)
        if stream not in self.pieces:
            self.pieces[stream] = []
            self.sizes[stream] = 0
        start = self.sizes[stream]
        self.pieces[stream].append(piece if piece.dim() == 1 else piece.reshape(-1))
        self.sizes[stream] = end = start + piece.numel()
        return stream, start, end

    def stats(self, tensor: torch.Tensor) -> int:
        """A stats row for the tensor; views covering the same dense memory (`w` and `w.t()`) share one."""
        dense = tensor.is_contiguous() or dense_view(tensor).is_contiguous()
        numel = tensor.numel()
        key = (tensor.data_ptr(), numel, tensor.dtype, tensor.device)
        if dense and key in self._by_memory:
            return self._by_memory[key]
        if numel <= SEGMENT_MAX:
            self.rows.append((True, len(self.small)))
            self.small.append(tensor)
        else:
            self.rows.append((False, len(self.big)))
            self.big.append(tensor)
        if dense:
            self._by_memory[key] = len(self.rows) - 1
        return len(self.rows) - 1

    def host(self) -> tuple[dict[Stream, list[Scalar]], list[Stats]]:
        """One device->host copy per kind, made JSON-safe (only the odd values converted one by one), and the
        Stats of each stats row (one model per row: GPT-2 124M has ~1,150 rows for ~1,650 tensors)."""
        dtypes = {"float": torch.float64, "grid": torch.float64, "int": torch.int64, "bool": torch.bool}
        lists: dict[Stream, list[Scalar]] = {}
        for (kind, dtype), pieces in self.pieces.items():
            lists[kind, dtype] = json_numbers(cat_on_host(pieces).to(dtypes[kind]), DIGITS[kind])
        small = segment_stats(self.small) if self.small else []
        big = big_stats(self.big, self.ahead)
        tensors = [self.small[i] if is_small else self.big[i] for is_small, i in self.rows]
        return lists, _stats(tensors, [small[i] if is_small else big[i] for is_small, i in self.rows])


def json_numbers(values: torch.Tensor, digits: int) -> list[Scalar]:
    """A host tensor's elements as a flat JSON-safe list, floats at `digits` significant digits (0: exact)."""
    return _json_list(_significant(values, digits))


def _significant(values: torch.Tensor, digits: int) -> torch.Tensor:
    """Floats rounded to `digits` significant decimal digits, so that JSON prints them short (a float32
    has about 7; a float64 conversion of one prints 17 and made GPT-2's response three times as big)."""
    if not digits or not values.is_floating_point():
        return values
    finite = torch.isfinite(values) & (values != 0)
    magnitude = torch.floor(torch.log10(torch.where(finite, values.abs(), torch.ones_like(values))))
    shift = digits - 1 - magnitude  # decimal places to keep; negative: round to tens, hundreds...
    up = torch.pow(10.0, shift.clamp(min=0))
    down = torch.pow(10.0, (-shift).clamp(min=0))
    rounded = torch.round(values * up / down) * down / up  # one of up/down is 1: exact powers of ten
    return torch.where(finite & (shift.abs() <= MAX_SHIFT), rounded, values)


def _json_list(values: torch.Tensor) -> list[Scalar]:
    """tolist(), with NaN/Inf and unsafe integers turned into strings."""
    items: list[Scalar] = values.tolist()
    if values.dtype == torch.bool:
        return items
    odd = ~torch.isfinite(values) if values.is_floating_point() else values.abs() > SAFE_INT
    for position in odd.nonzero().flatten().tolist():
        items[position] = json_scalar(items[position])
    return items


def encode(tensors: Sequence[torch.Tensor], *, max_inline: int) -> list[TensorData]:
    """TensorData for each tensor; the same view of the same memory (a gradient seen by two hooks) once."""
    return encode_within(tensors, max_inline=max_inline, heatmap_cells=None)[0]


def encode_within(
    tensors: Sequence[torch.Tensor],
    *,
    max_inline: int,
    heatmap_cells: int | None,
    ahead: StatsAhead | None = None,
) -> tuple[list[TensorData], int]:
    """As `encode`, with heatmaps on at most `heatmap_cells` cells (the biggest tensors lose theirs first,
    decided before any pooling); also how many heatmaps were left out. `ahead`: statistics the capture took
    during the run, used where they still hold."""
    tensors = [_strided(tensor) for tensor in tensors]
    keys = [  # a view: its memory, type, shape and layout (inline: a call each was 20% more on GPT-2's 2,700)
        (
            tensor.data_ptr(),
            tensor.dtype,
            tensor.device,
            tensor.shape,
            tensor.stride(),
            tensor.storage_offset(),
        )
        for tensor in tensors
    ]
    views: dict[tuple[object, ...], torch.Tensor] = {}
    for key, tensor in zip(keys, tensors, strict=True):
        if key not in views:
            views[key] = _as_real(tensor.detach())
    sizes = [(view.numel(), heatmaps.grid_cells(view, max_inline)) for view in views.values()]
    kept = heatmaps.kept_heatmaps(sizes, heatmap_cells)
    batch = _Batch(ahead)
    with torch.no_grad(), collections_paused():  # thousands of fresh lists: full collections for nothing
        plans = {
            key: _plan(view, batch, max_inline, with_heatmap=keep)
            for (key, view), keep in zip(views.items(), kept, strict=True)
        }
        lists, stats_rows = batch.host()
        done = {key: _finish(plan, lists, stats_rows, max_inline) for key, plan in plans.items()}
    dropped = sum(1 for (_, cells), keep in zip(sizes, kept, strict=True) if cells and not keep)
    return [done[key] for key in keys], dropped


def _strided(tensor: torch.Tensor) -> torch.Tensor:
    """A sparse tensor (`nn.Embedding(..., sparse=True)`'s gradient) is shown by its dense numbers."""
    return tensor.detach().to_dense() if tensor.layout != torch.strided else tensor


def _kind(tensor: torch.Tensor) -> str:
    if tensor.dtype == torch.bool:
        return "bool"
    return "float" if tensor.is_floating_point() else "int"


def _as_real(tensor: torch.Tensor) -> torch.Tensor:
    return torch.view_as_real(tensor) if tensor.is_complex() else tensor


def _plan(tensor: torch.Tensor, batch: _Batch, max_inline: int, *, with_heatmap: bool) -> _Plan:
    kind = _kind(tensor)
    numel = tensor.numel()
    shown = tensor if numel <= max_inline else _first_values(tensor, min(max_inline, PREVIEW_VALUES))
    flat = batch.put(kind, shown)
    grid = None
    if with_heatmap:
        pooled = batch.heatmap(tensor)
        stream, start, _ = batch.put("grid", pooled)
        grid = (stream, start, pooled.shape[0], pooled.shape[1])
    stats_row = batch.stats(tensor) if kind != "bool" and numel > 0 else None
    return _Plan(tensor, kind, flat, grid, stats_row)


def _first_values(tensor: torch.Tensor, count: int) -> torch.Tensor:
    """The first `count` elements in row-major order, copying only the rows that hold them."""
    if tensor.is_contiguous():
        return tensor.as_strided((count,), (1,))  # one op, where view(-1)[:count] takes two
    if tensor.shape[-1] >= count:  # all in the first row (a permuted activation's): a strided view of it
        return tensor.as_strided((count,), (tensor.stride(-1),))
    part = tensor
    while part.dim() > 1:
        inner = math.prod(part.shape[1:])
        if inner >= count:
            part = part[0]
        else:
            return part[: -(-count // inner)].reshape(-1)[:count]
    return part.reshape(-1)[:count]


def _finish(
    plan: _Plan, lists: dict[Stream, list[Scalar]], stats_rows: list[Stats], max_inline: int
) -> TensorData:
    """The model, built without re-validation: every field was made JSON-safe above (a big win on GPT-2).
    Views sharing a stats row share its Stats model, which nothing changes once made."""
    tensor = plan.tensor
    stream, start, end = plan.flat
    flat = lists[stream][start:end]
    shape = list(tensor.shape)
    numel = tensor.numel()
    small = numel <= max_inline
    heatmap = None
    if plan.grid is not None:
        stream, start, height, width = plan.grid
        cells = lists[stream][start : start + height * width]
        grid = [cells[r * width : (r + 1) * width] for r in range(height)]
        heatmap = Heatmap.model_construct(rows=height, cols=width, values=grid)
    return TensorData.model_construct(
        shape=shape,
        dtype=str(tensor.dtype).removeprefix("torch."),
        numel=numel,
        stats=None if plan.stats_row is None else stats_rows[plan.stats_row],
        values=_nest(flat, shape) if small else None,
        preview=None if small else flat,
        heatmap=heatmap,
        heads=None,  # every field given: model_construct then looks up no default
        truncated=not small,
    )


def _stats(tensors: list[torch.Tensor], rows: list[list[float]]) -> list[Stats]:
    """Stats from the fused rows; tensors holding NaN/Inf get counts and stats over their finite values."""
    # per model: the row it shows (None: not one finite value), integer min/max?, NaN and ±Inf counts
    shown: list[tuple[list[float] | None, bool, int, int]] = []
    for tensor, row in zip(tensors, rows, strict=True):
        if all(math.isfinite(value) for value in row):
            shown.append((row, not tensor.is_floating_point(), 0, 0))
            continue
        finite = tensor[torch.isfinite(tensor)]
        nan = int(torch.isnan(tensor).sum())
        some = stats_row(finite).tolist() if finite.numel() else None
        shown.append((some, False, nan, tensor.numel() - nan - finite.numel()))
    numbers = _short([value for some, *_ in shown if some is not None for value in some])
    models: list[Stats] = []
    at = 0
    for some, integral, nan, inf in shown:
        if some is None:
            models.append(Stats.model_construct(nan=nan, inf=inf))
            continue
        mean, std, norm = numbers[at + 2 : at + 5]
        low: Scalar = numbers[at]
        high: Scalar = numbers[at + 1]
        at += 5
        if integral:
            low, high = json_scalar(int(some[0])), json_scalar(int(some[1]))
        models.append(
            Stats.model_construct(min=low, max=high, mean=mean, std=std, norm=norm, nan=nan, inf=inf)
        )
    return models


def _short(values: list[float]) -> list[float]:
    """Seven significant digits, as values travel (a float64 printed in full (17) doubled the stats' bytes),
    formatted by one call for all of them: half the cost of a call per value."""
    spec = f"%.{DIGITS['float']}g"
    return list(map(float, (" ".join([spec] * len(values)) % tuple(values)).split()))


def _nest(flat: list[Scalar], shape: list[int]) -> Nested:
    """Row-major values nested like `shape`; a plain scalar for 0-d."""
    if not shape:
        return flat[0]
    if not flat:
        empty: Nested = torch.zeros(shape).tolist()
        return empty
    nested: list[Nested] = list(flat)
    for size in reversed(shape[1:]):
        nested = [nested[i : i + size] for i in range(0, len(nested), size)]
    return nested
