"""The jail, by its effects: Python source run in a jailed child of the real Pool (as the front end runs a
user's program) tries what an attacker would, and each test checks that the effect never happened (no canary
in any reply, no file, no connection, no process, no signal delivered, no limit changed) and that the pool
still serves.

These run with the test process as the server: as root here, so the children are `nobody`;
test_jail_nonroot.py runs the same kind of checks with a server and children that share a non-root uid."""

from __future__ import annotations

import json
import multiprocessing.forkserver
import os
import resource
import secrets
import socket
from pathlib import Path

import landlockpy
import pytest
from pools import LIMITS, PRELUDE, run_source, source_pool
from waiting import wait_for_async

from app.errors import CpuLimit, LimitExceeded, MemoryLimit, ReplyRejected, Timeout
from app.sandbox.allowed import DATA_DIR
from app.sandbox.confine import child_uid
from app.sandbox.pool import Pool
from app.sandbox.protocol import JailReport

pytestmark = pytest.mark.anyio

DENIED = ("EACCES", "EPERM")  # Landlock answers EACCES, seccomp EPERM


def open_to_nobody(folder: Path) -> Path:
    """A folder the child's uid may read and write as far as file permissions go: only the jail stops it."""
    folder.chmod(0o777)
    for parent in folder.parents:
        if parent == Path("/tmp"):
            break
        parent.chmod(parent.stat().st_mode | 0o755)
    return folder


async def test_the_probe_reports_every_layer_this_kernel_allows() -> None:
    async with source_pool(prefork=0) as pool:
        assert pool.jail == JailReport(
            landlock=landlockpy.abi_version(),
            seccomp=True,
            no_new_privs=True,
            uid_separated=child_uid() != os.geteuid(),
        )
        assert pool.jail.complete and pool.jail.signal_scoping == (landlockpy.abi_version() >= 6)


async def test_a_canary_outside_the_allowed_trees_never_reaches_a_reply(tmp_path: Path) -> None:
    canary = secrets.token_hex(16)
    secret = open_to_nobody(tmp_path) / "secret.txt"
    secret.write_text(canary)
    secret.chmod(0o644)
    source = f"""
import torch
path = {str(secret)!r}
seen = []
def read(path):
    with open(path) as handle:
        seen.append(handle.read())
result = {{
    "open": attempt(lambda: read(path)),
    "via_proc_root": attempt(lambda: read("/proc/self/root" + path)),
    "list": attempt(lambda: seen.append(os.listdir(os.path.dirname(path)))),
    "torch_from_file": attempt(lambda: seen.append(torch.from_file(path, size=32, dtype=torch.uint8))),
    "hard_link": attempt(lambda: os.link(path, "stolen.txt")),
    "passwd": attempt(lambda: read("/etc/passwd")),
    "seen": seen,
}}
"""
    async with source_pool(prefork=0) as pool:
        reply = await pool.run((PRELUDE + source).encode(), LIMITS)
    assert canary.encode() not in reply
    result = json.loads(reply)
    assert result["seen"] == []
    for attempt in ("open", "via_proc_root", "list", "passwd"):
        assert result[attempt] in DENIED, attempt
    assert result["torch_from_file"] == "RuntimeError"  # torch's wording of the same EACCES
    assert result["hard_link"] in (*DENIED, "EXDEV")


