import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { indexGraph } from "../../../static/js/model/graph.js";
import { buildSteps, describeStep, phaseOf, stateAt } from "../../../static/js/model/timeline.js";
import { formatTensorShort } from "../../../static/js/model/number.js";

const fixture = JSON.parse(readFileSync(new URL("../fixtures/logistic.json", import.meta.url)));
const index = indexGraph(fixture);
const steps = buildSteps(fixture);
const text = (tensor) => formatTensorShort(tensor);

test("steps follow the timeline: 4 forward, 6 backward, 1 optimizer step", () => {
  assert.equal(steps.length, 11);
  assert.deepEqual(steps.map(phaseOf), [
    "forward", "forward", "forward", "forward",
    "backward", "backward", "backward", "backward", "backward", "backward", "step",
  ]);
  assert.equal(steps[2].node, "n6");
});

test("at the start only leaves show values and nothing has a gradient", () => {
  const state = stateAt(index, steps, 0);
  assert.deepEqual([...state.values.keys()].sort(), ["n0", "n1", "n2", "n3"]);
  assert.equal(state.grads.size, 0);
  assert.equal(state.phase, "start");
  assert.equal(describeStep(index, state.current), "Press Play to run the forward pass.");
  const leaf = { phase: "forward", index: 0, node: "n1" };
  assert.equal(describeStep(index, leaf), "Forward: w is a parameter (requires grad) = 2.2");
});

test("forward steps reveal values in order and pulse the op's input edges", () => {
  const state = stateAt(index, steps, 3);
  assert.equal(text(state.values.get("n6")), "0.9183");
  assert.equal(state.values.has("n7"), false);
  assert.deepEqual([...state.active], ["n6"]);
  assert.deepEqual([...state.pulse], [["e4", "forward"]]);
  assert.equal(describeStep(index, state.current), "Forward: a = torch.sigmoid(z) = 0.9183");
});

test("backward steps reveal gradients in engine order with the sentence for each op", () => {
  const sigmoid = stateAt(index, steps, 6);
  assert.equal(text(sigmoid.grads.get("n6")), "−1.089");
  assert.equal(text(sigmoid.edgeGrads.get("e4")), "−0.08166");
  assert.deepEqual([...sigmoid.pulse], [["e4", "backward"]]);
  assert.equal(
    describeStep(index, sigmoid.current),
    "SigmoidBackward0: dL/dz = dL/da · σ(z)(1−σ(z)) = −1.089 · 0.07499 = −0.08166",
  );
  const mul = stateAt(index, steps, 9);
  assert.equal(describeStep(index, mul.current), "MulBackward0: dL/dw = dL/dmul · x = −0.08166 · 1.1 = −0.08983");
  assert.equal(mul.grads.has("n1"), false);
});

test("after the backward pass the leaves hold dL/dw and dL/db", () => {
  const state = stateAt(index, steps, 10);
  assert.equal(text(state.grads.get("n1")), "−0.08983");
  assert.equal(text(state.grads.get("n2")), "−0.08166");
  assert.equal(describeStep(index, state.current), "AccumulateGrad: w.grad += dL/dw = −0.08983");
  assert.equal(state.phase, "backward");
});

test("the optimizer step moves parameters and keeps their gradients", () => {
  const state = stateAt(index, steps, 99);
  assert.equal(text(state.values.get("n1")), "2.209");
  assert.equal(text(state.grads.get("n1")), "−0.08983");
  assert.equal(state.phase, "step");
  assert.equal(describeStep(index, state.current), "SGD step (lr 0.1): p ← p − lr·dL/dp; w: 2.2 → 2.209, b: 0 → 0.008166");
});

test("scrubbing back recomputes the same state as stepping forward", () => {
  const forward = stateAt(index, steps, 5);
  stateAt(index, steps, 11);
  const back = stateAt(index, steps, 5);
  assert.deepEqual([...back.grads.keys()], [...forward.grads.keys()]);
  assert.deepEqual([...back.values.keys()], [...forward.values.keys()]);
});

