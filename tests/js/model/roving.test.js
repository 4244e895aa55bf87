import { test } from "node:test";
import assert from "node:assert/strict";
import { firstInReadingOrder, nearestInDirection } from "../../../static/js/model/roving.js";

// The logistic neuron's shape: x and w on top, mul under them, b to the right, add, sigmoid, loss at the bottom.
const boxes = [
  { id: "x", x: 0, y: 0, w: 60, h: 30 }, { id: "w", x: 100, y: 0, w: 60, h: 30 },
  { id: "mul", x: 50, y: 80, w: 60, h: 30 }, { id: "b", x: 200, y: 80, w: 60, h: 30 },
  { id: "add", x: 120, y: 160, w: 60, h: 30 }, { id: "loss", x: 120, y: 320, w: 60, h: 30 },
];

test("arrow keys move to the nearest box in their direction", () => {
  assert.equal(nearestInDirection(boxes, "x", "ArrowRight"), "w");
  assert.equal(nearestInDirection(boxes, "x", "ArrowDown"), "mul");
  assert.equal(nearestInDirection(boxes, "mul", "ArrowRight"), "b");
  assert.equal(nearestInDirection(boxes, "mul", "ArrowDown"), "add");
  assert.equal(nearestInDirection(boxes, "add", "ArrowDown"), "loss");
  assert.equal(nearestInDirection(boxes, "loss", "ArrowUp"), "add");
  assert.equal(nearestInDirection(boxes, "b", "ArrowLeft"), "mul");
});

test("nothing further in a direction, an unknown box or key: no move", () => {
  assert.equal(nearestInDirection(boxes, "loss", "ArrowDown"), null);
  assert.equal(nearestInDirection(boxes, "x", "ArrowLeft"), null);
  assert.equal(nearestInDirection(boxes, "gone", "ArrowDown"), null);
  assert.equal(nearestInDirection(boxes, "x", "Enter"), null);
});

test("the tab stop starts on the first box in reading order", () => {
  assert.equal(firstInReadingOrder(boxes), "x");
  assert.equal(firstInReadingOrder([...boxes].reverse()), "x");
  assert.equal(firstInReadingOrder([]), null);
});
