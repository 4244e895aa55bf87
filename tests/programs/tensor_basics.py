import torch

# scalars, vectors, matrices
t0 = torch.tensor(1)
t1 = torch.tensor([1, 2, 3])
t2 = torch.tensor([[1, 2],
                   [3, 4]])
print(t0.dtype, t1.dtype)
floats = t2.to(torch.float32)
print(floats.dtype, floats.shape)

x = torch.tensor([[1.0, 2.0, 3.0],
                  [4.0, 5.0, 6.0]])
print(x.reshape(3, 2))
print(x.view(6, 1).shape)
print(x.T)
print(x @ x.T)
print(x.matmul(x.T))

w = torch.tensor([[0.1, 0.2], [0.3, 0.4], [0.5, 0.6]], requires_grad=True)
out = (x @ w).sum()
out.backward()
print(w.grad)