test("zero_grad clears gradients and fan-in is described as a sum", () => {
  const graph = {
    nodes: [
      { id: "n0", kind: "param", label: "x", data: { shape: [], numel: 1, values: 2 }, grad: { shape: [], numel: 1, values: 4 } },
      { id: "n1", kind: "output", label: "y", op: "MulBackward0", data: { shape: [], numel: 1, values: 4 } },
    ],
    edges: [
      { id: "e0", source: "n0", target: "n1", input_index: 0, grad: { shape: [], numel: 1, values: 2 } },
      { id: "e1", source: "n0", target: "n1", input_index: 1, grad: { shape: [], numel: 1, values: 2 } },
    ],
    forward: ["n1"],
    backward: [
      { step: 0, pass_index: 0, node: "n1", op: "MulBackward0", grad_outputs: [{ shape: [], numel: 1, values: 1 }],
        grad_inputs: [{ shape: [], numel: 1, values: 2 }, { shape: [], numel: 1, values: 2 }], edges: ["e0", "e1"] },
      { step: 1, pass_index: 0, node: "n0", op: "AccumulateGrad", accumulates: "n0",
        grad_outputs: [{ shape: [], numel: 1, values: 4 }], grad_inputs: [], edges: [] },
    ],
    optimizer: [],
    timeline: [
      { phase: "forward", index: 0 }, { phase: "backward", index: 0 }, { phase: "backward", index: 1 },
      { phase: "zero_grad", index: 0 },
    ],
  };
  const small = indexGraph(graph);
  const smallSteps = buildSteps(graph);
  assert.equal(describeStep(small, stateAt(small, smallSteps, 3).current), "AccumulateGrad: dL/dx = 2 + 2 = 4; x.grad += dL/dx = 4");
  assert.equal(stateAt(small, smallSteps, 3).grads.get("n0").values, 4);
  assert.equal(stateAt(small, smallSteps, 4).grads.size, 0);
  assert.match(describeStep(small, smallSteps[3]), /^zero_grad\(\)/);
});

test("an empty server timeline falls back to forward, backward, optimizer order", () => {
  const fallback = buildSteps({ ...fixture, timeline: [] });
  assert.deepEqual(fallback.map((s) => s.phase), steps.map((s) => s.phase));
});

test("two backward passes without zero_grad accumulate into .grad", () => {
  const scalar = (v) => ({ shape: [], numel: 1, values: v });
  const graph = {
    nodes: [
      { id: "n0", kind: "param", label: "x", data: scalar(2), grad: scalar(6) },
      { id: "n1", kind: "output", label: "y", op: "MulBackward0", data: scalar(6) },
    ],
    edges: [{ id: "e0", source: "n0", target: "n1", input_index: 0 }],
    forward: ["n1"],
    backward: [0, 1].flatMap((pass) => [
      { step: 2 * pass, pass_index: pass, node: "n1", op: "MulBackward0", grad_outputs: [scalar(1)],
        grad_inputs: [scalar(3)], edges: ["e0"] },
      { step: 2 * pass + 1, pass_index: pass, node: "n0", op: "AccumulateGrad", accumulates: "n0",
        grad_outputs: [scalar(3)], grad_inputs: [], edges: [] },
    ]),
    optimizer: [],
    timeline: [],
  };
  const small = indexGraph(graph);
  const smallSteps = buildSteps(graph);
  assert.deepEqual(smallSteps.map((s) => s.final ?? false), [false, false, false, false, true]);
  assert.equal(text(stateAt(small, smallSteps, 3).grads.get("n0")), "3");
  assert.equal(text(stateAt(small, smallSteps, 5).grads.get("n0")), "6");
  assert.equal(describeStep(small, smallSteps[4]), "AccumulateGrad: x.grad += dL/dx = 3");
});

test("an op's last backward step shows the gradient the graph holds in full (heatmap included)", () => {
  const big = (mean, heatmap) => ({ shape: [8, 8], numel: 64, values: null, stats: { mean }, heatmap });
  const full = big(0.5, { rows: 8, cols: 8, values: [[0.5]] });
  const graph = {
    nodes: [
      { id: "n0", kind: "param", label: "w", data: big(1, null) },
      { id: "n1", kind: "op", label: "att", op: "SoftmaxBackward0", data: big(1, null), grad: full },
    ],
    edges: [{ id: "e0", source: "n0", target: "n1", input_index: 0 }],
    forward: ["n1"],
    backward: [0, 1].map((pass) => ({
      step: pass, pass_index: pass, node: "n1", op: "SoftmaxBackward0", grad_outputs: [big(0.25 * (pass + 1), null)],
      grad_inputs: [null], edges: [null],
    })),
    optimizer: [],
    timeline: [],
  };
  const small = indexGraph(graph);
  const smallSteps = buildSteps(graph);
  assert.deepEqual(smallSteps.map((s) => s.lastGrad ?? false), [false, false, true]);
  assert.equal(stateAt(small, smallSteps, 2).grads.get("n1").stats.mean, 0.25); // first pass: what arrived
  assert.equal(stateAt(small, smallSteps, 3).grads.get("n1"), full);
});
