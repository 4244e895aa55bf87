import torch
from dataclasses import dataclass
import functools, itertools, collections, random
import numpy as np


@dataclass
class Config:
    width: int = 4
    depth: int = 2


cfg = Config()
print(torch.__version__ is not None, sorted([3, 1, 2]), next(iter([5])))
layers = [torch.nn.Linear(cfg.width, cfg.width) for _ in range(cfg.depth)]
x = torch.ones(1, cfg.width)
i = 0
while i < len(layers):
    x = torch.relu(layers[i](x))
    i += 1
total = sum(p.numel() for layer in layers for p in layer.parameters())
(a, (b, c)) = (1, (2, 3))
d = {"k": torch.zeros(2)}
d["k"][0] = 1.0
setattr(cfg, "width", 5)
arr = np.arange(4, dtype=np.float32)
t = torch.from_numpy(arr) * 2
with torch.inference_mode():
    z = t + 1
print(total, a + b + c, d["k"], t.numpy(), z)
loss = x.sum()
loss.backward()
