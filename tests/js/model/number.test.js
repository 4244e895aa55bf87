import { test } from "node:test";
import assert from "node:assert/strict";
import {
  decodeScalar, formatChange, formatGradShort, formatNumber, formatTensorShort, scalarOf, tableRows, toNumber,
} from "../../../static/js/model/number.js";

test("decodes the server's special strings", () => {
  assert.ok(Number.isNaN(decodeScalar("NaN")));
  assert.equal(decodeScalar("Infinity"), Infinity);
  assert.equal(decodeScalar("-Infinity"), -Infinity);
  assert.equal(decodeScalar("9007199254740993"), 9007199254740993n);
  assert.equal(decodeScalar(1.5), 1.5);
});

test("formats with 4 significant digits and a true minus sign", () => {
  assert.equal(formatNumber(-0.08980854), "−0.08981");
  assert.equal(formatNumber(-0.081655), "−0.08166");
  assert.equal(formatNumber(0.9183), "0.9183");
  assert.equal(formatNumber(2.42), "2.42");
  assert.equal(formatNumber(3), "3");
  assert.equal(formatNumber(0), "0");
  assert.equal(formatNumber(123456), "1.235e5");
  assert.equal(formatNumber(0.0001234), "1.234e−4");
  assert.equal(formatNumber(1234.5678), "1235");
});

test("one exponent style: no plus sign, no switch to e-notation below 1e5, a true minus in the exponent", () => {
  assert.equal(formatNumber(27540.3), "27540"); // toPrecision(4) would give "2.754e+4"
  assert.equal(formatNumber(99999.7), "1e5");
  assert.equal(formatNumber(7.322e33), "7.322e33");
  assert.equal(formatNumber(-7.322e-33), "−7.322e−33");
  assert.equal(formatNumber(0.001), "0.001");
  for (const v of [27540.3, 1e21, -3.5e-9, 123456, 0.5, -2]) assert.doesNotMatch(formatNumber(v), /[+-]/);
});

test("an update that changes a value shows the change: digits come from the difference", () => {
  const before = 0.2024;
  const after = before - 0.01 * -0.005; // 0.20245, which 4 significant digits print as 0.2024 too
  assert.equal(formatNumber(after), formatNumber(before));
  assert.equal(formatNumber(before, { against: [after] }), "0.20240");
  assert.equal(formatNumber(after, { against: [before] }), "0.20245");
  assert.equal(formatNumber(2.2, { against: [2.2090] }), "2.2"); // 4 digits already tell them apart
  assert.equal(formatNumber(3, { against: [3.0001] }), "3.0000");
  assert.equal(formatNumber(1.5e-7, { against: [1.5000001e-7] }), "1.5000000e−7");
  assert.equal(formatNumber(0.5, { against: [0.5, NaN, "Infinity"] }), "0.5");
  const scalar = (values) => ({ shape: [], numel: 1, values });
  assert.deepEqual(formatChange(scalar(0.2024), scalar(0.2024396)), ["0.20240", "0.20244"]);
  const matrix = { shape: [2, 2], numel: 4, stats: { mean: 0.25 } };
  assert.deepEqual(formatChange(matrix, matrix), ["[2×2] μ=0.25", "[2×2] μ=0.25"]);
});

test("exact numbers keep every digit, in the same style", () => {
  assert.equal(formatNumber(0.708448827, { exact: true }), "0.708448827");
  assert.equal(formatNumber(-1.2345678901234e-7, { exact: true }), "−1.2345678901234e−7");
  assert.equal(formatNumber(123456789, { exact: true }), "1.23456789e8");
  assert.equal(formatNumber(-2, { exact: true }), "−2");
});

test("formats NaN, infinities, big ints and bools", () => {
  assert.equal(formatNumber("NaN"), "NaN");
  assert.equal(formatNumber("Infinity"), "Infinity");
  assert.equal(formatNumber("-Infinity"), "−Infinity");
  assert.equal(formatNumber("-9007199254740993"), "−9007199254740993");
  assert.equal(formatNumber(true), "True");
});

test("a one-element tensor formats as its number, others as shape and mean", () => {
  const scalar = { shape: [], dtype: "float32", numel: 1, values: -0.0898 };
  const oneByOne = { shape: [1, 1], dtype: "float32", numel: 1, values: [[2.2]] };
  const matrix = { shape: [2, 3], dtype: "float32", numel: 6, stats: { mean: 0.5 }, values: [[0, 1, 0], [1, 0, 1]] };
  assert.equal(scalarOf(oneByOne), 2.2);
  assert.equal(formatTensorShort(scalar), "−0.0898");
  assert.equal(formatTensorShort(matrix), "[2×3] μ=0.5");
  assert.equal(formatTensorShort(null), "");
  const grad = { shape: [2, 3], numel: 6, stats: { mean: 2.9e-9, norm: 0.2834 } };
  assert.equal(formatGradShort(grad), "[2×3] ‖·‖=0.2834");
  assert.equal(formatGradShort(scalar), "−0.0898");
  assert.equal(formatTensorShort({ shape: [4], numel: 4 }), "[4]");
});

test("table rows follow the tensor's rank", () => {
  assert.deepEqual(tableRows({ shape: [], values: 1 }), [[1]]);
  assert.deepEqual(tableRows({ shape: [2], values: [1, 2] }), [[1, 2]]);
  assert.deepEqual(tableRows({ shape: [1, 2], values: [[1, 2]] }), [[1, 2]]);
  assert.equal(tableRows({ shape: [1, 1, 1], values: [[[1]]] }), null);
  assert.ok(Number.isNaN(toNumber("NaN")));
  assert.equal(toNumber("12"), 12);
});
