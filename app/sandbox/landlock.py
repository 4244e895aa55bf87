"""Landlock in a child (through `landlockpy`, a dependency-free typed binding of the three system calls):
every
file-system right the kernel knows is handled, so whatever `Allowed` does not grant is refused; TCP (and UDP
from ABI 10) is refused whatever the port; signals and abstract unix sockets cannot leave the domain (ABI 6).

Landlock binds the calling thread and the threads and processes it creates later, so it is applied while the
child has one thread, before CUDA or the prefault helper start theirs. The child also sets no_new_privs here.
"""

from __future__ import annotations

from landlockpy import AccessFS, Ruleset, abi_version, fs_for_abi, net_for_abi, scope_for_abi

from app.sandbox.allowed import Allowed

__all__ = ["available_abi", "restrict"]

READ_TREE = AccessFS.READ_FILE | AccessFS.READ_DIR
READ_FILE = AccessFS.READ_FILE
DEVICE = AccessFS.READ_FILE | AccessFS.WRITE_FILE
IOCTL_DEVICE = DEVICE | AccessFS.IOCTL_DEV  # ioctls on devices are refused unless granted (ABI 5)
OWN_WRITES = READ_TREE | AccessFS.WRITE_FILE | AccessFS.TRUNCATE
SCRATCH = (
    READ_TREE
    | AccessFS.WRITE_FILE
    | AccessFS.TRUNCATE  # ABI 3
    | AccessFS.MAKE_REG
    | AccessFS.MAKE_DIR
    | AccessFS.REMOVE_FILE
    | AccessFS.REMOVE_DIR
    | AccessFS.REFER  # renames between its own folders; both ends must grant it, so nothing comes in
)


def available_abi() -> int:
    """The kernel's Landlock ABI version; 0 where Landlock is missing or disabled."""
    return abi_version()


def restrict(allowed: Allowed) -> int:
    """Confine this thread and everything it starts later to `allowed`; the ABI now in force (0: Landlock is
    unavailable and nothing changed). Any other failure raises: the child must not run unconfined."""
    abi = abi_version()
    if abi == 0:
        return 0
    handled_fs, handled_net, scoped = fs_for_abi(abi), net_for_abi(abi), scope_for_abi(abi)
    with Ruleset(handled_fs=handled_fs, handled_net=handled_net, scoped=scoped) as ruleset:
        for tree in allowed.read_trees:
            ruleset.allow_path(tree, READ_TREE)
        for path in allowed.read_files:
            ruleset.allow_path(path, READ_FILE)
        for device in allowed.devices:
            ruleset.allow_path(device, DEVICE)
        for device in allowed.ioctl_devices:
            ruleset.allow_path(device, IOCTL_DEVICE)
        for path in allowed.own_writes:
            ruleset.allow_path(path, OWN_WRITES)
        ruleset.allow_path(allowed.scratch, SCRATCH)
        ruleset.restrict(no_new_privs=True)
    return abi
