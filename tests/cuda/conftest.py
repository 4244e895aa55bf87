"""The CUDA path on a real GPU. Every test here is skipped where torch sees no GPU (CI and the dev VM);
run them on a GPU machine with `python -m pytest tests/cuda`."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "gpt2"))  # the plain-torch oracle


@pytest.fixture(scope="session", autouse=True)
def gpu() -> None:
    """Session-scoped, so that it skips before the module fixtures start a server."""
    if not torch.cuda.is_available():
        pytest.skip("needs a CUDA GPU (torch.cuda.is_available() is False here)")
