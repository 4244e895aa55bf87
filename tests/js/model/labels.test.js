import { test } from "node:test";
import assert from "node:assert/strict";
import { labelSize, overlaps, placeLabels } from "../../../static/js/model/labels.js";

test("labels of parallel edges with one anchor go to both sides instead of on top of each other", () => {
  const anchor = { x: 100, y: 100 };
  const placed = placeLabels([{ id: "e0", text: "8.5", anchor }, { id: "e1", text: "8.5", anchor }], []);
  const [a, b] = [placed.get("e0"), placed.get("e1")];
  assert.ok(a && b);
  assert.equal(overlaps(a, b), false);
  assert.ok(a.x > anchor.x && b.x + b.w < anchor.x);
});

test("a label never covers a box, and one with no free place is left out", () => {
  const box = { x: 0, y: 0, w: 400, h: 400 };
  const placed = placeLabels([{ id: "e0", text: "1", anchor: { x: 200, y: 200 } }], [box]);
  assert.equal(placed.size, 0);
  const beside = placeLabels([{ id: "e0", text: "0.25", anchor: { x: 410, y: 200 } }], [box]);
  assert.equal(overlaps(beside.get("e0"), box), false);
});

test("many labels at one spot: the first ones win, none overlap", () => {
  const candidates = Array.from({ length: 10 }, (_, i) => ({ id: `e${i}`, text: "−0.0898", anchor: { x: 0, y: 0 } }));
  const placed = [...placeLabels(candidates, []).entries()];
  assert.equal(placed.length, 6); // right and left, on three rows
  assert.deepEqual(placed.map(([id]) => id), ["e0", "e1", "e2", "e3", "e4", "e5"]);
  for (const [, a] of placed) for (const [, b] of placed) assert.ok(a === b || !overlaps(a, b));
  assert.equal(labelSize("−0.0898").h, 12);
});
