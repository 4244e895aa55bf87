"""`python -m app.export program.py -o lesson.html`: a lesson file (app/lesson.py) for people who build
course pages. The program runs as on the server: in a sandboxed child of the worker pool, never here.
Exit status 0 with the file written; 1 with `program.py:line:col: kind: message` when the run fails."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

import anyio
from pydantic import ValidationError

from app.errors import GradtraceError, validation_message
from app.forms import resolve
from app.lesson import lesson_html
from app.main import make_pool
from app.models import GraphOptions, GraphRequest
from app.sandbox.graph_job import prepare
from app.sandbox.jobs import GRAPH, tagged
from app.sandbox.pool import Machine, Pool
from app.settings import Settings, get_settings

__all__ = ["main", "run_graph"]

WARM_SECONDS = 120  # the pool's first start imports torch in its fork server
WARM_POLL_SECONDS = 0.05


async def run_graph(program: str, options: GraphOptions, settings: Settings) -> bytes:
    """The GraphResponse JSON of one program, as POST /graph answers it; raises the run's GradtraceError."""
    request = GraphRequest(program=program, options=options)
    async with make_pool(settings) as pool:
        machine = await _warm(pool)
        payload, confinement = prepare(resolve(request), request.options, settings, machine)
        return await pool.run(tagged(GRAPH, payload), confinement)


async def _warm(pool: Pool) -> Machine:
    """The pool's machine once it is warm (the pool sets it; it announces nothing)."""
    with anyio.fail_after(WARM_SECONDS):
        while pool.machine is None:
            await anyio.sleep(WARM_POLL_SECONDS)
    return pool.machine


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m app.export",
        description="Run a PyTorch program in gradtrace's sandbox and write a lesson: one HTML file that "
        "plays its graph from disk, with no server and no network.",
    )
    parser.add_argument("program", type=Path, help="the program's file")
    parser.add_argument("-o", "--output", type=Path, required=True, help="the lesson file to write")
    parser.add_argument("--device", choices=("auto", "cpu", "cuda"), default="auto")
    parser.add_argument("--dtype", choices=("float32", "float64"), default="float32")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    try:
        program = args.program.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        parser.error(f"cannot read {args.program}: {error}")
    try:
        options = GraphOptions(device=args.device, dtype=args.dtype, seed=args.seed)
    except ValidationError as error:
        parser.error(validation_message(error.errors()))
    try:
        graph = anyio.run(run_graph, program, options, get_settings())
    except GradtraceError as error:
        place = "".join(f":{n}" for n in (error.line, error.col) if n is not None)
        sys.stderr.write(f"{args.program}{place}: {error.kind}: {error.message}\n")
        return 1
    html = lesson_html(program, graph.decode())
    args.output.write_text(html, encoding="utf-8")
    sys.stdout.write(f"wrote {args.output}: {len(html.encode()):,} bytes\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
