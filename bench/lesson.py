"""The size of a lesson file (issue 20: GPT-2 124M's <= 5 MB) and of its parts: the graph data (written once),
the page's modules, and the rest of the page. The program runs in the worker pool's sandboxed child, as
`python -m app.export` runs it.
Run: .venv/bin/python bench/lesson.py [--examples logistic gpt2_124m]
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:1] = [str(ROOT)]  # this folder's http.py would shadow the standard library's `http`

import argparse  # noqa: E402
import json  # noqa: E402

import anyio  # noqa: E402

from app.examples import example  # noqa: E402
from app.export import run_graph  # noqa: E402
from app.lesson import DATA_MARK, lesson_html, lesson_shell, page_modules  # noqa: E402
from app.models import GraphOptions  # noqa: E402
from app.settings import get_settings  # noqa: E402

TARGET_BYTES = 5_000_000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", nargs="+", default=["logistic", "gpt2_124m"])
    args = parser.parse_args()
    modules = len(json.dumps(page_modules()).encode())
    shell = len(lesson_shell().encode()) - len(DATA_MARK)
    print(f"shell {shell:,} bytes (modules as JSON {modules:,}); target for GPT-2 124M <= {TARGET_BYTES:,}")
    for name in args.examples:
        code = example(name).code
        graph = anyio.run(run_graph, code, GraphOptions(device="cpu"), get_settings())
        lesson = len(lesson_html(code, graph.decode()).encode())
        print(f"{name}: lesson {lesson:,} bytes = shell + data {lesson - shell:,} (graph {len(graph):,})")


if __name__ == "__main__":
    main()
