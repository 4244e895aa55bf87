import { test } from "node:test";
import assert from "node:assert/strict";
import {
  END_HOLD_MS, FPS, frameLayout, framePlan, framedRect, planMs, rangeOf, videoSize, wholeDrawing, wrapText,
} from "../../../static/js/model/recording.js";

const steps = (phases) => phases.split("").map((p) => ({ phase: { f: "forward", b: "backward", s: "step" }[p] }));
const RUN = steps("fffbbbbs"); // 3 forward steps, 4 backward, an optimizer step

test("a range is the positions of the whole run, a pass, or from here to the end", () => {
  assert.deepEqual(rangeOf(RUN, "all", 5), { from: 0, to: 8 });
  assert.deepEqual(rangeOf(RUN, "forward", 5), { from: 0, to: 3 });
  assert.deepEqual(rangeOf(RUN, "backward", 0), { from: 3, to: 7 }); // from the state the forward pass left
  assert.deepEqual(rangeOf(RUN, "here", 5), { from: 5, to: 8 });
});

test("only the first pass of a training timeline, and no range where the run has none", () => {
  const training = steps("ffbbsffbbs");
  assert.deepEqual(rangeOf(training, "backward", 0), { from: 2, to: 4 });
  assert.equal(rangeOf(steps("fff"), "backward", 0), null);
  assert.equal(rangeOf(RUN, "here", 8), null); // at the end: nothing left to play
  assert.equal(rangeOf([], "all", 0), null);
});

test("each position is held for one step at the chosen speed; the last one longer", () => {
  const plan = framePlan({ from: 3, to: 5 }, 1, 700);
  const hold = (END_HOLD_MS / 1000) * FPS;
  assert.deepEqual(plan, [{ position: 3, frames: 7 }, { position: 4, frames: 7 }, { position: 5, frames: 7 + hold }]);
  assert.equal(planMs(plan), (21 + hold) * (1000 / FPS));
  assert.equal(framePlan({ from: 0, to: 0 }, 4, 700)[0].frames, 2 + hold); // 175 ms: two frames at 10 fps
  assert.equal(framePlan({ from: 0, to: 1 }, 16, 700)[0].frames, 1); // never less than one frame
});

test("a video size is the chosen one, or the view's made even and bounded", () => {
  assert.deepEqual(videoSize("1920x1080", { w: 10, h: 10 }), { w: 1920, h: 1080 });
  assert.deepEqual(videoSize("view", { w: 845, h: 377 }), { w: 846, h: 378 });
  assert.deepEqual(videoSize("view", { w: 20, h: 9000 }), { w: 160, h: 3840 });
});

test("the frame: title on top, graph in the middle, three caption lines at the bottom, scaled with the height", () => {
  const small = frameLayout({ w: 1280, h: 720 });
  assert.deepEqual(small.graph, { x: 24, y: 70, w: 1232, h: 524 });
  assert.equal(small.caption.y + small.caption.h, 720 - 24);
  assert.equal(small.graph.y + small.graph.h + 12, small.caption.y);
  const big = frameLayout({ w: 1920, h: 1080 });
  assert.equal(big.title.font, 42);
  assert.equal(big.caption.font, 33);
  assert.equal(big.graph.w, 1920 - 72);
});

test("the part of the drawing shown takes the area's proportions around the same centre", () => {
  assert.deepEqual(framedRect({ x: 0, y: 0, w: 100, h: 100 }, { w: 200, h: 100 }), { x: -50, y: 0, w: 200, h: 100 });
  assert.deepEqual(framedRect({ x: 10, y: 10, w: 400, h: 100 }, { w: 200, h: 100 }),
    { x: 10, y: -40, w: 400, h: 200 });
  assert.deepEqual(wholeDrawing({ w: 300, h: 200 }), { x: -24, y: -24, w: 348, h: 248 });
});

test("captions wrap at word boundaries, cut a word too long, and end in … past the last line", () => {
  const measure = (text) => text.length * 10; // 10 px a character
  assert.deepEqual(wrapText("dL/dw = 1.5 · 2 = 3", 100, measure, 3), ["dL/dw =", "1.5 · 2 =", "3"]);
  assert.deepEqual(wrapText("abcdefghijklmnop", 50, measure, 5), ["abcde", "fghij", "klmno", "p"]);
  assert.deepEqual(wrapText("one two three four five six", 90, measure, 2), ["one two", "three…"]);
  assert.deepEqual(wrapText("", 90, measure, 2), []);
});
