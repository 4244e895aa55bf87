"""seccomp in a child (through `pyseccomp`, a ctypes binding of the system's libseccomp.so.2): the system
calls
that reach past the run are refused with EPERM, in every thread of the child (TSYNC covers the threads CUDA
and the prefault helper already started).

A deny list, not an allow list: the child runs arbitrary CPython, torch, numpy and (for CUDA runs) a
closed-source driver whose system calls change from version to version; an allow list that misses one turns a
correct program into a confusing failure we could not even reproduce without that driver. What can reach past
the run is a short list of families, named below, and the child holds no capabilities and cannot make a user
namespace, so the privileged calls left out (settimeofday, quotactl, ...) fail anyway. 32-bit (int 0x80)
calls, which a 64-bit filter does not cover, kill the process.

Calls that act on a process are limited to the child itself where it may share its uid with the server (the
container runs as one non-root user): kill and friends to its own pid, prlimit, scheduling and I/O priority to
"self" (0). The child may start threads but no processes (clone without CLONE_THREAD, fork, vfork; clone3
answers ENOSYS so that glibc falls back to clone): a run is one process, which one SIGKILL ends for good.
"""

from __future__ import annotations

import errno
import os
from typing import Any

__all__ = ["DENIED", "available", "deny"]

DENIED = (
    # the network, and the fork server's unix socket
    "socket", "socketpair", "connect", "bind", "listen", "accept", "accept4",
    # other programs and other processes
    "execve", "execveat", "fork", "vfork", "ptrace", "process_vm_readv", "process_vm_writev",
    "process_madvise", "process_mrelease", "pidfd_getfd", "pidfd_send_signal", "kcmp", "tkill",
    # mounts and namespaces
    "mount", "umount2", "pivot_root", "chroot", "unshare", "setns", "fsopen", "fsmount", "fsconfig", "fspick",
    "open_tree", "move_mount", "mount_setattr",
    # kernel interfaces with a history of exploits, and io_uring, whose operations (socket, connect) seccomp
    # never sees
    "bpf", "perf_event_open", "userfaultfd", "keyctl", "add_key", "request_key", "io_uring_setup",
    "io_uring_enter", "io_uring_register", "open_by_handle_at",
    # the machine itself
    "init_module", "finit_module", "delete_module", "kexec_load", "kexec_file_load", "reboot", "swapon",
    "swapoff", "acct", "syslog", "vhangup", "iopl", "ioperm",
    # IPC objects that outlive the run and escape its address-space limit
    "shmget", "shmat", "shmctl", "msgget", "msgsnd", "msgrcv", "msgctl", "semget", "semop", "semtimedop",
    "semctl", "mq_open", "mq_unlink", "mq_timedsend", "mq_timedreceive", "mq_notify", "mq_getsetattr",
    # files without a name in the scratch folder, which its size check could not see
    "memfd_create", "memfd_secret",
)  # fmt: skip
# (system call, argument index, the only value allowed): aimed at the child itself, or refused
ONLY_SELF_PID = ("kill", "tgkill", "rt_sigqueueinfo", "rt_tgsigqueueinfo", "pidfd_open")
ONLY_ZERO = (
    ("prlimit64", 0),  # pid 0: this process (setrlimit and getrlimit go through it)
    ("setpriority", 0),  # PRIO_PROCESS ...
    ("setpriority", 1),  # ... who 0: this process
    ("ioprio_set", 1),  # who 0: this process (which is checked below)
    ("sched_setaffinity", 0),
    ("sched_setscheduler", 0),
    ("sched_setparam", 0),
    ("sched_setattr", 0),
    ("migrate_pages", 0),
    ("move_pages", 0),
)
IOPRIO_WHO_PROCESS = 1
CLONE_THREAD = 0x00010000
CLONE_NAMESPACES = (0x00020000, 0x02000000, 0x04000000, 0x08000000, 0x10000000, 0x20000000, 0x40000000)


def available() -> bool:
    """Whether libseccomp can be loaded here (the kernel's support shows when the filter loads)."""
    try:
        import pyseccomp  # noqa: F401  (loads libseccomp.so.2; raises where it is missing)
    except (ImportError, OSError, RuntimeError):
        return False
    return True


def deny() -> bool:
    """Load the filter into every thread of this process; False where libseccomp or the kernel's seccomp
    filter support is missing (nothing loaded then)."""
    if not available():
        return False
    try:
        _build().load()
    except OSError:  # EINVAL: a kernel without seccomp filters, or one that refuses TSYNC
        return False
    return True


def _build() -> Any:
    import pyseccomp as sc

    refuse = sc.ERRNO(errno.EPERM)
    pid = os.getpid()
    rules = sc.SyscallFilter(sc.ALLOW)
    rules.set_attr(sc.Attr.CTL_TSYNC, 1)
    rules.set_attr(sc.Attr.ACT_BADARCH, sc.KILL_PROCESS)
    for name in DENIED:
        if sc.resolve_syscall(sc.Arch.NATIVE, name) >= 0:  # names this libseccomp does not know are skipped
            rules.add_rule(refuse, name)
    for name in ONLY_SELF_PID:
        rules.add_rule(refuse, name, sc.Arg(0, sc.NE, pid))
    for name, index in ONLY_ZERO:
        rules.add_rule(refuse, name, sc.Arg(index, sc.NE, 0))
    rules.add_rule(refuse, "ioprio_set", sc.Arg(0, sc.NE, IOPRIO_WHO_PROCESS))
    rules.add_rule(refuse, "clone", sc.Arg(0, sc.MASKED_EQ, CLONE_THREAD, 0))
    for flag in CLONE_NAMESPACES:
        rules.add_rule(refuse, "clone", sc.Arg(0, sc.MASKED_EQ, flag, flag))
    rules.add_rule(sc.ERRNO(errno.ENOSYS), "clone3")
    return rules