async def test_other_processes_environment_and_memory_cannot_be_read() -> None:
    """The fork server (the child's parent) and this process (the server) hold what a run must not see."""
    source = f"""
import ctypes
server = {os.getpid()}
targets = {{"fork_server": os.getppid(), "server": server, "init": 1}}
result = {{}}
for name, pid in targets.items():
    for entry in ("environ", "maps", "mem", "cmdline"):
        result[name + "_" + entry] = attempt(lambda: open(f"/proc/{{pid}}/{{entry}}", "rb").read(64))
libc = ctypes.CDLL(None, use_errno=True)
buffer = ctypes.create_string_buffer(64)
local = (ctypes.c_void_p * 2)(ctypes.addressof(buffer), 64)
remote = (ctypes.c_void_p * 2)(0x400000, 64)
moved = libc.process_vm_readv(server, local, 1, remote, 1, 0)
result["process_vm_readv"] = errno.errorcode.get(ctypes.get_errno()) if moved < 0 else moved
attached = libc.ptrace(16, server, 0, 0)  # PTRACE_ATTACH
result["ptrace"] = errno.errorcode.get(ctypes.get_errno()) if attached < 0 else "attached"
result["own_status"] = attempt(lambda: open("/proc/self/status").read())
"""
    async with source_pool(prefork=0) as pool:
        result = await run_source(pool, source)
    for name, outcome in result.items():
        if name != "own_status":
            assert outcome in DENIED, (name, outcome)
    assert result["own_status"] == "ok"  # its own /proc entry stays readable


async def test_writes_land_in_the_scratch_folder_only_and_it_vanishes_with_the_child(tmp_path: Path) -> None:
    outside = open_to_nobody(tmp_path) / "written.txt"
    source = f"""
import tempfile, torch
result = {{"outside": attempt(lambda: open({str(outside)!r}, "w").write("x"))}}
result["tmp"] = attempt(lambda: open("/tmp/gradtrace-jail-test", "w").write("x"))
torch.save(torch.arange(3), "saved.pt")
os.mkdir("folder")
os.rename("saved.pt", "folder/saved.pt")
with tempfile.NamedTemporaryFile() as handle:
    handle.write(b"temporary")
    result["tempfile_folder"] = os.path.dirname(handle.name)
result["loaded"] = torch.load("folder/saved.pt").tolist()
result["cwd"] = os.getcwd()
result["listing"] = sorted(os.listdir("."))
"""
    async with source_pool(prefork=0) as pool:
        result = await run_source(pool, source)
        assert result["outside"] in DENIED and result["tmp"] in DENIED
        assert not outside.exists() and not Path("/tmp/gradtrace-jail-test").exists()
        data = sorted(path.name for path in DATA_DIR.iterdir())  # datasets linked into every run's folder
        assert result["loaded"] == [0, 1, 2] and result["listing"] == sorted(["folder", *data])
        assert result["tempfile_folder"] == result["cwd"]
        # reaped in the background after the reply
        await wait_for_async(lambda: not Path(result["cwd"]).exists(), "the run's folder to be removed")


async def test_no_connection_leaves_the_child(tmp_path: Path) -> None:
    """TCP and UDP to listeners this test runs, an abstract unix socket, and the fork server's own socket
    (which would unpickle what it is sent, outside the jail): nothing arrives, nothing runs."""
    with (
        socket.socket() as tcp,
        socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp,
        socket.socket(socket.AF_UNIX) as abstract,
    ):
        tcp.bind(("127.0.0.1", 0))
        tcp.listen()
        udp.bind(("127.0.0.1", 0))
        abstract.bind(b"\0gradtrace-jail-test-" + secrets.token_hex(4).encode())
        abstract.listen()
        for listener in (tcp, udp, abstract):
            listener.setblocking(False)
        fork_server = multiprocessing.forkserver._forkserver._forkserver_address  # type: ignore[attr-defined]
        marker = tmp_path / "unpickled"
        source = f"""
import ctypes, multiprocessing.reduction, pickle, socket
def fork_server():
    with socket.socket(socket.AF_UNIX) as client:
        client.connect({fork_server!r})
        multiprocessing.reduction.sendfds(client, [0, 1, 2, 0, 0])
        client.sendall(pickle.dumps(os.mkdir) + pickle.dumps(({str(marker)!r},)))
libc = ctypes.CDLL(None, use_errno=True)
result = {{
    "tcp": attempt(lambda: socket.socket().connect((b"127.0.0.1", {tcp.getsockname()[1]}))),
    "udp": attempt(lambda: socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(b"x", (b"127.0.0.1",
                                                                                     {udp.getsockname()[1]}))),
    "abstract_unix": attempt(lambda: socket.socket(socket.AF_UNIX).connect({abstract.getsockname()!r})),
    "fork_server": attempt(fork_server),
    "io_uring_setup": errno.errorcode.get(ctypes.get_errno()) if libc.syscall(425, 8, None) < 0 else "ok",
}}
"""
        async with source_pool(prefork=0) as pool:
            result = await run_source(pool, source)
            assert result == {
                "tcp": "EPERM",
                "udp": "EPERM",
                "abstract_unix": "EPERM",
                "fork_server": "EPERM",
                "io_uring_setup": "EPERM",
            }
            for listener in (tcp, abstract):
                with pytest.raises(BlockingIOError):
                    listener.accept()
            with pytest.raises(BlockingIOError):
                udp.recv(16)
            assert not marker.exists()
            assert await run_source(pool, "result = 1") == 1  # the fork server still serves


