import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import {
  callOf, groupPath, hiddenNodes, indexGraph, inputsOf, layoutPayload, linesOf, membersOf, mergeLayout, nodeBox,
  nodesAtLine, shownCall, visibleGroups,
} from "../../../static/js/model/graph.js";

const fixture = JSON.parse(readFileSync(new URL("../fixtures/logistic.json", import.meta.url)));

test("indexes nodes, edges and each node's inputs in argument order", () => {
  const index = indexGraph(fixture);
  assert.equal(index.nodes.get("n1").label, "w");
  assert.deepEqual(inputsOf(index, "n4").map((e) => e.source), ["n0", "n1"]);
  assert.deepEqual(index.outEdges.get("n6").map((e) => e.target), ["n7"]);
});

test("source lines map to the nodes they created and back", () => {
  const index = indexGraph(fixture);
  assert.deepEqual(nodesAtLine(index, 7), ["n4", "n5"]);
  assert.deepEqual(nodesAtLine(index, 42), []);
  assert.deepEqual(linesOf({ span: { line: 2, col: 0, end_line: 4, end_col: 1 } }), [2, 3, 4]);
  assert.deepEqual(linesOf({}), []);
});

const modules = {
  nodes: [
    { id: "n0", kind: "input", label: "x" },
    { id: "n1", kind: "param", label: "fc1.weight", group: "fc1" },
    { id: "n2", kind: "op", label: "h", group: "fc1" },
    { id: "n3", kind: "op", label: "q", group: "block.attn" },
  ],
  edges: [],
  groups: [
    { id: "fc1", label: "fc1 (Linear)", module: "Linear" },
    { id: "block", label: "block (Block)", module: "Block" },
    { id: "block.attn", label: "attn", module: "Attention", parent: "block" },
  ],
};

test("collapsed groups hide their members under the outermost collapsed group", () => {
  const index = indexGraph(modules);
  assert.deepEqual(groupPath(index, "block.attn"), ["block", "block.attn"]);
  assert.deepEqual([...hiddenNodes(index, new Set(["fc1"]))], [["n1", "fc1"], ["n2", "fc1"]]);
  assert.deepEqual([...hiddenNodes(index, new Set(["block", "block.attn"]))], [["n3", "block"]]);
  assert.deepEqual(visibleGroups(index, new Set(["block"])).map((g) => g.id), ["fc1", "block"]);
});

test("node boxes read x/y as the top-left corner", () => {
  assert.deepEqual(nodeBox({ x: 10, y: 20, w: 100, h: 50 }), { x: 10, y: 20, w: 100, h: 50, cx: 60, cy: 45 });
});

test("layout requests carry no tensors and a new layout keeps them", () => {
  const payload = layoutPayload(fixture);
  assert.equal(payload.nodes.length, 8);
  assert.equal(payload.nodes[1].data, undefined);
  assert.equal(payload.edges[1].grad, undefined);
  assert.equal(payload.edges[1].points, undefined); // the server routes edges anew
  assert.equal(payload.nodes[1].label, "w");
  const moved = { ...payload.nodes[1], x: 500, y: 7, w: 0, h: 0 };
  const route = [{ x: 1, y: 2 }, { x: 3, y: 4 }];
  const layout = { nodes: [moved], edges: [{ ...payload.edges[1], points: route }], groups: [], width: 5, height: 6 };
  const merged = mergeLayout(fixture, layout);
  assert.deepEqual([merged.nodes[1].x, merged.nodes[1].y, merged.nodes[1].w], [500, 7, 0]);
  assert.equal(merged.nodes[1].grad.values, fixture.nodes[1].grad.values);
  assert.equal(merged.nodes[0].x, fixture.nodes[0].x);
  assert.deepEqual(merged.edges[1].points, route);
  assert.deepEqual(merged.edges[0].points, []);
  assert.equal(merged.width, 5);
  assert.deepEqual(merged.forward, fixture.forward);
});

test("a collapsed call is drawn as its result: its box, its result node and the autograd nodes inside", () => {
  const graph = JSON.parse(readFileSync(new URL("../fixtures/softmax_ce.json", import.meta.url)));
  const index = indexGraph(graph); // loss = F.cross_entropy(logits, targets)
  const call = graph.groups.find((g) => g.kind === "call");
  assert.equal(call.label, "loss");
  assert.equal(call.module, "F.cross_entropy");
  const loss = index.nodes.get(call.outputs[0]);
  assert.equal(callOf(index, loss.id), call);
  assert.equal(shownCall(index, call.id, new Set([call.id])), call);
  assert.equal(shownCall(index, call.id, new Set()), null, "opened, it is a frame");
  const inside = membersOf(index, call.id);
  assert.ok(inside.length >= 2 && inside.includes(loss));
  assert.ok(inside.some((node) => node.fn?.startsWith("aten.")), "internals are named by their aten op");
  const hidden = hiddenNodes(index, new Set([call.id]));
  assert.deepEqual([...hidden.keys()], inside.map((node) => node.id));
  assert.equal(callOf(index, inside.find((node) => node !== loss).id), null, "an internal is not a result");
});
