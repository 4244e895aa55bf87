import torch
import torch.nn as nn

net = nn.Linear(2, 1)
torch.save(net.state_dict(), "linear.pt")
copy = nn.Linear(2, 1)
copy.load_state_dict(torch.load("linear.pt"))
with open("notes.txt", "w") as f:
    f.write("saved\n")
with open("notes.txt") as f:
    print(f.read().strip(), torch.equal(copy.weight, net.weight))
out = copy(torch.ones(1, 2)).sum()
out.backward()
print(copy.weight.grad)
