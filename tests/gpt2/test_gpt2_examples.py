"""Every built-in example through app.runner.run: leaf gradients, loss and printout equal plain torch."""

from __future__ import annotations

import pytest
from gpt2_oracle import check_against_plain, run_plain, run_served

from app.examples import EXAMPLES, example

GPT2_124M_UNTIED_NO_QKV_BIAS = 163_009_536  # 163,037,184 (untied, HF-style QKV bias) - 12 blocks x 2,304


@pytest.mark.parametrize("name", [item.name for item in EXAMPLES if item.name != "gpt2_124m"])
def test_example_gradients_equal_plain_torch(name: str) -> None:
    item = example(name)
    served, plain = run_served(item.code, item.options), run_plain(item.code, item.options)
    assert check_against_plain(served, plain) > 0


def test_gpt2_mini_compares_every_parameter_of_the_model() -> None:
    code = example("gpt2_mini").code
    plain = run_plain(code)
    assert check_against_plain(run_served(code), plain) == len(list(plain.modules()["model"].parameters()))


@pytest.mark.slow
def test_gpt2_124m_gradients_and_parameter_total_equal_plain_torch() -> None:
    code = example("gpt2_124m").code
    graph, plain = run_served(code), run_plain(code)
    model = plain.modules()["model"]
    assert check_against_plain(graph, plain) == len(list(model.parameters()))
    root = next(group for group in graph.groups if group.parent is None)
    assert (root.id, root.label) == ("model", "model (GPTModel)")
    assert root.params == sum(p.numel() for p in model.parameters()) == GPT2_124M_UNTIED_NO_QKV_BIAS