async def test_no_program_can_be_executed(tmp_path: Path) -> None:
    marker = open_to_nobody(tmp_path) / "executed"
    touch = f"['/usr/bin/touch', {str(marker)!r}]"
    source = f"""
import ctypes, subprocess
libc = ctypes.CDLL(None, use_errno=True)
argv = (ctypes.c_char_p * 3)(b"/usr/bin/touch", {str(marker).encode()!r}, None)
def execve():
    if libc.execve(b"/usr/bin/touch", argv, None) < 0:
        raise OSError(ctypes.get_errno(), "execve")
result = {{
    "os_system": os.system("/usr/bin/touch " + {str(marker)!r}),
    "subprocess": attempt(lambda: subprocess.run({touch})),
    "posix_spawn": attempt(lambda: os.posix_spawn("/usr/bin/touch", {touch}, {{}})),
    "execv": attempt(lambda: os.execv("/usr/bin/touch", {touch})),
    "ctypes_execve": attempt(execve),
}}
"""
    async with source_pool(prefork=0) as pool:
        result = await run_source(pool, source)
    assert result["os_system"] != 0
    assert {name: outcome in DENIED for name, outcome in result.items() if name != "os_system"} == {
        "subprocess": True,
        "posix_spawn": True,
        "execv": True,
        "ctypes_execve": True,
    }
    assert not marker.exists()


async def test_signals_reach_no_other_process_and_the_pool_stays_healthy() -> None:
    async with source_pool(prefork=2) as pool:
        sibling = pool._idle[False][-1]  # the run takes the first idle child; this one waits beside it
        source = f"""
import signal
result = {{
    "fork_server": attempt(lambda: os.kill(os.getppid(), signal.SIGKILL)),
    "server": attempt(lambda: os.kill({os.getpid()}, signal.SIGKILL)),
    "everyone": attempt(lambda: os.kill(-1, signal.SIGKILL)),
    "sibling": attempt(lambda: os.kill({sibling.process.pid}, signal.SIGKILL)),
    "sibling_group": attempt(lambda: os.killpg({sibling.process.pid}, signal.SIGKILL)),
    "own_group": attempt(lambda: os.killpg(0, signal.SIGCONT)),
    "itself": attempt(lambda: os.kill(os.getpid(), 0)),
}}
"""
        result = await run_source(pool, source)
        assert result == {
            "fork_server": "EPERM",
            "server": "EPERM",
            "everyone": "EPERM",
            "sibling": "EPERM",
            "sibling_group": "EPERM",
            "own_group": "EPERM",
            "itself": "ok",
        }
        assert sibling.alive()
        assert await run_source(pool, "result = 2") == 2


