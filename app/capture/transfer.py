"""Device->host copies for the encoder: a CUDA run also holds CPU tensors (`.cpu()`, indices, constants
made on the CPU), and torch.cat refuses to mix devices, so parts are joined per device and copied once."""

from __future__ import annotations

from collections import defaultdict

import torch

__all__ = ["cat_on_host"]


def cat_on_host(parts: list[torch.Tensor]) -> torch.Tensor:
    """`torch.cat(parts)` (along dim 0, promoting dtypes) on the CPU, with one copy per device."""
    if not parts:
        return torch.zeros(0, device="cpu")
    positions: dict[torch.device, list[int]] = defaultdict(list)
    for position, part in enumerate(parts):
        positions[part.device].append(position)
    if len(positions) == 1:
        return torch.cat(parts).cpu()
    on_host: list[torch.Tensor] = list(parts)
    for picked in positions.values():
        joined = torch.cat([parts[i] for i in picked]).cpu()
        for i, piece in zip(
            picked, joined.split_with_sizes([parts[i].shape[0] for i in picked]), strict=True
        ):
            on_host[i] = piece
    return torch.cat(on_host)
