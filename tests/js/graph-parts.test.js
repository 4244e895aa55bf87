import { test } from "node:test";
import assert from "node:assert/strict";
import { fitLine } from "../../static/js/ui/graph-parts.js";

test("a line that does not fit drops its shape first, then is cut short, never squeezed", () => {
  assert.equal(fitLine("= 0.2851", 100, 6.7), "= 0.2851");
  assert.equal(fitLine("= [1×16×768] μ=0.01234", 100, 6.7), "μ=0.01234");
  assert.equal(fitLine("grad [1×16×768] ‖·‖=0.5", 100, 6.7), "grad ‖·‖=0.5");
  assert.equal(fitLine("blocks.0.attn.c_attn.weight", 60, 7.3), "blocks.…");
});
