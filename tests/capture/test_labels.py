"""Labels from assignments across module calls: the caller's name for a module's result wins."""

from __future__ import annotations

from app.limits import Limits
from app.models import GraphOptions
from app.runner import run

PROGRAM = """
import torch
import torch.nn as nn


class Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(3, 3)

    def forward(self, x):
        x = x + self.fc(x)
        return x


block = Block()
x = torch.ones(2, 3)
out = block(x)
h = out * 2
for i in range(2):
    h = h + 1
"""


def labels() -> list[str]:
    graph = run(PROGRAM, GraphOptions(), Limits(), max_chars=5_000, max_lines=100)
    return [node.label for node in graph.nodes]


def test_the_callers_name_wins_over_the_name_inside_forward() -> None:
    names = labels()
    assert names.count("out") == 1
    assert names.count("x") == 1  # only the input; the sum made inside forward is `out`
    assert names[names.index("out") - 1] == "fc"  # the module call


def test_a_name_rebound_to_a_result_of_its_own_value_is_told_by_its_expression() -> None:
    assert labels()[-6:] == ["2", "h", "1", "h + 1", "1", "h + 1"]  # `h = h + 1`: h already names the input
