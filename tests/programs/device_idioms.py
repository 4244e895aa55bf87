import torch
import torch.nn as nn

device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
model = nn.Linear(3, 2).to(device)
x = torch.randn(4, 3).to(device)
y = torch.randn(4, 2, device=device)
loss = ((model(x) - y) ** 2).mean()
loss.backward()
print(loss.item() > 0, model.weight.grad.shape)
