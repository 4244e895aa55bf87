"""The fork server's warm-up leaves autograd's engine alone (on a GPU machine its first run would leave every
forked child unable to use the GPU or run backward) and puts it back afterwards."""

from __future__ import annotations

import torch

from app.sandbox.forksafe import autograd_engine_untouched


def test_backward_skips_the_engine_inside_and_runs_it_again_after() -> None:
    w = torch.tensor([2.0], requires_grad=True)
    with autograd_engine_untouched():
        (w * 3).sum().backward()
        assert w.grad is None
    (w * 3).sum().backward()
    assert w.grad is not None and w.grad.tolist() == [3.0]
