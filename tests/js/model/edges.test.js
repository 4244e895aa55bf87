import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { hiddenNodes, indexGraph } from "../../../static/js/model/graph.js";
import { drawnEdges, laneOffset, routeMiddle, shiftRoute } from "../../../static/js/model/edges.js";

const load = (name) => indexGraph(JSON.parse(readFileSync(new URL(`../fixtures/${name}.json`, import.meta.url))));

test("a + a is two lines side by side, b * b too, each its own edge", () => {
  const index = load("fanout"); // b = a + a; c = b * b; ...
  const lines = drawnEdges(index, new Map());
  assert.equal(lines.length, index.graph.edges.length);
  const a = index.graph.nodes.find((n) => n.label === "a").id;
  const b = index.graph.nodes.find((n) => n.label === "b").id;
  const aToB = lines.filter((line) => line.source === a && line.target === b);
  assert.equal(aToB.length, 2);
  assert.deepEqual(aToB.map((line) => [line.lane, line.lanes]), [[0, 2], [1, 2]]);
  assert.deepEqual(aToB.map(laneOffset), [-5, 5]);
  assert.notDeepEqual(aToB[0].edges, aToB[1].edges);
});

test("edges into a collapsed call from one node are one line; edges inside it are not drawn", () => {
  const index = load("softmax_ce"); // loss = F.cross_entropy(logits, targets): targets feeds two internals
  const call = index.graph.groups.find((g) => g.kind === "call");
  const hidden = hiddenNodes(index, new Set([call.id]));
  const lines = drawnEdges(index, hidden);
  const targets = index.graph.nodes.find((n) => n.label === "targets").id;
  const intoCall = lines.filter((line) => line.source === targets && line.target === call.id);
  assert.equal(intoCall.length, 1);
  assert.equal(intoCall[0].edges.length, 2);
  assert.ok(lines.every((line) => line.source !== line.target));
  const open = drawnEdges(index, new Map());
  assert.equal(open.length, index.graph.edges.length, "opened, every edge is its own line");
});

test("a route moves sideways and its middle is halfway along", () => {
  const down = [{ x: 0, y: 0 }, { x: 0, y: 100 }];
  assert.deepEqual(shiftRoute(down, 5).map((p) => Math.round(p.x)), [-5, -5]);
  assert.deepEqual(shiftRoute(down, 0), down);
  assert.deepEqual(routeMiddle([{ x: 0, y: 0 }, { x: 0, y: 30 }, { x: 40, y: 30 }]), { x: 5, y: 30 });
});
