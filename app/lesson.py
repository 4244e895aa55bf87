"""A lesson file (issue 20): ONE HTML file holding the page's ES modules and styles, a graph and its program,
which opens from disk (file://) with no server and no network and still plays, steps and inspects.

Browsers load no module from file:// through `import` statements, so the page's modules travel as text: each
module's relative imports become bare names ("gradtrace/js/util/dom.js"), and a small inline loader maps those
names to data: URLs with an import map before it imports js/main.js. Nothing is rewritten beyond the import
specifiers, so the lesson runs the very code the page runs. The graph is written once, as JSON."""

from __future__ import annotations

import json
import posixpath
import re
from functools import cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from app import __version__

__all__ = ["DATA_MARK", "MODULE_PREFIX", "lesson_html", "lesson_shell", "page_modules", "script_json"]

ROOT = Path(__file__).resolve().parents[1]
STATIC_DIR = ROOT / "static"
ENTRY = "js/main.js"
MODULE_PREFIX = "gradtrace/"
STYLES = ("css/app.css", "css/graph.css", "css/record.css", "css/diff.css")
CATALOGUES = STATIC_DIR / "i18n"  # every language's catalogue travels with the lesson (static/js/i18n.js)
# The lesson's data script holds this until a graph fills it (the page fills the shell from GET /lesson the
# same way); it is the first occurrence in the shell, ahead of the modules, whatever their text holds.
DATA_MARK = "/*lesson-data*/"
# `import ... from "./x.js"`, `export ... from "../y.js"`, `import "./z.js"`: the project's relative imports
RELATIVE_IMPORT = re.compile(r"""(\b(?:from|import)\s*)(["'])(\.\.?/[^"']+)\2""")

_templates = Environment(loader=FileSystemLoader(ROOT / "templates"), autoescape=select_autoescape())


def page_modules(entry: str = ENTRY) -> dict[str, str]:
    """Every module the page loads from `entry` (paths under static/), relative imports made bare names."""
    found: dict[str, str] = {}
    waiting = [entry]
    while waiting:
        path = waiting.pop()
        if path in found:
            continue
        found[path] = ""  # claimed: an import cycle ends here

        def bare(match: re.Match[str], path: str = path) -> str:
            target = posixpath.normpath(posixpath.join(posixpath.dirname(path), match.group(3)))
            if target.startswith("../"):
                raise ValueError(f"{path} imports {match.group(3)}, outside static/")
            waiting.append(target)
            return f"{match.group(1)}{match.group(2)}{MODULE_PREFIX}{target}{match.group(2)}"

        found[path] = RELATIVE_IMPORT.sub(bare, (STATIC_DIR / path).read_text(encoding="utf-8"))
    return found


def script_json(text: str) -> Markup:
    """JSON text made safe inside a <script> element: every "<" escaped, so no "</script" or "<!--" occurs
    (a "<" can only be inside a JSON string, where \\u003c means the same)."""
    return Markup(text.replace("<", "\\u003c"))


def catalogues() -> dict[str, object]:
    """{language: catalogue} of static/i18n: the lesson shows its words in any of the page's languages."""
    files = sorted(CATALOGUES.glob("*.json"))
    return {path.stem: json.loads(path.read_text(encoding="utf-8")) for path in files}


@cache
def lesson_shell() -> str:
    """The lesson page with DATA_MARK where the graph goes (GET /lesson; the same for every graph)."""
    styles = "\n".join((STATIC_DIR / path).read_text(encoding="utf-8") for path in STYLES)
    return _templates.get_template("lesson.html").render(
        version=__version__,
        data=Markup(DATA_MARK),
        styles=Markup(styles.replace("</style", "<\\/style")),
        modules=script_json(json.dumps(page_modules())),
        catalogues=script_json(json.dumps(catalogues(), ensure_ascii=False)),  # UTF-8, not \\u escapes
        prefix=MODULE_PREFIX,
        entry=MODULE_PREFIX + ENTRY,
    )


def lesson_html(program: str, graph_json: str) -> str:
    """The lesson of one run: `graph_json` as the server answered it (a GraphResponse), written once."""
    data = f'{{"program": {json.dumps(program)}, "graph": {graph_json}}}'
    return lesson_shell().replace(DATA_MARK, script_json(data), 1)
