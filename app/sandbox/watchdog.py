"""The server's watch over a running child, every tick of its reply's wait (app/sandbox/receive.py): the size
of its scratch folder, the peak of its resident memory (what the pool prefills its next spare with), and, for
CUDA runs (where RLIMIT_AS would break CUDA), the host memory it holds.

Host memory is the child's resident anonymous and shared-memory pages (RssAnon + RssShmem) above what it held
when it took its payload: pages it shares copy-on-write with the fork server count from the start, so only
what the run adds is held against `host_memory_mb`. Checked every tick, so a run may overshoot by what it can
allocate in one tick (~50 ms) before it is killed.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.errors import LimitExceeded, MemoryLimit
from app.sandbox.scratch import MAX_ENTRIES, TooManyEntries, scratch_usage

__all__ = ["Watchdog", "resident_bytes"]

MiB = 2**20


@dataclass
class Watchdog:
    """Call it to check the child; it raises the run's error past a limit (the caller kills the child)."""

    pid: int
    scratch: str
    scratch_mb: int
    host_memory_mb: int | None
    baseline: int | None = None  # the child's memory before the run; none is counted until it is taken
    peak: int = 0  # the most resident memory seen (sampled every tick, and once more by `sample`)

    def arm(self) -> None:
        """Take the memory baseline: the child is confined and waits for its payload. Until then it holds
        only what it inherited from the fork server (hundreds of MiB with torch) and what a prefill populated
        for it, none of it the run's."""
        self.baseline = self.sample()

    def sample(self) -> int:
        """The child's resident memory now (0 once it is gone), counted into `peak`."""
        resident = resident_bytes(self.pid)
        self.peak = max(self.peak, resident)
        return resident

    def __call__(self) -> None:
        try:
            used = scratch_usage(self.scratch, self.pid)
        except TooManyEntries:
            raise LimitExceeded(f"the run made more than {MAX_ENTRIES} files and folders") from None
        if used > self.scratch_mb * MiB:
            raise LimitExceeded(f"the run wrote more than {self.scratch_mb} MiB of files")
        resident = self.sample()
        if (
            self.host_memory_mb is not None
            and self.baseline is not None
            and resident - self.baseline > self.host_memory_mb * MiB
        ):
            raise MemoryLimit(f"the run needed more than {self.host_memory_mb} MiB of host memory")


def resident_bytes(pid: int) -> int:
    """RssAnon + RssShmem of `pid`, bytes; 0 once it is gone."""
    total = 0
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith(("RssAnon:", "RssShmem:")):
                    total += int(line.split()[1]) * 1024
    except (OSError, ValueError):
        return 0
    return total
