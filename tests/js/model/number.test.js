import { test } from "node:test";
import assert from "node:assert/strict";
import {
  decodeScalar, formatGradShort, formatScalar, formatTensorShort, scalarOf, tableRows, toNumber,
} from "../../../static/js/model/number.js";

test("decodes the server's special strings", () => {
  assert.ok(Number.isNaN(decodeScalar("NaN")));
  assert.equal(decodeScalar("Infinity"), Infinity);
  assert.equal(decodeScalar("-Infinity"), -Infinity);
  assert.equal(decodeScalar("9007199254740993"), 9007199254740993n);
  assert.equal(decodeScalar(1.5), 1.5);
});

test("formats with 4 significant digits and a true minus sign", () => {
  assert.equal(formatScalar(-0.08980854), "−0.08981");
  assert.equal(formatScalar(-0.081655), "−0.08166");
  assert.equal(formatScalar(0.9183), "0.9183");
  assert.equal(formatScalar(2.42), "2.42");
  assert.equal(formatScalar(3), "3");
  assert.equal(formatScalar(0), "0");
  assert.equal(formatScalar(123456), "1.235e5");
  assert.equal(formatScalar(0.0001234), "1.234e−4");
  assert.equal(formatScalar(1234.5678), "1235");
});

test("formats NaN, infinities, big ints and bools", () => {
  assert.equal(formatScalar("NaN"), "NaN");
  assert.equal(formatScalar("Infinity"), "Infinity");
  assert.equal(formatScalar("-Infinity"), "−Infinity");
  assert.equal(formatScalar("-9007199254740993"), "−9007199254740993");
  assert.equal(formatScalar(true), "True");
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
