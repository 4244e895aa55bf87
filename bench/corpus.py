"""The tutorial corpus (tests/programs/*.py): how many programs run unchanged with plain torch's output.

Each program runs twice in this process, plainly (python's own exec of the file) and through app.runner.run,
both seeded alike on one torch thread; a program is accepted when it runs and prints exactly what plain Python
printed (object addresses aside). Prints one line per program and the acceptance rate; asserts nothing.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import runpy
import sys
import tempfile
import time
import warnings
from pathlib import Path

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    import torch

from app.errors import GradtraceError  # noqa: E402
from app.limits import Limits  # noqa: E402
from app.models import GraphOptions  # noqa: E402
from app.runner import run  # noqa: E402

CORPUS = Path(__file__).resolve().parents[1] / "tests" / "programs"
ADDRESS = re.compile(r" at 0x[0-9a-f]+")


def plain(path: Path) -> str:
    torch.manual_seed(0)
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        runpy.run_path(str(path), run_name="__main__")
    return ADDRESS.sub("", printed.getvalue())


def served(text: str) -> str:
    options = GraphOptions(device="cpu", layout=False)
    response = run(text, options, Limits(), max_chars=100_000, max_lines=5_000)
    return ADDRESS.sub("", response.stdout)


def main() -> None:
    torch.set_num_threads(1)  # as a sandbox child computes
    files = sorted(CORPUS.glob("*.py"))
    accepted = 0
    with tempfile.TemporaryDirectory() as folder:
        os.chdir(folder)  # programs write files (torch.save) where they run
        for path in files:
            started = time.perf_counter()
            try:
                same = served(path.read_text()) == plain(path)
                verdict = "ok" if same else "different output"
            except GradtraceError as error:
                same, verdict = False, f"{error.kind}: {error.message[:80]}"
            accepted += same
            print(f"{path.stem:28s} {verdict:18s} {time.perf_counter() - started:6.2f} s")
    print(f"accepted {accepted} of {len(files)} ({100 * accepted / len(files):.0f} %)")


if __name__ == "__main__":
    sys.exit(main())
