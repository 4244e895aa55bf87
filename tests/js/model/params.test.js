import { test } from "node:test";
import assert from "node:assert/strict";
import { indexGraph } from "../../../static/js/model/graph.js";
import { formatCompact, formatCount, groupCaption, parameterTotal } from "../../../static/js/model/params.js";

test("the total is the top-level modules' parameters (nested groups are not counted twice)", () => {
  const index = indexGraph({
    nodes: [{ id: "n0", kind: "param", label: "w", shape: [5, 5] }],
    edges: [],
    groups: [
      { id: "model", label: "model (GPTModel)", params: 163009536 },
      { id: "model.blocks", label: "blocks", parent: "model", params: 85026816 },
      { id: "extra", label: "extra (Linear)", params: 10 },
    ],
  });
  assert.equal(parameterTotal(index), 163009546);
});

test("without modules the total is the parameter leaves' element counts", () => {
  const index = indexGraph({
    nodes: [
      { id: "n0", kind: "param", label: "w", shape: [3, 4] },
      { id: "n1", kind: "param", label: "b", shape: [4] },
      { id: "n2", kind: "param", label: "s", shape: [] },
      { id: "n3", kind: "input", label: "x", shape: [100] },
    ],
    edges: [],
  });
  assert.equal(parameterTotal(index), 17);
});

test("counts are written with thousands separators or at a glance", () => {
  assert.equal(formatCount(124439808), "124,439,808");
  assert.equal(formatCount(163037184), "163,037,184");
  assert.equal(formatCount(960), "960");
  assert.equal(formatCount(1000), "1,000");
  assert.equal(formatCompact(2360064), "2.4M");
  assert.equal(formatCompact(163009536), "163M");
  assert.equal(formatCompact(1536), "1.5K");
  assert.equal(formatCompact(4000), "4K");
  assert.equal(formatCompact(960), "960");
  assert.equal(formatCompact(2.5e9), "2.5B");
});

test("a group's caption names path and class, the fold and the parameters", () => {
  const attn = { label: "blocks.0.attn (CausalSelfAttention)", repeat: 1, params: 2360064 };
  assert.equal(groupCaption(attn), "blocks.0.attn (CausalSelfAttention) · 2.4M params");
  const stack = { label: "blocks × 12 (Block)", repeat: 12, params: 85026816 };
  assert.equal(groupCaption(stack), "blocks × 12 (Block) · 85M params");
  assert.equal(groupCaption({ label: "blocks (Block)", repeat: 3, params: 0 }), "blocks (Block) × 3");
  assert.equal(groupCaption({ label: "drop (Dropout)", repeat: 1, params: 0 }), "drop (Dropout)");
});
