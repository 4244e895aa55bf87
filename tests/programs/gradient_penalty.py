import torch

torch.manual_seed(0)
w = torch.randn(3, requires_grad=True)
x = torch.randn(4, 3, requires_grad=True)
y = (x @ w).tanh().sum()
(grad_x,) = torch.autograd.grad(y, x, create_graph=True)
penalty = (grad_x.norm(dim=1) - 1).pow(2).mean()
penalty.backward()
print(round(penalty.item(), 5), w.grad)
