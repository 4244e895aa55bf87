import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { alignLines, diffGraphs, tensorDelta } from "../../../static/js/model/diff.js";

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
