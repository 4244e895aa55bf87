import { test } from "node:test";
import assert from "node:assert/strict";
import { isCausal, maskOf } from "../../../static/js/model/attention.js";

const head = (rows) => ({ rows: rows.length, cols: rows.length, values: rows });

test("the cells zero in every head are the mask; a causal one hides each query's later keys", () => {
  const heads = [head([[1, 0, 0], [0.5, 0.5, 0], [0.2, 0.3, 0.5]]), head([[1, 0, 0], [0.9, 0.1, 0], [0, 0.5, 0.5]])];
  const mask = maskOf(heads);
  assert.deepEqual(mask, [[false, true, true], [false, false, true], [false, false, false]]);
  assert.equal(isCausal(mask), true);
  assert.equal(isCausal(maskOf([head([[1, 0], [0, 1]])])), false); // a zero below the diagonal too
  assert.equal(maskOf(null), null);
});
