"""`python -m app.export`: the lesson file of a program run in the sandbox, self-contained; a failing
program's place and message, with exit status 1."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from app.examples import EXAMPLES
from app.lesson import DATA_MARK, MODULE_PREFIX, lesson_shell

ROOT = Path(__file__).resolve().parents[2]
LOGISTIC = ROOT / "app" / "examples" / "programs" / "logistic.py.txt"
# what would make a browser fetch: a URL (XML namespaces name no resource), a url() not of data: or #fragment,
# an @import, an element attribute naming a resource, a module import other than the lesson's bare names
URL = re.compile(r"\b(?:https?|wss?|ftp)://(?!www\.w3\.org/)")
CSS_URL = re.compile(r"""url\(\s*(?!["']?(?:data:|#))""")
RESOURCE_ATTRIBUTE = re.compile(r"""<[a-z][^>]*\s(?:src|href|srcset|action|formaction|poster|data)\s*=""")
IMPORT = re.compile(r"""\b(?:from|import)\s*\(?\s*\\?["'](?!gradtrace/)[^"'\\]*\\?["']""")


def external_references(html: str) -> list[str]:
    patterns = (URL, CSS_URL, RESOURCE_ATTRIBUTE, re.compile("@import|<link"), IMPORT)
    return [match.group(0) for pattern in patterns for match in pattern.finditer(html)]


LESSON_DATA = re.compile(r'<script type="application/json" id="lesson-data">(.*?)</script>', re.DOTALL)


def export(program: Path, output: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "app.export", str(program), "-o", str(output)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )


def gradient(graph: dict[str, object], label: str) -> list[float]:
    nodes = graph["nodes"]
    assert isinstance(nodes, list)
    node = next(node for node in nodes if node["label"] == label)
    return list(node["grad"]["values"])


@pytest.mark.slow
def test_the_logistic_neurons_lesson_holds_its_run_and_nothing_external(tmp_path: Path) -> None:
    output = tmp_path / "lesson.html"
    done = export(LOGISTIC, output)
    assert done.returncode == 0, done.stderr
    html = output.read_text(encoding="utf-8")
    assert done.stdout == f"wrote {output}: {len(html.encode()):,} bytes\n"
    assert external_references(html) == []
    found = LESSON_DATA.search(html)
    assert found is not None
    data = json.loads(found.group(1))
    assert data["program"] == LOGISTIC.read_text(encoding="utf-8")
    assert gradient(data["graph"], "w") == [pytest.approx(-0.0898, abs=1e-4)]
    # the graph is written once: the rest is the shell, the same for every graph
    assert len(html) == len(lesson_shell()) - len(DATA_MARK) + len(found.group(1))
    assert f'import "{MODULE_PREFIX}js/main.js"' in html


@pytest.mark.slow
def test_a_failing_program_names_its_line_and_column(tmp_path: Path) -> None:
    program = tmp_path / "broken.py"
    program.write_text("import torch\nx = torch.ones(2)\ny = x @ torch.ones(3)\n", encoding="utf-8")
    output = tmp_path / "lesson.html"
    done = export(program, output)
    assert done.returncode == 1
    assert re.fullmatch(rf"{re.escape(str(program))}:3:\d+: \w+: .+\n", done.stderr), done.stderr
    assert not output.exists()


def test_the_shell_has_one_place_for_the_data_ahead_of_the_modules() -> None:
    shell = lesson_shell()
    assert shell.index(DATA_MARK) < shell.index('id="lesson-modules"')
    assert "</script" not in shell.split('id="lesson-modules">', 1)[1].split("</script>", 1)[0]
    assert EXAMPLES[0].code.splitlines()[0] not in shell  # no program until one is filled in


FETCHED = [
    '<img src="x.png">',
    "<a href=/y>",
    "url(z.png)",
    '@import "w.css"',
    "https://cdn.example/m.js",
    'import "./v.js"',
    '<link rel="icon">',
]
KEPT = [
    '"http://www.w3.org/2000/svg"',
    "url(#arrow)",
    "url('data:image/svg+xml,x')",
    'import "gradtrace/js/a.js"',
]


@pytest.mark.parametrize("text", FETCHED)
def test_the_check_finds_what_would_be_fetched(text: str) -> None:
    assert external_references(text) != []


@pytest.mark.parametrize("text", KEPT)
def test_the_check_lets_through_what_fetches_nothing(text: str) -> None:
    assert external_references(text) == []
