import { test } from "node:test";
import assert from "node:assert/strict";
import {
  LABEL_PX, MIN_LABEL_PX, READABLE, between, fitTransform, followTransform, isOnScreen, openTransform, zoomAround,
} from "../../../static/js/model/camera.js";

const view = { w: 640, h: 480 };

test("a small drawing opens whole and centred", () => {
  const t = openTransform(view, { w: 350, h: 430 });
  assert.ok(t.k * LABEL_PX >= MIN_LABEL_PX);
  assert.equal(t.k, Math.min((640 - 48) / 350, (480 - 48) / 430));
  assert.ok(Math.abs(t.x - (640 - 350 * t.k) / 2) < 1e-9);
  const slightly = openTransform(view, { w: 350, h: 484 }); // whole would be 0.89: labels at 10.7 px
  assert.equal(slightly.k, READABLE);
});

test("a drawing too big to read whole opens as wide as readable, from the top, never a sliver", () => {
  const gpt2 = { w: 1016, h: 20_000 };
  const t = openTransform(view, gpt2, { x: 500, y: 20, w: 100, h: 60 });
  assert.equal(t.k, READABLE); // fitting its width would take 0.58: labels at 7 px
  assert.equal(t.y, 24);
  assert.ok(Math.abs(t.x - (320 - 550 * READABLE)) < 1e-9, "centred on the anchor");
  const narrow = openTransform(view, { w: 279, h: 772 });
  assert.equal(narrow.k, READABLE, "a tall narrow graph is not blown up to its width: as much as is readable");
});

test("Fit keeps what is in the middle of the view and a readable zoom", () => {
  const drawing = { w: 1000, h: 5000 };
  const current = { x: 0, y: -2000, k: 0.2 }; // zoomed far out, looking at y = 11200 ... at the middle
  const t = fitTransform(view, drawing, current);
  assert.equal(t.k, READABLE);
  const middle = (view.h / 2 - t.y) / t.k;
  assert.ok(Math.abs(middle - (240 + 2000) / 0.2) < 1e-6 || t.y === view.h - 24 - drawing.h * t.k);
  assert.deepEqual(fitTransform(view, { w: 300, h: 200 }, current).k, 1.5);
});

test("the camera follows a node that leaves the view or would be unreadable, and stays otherwise", () => {
  const here = { x: 0, y: 0, k: 1 };
  const inside = { x: 100, y: 100, w: 100, h: 60 };
  assert.equal(followTransform(view, here, inside), here);
  const below = { x: 100, y: 900, w: 100, h: 60 };
  const moved = followTransform(view, here, below);
  assert.ok(isOnScreen(view, moved, below));
  assert.equal(moved.k, 1);
  const far = followTransform(view, { x: 0, y: 0, k: 0.3 }, inside);
  assert.equal(far.k, READABLE, "zoomed in to readable");
  assert.ok(isOnScreen(view, far, inside));
  assert.equal(followTransform(view, here, inside, { zoom: 1.5 }).k, 1.5);
});

test("zooming keeps the point under the pointer still; a move eases from start to end", () => {
  const t = zoomAround({ x: 10, y: 20, k: 1 }, 2, 110, 220);
  assert.deepEqual([(110 - t.x) / t.k, (220 - t.y) / t.k], [100, 200]);
  const a = { x: 0, y: 0, k: 1 };
  const b = { x: 100, y: -50, k: 4 };
  assert.deepEqual(between(a, b, 0), a);
  assert.deepEqual(between(a, b, 1), b);
  assert.ok(between(a, b, 0.5).k > 1 && between(a, b, 0.5).k < 4);
});
