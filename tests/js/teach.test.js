import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { indexGraph } from "../../static/js/model/graph.js";
import {
  callCardFor, cardFor, checkAnswer, gradcheckRows, healthColour, lossCurve, quizFor, trainingCard, trainingState,
} from "../../static/js/model/teach.js";

const en = JSON.parse(readFileSync(new URL("../../static/i18n/en.json", import.meta.url), "utf-8"));

const scalar = (v) => ({ shape: [], dtype: "float32", numel: 1, values: v });

// The logistic neuron's tail, as the server sends it: z → a = sigmoid(z) → loss, w and b leaves.
const graph = {
  nodes: [
    { id: "n2", label: "w", kind: "param", data: scalar(2.2) },
    { id: "n5", label: "z", kind: "op", data: scalar(2.42) },
    { id: "n6", label: "a", kind: "op", data: scalar(0.9183) },
    { id: "n7", label: "loss", kind: "output", data: scalar(0.0852) },
  ],
  edges: [
    { id: "e4", source: "n5", target: "n6", input_index: 0, grad: scalar(-0.08166) },
    { id: "e5", source: "n6", target: "n7", input_index: 0, grad: scalar(-1.0889) },
  ],
};
const index = indexGraph(graph);
// as the server sends them: cards, and their English (formula: the lines joined with "; ")
const localCard = {
  key: "step.result", args: { formula: { key: "local.sigmoid", args: { y: "a", x: "z" } }, value: 0.07499187 },
};
const chainCard = {
  key: "step.worked",
  args: {
    formula: { key: "chain.times", args: { x: "z", y: "a" } },
    work: { key: "work.times", args: { a: -1.088922, b: 0.07499187 } },
    value: -0.08166026,
  },
};
const sigmoid = {
  node: "n6", op: "SigmoidBackward0", edges: ["e4"], grad_outputs: [scalar(-1.088922)],
  grad_inputs: [scalar(-0.08166026)], local_formulas: ["da/dz = σ(z)(1 − σ(z)) = 0.0750"],
  formula: "da/dz = σ(z)(1 − σ(z)) = 0.0750; dL/dz = dL/da × da/dz = −1.0889 × 0.0750 = −0.0817", sum_of: [],
  cards: [localCard, chainCard], local_cards: [localCard], call_cards: [],
};
const accumulate = {
  node: "n2", op: "AccumulateGrad", edges: [], grad_outputs: [scalar(24)], grad_inputs: [], accumulates: "n2",
  local_formulas: [], sum_of: ["e4", "e5"],
  formula: "dL/dw = 0.5000 + 4.0000 = 4.5000 (w is used 2 times); w.grad = dL/dw = 4.5000 (it was not computed before)",
  cards: [
    { key: "fanout.sum", args: { x: "w", terms: [0.5, 4], value: 4.5, count: 2 } },
    { key: "grad.first", args: { x: "w", value: 4.5 } },
  ],
};

test("before backward the card says the gradient is not computed yet, not zero", () => {
  const card = cardFor(index, null);
  assert.equal(card.lines.length, 1);
  assert.match(card.lines[0].text, /not computed yet/);
  assert.doesNotMatch(cardFor(index, { phase: "forward", node: "n5" }).lines[0].text, /= 0\b/);
});

test("a backward card shows the local derivative, then upstream × local = contribution", () => {
  const card = cardFor(index, { phase: "backward", event: sigmoid });
  assert.equal(card.title, "SigmoidBackward0 at a");
  assert.deepEqual(card.lines, [
    { text: "da/dz = σ(z)(1 − σ(z)) = 0.0750", kind: "local" },
    { text: "dL/dz = dL/da × da/dz = −1.0889 × 0.0750 = −0.0817", kind: "chain" },
  ]);
});

test("with a catalogue the lines are the server's cards in its words, numbers in the page's format", () => {
  const card = cardFor(index, { phase: "backward", event: sigmoid }, en);
  assert.deepEqual(card.lines, [
    { text: "da/dz = σ(z)(1 − σ(z)) = 0.07499", kind: "local" },
    { text: "dL/dz = dL/da × da/dz = −1.089 × 0.07499 = −0.08166", kind: "chain" },
  ]);
  const summed = cardFor(index, { phase: "backward", event: accumulate }, en);
  assert.deepEqual(summed.lines.map((l) => [l.kind, l.text]), [
    ["fan-out", "dL/dw = 0.5 + 4 = 4.5 (w is used 2 times)"],
    ["chain", "w.grad = dL/dw = 4.5 (it was not computed before)"],
  ]);
});

test("a call's own card: the chain rule of the whole call, at its output", () => {
  const linear = {
    ...sigmoid, call: "c1",
    call_cards: [{ key: "step.result", args: { formula: { key: "call.linear.bias", args: { bias: "b", y: "a" } }, value: -0.5 } }],
  };
  assert.deepEqual(callCardFor(index, linear, en), {
    title: "a", lines: [{ text: "dL/db = Σ over rows of dL/da = −0.5", kind: "chain" }],
  });
  assert.equal(callCardFor(index, sigmoid, en), null);
});

test("fan-out: the sum of the contributions is its own line, before the .grad update", () => {
  const card = cardFor(index, { phase: "backward", event: accumulate });
  assert.equal(card.title, "AccumulateGrad at w");
  assert.deepEqual(card.lines.map((l) => l.kind), ["fan-out", "chain"]);
  assert.equal(card.lines[0].text, "dL/dw = 0.5000 + 4.0000 = 4.5000 (w is used 2 times)");
});

