"""Capture: run a program under recording and keep every call, op, autograd node, value and gradient.

def program(rec: Recorder) -> None:
    w = torch.tensor([2.2], requires_grad=True)
    rec.name("w", w)
    (w * 3).sum().backward()

graph = app.graph.build_graph(capture(program, limits=Limits()))   # error, if any, in Capture.error
"""

from __future__ import annotations

import warnings

with warnings.catch_warnings():  # torch warns at import when the optional numpy is absent
    warnings.simplefilter("ignore")
    import torch  # noqa: F401

from app.capture.encode import encode  # noqa: E402
from app.capture.recorder import Recorder, capture  # noqa: E402
from app.capture.records import Capture  # noqa: E402

__all__ = ["Capture", "Recorder", "capture", "encode"]
