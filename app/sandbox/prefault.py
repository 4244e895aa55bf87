"""Memory a sandbox child finds already faulted in: populated ahead while it waits, and while it runs.

Every run is a fresh child, so every page a big program touches is new to it: GPT-2 124M touches ~1.4 GB,
and the kernel hands out fresh pages one fault at a time on the run's own thread (~0.5 s per GB on the dev
VM). Here glibc takes all memory from its one heap (no mmap per big block, never trimmed, grown with a pad),
so that pages populated once serve every later allocation:
- `Prefill`: a spare child grows its heap by what the pool expects the next run to need and populates it on
  a thread while it waits for its job (the pool asks only while no run is going). GPT-2 124M run again:
  the run's own time 1.36 -> 0.85 s in a fresh process.
- `start_prefaulting`: during the run, a helper thread populates each new stretch of the heap
  (MADV_POPULATE_WRITE) from the top down while the run writes into it from the bottom up, so the page
  zeroing moves to another core. GPT-2 124M in a fresh process without a prefill: 1.63 -> 1.15 s.
Where the C library is not glibc or the kernel is older than 5.14, nothing changes.
"""

from __future__ import annotations

import threading
import time

from app.sandbox.libc import libc

__all__ = ["MAX_PREFILL_BYTES", "Prefill", "start_prefaulting"]

M_TRIM_THRESHOLD, M_TOP_PAD, M_MMAP_MAX = -1, -2, -4  # glibc's mallopt parameters
TRIM_THRESHOLD = 2**31 - 1  # mallopt takes an int: a free top chunk up to this size is never given back
MADV_POPULATE_WRITE = 23  # Linux 5.14
TOP_PAD = 64 << 20  # each heap growth asks this much more (the stretch filled ahead; a limit comes as early)
MAX_PREFILL_BYTES = TRIM_THRESHOLD - 2 * TOP_PAD  # a freed prefill, pad and all, stays under the threshold
STRIDE = 4 << 20  # bytes populated per call, top-down
PREFILL_STRIDE = 8 << 20  # bytes populated per call while waiting (how long stopping may take: ~3 ms)
POLL_SECONDS = 0.002
IDLE_SECONDS = 0.05  # small runs end before the helper ever wakes (its polling costs them ~2 ms)
PAGE = 4096


class Prefill:
    """A waiting child's heap grown by `size` bytes (malloc'd and freed: the free top chunk the run's first
    allocations are carved from), populated bottom-up by a thread until the job comes."""

    def __init__(self, size: int) -> None:
        library = libc()
        top = library.sbrk(0)
        block = library.malloc(size)
        if block:
            library.free(block)
        self.reserved: int = library.sbrk(0) - top  # address space now held at the heap's top, free
        self.populated_to = _page_up(top)
        self._end = top + self.reserved
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._populate, name="prefill", daemon=True)
        self._thread.start()

    @classmethod
    def start(cls, size: int) -> Prefill | None:
        """Begin, or None where unsupported or asked for nothing."""
        if not 0 < size <= MAX_PREFILL_BYTES or not _one_heap():
            return None
        return cls(size)

    def stop(self, memory_mb: int | None) -> int:
        """End the populating (waits for one stride at most); the bytes of address space the run finds held
        for it, which its address-space limit must not give it again. A CUDA run (`memory_mb` None: its host
        memory is watched as resident pages above what it holds now) or one allowed less than the prefill
        gets none: the heap's free top goes back to the kernel."""
        self._stopping.set()
        self._thread.join()
        if memory_mb is None or self.reserved > memory_mb << 20:
            libc().malloc_trim(0)
            self.reserved, self.populated_to = 0, _page_up(libc().sbrk(0))
        return self.reserved

    def _populate(self) -> None:
        library = libc()
        while self.populated_to < self._end and not self._stopping.is_set():
            length = min(PREFILL_STRIDE, self._end - self.populated_to) & ~(PAGE - 1)
            if length == 0 or library.madvise(self.populated_to, length, MADV_POPULATE_WRITE) != 0:
                return
            self.populated_to += length


def start_prefaulting(populated_to: int | None = None) -> bool:
    """Switch this process's allocator to one growing heap and start the helper; False where unsupported.
    The helper populates the heap above `populated_to` (default: its top now), growth included."""
    if not _one_heap():
        return False
    # the heap's top now, not when the helper first runs: the run may grow the heap before a busy machine
    # schedules the helper, and growth it took for its starting point would never be populated
    done = _page_up(libc().sbrk(0) if populated_to is None else populated_to)
    threading.Thread(target=_populate_growth, args=(done,), name="prefault", daemon=True).start()
    return True


def _one_heap() -> bool:
    """glibc's allocator set to one heap, never trimmed, grown with a pad; False without glibc or without
    MADV_POPULATE_WRITE (what makes it worth it)."""
    library = libc()
    if not hasattr(library, "gnu_get_libc_version"):  # musl and others: no such mallopt
        return False
    last_heap_page = (library.sbrk(0) & ~(PAGE - 1)) - PAGE
    if library.madvise(last_heap_page, PAGE, MADV_POPULATE_WRITE) != 0:  # EINVAL before Linux 5.14
        return False
    settings = ((M_MMAP_MAX, 0), (M_TRIM_THRESHOLD, TRIM_THRESHOLD), (M_TOP_PAD, TOP_PAD))
    return all(library.mallopt(name, value) == 1 for name, value in settings)


def _populate_growth(done: int) -> None:
    """Populate whatever the heap grew by above `done` since the last look; stop for good where the kernel
    refuses."""
    library = libc()
    time.sleep(IDLE_SECONDS)
    while True:
        top = library.sbrk(0) & ~(PAGE - 1)
        if top <= done:
            time.sleep(POLL_SECONDS)
            continue
        for end in range(top, done, -STRIDE):
            begin = max(done, end - STRIDE)
            if library.madvise(begin, end - begin, MADV_POPULATE_WRITE) != 0:
                return  # out of memory: the run's own allocations will say so
        done = top


def _page_up(address: int) -> int:
    return (address + PAGE - 1) & ~(PAGE - 1)
