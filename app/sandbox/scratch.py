"""Each child's scratch folder: the one place a run may write (Landlock), made by the server before the fork
and removed after the child, with what it holds counted while the run goes on (the watchdog). It is the run's
working directory, and holds a link to each of the small datasets of app/data (`open("names.txt")` works as in
the tutorials that ship such files beside their code).

The bound on its size: RLIMIT_FSIZE caps each file at `scratch_mb`; the watchdog adds up every file in the
folder and every deleted file the run still holds open, each tick, and stops the run past `scratch_mb` (or
past MAX_ENTRIES files and folders). Files without a name from the start (O_TMPFILE, memfd) are refused by
seccomp. What it cannot see: a file the run maps, then closes and deletes; on CPU runs RLIMIT_AS bounds such
mappings.
"""

from __future__ import annotations

import os
import shutil
import stat
import tempfile
from collections.abc import Callable
from typing import Any

from app.sandbox.allowed import DATA_DIR
from app.sandbox.confine import child_uid, child_user_ids

__all__ = [
    "MAX_ENTRIES",
    "TooManyEntries",
    "make_scratch",
    "make_scratch_root",
    "remove_scratch",
    "scratch_usage",
]

MAX_ENTRIES = 10_000  # files and folders in one scratch folder: a walk of them stays ~10 ms


class TooManyEntries(Exception):
    """The folder holds more than MAX_ENTRIES files and folders."""


def make_scratch_root() -> str:
    """The pool's folder of scratch folders: others may pass through it to their own, not list it."""
    root = tempfile.mkdtemp(prefix="gradtrace-run-")
    os.chmod(root, 0o711)
    return root


def make_scratch(root: str) -> str:
    """An empty folder for one child, owned by the uid it will run as."""
    path = tempfile.mkdtemp(dir=root, prefix="scratch-")
    if DATA_DIR.is_dir():
        for data in sorted(DATA_DIR.iterdir()):
            os.symlink(data, os.path.join(path, data.name))
    if child_uid() != os.geteuid():
        os.chown(path, *child_user_ids())
    return path


def remove_scratch(path: str) -> None:
    """The folder and all the run left in it (not following links; folders it locked are opened up first)."""
    shutil.rmtree(path, onerror=_open_up_and_retry)


def _open_up_and_retry(function: Callable[..., Any], path: str, info: Any) -> None:
    """A folder the run made unreadable (chmod 000; only where the server shares its uid, root reads anyway):
    open it and its parent up, then try again once."""
    _make_readable(os.path.dirname(path))
    if os.path.isdir(path) and not os.path.islink(path):
        _make_readable(path)
        shutil.rmtree(path, ignore_errors=True)
    else:
        try:
            function(path)
        except OSError:
            return


def scratch_usage(path: str, pid: int) -> int:
    """Bytes on disk in the folder, plus deleted files that process `pid` still holds open; raises
    TooManyEntries past MAX_ENTRIES."""
    return _tree_bytes(path) + _open_deleted_bytes(pid)


def _tree_bytes(root: str) -> int:
    total, entries, pending = 0, 0, [root]
    while pending:
        folder = pending.pop()
        try:
            listing = list(os.scandir(folder))
        except PermissionError:
            _make_readable(folder)
            listing = _listing_or_empty(folder)
        except OSError:
            continue
        entries += len(listing)
        if entries > MAX_ENTRIES:
            raise TooManyEntries
        for entry in listing:
            try:
                info = entry.stat(follow_symlinks=False)
            except OSError:
                continue
            total += info.st_blocks * 512
            if stat.S_ISDIR(info.st_mode):
                pending.append(entry.path)
    return total


def _make_readable(folder: str) -> None:
    """chmod 700 a folder of the run's (the server's own uid, as the run's); root needs no such thing."""
    if os.geteuid() != 0:
        try:
            os.chmod(folder, 0o700)
        except OSError:
            return


def _listing_or_empty(folder: str) -> list[os.DirEntry[str]]:
    try:
        return list(os.scandir(folder))
    except OSError:
        return []


def _open_deleted_bytes(pid: int) -> int:
    """Regular files with no name left that `pid` holds open (written, then deleted: the space stays
    taken)."""
    total = 0
    try:
        descriptors = os.listdir(f"/proc/{pid}/fd")
    except OSError:
        return 0
    for fd in descriptors:
        try:
            info = os.stat(f"/proc/{pid}/fd/{fd}")
        except OSError:
            continue
        if stat.S_ISREG(info.st_mode) and info.st_nlink == 0:
            total += info.st_blocks * 512
    return total
