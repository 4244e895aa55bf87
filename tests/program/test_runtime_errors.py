"""The program's own mistakes are runtime_error at the program's line, never a gradtrace failure, even when
torch raises them right under the recording modes (issue 18, defect 3); budgets count what really runs,
however it is spelled (defect 6)."""

from __future__ import annotations

import pytest
from traced import graph_of

from app.errors import GradtraceError, LimitExceeded, ProgramRuntimeError

T = "import torch\nimport torch.nn as nn\n"
MISTAKES = {
    "bool of a tensor": T + "x = torch.ones(2)\nif x:\n    pass\n",
    "item of two": T + "x = torch.ones(2)\ny = x.item()\n",
    "in-place on a leaf": T + "x = torch.ones(2, requires_grad=True)\nx.add_(1)\n",
    "in-place on split outputs": T
    + "x = torch.ones(4, requires_grad=True) * 1\na, b = x.split(2)\na.mul_(2)\n",
    "negative step": T + "x = torch.ones(4)\ny = x[::-1]\n",
    "float index": T + "x = torch.ones(4)\ny = x[1.5]\n",
    "zero step": T + "x = torch.ones(4)\ny = x[::0]\n",
    "ragged literal": T + "x = torch.ones(1)\ny = torch.tensor([[1, 2], [3]])\n",
    "tensor of None": T + "x = torch.ones(1)\ny = torch.tensor(None)\n",
    "requires_grad off a non-leaf": T
    + "x = torch.ones(2, requires_grad=True)\ny = x * 2\ny.requires_grad = False\n",
    "requires_grad on ints": T + "x = torch.ones(1)\ny = torch.arange(3)\ny.requires_grad_()\n",
    "mT of 1-d": T + "x = torch.ones(1)\ny = torch.ones(3).mT\n",
    "module without super init": T
    + "class M(nn.Module):\n    def __init__(self):\n        self.w = 1\n"
    + "x = torch.ones(1)\nm = M()\ny = m(x)\n",
    "sparse embedding backward": T
    + "e = nn.Embedding(10, 3, sparse=True)\nout = e(torch.tensor([1, 2]))\nout.sum().backward()\n"
    + "print(e.weight.grad.to_dense().sum())\n",
}


@pytest.mark.parametrize("name", sorted(MISTAKES))
def test_a_torch_mistake_is_a_runtime_error_at_its_line(name: str) -> None:
    source = MISTAKES[name]
    try:
        graph_of(source)
    except ProgramRuntimeError as error:
        last = len(source.rstrip("\n").split("\n"))
        assert error.line is not None and 3 <= error.line <= last, error
        assert error.frames and error.frames[-1].line == error.line
        return
    except GradtraceError as error:
        pytest.fail(f"{name}: {error.kind} {error.message}")
    assert name == "sparse embedding backward"  # torch allows this one: it must simply work


def test_a_broadcasting_loss_is_counted_at_its_real_size() -> None:
    with pytest.raises(LimitExceeded) as caught:
        broadcast = "F.mse_loss(torch.ones(4, 1, 1), torch.ones(8000, 8000), reduction='none')"
        graph_of(T + f"import torch.nn.functional as F\nloss = {broadcast}\n")
    assert "max_numel" in caught.value.message and caught.value.line == 4


@pytest.mark.parametrize(
    "call",
    ["torch.matmul(input=a, other=a)", "a @ a", "torch.einsum('ij,jk->ik', [a, a])", "torch.mm(a, mat2=a)"],
)
def test_every_spelling_of_a_matmul_is_counted(call: str) -> None:
    from app.limits import Limits

    with pytest.raises(LimitExceeded) as caught:
        graph_of(T + f"a = torch.ones(300, 300)\nb = {call}\n", Limits(max_flops_per_op=1e6))
    assert "FLOPs" in caught.value.message and caught.value.line == 4


def test_a_budget_error_the_program_catches_still_ends_the_run_over_budget() -> None:
    source = T + "try:\n    x = torch.ones(1).expand(10**6, 10**6)\nexcept Exception:\n    pass\n"
    source += "y = torch.ones(2)\n"
    with pytest.raises(LimitExceeded):
        graph_of(source)
