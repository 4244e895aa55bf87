import torch
from torch.func import grad, vmap

def f(x):
    return torch.sin(x).sum()

x = torch.tensor([0.0, 1.0, 2.0])
print(grad(f)(x))
print(vmap(torch.dot)(torch.ones(3, 2), torch.ones(3, 2)))
