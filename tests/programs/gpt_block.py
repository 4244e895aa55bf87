import torch
import torch.nn as nn
import torch.nn.functional as F

cfg = {
    "vocab_size": 20,
    "context_length": 8,
    "emb_dim": 16,
    "n_heads": 2,
    "n_layers": 2,
    "drop_rate": 0.0,
    "qkv_bias": True,
}


class MultiHeadAttention(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.n_heads = cfg["n_heads"]
        self.qkv = nn.Linear(cfg["emb_dim"], 3 * cfg["emb_dim"], bias=cfg["qkv_bias"])
        self.proj = nn.Linear(cfg["emb_dim"], cfg["emb_dim"])
        self.dropout = nn.Dropout(cfg["drop_rate"])
        n = cfg["context_length"]
        self.register_buffer("mask", torch.triu(torch.ones(n, n), diagonal=1).bool())

    def forward(self, x):
        B, T, C = x.shape
        q, k, v = self.qkv(x).split(C, dim=2)
        hs = C // self.n_heads
        q = q.view(B, T, self.n_heads, hs).transpose(1, 2)
        k = k.view(B, T, self.n_heads, hs).transpose(1, 2)
        v = v.view(B, T, self.n_heads, hs).transpose(1, 2)
        att = q @ k.transpose(-2, -1) / hs**0.5
        att.masked_fill_(self.mask[:T, :T], float("-inf"))
        att = self.dropout(F.softmax(att, dim=-1))
        y = (att @ v).transpose(1, 2).contiguous().view(B, T, C)
        return self.proj(y)


class Block(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.norms = nn.ModuleList([nn.LayerNorm(cfg["emb_dim"]), nn.LayerNorm(cfg["emb_dim"])])
        self.attn = MultiHeadAttention(cfg)
        width = cfg["emb_dim"]
        self.mlp = nn.ModuleList([nn.Linear(width, 4 * width), nn.GELU(), nn.Linear(4 * width, width)])
        self.drop = nn.Dropout(0.1)

    def forward(self, x):
        x = x + self.attn(self.norms[0](x))
        h = self.norms[1](x)
        for layer in self.mlp:
            h = layer(h)
        return x + self.drop(h)


class TinyGPT(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.tok = nn.Embedding(cfg["vocab_size"], cfg["emb_dim"])
        self.pos = nn.Embedding(cfg["context_length"], cfg["emb_dim"])
        self.blocks = nn.Sequential(*[Block(cfg) for _ in range(cfg["n_layers"])])
        self.head = nn.Linear(cfg["emb_dim"], cfg["vocab_size"], bias=False)

    def forward(self, idx):
        B, T = idx.shape
        x = self.tok(idx) + self.pos(torch.arange(T, device=idx.device))
        return self.head(self.blocks(x))


torch.manual_seed(123)
model = TinyGPT(cfg)
idx = torch.randint(0, cfg["vocab_size"], (2, 6))
targets = torch.randint(0, cfg["vocab_size"], (2, 6))
logits = model(idx)
loss = F.cross_entropy(logits.flatten(0, 1), targets.flatten())
loss.backward()
print(f"{loss.item():.5f}")

model.eval()
with torch.no_grad():
    print(model(idx)[:, -1, :].argmax(dim=-1))
