import { test } from "node:test";
import assert from "node:assert/strict";
import { SpatialIndex, boundsOf, grown } from "../../../static/js/model/spatial.js";

test("finds exactly the items overlapping a rectangle, across cells", () => {
  const items = [];
  for (let i = 0; i < 50; i += 1) {
    for (let j = 0; j < 50; j += 1) items.push({ id: `${i},${j}`, x: i * 100, y: j * 100, w: 80, h: 50 });
  }
  const space = new SpatialIndex(items);
  const rect = { x: 950, y: 990, w: 300, h: 120 };
  const brute = items.filter((a) => a.x <= rect.x + rect.w && rect.x <= a.x + a.w && a.y <= rect.y + rect.h &&
    rect.y <= a.y + a.h).map((a) => a.id);
  assert.deepEqual([...space.query(rect)].sort(), brute.sort());
  assert.equal(space.query(null).size, 2500);
  assert.equal(space.query({ x: -500, y: -500, w: 10, h: 10 }).size, 0);
});

test("bounds of a route and a grown rectangle", () => {
  assert.deepEqual(boundsOf([{ x: 5, y: 9 }, { x: 1, y: 20 }, { x: 3, y: 2 }]), { x: 1, y: 2, w: 4, h: 18 });
  assert.deepEqual(grown({ x: 0, y: 0, w: 10, h: 10 }, 5), { x: -5, y: -5, w: 20, h: 20 });
});
