"""Running a program as real Python: a script's __main__, output kept in order within its budget, its own
errors positioned at its own frames with hints, sys.exit ending it quietly."""

from __future__ import annotations

import pytest

from app.errors import MemoryLimit, ProgramRuntimeError
from app.program import BoundedOutput, compile_program


def run(source: str, *, limit: int = 10_000) -> tuple[str, dict[str, object], BoundedOutput]:
    output = BoundedOutput(limit)
    names: dict[str, object] = {}
    compile_program(source, max_chars=20_000, max_lines=500).run(names.__setitem__, output)
    return output.getvalue(), names, output


def failure(source: str) -> ProgramRuntimeError:
    with pytest.raises(ProgramRuntimeError) as caught:
        run(source)
    return caught.value


def test_it_runs_as_main_with_a_scripts_argv() -> None:
    printed, names, _ = run('import sys\nif __name__ == "__main__":\n    print(sys.argv)\nx = 3\n')
    assert printed == "['program.py']\n" and names["x"] == 3


def test_its_own_classes_pickle_like_a_scripts() -> None:
    source = "import pickle\nclass Point:\n    def __init__(self, x):\n        self.x = x\n"
    source += "blob = pickle.dumps(Point(2))\nback = pickle.loads(blob)\nprint(back.x)\n"
    printed, names, _ = run(source)
    assert printed == "2\n" and isinstance(names["blob"], bytes) and b"__main__" in names["blob"]


def test_warnings_and_stderr_are_output_in_order() -> None:
    source = "import sys, warnings\nprint('a')\nwarnings.warn('careful')\nprint('b', file=sys.stderr)\n"
    printed, _, _ = run(source)
    assert printed.startswith("a\n") and "UserWarning: careful" in printed and printed.endswith("b\n")


def test_output_past_its_budget_is_cut_and_the_program_runs_on() -> None:
    printed, names, output = run("for i in range(1000):\n    print('x' * 10)\ndone = True\n", limit=100)
    assert len(printed.encode()) == 100 and output.truncated and names["done"] is True


def test_sys_exit_zero_ends_quietly_and_a_status_is_an_error_at_its_line() -> None:
    printed, names, _ = run("import sys\nprint('before')\nsys.exit()\nprint('after')\n")
    assert printed == "before\n" and "after" not in printed
    error = failure("import sys\n\nsys.exit(3)\n")
    assert "sys.exit(3)" in error.message and error.line == 3


def test_a_runtime_error_shows_the_programs_frames_only() -> None:
    error = failure("def inner(v):\n    return v / 0\n\ndef outer():\n    return inner(1)\n\nouter()\n")
    assert error.message == "ZeroDivisionError: division by zero"
    assert [(f.function, f.line) for f in error.frames] == [("<module>", 7), ("outer", 5), ("inner", 2)]
    assert (error.line, error.col, error.end_col) == (2, 11, 16)


def test_a_missing_package_says_what_the_sandbox_has() -> None:
    error = failure("import torchvision\n")
    assert "No module named 'torchvision'" in error.message and "no network" in error.message


def test_input_says_programs_cannot_read_input() -> None:
    with pytest.raises(ProgramRuntimeError, match="cannot read input"):
        output = BoundedOutput(100)
        source = "import sys, io\nsys.stdin = io.StringIO('')\nx = input()\n"
        compile_program(source, max_chars=200, max_lines=10).run(lambda n, v: None, output)


def test_memory_error_is_memory_limit() -> None:
    with pytest.raises(MemoryLimit):
        run("raise MemoryError\n")


def test_deep_recursion_is_the_programs_recursion_error() -> None:
    error = failure("def f(n):\n    return f(n + 1)\nf(0)\n")
    assert error.message.startswith("RecursionError") and error.frames[0].function == "<module>"
