import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import {
  SAME, alignLines, diffColour, diffGraphs, ratioColour, sideMarks, tensorDelta,
} from "../../../static/js/model/diff.js";

// the cases tests/diff/test_match.py checks the server's app/diff against: both must answer them alike
const cases = JSON.parse(readFileSync(new URL("../fixtures/diff.json", import.meta.url), "utf-8"));

test("the page answers every shared case exactly as the server does", () => {
  assert.ok(cases.length >= 6);
  for (const { name, before, after, expected } of cases) {
    assert.deepEqual(diffGraphs(before.graph, after.graph, before.source, after.source), expected, name);
  }
});

test("lines move with an insertion; an edited line keeps its place", () => {
  assert.deepEqual([...alignLines("a\nb\nc", "a\nX\nb\nc")], [[1, 1], [2, 3], [3, 4]]);
  assert.deepEqual([...alignLines("a\nb = 1\nc", "a\nb = 2\nc")], [[1, 1], [2, 2], [3, 3]]);
  assert.deepEqual([...alignLines("a\nb\nc\nd", "a\nc\nd")], [[1, 1], [3, 2], [4, 3]]);
});

test("the relative delta is against the larger magnitude; a missing side has none", () => {
  const delta = tensorDelta({ shape: [2], values: [0.25, -1] }, { shape: [2], values: [0.75, -1] });
  assert.deepEqual([delta.abs, delta.rel, delta.basis], [0.5, 0.5, "values"]);
  assert.equal(tensorDelta({ shape: [], values: 1 }, null), null);
});

test("the colour scale: grey for no change, yellow to red on a log scale", () => {
  assert.equal(diffColour(0), SAME);
  assert.equal(diffColour(1e-6), "rgb(254, 240, 138)");
  assert.equal(diffColour(1e-2), "rgb(237, 139, 88)");
  assert.equal(diffColour(1), "rgb(220, 38, 38)");
  assert.equal(diffColour(2), "rgb(220, 38, 38)");
});

test("each run's nodes are painted from its own side of the diff", () => {
  const { expected } = cases.find((c) => c.name.startsWith("a line inserted"));
  const b = sideMarks(expected, "b", "data");
  assert.deepEqual([[...b.marks.keys()], [...b.only]], [["n0", "n2", "n3"], ["n1"]]);
  const a = sideMarks(expected, "a", "data");
  assert.deepEqual([[...a.marks.keys()], [...a.only]], [["n0", "n1", "n2"], []]);
  assert.equal(a.marks.get("n1").match.after, "n2");
});

test("the gradient-size colouring: white when equal, red when B's is 100 times A's, blue when 100 times smaller", () => {
  assert.equal(ratioColour({ before_norm: 2, after_norm: 2 }), "rgb(248, 250, 252)");
  assert.equal(ratioColour({ before_norm: 0.0016, after_norm: 0.16 }), "rgb(220, 38, 38)");
  assert.equal(ratioColour({ before_norm: 1, after_norm: 0.001 }), "rgb(37, 99, 235)");
  assert.equal(ratioColour({ before_norm: 0, after_norm: 1 }), SAME);
  assert.equal(ratioColour({ before_norm: null, after_norm: 1 }), SAME);
  const { expected } = cases.find((c) => c.name.startsWith("big tensors"));
  const marks = sideMarks(expected, "b", "ratio").marks;
  assert.equal(marks.get("n3").colour, SAME); // zero gradients: no size to compare
  assert.equal(sideMarks(expected, "b", "data").marks.get("n0").colour, diffColour(0.25));
});
