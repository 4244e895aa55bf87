import torch


def batches(data, size):
    for start in range(0, len(data), size):
        yield data[start:start + size]


data = torch.arange(10.0, requires_grad=True)
squares = (batch.pow(2).sum() for batch in batches(data, 3))
total = sum(squares)
n = 0
value = total
while value > 1:
    value = value / 4
    n += 1
assert n > 0, "the loop ran"
value.backward()
print(n, round(value.item(), 6), data.grad[:3])
