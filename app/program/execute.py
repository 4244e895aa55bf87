"""Compile the checked, instrumented program and run it as real Python, as the `__main__` module.

Runs only inside the sandbox child (or in tests, in-process): the kernel jail around that child is what keeps
the program in. Here it gets what a script run with `python program.py` gets: a fresh `__main__` module (so
pickling its own classes works), `sys.argv == ["program.py"]`, print output captured in order with warnings,
and `sys.exit()` ending it quietly.
"""

from __future__ import annotations

import ast
import builtins
import contextlib
import sys
import types
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from types import CodeType
from typing import TextIO

from app.program.failures import program_error
from app.program.instrument import NAME_HOOK, instrument
from app.program.output import BoundedOutput
from app.program.parsing import parse
from app.program.positions import PROGRAM_FILE
from app.program.source import check_source

__all__ = ["CompiledProgram", "NameHook", "compile_program"]

NameHook = Callable[[str, object], None]
ARGV = ["program.py"]


@dataclass(frozen=True)
class CompiledProgram:
    """A program ready to run (any number of times: each run gets a fresh `__main__`)."""

    source: str
    code: CodeType

    def run(self, name_hook: NameHook, output: BoundedOutput) -> None:
        """Execute once; the program's own failure is raised as a positioned GradtraceError."""
        module = types.ModuleType("__main__")
        module.__dict__.update({"__builtins__": builtins, "__file__": ARGV[0], NAME_HOOK: name_hook})
        with _as_main(module), _printing_to(output):
            try:
                exec(self.code, module.__dict__)
            except SystemExit as done:
                if done.code not in (None, 0):
                    raise program_error(_ExitStatus(done.code).with_traceback(done.__traceback__)) from None
            except BaseException as exc:  # the program's failure (KeyboardInterrupt too: never ours)
                raise program_error(exc) from None


class _ExitStatus(Exception):
    def __init__(self, code: object) -> None:
        super().__init__(f"the program called sys.exit({code!r})")


def compile_program(text: str, *, max_chars: int, max_lines: int) -> CompiledProgram:
    """Checked text -> tree (all syntax errors positioned) -> name reports -> code object."""
    source = check_source(text, max_chars=max_chars, max_lines=max_lines)
    tree: ast.Module = instrument(parse(source))
    return CompiledProgram(source, compile(tree, PROGRAM_FILE, "exec", dont_inherit=True))


@contextlib.contextmanager
def _as_main(module: types.ModuleType) -> Iterator[None]:
    """`module` is `__main__` and `sys.argv` a script's for the run; both restored (tests run in-process)."""
    previous_main, previous_argv = sys.modules.get("__main__"), sys.argv
    sys.modules["__main__"], sys.argv = module, list(ARGV)
    try:
        yield
    finally:
        sys.argv = previous_argv
        if previous_main is not None:
            sys.modules["__main__"] = previous_main


def _python_default_filters() -> None:
    """The warning filters of `python program.py`: deprecations shown for __main__ only; pending
    deprecations, import and resource warnings hidden; everything else once per place."""
    warnings.resetwarnings()
    warnings.simplefilter("default")
    for category in (ResourceWarning, ImportWarning, PendingDeprecationWarning, DeprecationWarning):
        warnings.filterwarnings("ignore", category=category)
    warnings.filterwarnings("default", category=DeprecationWarning, module="__main__")


@contextlib.contextmanager
def _printing_to(output: BoundedOutput) -> Iterator[None]:
    """stdout and stderr into one bounded stream, warnings shown as `python program.py` shows them."""

    def show(
        message: Warning | str,
        category: type[Warning],
        filename: str,
        lineno: int,
        file: TextIO | None = None,
        line: str | None = None,
    ) -> None:
        output.write(warnings.formatwarning(message, category, filename, lineno, line))

    with (
        contextlib.redirect_stdout(output),
        contextlib.redirect_stderr(output),
        warnings.catch_warnings(),
    ):
        _python_default_filters()
        warnings.showwarning = show
        yield
