"""Name reports: inserted after assignments and at function entry, never around expressions."""

from __future__ import annotations

import ast

from app.program.instrument import NAME_HOOK, instrument


def reported(source: str) -> list[str]:
    tree = instrument(ast.parse(source))
    return [
        node.args[0].value
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == NAME_HOOK
        and isinstance(node.args[0], ast.Constant)
    ]


def test_assignments_of_every_shape_report_their_names() -> None:
    source = "x = 1\na, (b, *c) = f()\nd += 1\ne: int = 2\nf: int\nfor g, h in pairs:\n    pass\n"
    assert sorted(reported(source)) == ["a", "b", "c", "d", "e", "g", "h", "x"]


def test_attribute_and_item_targets_are_left_alone() -> None:
    assert reported("self.w = 1\nd['k'] = 2\n") == []


def test_parameters_are_reported_after_the_docstring_and_self_is_not() -> None:
    source = 'class M:\n    def forward(self, x, *, scale):\n        "doc"\n        return x\n'
    tree = instrument(ast.parse(source))
    method = tree.body[0].body[0]  # type: ignore[attr-defined]
    assert ast.get_docstring(method) == "doc"
    assert [c.value.args[0].value for c in method.body[1:3]] == ["x", "scale"]


def test_positions_of_the_programs_own_code_do_not_move() -> None:
    source = "import torch\nz = torch.ones(2) * 3\n"
    code = compile(instrument(ast.parse(source)), "<program>", "exec")
    plain = compile(ast.parse(source), "<program>", "exec")
    assert (2, 2, 4, 21) in set(code.co_positions()) and (2, 2, 4, 21) in set(plain.co_positions())
