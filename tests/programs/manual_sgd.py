import torch

x = torch.tensor([1.0, 2.0, 3.0])
y = torch.tensor([2.0, 4.0, 6.0])
w = torch.tensor(0.5, requires_grad=True)
lr = 0.05
for step in range(3):
    loss = ((w * x - y) ** 2).mean()
    loss.backward()
    print(step, loss.item(), w.grad.item())
    w.data -= lr * w.grad
    w.grad.zero_()
print(w)