async def test_the_server_limits_priority_and_affinity_cannot_be_changed() -> None:
    server = os.getpid()
    before = (resource.prlimit(server, resource.RLIMIT_NOFILE), os.getpriority(os.PRIO_PROCESS, server))
    affinity = os.sched_getaffinity(server)
    source = f"""
import resource
targets = {{"server": {server}, "fork_server": os.getppid()}}
result = {{}}
for name, pid in targets.items():
    result[name + "_prlimit"] = attempt(lambda: resource.prlimit(pid, resource.RLIMIT_NOFILE, (1, 1)))
    result[name + "_nice"] = attempt(lambda: os.setpriority(os.PRIO_PROCESS, pid, 19))
    result[name + "_affinity"] = attempt(lambda: os.sched_setaffinity(pid, {{0}}))
result["user_nice"] = attempt(lambda: os.setpriority(os.PRIO_USER, 0, 19))
result["own_nice"] = attempt(lambda: os.setpriority(os.PRIO_PROCESS, 0, 1))
"""
    async with source_pool(prefork=0) as pool:
        result = await run_source(pool, source)
    assert result.pop("own_nice") == "ok"
    assert set(result.values()) == {"EPERM"}, result
    after = (resource.prlimit(server, resource.RLIMIT_NOFILE), os.getpriority(os.PRIO_PROCESS, server))
    assert after == before
    assert os.sched_getaffinity(server) == affinity


async def test_no_ipc_object_and_no_memfd_can_be_made() -> None:
    source = """
import ctypes
libc = ctypes.CDLL(None, use_errno=True)
def call(result):
    return errno.errorcode.get(ctypes.get_errno()) if result < 0 else "made"
result = {
    "shmget": call(libc.shmget(0, 4096, 0o1600)),  # IPC_PRIVATE, IPC_CREAT | 0600
    "msgget": call(libc.msgget(0, 0o1600)),
    "semget": call(libc.semget(0, 1, 0o1600)),
    "mq_open": call(libc.syscall(240, b"gradtrace", 0o100 | 0o2, 0o600, None)),
    "memfd": attempt(lambda: os.memfd_create("hidden")),
}
"""
    async with source_pool(prefork=0) as pool:
        result = await run_source(pool, source)
    assert result == {name: "EPERM" for name in ("shmget", "msgget", "semget", "mq_open", "memfd")}


async def test_a_run_is_one_process_forks_and_thread_bombs_end_cleanly() -> None:
    source = """
import threading, time
result = {"fork": attempt(os.fork), "setsid": attempt(os.setsid), "pid": os.getpid()}
threads = []
def bomb():
    while True:
        thread = threading.Thread(target=time.sleep, args=(30,), daemon=True)
        thread.start()
        threads.append(thread)
result["thread_bomb"] = attempt(bomb)
result["threads"] = len(threads)
"""
    async with source_pool(prefork=0) as pool:
        reply = await pool.run((PRELUDE + source).encode(), LIMITS)
    result = json.loads(reply)
    assert result["fork"] == "EPERM"
    assert result["setsid"] == "EPERM"  # it leads its own session already
    assert result["thread_bomb"] == "RuntimeError" and result["threads"] > 0  # "can't start new thread"
    await wait_for_async(  # it exits after its reply, and the fork server reaps it
        lambda: not descendants_or_session_members(result["pid"]), "the run's process to be gone"
    )


def descendants_or_session_members(pid: int) -> list[int]:
    """Processes whose parent, process group or session is `pid` (the run's child, reaped by now)."""
    found = []
    for name in os.listdir("/proc"):
        if name.isdigit():
            try:
                with open(f"/proc/{name}/stat", "rb") as stat:
                    fields = stat.read().rsplit(b")", 1)[1].split()
            except OSError:
                continue
            if pid in (int(name), int(fields[1]), int(fields[2]), int(fields[3])):  # it, ppid, pgrp, session
                found.append(int(name))
    return found


async def test_memory_exhaustion_is_a_memory_limit_and_spinning_a_cpu_limit() -> None:
    async with source_pool(prefork=0) as pool:
        with pytest.raises(MemoryLimit):
            await run_source(pool, "import torch\nresult = torch.ones(10**10).sum().item()")
        with pytest.raises(CpuLimit):
            await run_source(pool, "while True:\n    pass", LIMITS.model_copy(update={"cpu_seconds": 1}))
        with pytest.raises(Timeout):
            sleep = LIMITS.model_copy(update={"wall_seconds": 1})
            await run_source(pool, "import time\ntime.sleep(60)", sleep)


