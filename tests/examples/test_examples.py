"""The built-in examples: the menu's contents, and GPT-2 124M fitting the default budgets.

(Every other example's output and gradients are checked against plain torch in tests/program/test_corpus.py.)
"""

from __future__ import annotations

import pytest
import torch

from app.examples import EXAMPLES, example
from app.limits import Limits
from app.program import BoundedOutput, compile_program

REQUIRED = [
    "logistic",
    "tensors",
    "simplenet",
    "fanout",
    "softmax_ce",
    "gpt2_block",
    "gpt2_mini",
    "gpt2_124m",
]
LESSONS = ["gradcheck_smooth", "gradcheck_kink", "nan_gradient", "accumulate", "train_neuron", "train_mlp"]


def test_required_examples_in_menu_order() -> None:
    assert [item.name for item in EXAMPLES] == [*REQUIRED, "sigmoid_relu", *LESSONS]
    assert example("logistic").title == "Logistic neuron"
    assert example("simplenet").title == "SimpleNet 10-5-1"
    for item in EXAMPLES:
        assert "import torch\n" in item.code
    for name in REQUIRED:  # the programs open with a comment saying what they show
        assert example(name).code.startswith("# ")
        assert len(example(name).description) > 100
    assert example("train_neuron").options is not None and example("train_neuron").options.train is not None


def test_gpt_examples_share_the_model_and_differ_in_config() -> None:
    mini, big = example("gpt2_mini").code, example("gpt2_124m").code
    assert mini.split("GPT_CONFIG")[0] == big.split("GPT_CONFIG")[0]
    assert '"vocab_size": 100,' in mini and '"vocab_size": 50257,' in big
    for key in ["vocab_size", "context_length", "emb_dim", "n_heads", "n_layers", "drop_rate", "qkv_bias"]:
        assert f'"{key}"' in example("gpt2_block").code


@pytest.mark.slow
def test_gpt2_124m_runs_within_the_default_limits() -> None:
    """The program alone (no capture): it fits the run budgets and prints what plain Python prints."""
    compiled = compile_program(example("gpt2_124m").code, max_chars=100_000, max_lines=5_000)
    output = BoundedOutput(Limits().max_print_bytes)
    names: dict[str, object] = {}
    torch.manual_seed(0)
    compiled.run(lambda name, value: names.__setitem__(name, value), output)
    model = names["model"]
    assert isinstance(model, torch.nn.Module)
    assert sum(p.numel() for p in model.parameters()) == 163_009_536  # 124M + the untied 38.6M output head
    assert model.tok_emb.weight.grad.shape == (50257, 768)
    printed = "parameters: 163,009,536\nlogits: torch.Size([1, 16, 50257])\nloss: "  # the total with commas
    assert output.getvalue().startswith(printed)
