import { test } from "node:test";
import assert from "node:assert/strict";
import { configLinks, readConfig } from "../../../static/js/model/config.js";
import { indexGraph } from "../../../static/js/model/graph.js";

const GPT = `GPT_CONFIG = {
    "vocab_size": 100,  # tokens
    "context_length": 8,
    "emb_dim": 4,
    "n_heads": 2,
    "n_layers": 2,
    "drop_rate": 0.1,
    "qkv_bias": False,
}
class Attention:
    def __init__(self, cfg):
        self.n_heads = cfg["n_heads"]
`;

test("reads a config dict, a dataclass, and nothing from ordinary programs", () => {
  const entries = readConfig(GPT);
  assert.deepEqual(Object.keys(entries), ["vocab_size", "context_length", "emb_dim", "n_heads", "n_layers",
    "drop_rate", "qkv_bias"]);
  assert.deepEqual(entries.n_heads, { name: "n_heads", value: "2" }); // not `self.n_heads = cfg[...]`
  assert.deepEqual(entries.qkv_bias, { name: "qkv_bias", value: "False" });
  const nano = readConfig("class GPTConfig:\n    block_size: int = 1024\n    n_head: int = 12\n    n_embd: int = 768");
  assert.deepEqual(nano.context_length, { name: "block_size", value: "1024" });
  assert.deepEqual(nano.emb_dim, { name: "n_embd", value: "768" });
  assert.deepEqual(readConfig("import torch\nx = torch.ones(3)\nn_heads = 4\n"), {});
});

// A miniature of what the server sends for a 2-layer GPT: embeddings, a softmax per block, dropout calls.
const graph = {
  nodes: [
    { id: "n0", kind: "param", label: "tok_emb.weight", shape: [100, 4] },
    { id: "n1", kind: "input", label: "idx", shape: [1, 8] },
    { id: "n2", kind: "op", label: "tok", op: "EmbeddingBackward0", shape: [1, 8, 4] },
    { id: "n3", kind: "param", label: "pos_emb.weight", shape: [8, 4] },
    { id: "n4", kind: "op", label: "pos", op: "EmbeddingBackward0", shape: [8, 4] },
    { id: "n5", kind: "op", label: "blocks.0.attn.mask", shape: [8, 8], dtype: "bool" },
    { id: "n6", kind: "op", label: "att", op: "SoftmaxBackward0", shape: [1, 2, 8, 8], group: "blocks.0" },
    { id: "n7", kind: "op", label: "bernoulli_", fn: "aten.bernoulli_", shape: [1, 8, 4], group: "c9" },
    { id: "n8", kind: "param", label: "blocks.0.attn.c_attn.weight", shape: [12, 4], group: "blocks.0" },
    { id: "n9", kind: "param", label: "out_head.weight", shape: [100, 4] },
  ],
  edges: [
    { id: "e0", source: "n0", target: "n2", input_index: 0 }, { id: "e1", source: "n1", target: "n2", input_index: 1 },
    { id: "e2", source: "n3", target: "n4", input_index: 0 },
  ],
  groups: [
    { id: "blocks[0-1]", kind: "module", label: "blocks × 2 (Block)", module: "Block", repeat: 2 },
    { id: "blocks.0", kind: "module", label: "blocks.0 (Block)", module: "Block", parent: "blocks[0-1]", repeat: 1 },
    { id: "c9", kind: "call", label: "drop", module: "blocks.0.drop", parent: "blocks.0", repeat: 1 },
  ],
};

test("each entry points at what it shaped in the graph", () => {
  const links = Object.fromEntries(configLinks(readConfig(GPT), indexGraph(graph)).map((l) => [l.key, l]));
  assert.deepEqual(links.vocab_size.targets, ["n0", "n9"]);
  assert.deepEqual(links.context_length.targets, ["n3", "n5"]); // the position table (not c_attn) and the mask
  assert.match(links.context_length.text, /8 × 8 \(1 copy\)/);
  assert.deepEqual(links.emb_dim.targets, ["n2"]);
  assert.match(links.emb_dim.text, /tok is \[1×8×4\]/);
  assert.deepEqual(links.n_heads.targets, ["n6"]);
  assert.match(links.n_heads.text, /2 heatmaps, one per head/);
  assert.deepEqual(links.n_layers.targets, ["blocks[0-1]"]);
  assert.deepEqual(links.drop_rate.targets, ["c9"]);
  assert.match(links.drop_rate.text, /1 dropout calls \(blocks\.0\.drop\)/);
  assert.deepEqual(links.qkv_bias.targets, []);
  assert.match(links.qkv_bias.text, /no bias node/);
});
