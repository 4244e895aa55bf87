import torch
import torch.nn as nn

torch.manual_seed(0)
rnn = nn.LSTM(input_size=4, hidden_size=3, batch_first=True)
head = nn.Linear(3, 1)
x = torch.randn(2, 5, 4)
out, (h, c) = rnn(x)
pred = head(out[:, -1])
loss = pred.pow(2).mean()
loss.backward()
print(pred.shape, rnn.weight_ih_l0.grad.shape)