async def test_host_memory_watchdog_stops_a_run_without_an_address_space_limit() -> None:
    """The CUDA runs' bound (RLIMIT_AS breaks CUDA), forced here on a CPU child."""
    limits = LIMITS.model_copy(update={"memory_mb": None, "host_memory_mb": 64})
    source = "import time\nblock = b'x' * (256 * 2**20)\ntime.sleep(30)"
    async with source_pool(prefork=0) as pool:
        with pytest.raises(MemoryLimit, match="64 MiB of host memory"):
            await run_source(pool, source, limits)
        assert await run_source(pool, "block = bytearray(16 * 2**20)\nresult = len(block)", limits) == 2**24


@pytest.mark.parametrize(
    "writes",
    [
        "for index in range(8):\n    open(f'file{index}', 'wb').write(bytes(2**20 - 4096))",
        # written, held open, deleted: the space stays taken
        "held = []\nfor index in range(8):\n    held.append(open(f'f{index}', 'wb'))\n"
        "    held[-1].write(bytes(2**20 - 4096)); held[-1].flush(); os.remove(f'f{index}')",
        # no name from the start (O_TMPFILE)
        "held = [os.open('.', os.O_TMPFILE | os.O_RDWR, 0o600) for index in range(8)]\n"
        "for fd in held:\n    os.write(fd, bytes(2**20 - 4096))",
        "for index in range(10_001):\n    open(f'e{index}', 'wb').close()",
    ],
    ids=["files", "deleted_but_open", "nameless", "too_many_files"],
)
async def test_the_scratch_folder_is_bounded(writes: str) -> None:
    limits = LIMITS.model_copy(update={"scratch_mb": 4})
    source = f"import time\n{writes}\ntime.sleep(30)"
    async with source_pool(prefork=0) as pool:
        with pytest.raises(LimitExceeded, match="4 MiB of files|10000 files"):
            await run_source(pool, source, limits)
        one_file = "result = attempt(lambda: open('big', 'wb').write(bytes(5 * 2**20)))"
        assert await run_source(pool, one_file, limits) == "EFBIG"  # RLIMIT_FSIZE: each file on its own


@pytest.mark.parametrize(
    ("sent", "error"),
    [
        ("struct.pack('!i', 2**31 - 1)", ReplyRejected),  # announces more than the cap
        ("struct.pack('!i', 100) + b'R{'", Timeout),  # a header, then silence
    ],
    ids=["too_big", "stalls"],
)
async def test_a_run_that_writes_to_the_result_pipe_itself_is_its_own_failure(
    sent: str, error: type[Exception]
) -> None:
    source = f"""
import stat, struct, time
def is_socket(fd):
    try:
        return stat.S_ISSOCK(os.fstat(fd).st_mode)
    except OSError:
        return False
pipe = next(fd for fd in range(3, 64) if is_socket(fd))
os.write(pipe, {sent})
time.sleep(60)
"""
    limits = LIMITS.model_copy(update={"wall_seconds": 2})
    async with source_pool(prefork=0) as pool:
        with pytest.raises(error):
            await run_source(pool, source, limits)
        assert await run_source(pool, "result = 3") == 3


async def test_a_strict_pool_refuses_runs_when_a_layer_is_missing() -> None:
    """This host has every layer, so the policy is checked on the report a poorer host would send."""
    from app.errors import JailUnavailable

    pool = Pool(lambda payload: payload, workers=1, queue=0, prefork=0, max_payload_bytes=1, strict=True)
    pool._judge(JailReport(landlock=0, seccomp=True, no_new_privs=True, uid_separated=False))
    assert pool.refusal is not None and "landlock unavailable" in pool.refusal and not pool.ready
    with pytest.raises(JailUnavailable, match="landlock unavailable"):
        await pool.run(b"", LIMITS)
