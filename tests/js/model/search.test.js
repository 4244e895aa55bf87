import { test } from "node:test";
import assert from "node:assert/strict";
import { indexGraph } from "../../../static/js/model/graph.js";
import { collapsedAround, cycle, findNodes, transitiveInputs } from "../../../static/js/model/search.js";

// x → c_attn(mm) → att(softmax) → out ← w ; lonely is connected to nothing
const block = indexGraph({
  nodes: [
    { id: "n0", kind: "input", label: "x" },
    { id: "n1", kind: "param", label: "blocks.0.attn.c_attn.weight", group: "blocks.0.attn.c_attn" },
    { id: "n2", kind: "op", label: "mm", op: "MmBackward0", group: "blocks.0.attn.c_attn" },
    { id: "n3", kind: "op", label: "att", op: "SoftmaxBackward0", fn: "softmax", group: "blocks.0.attn" },
    { id: "n4", kind: "param", label: "w", group: "head" },
    { id: "n5", kind: "output", label: "out", op: "MulBackward0" },
    { id: "n6", kind: "const", label: "lonely" },
  ],
  edges: [
    { id: "e0", source: "n0", target: "n2", input_index: 0 },
    { id: "e1", source: "n1", target: "n2", input_index: 1 },
    { id: "e2", source: "n2", target: "n3", input_index: 0 },
    { id: "e3", source: "n3", target: "n5", input_index: 0 },
    { id: "e4", source: "n4", target: "n5", input_index: 1 },
    { id: "e5", source: "n0", target: "n3", input_index: 1 },
  ],
  groups: [
    { id: "blocks", label: "blocks (Sequential)", module: "Sequential" },
    { id: "blocks.0", label: "blocks.0 (Block)", module: "Block", parent: "blocks" },
    { id: "blocks.0.attn", label: "blocks.0.attn (CausalSelfAttention)", module: "CausalSelfAttention",
      parent: "blocks.0" },
    { id: "blocks.0.attn.c_attn", label: "c_attn (Linear)", module: "Linear", parent: "blocks.0.attn" },
    { id: "head", label: "head (Linear)", module: "Linear" },
  ],
});

test("search matches label, op, fn, module path and module class, ignoring case, in graph order", () => {
  assert.deepEqual(findNodes(block, "att"), ["n1", "n2", "n3"]); // label "att", path "…attn…"
  assert.deepEqual(findNodes(block, "softmax"), ["n3"]); // op SoftmaxBackward0 and fn softmax: listed once
  assert.deepEqual(findNodes(block, "  MULback "), ["n5"]);
  assert.deepEqual(findNodes(block, "causalself"), ["n3"]);
  assert.deepEqual(findNodes(block, "linear"), ["n1", "n2", "n4"]);
  assert.deepEqual(findNodes(block, "nothing like it"), []);
  assert.deepEqual(findNodes(block, "   "), []);
});

test("trace inputs collects the node, everything upstream and the edges between them", () => {
  const traced = transitiveInputs(block, "n3");
  assert.deepEqual([...traced.nodes].sort(), ["n0", "n1", "n2", "n3"]);
  assert.deepEqual([...traced.edges].sort(), ["e0", "e1", "e2", "e5"]);
  const all = transitiveInputs(block, "n5");
  assert.deepEqual([...all.nodes].sort(), ["n0", "n1", "n2", "n3", "n4", "n5"]);
  assert.equal(all.edges.size, 6);
  assert.deepEqual([...transitiveInputs(block, "n0").nodes], ["n0"]);
});

test("the collapsed groups around a node are listed outermost first", () => {
  const collapsed = new Set(["blocks", "blocks.0.attn", "head"]);
  assert.deepEqual(collapsedAround(block, collapsed, "n1"), ["blocks", "blocks.0.attn"]);
  assert.deepEqual(collapsedAround(block, collapsed, "n3"), ["blocks", "blocks.0.attn"]);
  assert.deepEqual(collapsedAround(block, collapsed, "n0"), []);
  assert.deepEqual(collapsedAround(block, new Set(), "n1"), []);
  assert.deepEqual(collapsedAround(block, collapsed, "missing"), []);
});

test("stepping through matches wraps around both ways and starts at either end", () => {
  assert.equal(cycle(-1, 1, 3), 0);
  assert.equal(cycle(-1, -1, 3), 2);
  assert.equal(cycle(2, 1, 3), 0);
  assert.equal(cycle(0, -1, 3), 2);
  assert.equal(cycle(1, 1, 3), 2);
  assert.equal(cycle(-1, 1, 0), -1);
});
