import { test } from "node:test";
import assert from "node:assert/strict";
import { chainRule } from "../../../static/js/model/rules.js";

test("each input of an op gets its own chain-rule formula", () => {
  assert.equal(chainRule("MulBackward0", 0, ["x", "w"], "z"), "dL/dz · w");
  assert.equal(chainRule("MulBackward0", 1, ["x", "w"], "z"), "dL/dz · x");
  assert.equal(chainRule("SubBackward0", 1, ["a", "b"], "c"), "−dL/dc");
  assert.equal(chainRule("AddmmBackward0", 1, ["fc.bias", "x", "fc.weight"], "h"), "dL/dh · fc.weightᵀ");
  assert.equal(chainRule("MmBackward1", 1, ["q", "k"], "att"), "qᵀ · dL/datt");
  assert.equal(chainRule("UnsafeViewBackward0", 0, ["bmm"], "y"), "dL/dy reshaped back");
});

test("unknown ops and positions have no formula", () => {
  assert.equal(chainRule("CumsumBackward0", 0, ["x"], "y"), null);
  assert.equal(chainRule("AddmmBackward0", 3, ["b", "x", "w"], "h"), null);
});
