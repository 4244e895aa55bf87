"""A child's jail in its order (called by app/sandbox/worker.child_main):

1. `detach` (confine.py): own session, stdio on /dev/null, a fixed environment, every fd closed but the pipe;
2. `lock_files`: no_new_privs, then Landlock (landlock.py, the paths of allowed.py): while the child has one
   thread, before CUDA or anything else starts one, since Landlock binds only the caller and what it starts;
3. the GPU is opened here, for CUDA runs and spares (the profile already allows the driver's files);
4. `lock_process`: drop to an unprivileged uid (when root) and every capability, rlimits (CPU, AS, NPROC,
   FSIZE, NOFILE, CORE), then seccomp (seccomp.py) with TSYNC, over every thread CUDA started;
5. the report (JailReport) goes to the server, and only then does the child read its payload and run it.

`prime` runs once in the fork server, so that no child repeats the costly parts and none needs a file Landlock
hides: the trees of allowed.py, `nobody`'s ids (from /etc/passwd), and the C-library lookups that landlockpy
and pyseccomp do at their first use (both run `ldconfig`).
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass

from app.sandbox import landlock, seccomp
from app.sandbox.allowed import allowed_for, python_trees
from app.sandbox.confine import (
    apply_rlimits,
    child_uid,
    child_user_ids,
    drop_privileges,
    no_new_privileges,
)
from app.sandbox.protocol import Confinement, JailReport

__all__ = ["FileLock", "lock_files", "lock_process", "prime"]


@dataclass(frozen=True)
class FileLock:
    """What step 2 put in place."""

    no_new_privs: bool
    landlock_abi: int  # 0: none


def prime() -> None:
    """In the fork server: compute what every child would otherwise compute again."""
    python_trees()
    child_user_ids()
    child_uid()
    landlock.available_abi()
    with contextlib.suppress(Exception):  # missing libseccomp: each child reports seccomp off
        seccomp.available()


def lock_files(scratch: str, *, cuda: bool) -> FileLock:
    """Step 2: no_new_privs and Landlock (the CUDA profile when `cuda`)."""
    no_new_privs = no_new_privileges()
    return FileLock(no_new_privs, landlock.restrict(allowed_for(scratch, cuda=cuda)))


def lock_process(files: FileLock, confinement: Confinement, reserved: int = 0) -> JailReport:
    """Step 4: uid, capabilities, rlimits, seccomp; what is in force now. `reserved`: bytes of address space
    the child already holds free for the run (a prefilled heap), which count towards its memory limit."""
    separated = drop_privileges()
    apply_rlimits(
        cpu_seconds=confinement.cpu_seconds,
        memory_mb=confinement.memory_mb,
        reserved=reserved,
        file_bytes=confinement.scratch_mb * 2**20,
        tasks=confinement.tasks,
    )
    filtered = seccomp.deny()
    return JailReport(
        landlock=files.landlock_abi,
        seccomp=filtered,
        no_new_privs=files.no_new_privs,
        uid_separated=separated,
    )
