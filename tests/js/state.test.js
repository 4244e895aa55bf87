import { test } from "node:test";
import assert from "node:assert/strict";
import { decodeState, encodeState, languageOf, withLanguage } from "../../static/js/state.js";

test("program and options survive a round trip through the fragment", async () => {
  const program = "import torch\nx = torch.tensor(1.1)  # ünïcode </script>\n";
  const fragment = await encodeState({ program, options: { device: "cpu", dtype: "float64" } });
  assert.match(fragment, /^#p=[A-Za-z0-9_-]+$/);
  assert.deepEqual(await decodeState(fragment), { program, options: { device: "cpu", dtype: "float64" } });
});

test("a long program compresses well below its length", async () => {
  const program = "y = x * w + b\n".repeat(200);
  const fragment = await encodeState({ program, options: {} });
  assert.ok(fragment.length < program.length / 10, `${fragment.length} chars`);
  assert.deepEqual((await decodeState(fragment)).options, { device: "auto", dtype: "float32" });
});

test("fragments without valid state decode to null", async () => {
  assert.equal(await decodeState(""), null);
  assert.equal(await decodeState("#other=1"), null);
  assert.equal(await decodeState("#p=not-deflate"), null);
});

test("a comparison's link also holds the run before the change, with its own options", async () => {
  const before = { program: "import torch\na = torch.sigmoid(z)\n", options: { dtype: "float64" } };
  const fragment = await encodeState({ program: "import torch\na = torch.relu(z)\n", options: {}, before });
  assert.deepEqual(await decodeState(fragment), {
    program: "import torch\na = torch.relu(z)\n",
    options: { device: "auto", dtype: "float32" },
    before: { program: before.program, options: { device: "auto", dtype: "float64" } },
  });
  const plain = await encodeState({ program: "x = 1\n", options: {}, before: null });
  assert.equal("before" in (await decodeState(plain)), false);
});

test("the language rides beside the program; links without one (older ones) still decode", async () => {
  const program = "y = x * w\n";
  const fragment = await encodeState({ program, options: {}, language: "el" });
  assert.match(fragment, /^#p=[A-Za-z0-9_-]+&lang=el$/);
  assert.equal(languageOf(fragment), "el");
  assert.equal((await decodeState(fragment)).program, program);
  const old = await encodeState({ program, options: {} });
  assert.equal(languageOf(old), null);
  assert.equal((await decodeState(old)).program, program);
  assert.equal(withLanguage(old, "en"), `${old}&lang=en`);
  assert.equal(withLanguage(fragment, "en"), fragment.replace("lang=el", "lang=en"));
  assert.equal(withLanguage("", "el"), "#lang=el");
  assert.equal(withLanguage("#lang=el", null), "");
});
