"""Teaching examples for issue #7, as program texts with the options that show each lesson.

The examples menu (app/examples) lists them after the programs; each names the request options it runs with.
Data only (no torch import): the web server serves GET /examples and must not load torch.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from app.models import GraphOptions, TrainOptions

__all__ = ["LESSONS", "Lesson", "lesson"]


class Lesson(BaseModel):
    """A program, what it teaches, and the options (gradcheck, train) that show it."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str
    title: str
    description: str
    code: str
    options: GraphOptions


_SMOOTH = """\
import torch

x = torch.tensor([0.5, -1.5])
w = torch.tensor([0.8, -0.3], requires_grad=True)
b = torch.tensor(0.1, requires_grad=True)
y = torch.tanh((w * x).sum() + b)
loss = (y - 0.25) ** 2
loss.backward()
"""

_KINK = """\
import torch

x = torch.tensor([0.0, 2.0, -1.0], requires_grad=True)
y = torch.relu(x)
loss = y.sum()
loss.backward()
"""

_NAN = """\
import torch

x = torch.tensor([0.0, 0.5, 1.0], requires_grad=True)
y = x * torch.log(x)
loss = y.sum()
loss.backward()
"""

_ACCUMULATE = """\
import torch

w = torch.tensor(3.0, requires_grad=True)
loss = w * w
loss.backward()
print(w.grad)
loss = 2 * w
loss.backward()
print(w.grad)
"""

_NEURON = """\
import torch
import torch.nn.functional as F

x = torch.tensor(1.1)
y = torch.tensor(1.0)
w = torch.tensor(2.2, requires_grad=True)
b = torch.tensor(0.0, requires_grad=True)
z = x * w + b
a = torch.sigmoid(z)
loss = F.binary_cross_entropy(a, y)
loss.backward()
"""

_MLP = """\
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(0)
model = nn.Sequential(nn.Linear(10, 5), nn.ReLU(), nn.Linear(5, 1))
x = torch.randn(8, 10)
y = torch.randn(8, 1)
loss = F.mse_loss(model(x), y)
loss.backward()
"""

LESSONS: tuple[Lesson, ...] = (
    Lesson(
        name="gradcheck_smooth",
        title="Gradient check: a smooth function",
        description="A tanh neuron and a squared error. Every leaf element is nudged by ±1e-6 and the "
        "program re-run in float64: the slope of the loss, (f(x+eps) − f(x−eps)) / 2eps, matches autograd's "
        "gradient to about 1e-8. Autograd is exact calculus; finite differences are its numerical check.",
        code=_SMOOTH,
        options=GraphOptions(gradcheck=True),
    ),
    Lesson(
        name="gradcheck_kink",
        title="Gradient check: relu at 0",
        description="relu has a kink at 0: slope 0 on the left, 1 on the right, so its derivative does not "
        "exist there. Autograd uses the convention relu'(0) = 0; central differences straddle the kink and "
        "average the two slopes, giving 0.5. At 2.0 and −1.0, away from the kink, they agree again. The "
        "same happens for abs at 0 (autograd says 0, the slopes are −1 and 1).",
        code=_KINK,
        options=GraphOptions(gradcheck=True),
    ),
    Lesson(
        name="nan_gradient",
        title="Gradient health: x · log(x) at 0",
        description="log(0) is −∞ and 0 · (−∞) is NaN, so the first element's value is NaN already in the "
        "forward pass. In the backward pass the log node divides its upstream gradient by x = 0 (0 / 0) "
        "and sends NaN on to x. The health overlay marks where each problem first appeared.",
        code=_NAN,
        options=GraphOptions(),
    ),
    Lesson(
        name="accumulate",
        title="Backward twice without zero_grad",
        description="The first backward sets w.grad = 2w = 6. The second one does not replace it, it adds: "
        "w.grad = 6 + 2 = 8. That is why training loops call optimizer.zero_grad() before each backward.",
        code=_ACCUMULATE,
        options=GraphOptions(),
    ),
    Lesson(
        name="train_neuron",
        title="Train the logistic neuron (SGD)",
        description="50 steps of w ← w − lr · dL/dw and b ← b − lr · dL/db with lr = 0.5: the loss falls at "
        "every step. Move the step slider to see the values and gradients of every node at that step.",
        code=_NEURON,
        options=GraphOptions(train=TrainOptions(steps=50, optimizer="SGD", lr=0.5)),
    ),
    Lesson(
        name="train_mlp",
        title="Train a 10-5-1 MLP (Adam)",
        description="A Linear-ReLU-Linear network fits 8 random targets with Adam (lr 0.01) for 100 steps. "
        "The loss curve shows how fast it learns; the parameters after the last step are exactly the ones "
        "torch's own training loop would reach.",
        code=_MLP,
        options=GraphOptions(train=TrainOptions(steps=100, optimizer="Adam", lr=0.01)),
    ),
)


def lesson(name: str) -> Lesson:
    """One lesson by name (KeyError when unknown)."""
    return {item.name: item for item in LESSONS}[name]
