"""Tensors -> TensorData (design §4), many at once: few fused reductions on the tensor's own device and one
host transfer per value kind, instead of a stats pass and a sync per tensor.

Small tensors (numel <= max_inline) travel in full, nested like their shape; bigger ones as stats, the first
`max_inline` values in row-major order and, for >= 2-D, a mean-pooled heatmap of at most 32 x 32 cells over
the last two dims. NaN/±Inf become "NaN"/"Infinity"/"-Infinity"; integers beyond ±2**53 decimal strings.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import torch
import torch.nn.functional as F

from app.models import Heatmap, Nested, Scalar, Stats, TensorData

__all__ = ["HEATMAP_CELLS", "encode", "json_scalar"]

HEATMAP_CELLS = 32  # rows and columns of a heatmap grid, at most
SAFE_INT = 2**53


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


@dataclass
class _Plan:
    """Where one tensor's pieces sit in the batched host transfers."""

    tensor: torch.Tensor
    kind: str  # "float", "int" or "bool": which transfer carries its values
    flat: tuple[int, int] = (0, 0)  # slice of that transfer: values (small) or preview (big)
    grid: tuple[int, int, int, int] | None = None  # offset into the float transfer, rows, cols
    stats_row: int | None = None  # row in the stats transfer
    extra: dict[str, float] = field(default_factory=dict)


class _Batch:
    """Device-side pieces of many tensors, gathered into one host transfer per kind."""

    def __init__(self) -> None:
        self.pieces: dict[str, list[torch.Tensor]] = {"float": [], "int": [], "bool": []}
        self.sizes: dict[str, int] = {"float": 0, "int": 0, "bool": 0}
        self.stats: list[torch.Tensor] = []

    def put(self, kind: str, piece: torch.Tensor) -> tuple[int, int]:
        start = self.sizes[kind]
        self.pieces[kind].append(piece.reshape(-1))
        self.sizes[kind] += piece.numel()
        return start, start + piece.numel()

    def host(self) -> tuple[dict[str, list[bool | int | float]], list[list[float]]]:
        dtypes = {"float": torch.float64, "int": torch.int64, "bool": torch.bool}
        lists: dict[str, list[bool | int | float]] = {}
        for kind, pieces in self.pieces.items():
            joined = torch.cat([p.to(dtypes[kind]).cpu() for p in pieces]) if pieces else torch.zeros(0)
            lists[kind] = joined.tolist()
        rows = torch.stack([s.cpu() for s in self.stats]).tolist() if self.stats else []
        return lists, rows


def encode(tensors: Sequence[torch.Tensor], *, max_inline: int) -> list[TensorData]:
    """TensorData for each tensor (the same object twice is encoded once)."""
    batch = _Batch()
    plans: dict[int, _Plan] = {}
    with torch.no_grad():
        for tensor in tensors:
            if id(tensor) not in plans:
                plans[id(tensor)] = _plan(tensor.detach(), batch, max_inline)
        lists, rows = batch.host()
        done = {key: _finish(plan, lists, rows, max_inline) for key, plan in plans.items()}
    return [done[id(tensor)] for tensor in tensors]


def _kind(tensor: torch.Tensor) -> str:
    if tensor.dtype == torch.bool:
        return "bool"
    return "float" if tensor.is_floating_point() or tensor.is_complex() else "int"


def _plan(tensor: torch.Tensor, batch: _Batch, max_inline: int) -> _Plan:
    if tensor.is_complex():
        tensor = torch.view_as_real(tensor)
    plan = _Plan(tensor=tensor, kind=_kind(tensor))
    small = tensor.numel() <= max_inline
    plan.flat = batch.put(plan.kind, tensor if small else _first_values(tensor, max_inline))
    if not small and tensor.dim() >= 2:
        grid = _heatmap(tensor)
        start, _ = batch.put("float", grid)
        plan.grid = (start, grid.shape[0], grid.shape[1], 0)
    if plan.kind != "bool" and tensor.numel() > 0:
        plan.stats_row = len(batch.stats)
        batch.stats.append(_stats_row(tensor))
    return plan


def _first_values(tensor: torch.Tensor, count: int) -> torch.Tensor:
    """The first `count` elements in row-major order, copying only the rows that hold them."""
    part = tensor
    while part.dim() > 1:
        inner = math.prod(part.shape[1:])
        if inner >= count:
            part = part[0]
        else:
            return part[: -(-count // inner)].reshape(-1)[:count]
    return part.reshape(-1)[:count]


def _heatmap(tensor: torch.Tensor) -> torch.Tensor:
    """Mean over the leading dims, then mean-pooled to at most HEATMAP_CELLS x HEATMAP_CELLS."""
    rows, cols = tensor.shape[-2], tensor.shape[-1]
    work = tensor if tensor.is_floating_point() else tensor.double()
    grid = work.reshape(-1, rows, cols).mean(0) if tensor.dim() > 2 else work
    target = (min(rows, HEATMAP_CELLS), min(cols, HEATMAP_CELLS))
    if target != (rows, cols):
        grid = F.adaptive_avg_pool2d(grid.float()[None, None], target)[0, 0]
    return grid


def _stats_row(tensor: torch.Tensor) -> torch.Tensor:
    """[min, max, mean, std, norm] in two fused reductions (aminmax, std_mean); norm follows from them."""
    work = tensor if tensor.is_floating_point() else tensor.double()
    low, high = torch.aminmax(work)
    numel = tensor.numel()
    std, mean = (s.double() for s in torch.std_mean(work, correction=1 if numel > 1 else 0))
    norm = torch.sqrt((std * std) * max(numel - 1, 0) + mean * mean * numel)
    return torch.stack([low.double(), high.double(), mean, std, norm])


def _finish(
    plan: _Plan, lists: dict[str, list[bool | int | float]], rows: list[list[float]], max_inline: int
) -> TensorData:
    tensor = plan.tensor
    flat = [json_scalar(v) for v in lists[plan.kind][plan.flat[0] : plan.flat[1]]]
    data = TensorData(
        shape=list(tensor.shape), dtype=str(tensor.dtype).removeprefix("torch."), numel=tensor.numel()
    )
    if plan.stats_row is not None:
        data.stats = _stats(tensor, rows[plan.stats_row])
    if tensor.numel() <= max_inline:
        data.values = _nest(flat, list(tensor.shape))
        return data
    data.preview, data.truncated = flat, True
    if plan.grid is not None:
        start, height, width, _ = plan.grid
        cells = [json_scalar(v) for v in lists["float"][start : start + height * width]]
        data.heatmap = Heatmap(
            rows=height, cols=width, values=[cells[r * width : (r + 1) * width] for r in range(height)]
        )
    return data


def _stats(tensor: torch.Tensor, row: list[float]) -> Stats:
    """Stats from the fused row; tensors holding NaN/Inf get counts and stats over their finite values."""
    if all(math.isfinite(v) for v in row):
        return _stats_from(row, integral=not tensor.is_floating_point())
    nan = int(torch.isnan(tensor).sum())
    inf = int(torch.isinf(tensor).sum())
    finite = tensor[torch.isfinite(tensor)]
    stats = _stats_from(_stats_row(finite).tolist(), integral=False) if finite.numel() else Stats()
    stats.nan, stats.inf = nan, inf
    return stats


def _stats_from(row: list[float], *, integral: bool) -> Stats:
    low, high, mean, std, norm = row
    if integral:
        return Stats(min=json_scalar(int(low)), max=json_scalar(int(high)), mean=mean, std=std, norm=norm)
    return Stats(min=low, max=high, mean=mean, std=std, norm=norm)


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
