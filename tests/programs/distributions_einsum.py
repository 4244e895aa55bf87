import math
import torch
from torch.distributions import Normal, Categorical

torch.manual_seed(0)
mu = torch.zeros(3, requires_grad=True)
log_sigma = torch.zeros(3, requires_grad=True)
dist = Normal(mu, log_sigma.exp())
x = torch.tensor([0.5, -1.0, 2.0])
nll = -dist.log_prob(x).sum()
q = torch.randn(2, 4, requires_grad=True)
k = torch.randn(3, 4)
scores = torch.einsum("id,jd->ij", q, k) / math.sqrt(4)
entropy = Categorical(logits=scores).entropy().mean()
total = nll + entropy
total.backward()
print(round(nll.item(), 4), round(entropy.item(), 4))
print(mu.grad, log_sigma.grad)