test("an optimizer card lists each parameter's w ← w − lr · grad with its numbers", () => {
  const formula = "w ← w − lr · grad = 2.2000 − 0.5 × (−0.0898) = 2.2449";
  const update = {
    key: "step.worked",
    args: {
      formula: { key: "update.sgd", args: { x: "w" } },
      work: { key: "work.update", args: { before: 2.2, lr: 0.5, grad: -0.0898 } },
      value: 2.2449,
    },
  };
  const event = { optimizer: "SGD", lr: 0.5, params: [{ node: "n2", formula, card: update }, { node: "n5" }] };
  const card = cardFor(index, { phase: "step", event });
  assert.equal(card.title, "SGD step");
  assert.deepEqual(card.lines.map((l) => l.text), [`w: ${formula}`, "z: updated by SGD"]);
  assert.deepEqual(cardFor(index, { phase: "step", event }, en).lines.map((l) => l.text), [
    "w: w ← w − lr · grad = 2.2 − 0.5 × (−0.0898) = 2.245", "z: updated by SGD",
  ]);
});

test("the quiz asks for the scalar gradient a step sends, and skips AccumulateGrad and forward steps", () => {
  const question = quizFor(index, { phase: "backward", event: sigmoid });
  assert.equal(question.prompt, "What is dL/dz? (SigmoidBackward0 sends it)");
  assert.equal(question.answer, -0.08166026);
  assert.equal(quizFor(index, { phase: "backward", event: accumulate }), null);
  assert.equal(quizFor(index, { phase: "forward", node: "n5" }), null);
  const tensor = { ...sigmoid, grad_inputs: [{ shape: [2], numel: 2, values: [1, 2] }] };
  assert.equal(quizFor(index, { phase: "backward", event: tensor }), null);
});

test("answers are checked with 1e-3 relative or 5e-4 absolute tolerance; the true minus sign is accepted", () => {
  assert.deepEqual(checkAnswer("−0.0817", -0.08166026), { valid: true, ok: true, typed: -0.0817 });
  assert.equal(checkAnswer("-8.17e-2", -0.08166026).ok, true);
  assert.equal(checkAnswer("0.5", -0.08166026).ok, false);
  assert.equal(checkAnswer("-0.0823", -0.08166026).ok, false);
  assert.equal(checkAnswer("1000.9", 1000).ok, true);
  assert.equal(checkAnswer("", 1).valid, false);
  assert.equal(checkAnswer("abc", 1).valid, false);
});

test("the loss curve has one point per step, inside the margins, highest loss at the top", () => {
  const curve = lossCurve([0.5, "NaN", 0.25, 0], 230, 130, 15);
  assert.deepEqual(curve.points, ["15,15", "81.7,15", "148.3,65", "215,115"]);
  assert.deepEqual([curve.low, curve.high, curve.steps], [0, 0.5, 4]);
  assert.deepEqual(lossCurve([2], 100, 100, 10).points, ["10,90"]);
});

test("health colours go from blue (small) to red (large), with their own colours for NaN, Inf and zero", () => {
  assert.equal(healthColour(-8), "rgb(37, 99, 235)");
  assert.equal(healthColour(3), "rgb(220, 38, 38)");
  assert.equal(healthColour(-2.5), "rgb(129, 69, 137)");
  assert.equal(healthColour("NaN"), "#a21caf");
  assert.equal(healthColour("Infinity"), "#7f1d1d");
  assert.equal(healthColour("-Infinity"), "#9ca3af");
});

test("a training step's snapshot replaces values and gradients; other nodes keep their values", () => {
  const state = trainingState(index, { step: 3, data: { n2: scalar(2.5) }, grad: { n2: scalar(-0.07) } });
  assert.equal(state.values.get("n2").values, 2.5);
  assert.equal(state.values.get("n7").values, 0.0852);
  assert.deepEqual([...state.grads.keys()], ["n2"]);
  assert.equal(state.pulse.size, 0);
});

test("gradient-check rows name the element and format the numbers", () => {
  const rows = gradcheckRows([
    { node: "n0", label: "x", index: [0], autograd: 0, numeric: 0.5000000001, abs_err: 0.5, rel_err: 1, ok: false,
      note: "relu has a kink at 0" },
    { node: "n3", label: "b", index: [], autograd: -0.0817, numeric: -0.0817, abs_err: 1e-9, rel_err: 1.2e-8, ok: true },
  ]);
  assert.deepEqual(rows[0], { element: "x[0]", cells: ["0", "0.5", "0.5", "1"], ok: false,
    note: "relu has a kink at 0", node: "n0" });
  assert.deepEqual(rows[1].element, "b");
  assert.deepEqual(rows[1].cells, ["−0.0817", "−0.0817", "1e−9", "1.2e−8"]);
});

test("the training card names the step and its loss", () => {
  const training = { optimizer: "SGD", loss: [0.0852, 0.0781, 0.0721], steps: [{ loss: 0.0852 }, { loss: 0.0781 }] };
  const card = trainingCard(training, 1);
  assert.equal(card.title, "SGD training step 2 of 3");
  assert.deepEqual(card.lines.map((l) => l.text), [
    "loss = 0.0781 (the loss curve's point 2)", "The graph shows this step's values and gradients, before its update.",
  ]);
});
