"""Runs user programs in throw-away children: fork server, rlimits, wall-clock kill, JSON over a pipe."""

from __future__ import annotations

from app.sandbox.pool import Machine, Pool
from app.sandbox.protocol import Confinement, Job

__all__ = ["Confinement", "Job", "Machine", "Pool"]
