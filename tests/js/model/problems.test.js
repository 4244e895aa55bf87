import { test } from "node:test";
import assert from "node:assert/strict";
import { diagnosticRange, failedView, failureSummary, messageOf, placeOf, problemsOf } from "../../../static/js/model/problems.js";

const syntax = { kind: "syntax_error", message: "invalid syntax. Perhaps you forgot a comma? (line 2, column 18)",
  line: 2, col: 17, end_line: 3, end_col: 1 };

// A stand-in for CodeMirror's Text: "import torch\nx = torch.tensor(1.0\ny = (x +\n"
function docOf(text) {
  const starts = [0];
  for (let i = 0; i < text.length; i += 1) if (text[i] === "\n") starts.push(i + 1);
  const line = (n) => ({ from: starts[n - 1], to: n < starts.length ? starts[n] - 1 : text.length });
  return { lines: starts.length, line };
}

test("lists every problem the server found, else its one error", () => {
  const second = { ...syntax, line: 5, col: 0 };
  assert.deepEqual(problemsOf({ error: syntax, errors: [syntax, second], graph: null }), [syntax, second]);
  assert.deepEqual(problemsOf({ error: syntax, graph: null }), [syntax]);
  assert.deepEqual(problemsOf({ error: syntax, errors: [] }), [syntax]);
  assert.deepEqual(problemsOf(null), []);
});

test("says the place once, with columns counted from 1", () => {
  assert.equal(placeOf(syntax), "line 2, column 18");
  assert.equal(placeOf({ line: 4, col: null }), "line 4");
  assert.equal(placeOf({ kind: "timeout", message: "ran too long", line: null }), "");
  assert.equal(messageOf(syntax), "invalid syntax. Perhaps you forgot a comma?");
  const hinted = { message: "bad (line 3, column 1). Hint: close the bracket" };
  assert.equal(messageOf(hinted), "bad. Hint: close the bracket");
});

test("maps a problem onto the editor's text, clamped to it", () => {
  const doc = docOf("import torch\nx = torch.tensor(1.0\ny = (x +\n");
  assert.deepEqual(diagnosticRange(doc, syntax), { from: 30, to: 35 });
  assert.deepEqual(diagnosticRange(doc, { line: 1, col: 0 }), { from: 0, to: 1 });
  assert.deepEqual(diagnosticRange(doc, { line: 2, col: 99, end_line: 2, end_col: 120 }), { from: 33, to: 33 });
  assert.deepEqual(diagnosticRange(doc, { line: 40, col: 0 }), { from: 43, to: 43 });
});

test("the status line names the failure and points at the problems, without repeating a message", () => {
  assert.equal(failureSummary("syntax_error", 1, false), "Run failed (syntax error): see the problem under the program.");
  assert.equal(failureSummary("forbidden_import", 7, false),
    "Run failed (forbidden import): see the 7 problems under the program.");
  assert.equal(failureSummary("runtime_error", 1, true),
    "Run failed (runtime error): see the problem under the program; the graph shows what ran before it.");
});

test("after a failed run the graph is partial, greyed as stale, or empty", () => {
  assert.deepEqual(failedView({ partial: true, shown: true }), ["partial", "Partial graph: what ran before the error."]);
  assert.deepEqual(failedView({ shown: true }),
    ["stale", "Not up to date: the last run failed, so this is the previous run's graph."]);
  assert.deepEqual(failedView({ shown: true, cancelled: true }),
    ["stale", "Cancelled, so this is the previous run's graph."]);
  assert.deepEqual(failedView({}), ["empty", "No graph: the program did not run."]);
  assert.deepEqual(failedView({ cancelled: true }), ["empty", "No graph: the run was cancelled."]);
});
