"""The built-in example programs (plain text in programs/) and the teaching lessons, for the menu."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict

from app.examples.lessons import LESSONS
from app.models import GraphOptions

__all__ = ["EXAMPLES", "SIGMOID_RELU", "Example", "example"]

_PROGRAMS = Path(__file__).parent / "programs"
_GPT_MODEL = "gpt2_model"  # shared by the GPT examples, which add their config and driver after it


class Example(BaseModel):
    """One example program for the menu and GET /examples; a lesson also names the options that show it."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str
    title: str
    description: str
    code: str
    options: GraphOptions | None = None  # gradcheck or train: the page runs the example with them
    # a pair: the program after a change (`code` is the one before); the page opens their comparison
    after: str | None = None


_ABOUT: dict[str, tuple[str, str]] = {
    "logistic": (
        "Logistic neuron",
        "One input x = 1.1 with target y = 1.0, a weight w = 2.2 and a bias b = 0.0. The forward pass "
        "computes z = x*w + b, a = sigmoid(z) and the binary cross-entropy loss (0.0852). The backward "
        "pass then shows each local derivative along the chain: dL/da = -1.0889, da/dz = 0.0750, so dL/dw"
        " = -0.0898 and dL/db = -0.0817.",
    ),
    "tensors": (
        "Tensor basics",
        "Making tensors from numbers and nested lists, reading their dtype and shape, converting with "
        ".to, reshaping with reshape/view/.T, and multiplying matrices with @ and matmul. The last lines "
        "sum a matrix product and show the gradient with respect to one matrix.",
    ),
    "simplenet": (
        "SimpleNet 10-5-1",
        "A small nn.Module with two Linear layers, a ReLU and a Sigmoid, a BCE loss and one SGD step. The"
        " graph groups nodes by module (fc1, relu, fc2, sigmoid); the loop at the end prints each "
        "parameter's gradient by its name, the same names the graph uses.",
    ),
    "fanout": (
        "Scalar chain with fan-out",
        "A micrograd-style chain of scalars where values are used more than once (b = a + a, c = b * b, "
        "...). In the backward pass a node that feeds several others receives one gradient per use, and "
        "autograd adds them up: watch a's gradient collect contributions from every path.",
    ),
    "softmax_ce": (
        "Softmax cross-entropy",
        "Logits for two examples over three classes, their softmax probabilities and the cross-entropy "
        "loss. The gradient with respect to the logits is (probabilities - one-hot targets) / batch size,"
        " which the last line prints.",
    ),
    "gpt2_block": (
        "GPT-2 block",
        "One transformer block of GPT-2 at a small width: LayerNorm, causal self-attention with 4 heads, "
        "a residual add, LayerNorm, a GELU MLP and another residual add. In the config dict, emb_dim (32)"
        " is the width of each token vector, n_heads splits it into heads of 8, and context_length (16) "
        "sizes the causal mask. Expand attn to see the query/key/value split, the masked softmax and the "
        "head merge.",
    ),
    "gpt2_mini": (
        "GPT-2 mini",
        "The whole GPT-2 architecture with a tiny config: vocab_size 100 (rows of tok_emb and columns of "
        "the logits), context_length 32 (rows of pos_emb), emb_dim 32, 4 heads and n_layers 2 (groups "
        "blocks.0 and blocks.1), trained for one cross-entropy step on random tokens. The backward pass "
        "runs from the loss through out_head, both blocks and into the two embedding tables. It prints "
        "32,704 parameters: out_head has its own weight (an untied head).",
    ),
    "gpt2_124m": (
        "GPT-2 124M",
        "The same code with GPT-2 small's real config: a 50257-token vocabulary, 1024 positions, 768-wide"
        " vectors, 12 heads of 64 and 12 blocks (blocks.0 to blocks.11), run on one sequence of 16 "
        "tokens. The token embedding alone is 50257 x 768 = 38.6 million numbers, so big tensors show "
        "statistics and a heatmap instead of every value (the inspector's Show all values pages through "
        "them); collapse the blocks to see the model's outline. It prints 163,009,536 parameters: out_head "
        "has its own 50257 x 768 weight (an untied head). Tied to tok_emb's weight, as in GPT-2, it would "
        "be 124,412,160; GPT-2's query/key/value biases (qkv_bias True) make the 124,439,808 of its name.",
    ),
}


def _code(name: str) -> str:
    """The program text; GPT examples are the shared model code followed by their own config and run."""
    text = (_PROGRAMS / f"{name}.py.txt").read_text()
    if name.startswith("gpt2_"):
        return (_PROGRAMS / f"{_GPT_MODEL}.py.txt").read_text() + text
    return text


_PROGRAMS_MENU = (Example(name=k, title=t, description=d, code=_code(k)) for k, (t, d) in _ABOUT.items())
_MLP = _code("mlp_activation")
SIGMOID_RELU = Example(
    name="sigmoid_relu",
    title="Compare: Sigmoid vs ReLU",
    description="The same small MLP (four Linear layers) run twice, with Sigmoid and then ReLU between the"
    " layers, compared node by node. Sigmoid's slope is at most 0.25, so the gradient shrinks at every layer"
    " it flows back through: with Sigmoid the first layer's weight gradient is 200 times smaller than the "
    "last's (|grad| 0.0016 against 0.33); with ReLU only 5 times (0.060 against 0.30). Switch between runs A"
    " and B to play either backward pass.",
    code=_MLP,
    after=_MLP.replace("Activation = nn.Sigmoid", "Activation = nn.ReLU"),
)
EXAMPLES: tuple[Example, ...] = (*_PROGRAMS_MENU, SIGMOID_RELU, *(Example(**dict(item)) for item in LESSONS))


def example(name: str) -> Example:
    """One example by name (KeyError when unknown)."""
    return {item.name: item for item in EXAMPLES}[name]
