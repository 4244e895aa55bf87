import numpy as np
import torch

rng = np.random.default_rng(0)
X = rng.normal(size=(20, 2)).astype(np.float32)
y = (X[:, 0] + 2 * X[:, 1] > 0).astype(np.float32)
Xt, yt = torch.from_numpy(X), torch.from_numpy(y)
w = torch.zeros(2, requires_grad=True)
b = torch.zeros(1, requires_grad=True)
for i in range(50):
    p = torch.sigmoid(Xt @ w + b)
    loss = torch.nn.functional.binary_cross_entropy(p, yt)
    loss.backward()
    with torch.no_grad():
        w -= 0.5 * w.grad
        b -= 0.5 * b.grad
        w.grad.zero_()
        b.grad.zero_()
acc = ((p > 0.5).float() == yt).float().mean()
print(f"{loss.item():.4f} {acc.item():.2f}", np.round(w.detach().numpy(), 3))
