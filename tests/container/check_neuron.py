"""Check the served image at $SMOKE_URL (run by container-smoke.sh --then): /healthz reports the sandbox's
jail in force in strict mode (Landlock and seccomp), and POST /graph gives the logistic neuron's
dL/dw = -0.0898."""

from __future__ import annotations

import json
import os
import sys
import urllib.request

PROGRAM = """\
import torch
import torch.nn.functional as F
x = torch.tensor(1.1)
y = torch.tensor(1.0)
w = torch.tensor(2.2, requires_grad=True)
b = torch.tensor(0.0, requires_grad=True)
a = torch.sigmoid(x * w + b)
loss = F.binary_cross_entropy(a, y)
loss.backward()
"""


def jail_in_force() -> bool:
    with urllib.request.urlopen(os.environ["SMOKE_URL"] + "/healthz", timeout=30) as response:
        health = json.load(response)
    jail = health["jail"]
    print(f"jail: {health['jail_mode']}, landlock ABI {jail['landlock']}, seccomp {jail['seccomp']}")
    strict = health["jail_mode"] == "strict"
    return bool(strict and jail["landlock"] > 0 and jail["seccomp"] and jail["complete"])


def main() -> int:
    if not jail_in_force():
        return 1
    request = urllib.request.Request(
        os.environ["SMOKE_URL"] + "/graph",
        data=json.dumps({"program": PROGRAM}).encode(),
        headers={"content-type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=60) as response:
        graph = json.load(response)
    grad = [n for n in graph["nodes"] if n["label"] == "w"][-1]["grad"]["values"]
    print(f"dL/dw = {grad:.4f}")
    return 0 if round(grad, 4) == -0.0898 else 1


if __name__ == "__main__":
    sys.exit(main())
