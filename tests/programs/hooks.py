import torch

a = torch.tensor([1.0, 2.0], requires_grad=True)
b = a * 3
b.retain_grad()
h = b.register_hook(lambda g: g * 2)
c = (b ** 2).sum()
c.backward()
print(a.grad, b.grad)
h.remove()
