"""The jail with a server process of its own (tests/sandbox/pool_process.py): the server's environment never
reaches a child, even as bytes in memory; and with the server as a non-root uid that its children share (as in
the container), nothing a child does reaches the server, the fork server or a sibling."""

from __future__ import annotations

import json
import os
import secrets
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = Path(__file__).with_name("pool_process.py")
DENIED = ("EACCES", "EPERM")


# Run as root here, the test starts the server as `nobody` holding CAP_DAC_READ_SEARCH alone, because this
# machine's Python lives under /root (mode 0700); the children drop it (and so cannot read that installation
# any more: proof that they run without it). Run as another user, the test's own uid is the server's.
NON_ROOT = (
    (
        "setpriv",
        "--reuid=nobody",
        "--regid=nogroup",
        "--clear-groups",
        "--inh-caps=+dac_read_search",
        "--ambient-caps=+dac_read_search",
    )
    if os.geteuid() == 0
    else ()
)
needs_a_non_root_server = pytest.mark.skipif(
    os.geteuid() == 0 and shutil.which("setpriv") is None,
    reason="root without setpriv cannot start a server as another uid",
)


def run_pool_process(sources: list[str], env: dict[str, str]) -> dict[str, Any]:
    """Run `sources` in a pool of a fresh non-root server process; its report."""
    command = [*NON_ROOT, sys.executable, str(SCRIPT)]
    done = subprocess.run(
        command, input=json.dumps(sources), capture_output=True, text=True, cwd=ROOT, env=env, timeout=300
    )
    assert done.returncode == 0, done.stderr[-4000:]
    report: dict[str, Any] = json.loads(done.stdout.splitlines()[-1])
    return report


# The canary comes in two halves, so that the source itself never holds it whole: only memory that received
# the whole string (the environment block of a process started with it) has both halves next to each other.
SCAN_OWN_MEMORY = """
first, second = HALVES
planted = PLANT
found = []
with open("/proc/self/maps") as maps, open("/proc/self/mem", "rb", buffering=0) as memory:
    for line in maps:
        fields = line.split()
        name = fields[5] if len(fields) > 5 else ""
        if "r" not in fields[1] or name.startswith("/"):
            continue
        low, high = (int(bound, 16) for bound in fields[0].split("-"))
        for start in range(low, high, 2**24):  # overlapping chunks: a canary across a boundary is seen
            try:
                chunk = os.pread(memory.fileno(), min(2**24 + 256, high - start), start)
            except OSError:
                break
            at = chunk.find(first)
            while at >= 0:
                if chunk[at + len(first) : at + len(first) + len(second)] == second:
                    found.append(name or fields[0])
                at = chunk.find(first, at + 1)
environ = open("/proc/self/environ", "rb").read().decode()
result = {"found": found, "environ": environ, "keys": sorted(os.environ)}
"""


@needs_a_non_root_server
def test_the_servers_environment_never_reaches_a_child() -> None:
    """A canary in the server's environment is in no child's /proc/self/environ, os.environ or memory: the
    fork server started with an empty environment, not one cleared later. (A non-root server, because a child
    that changed uid may not read its own /proc/self/mem.)"""
    canary = "canary-" + secrets.token_hex(16)
    halves = SCAN_OWN_MEMORY.replace("HALVES", repr((canary[:12].encode(), canary[12:].encode())))
    control = halves.replace("PLANT", "first + second")  # the scan finds a canary that is there
    report = run_pool_process(
        [halves.replace("PLANT", "None"), control],
        {"PATH": os.environ["PATH"], "GRADTRACE_TEST_CANARY": canary},
    )
    result, planted = report["results"]
    assert planted["found"] != []
    assert result["found"] == []
    assert canary not in result["environ"]
    assert result["keys"] == [
        "CUDA_VISIBLE_DEVICES",
        "HOME",
        "LANG",
        "LC_ALL",
        "MKL_NUM_THREADS",
        "OMP_NUM_THREADS",
        "TMPDIR",
    ]


AT_THE_SERVER = """
import resource, signal, socket
result = {
    "kill_server": attempt(lambda: os.kill(SERVER, signal.SIGKILL)),
    "kill_fork_server": attempt(lambda: os.kill(os.getppid(), signal.SIGKILL)),
    "kill_sibling": attempt(lambda: os.kill(SIBLING, signal.SIGKILL)),
    "kill_everyone": attempt(lambda: os.kill(-1, signal.SIGKILL)),
    "server_environ": attempt(lambda: open("/proc/SERVER/environ", "rb").read()),
    "server_maps": attempt(lambda: open("/proc/SERVER/maps", "rb").read()),
    "fork_server_maps": attempt(lambda: open(f"/proc/{os.getppid()}/maps", "rb").read()),
    "server_limits": attempt(lambda: resource.prlimit(SERVER, resource.RLIMIT_NOFILE, (8, 8))),
    "server_nice": attempt(lambda: os.setpriority(os.PRIO_PROCESS, SERVER, 19)),
    "user_nice": attempt(lambda: os.setpriority(os.PRIO_USER, 0, 19)),
    "server_affinity": attempt(lambda: os.sched_setaffinity(SERVER, {0})),
    "fork_server_socket": attempt(lambda: socket.socket(socket.AF_UNIX).connect(FORK_SERVER_SOCKET)),
    "python_installation": attempt(lambda: os.listdir(os.path.dirname(os.__file__))),
}
"""


@needs_a_non_root_server
def test_a_non_root_server_and_its_children_sharing_its_uid() -> None:
    """The server is not root, so its children share its uid: only the jail keeps them apart."""
    report = run_pool_process([AT_THE_SERVER, "result = 5"], {"PATH": os.environ["PATH"]})
    result, after = report["results"]
    assert report["jail"]["uid_separated"] is False and report["jail"]["seccomp"] is True
    assert report["jail"]["landlock"] > 0
    assert {name: outcome in DENIED for name, outcome in result.items()} == dict.fromkeys(result, True), (
        result
    )
    assert after == 5 and report["sibling_alive"] is True
    assert report["after"] == report["before"]
