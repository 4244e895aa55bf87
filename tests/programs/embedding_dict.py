import torch
import torch.nn as nn
from collections import OrderedDict, Counter, defaultdict
from itertools import chain


class Tagger(nn.Module):
    def __init__(self, vocab, dim, tags):
        super().__init__()
        self.embed = nn.Embedding(vocab, dim, padding_idx=0)
        self.heads = nn.ModuleDict({"pos": nn.Linear(dim, tags), "ner": nn.Linear(dim, 2)})
        self.layers = nn.ModuleList([nn.Linear(dim, dim) for _ in range(2)])

    def forward(self, tokens, task="pos"):
        h = self.embed(tokens)
        for layer in self.layers:
            h = torch.tanh(layer(h)) + h
        return self.heads[task](h)


sentences = [["the", "cat", "sat"], ["a", "dog", "ran", "fast"]]
vocab = {w: i + 1 for i, w in enumerate(sorted(set(chain.from_iterable(sentences))))}
counts = Counter(chain.from_iterable(sentences))
by_length = defaultdict(list)
for s in sentences:
    by_length[len(s)].append(s)
torch.manual_seed(1)
tagger = Tagger(len(vocab) + 1, 6, 4)
batch = torch.nn.utils.rnn.pad_sequence([torch.tensor([vocab[w] for w in s]) for s in sentences], batch_first=True)
logits = tagger(batch)
targets = torch.randint(0, 4, batch.shape)
mask = batch != 0
loss = nn.functional.cross_entropy(logits[mask], targets[mask])
loss.backward()
print(OrderedDict(sorted(counts.items()))["the"], dict(by_length).keys(), round(loss.item(), 4))
print(tagger.embed.weight.grad[0].abs().sum().item())
