import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { lineKey, renderCard } from "../../../static/js/model/cards.js";

const read = (path) => JSON.parse(readFileSync(new URL(path, import.meta.url), "utf-8"));
const en = read("../../../static/i18n/en.json");
// the number format tests/teach/test_catalogue.py renders the fixture with on the server's side
const fixed = (v) => (Number.isFinite(v) ? v.toFixed(4) : String(v));

test("the page writes every fixture card exactly as the server's renderer does", () => {
  const fixture = read("../fixtures/cards.json");
  assert.ok(fixture.length >= 8);
  for (const { card, english } of fixture) assert.equal(renderCard(card, en, fixed), english);
});

test("the logistic neuron's chain line with the page's own number format", () => {
  const card = {
    key: "step.worked",
    args: {
      formula: { key: "chain.times", args: { x: "z", y: "a" } },
      work: { key: "work.times", args: { a: -1.088922, b: 0.07499187 } },
      value: -0.08166026,
    },
  };
  const short = (v) => v.toPrecision(4).replace("-", "−");
  assert.equal(renderCard(card, en, short), "dL/dz = dL/da × da/dz = −1.089 × 0.07499 = −0.08166");
  assert.equal(lineKey(card), "chain.times");
});

test("another language's catalogue: same numbers, its own words", () => {
  const el = { "grad.first": "{x}.grad = dL/d{x} = {value} (δεν είχε υπολογιστεί πριν)" };
  const card = { key: "grad.first", args: { x: "w", value: -0.0898 } };
  assert.equal(renderCard(card, el, fixed), "w.grad = dL/dw = -0.0898 (δεν είχε υπολογιστεί πριν)");
});

test("NaN and infinities travel as strings and are formatted as numbers; sums join with +", () => {
  const card = { key: "fanout.sum", args: { x: "b", terms: [1, "NaN"], value: "-Infinity", count: 2 } };
  const seen = [];
  const spy = (v) => { seen.push(v); return String(v); };
  assert.equal(renderCard(card, en, spy), "dL/db = 1 + NaN = -Infinity (b is used 2 times)");
  assert.ok(Number.isNaN(seen[1]) && seen[2] === -Infinity);
});

test("a key the catalogue lacks shows as the key; a line's kind is its innermost formula", () => {
  assert.equal(renderCard({ key: "chain.unknown", args: {} }, en, fixed), "chain.unknown");
  const each = { key: "step.each", args: { step: { key: "step.result", args: { formula: { key: "local.relu" } } } } };
  assert.equal(lineKey(each), "local.relu");
  assert.equal(lineKey({ key: "fanout.sum", args: {} }), "fanout.sum");
});
