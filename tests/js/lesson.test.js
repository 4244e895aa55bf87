import { test } from "node:test";
import assert from "node:assert/strict";
import { lessonHtml, readLesson } from "../../static/js/lesson.js";

const SHELL = '<script type="application/json" id="lesson-data">/*lesson-data*/</script><script>"/*lesson-data*/"</script>';

test("the lesson's data goes where the shell's first mark is, and only there", () => {
  const html = lessonHtml(SHELL, "x = 1\n", { nodes: [{ label: "w" }] });
  assert.equal(html, '<script type="application/json" id="lesson-data">{"program":"x = 1\\n","graph":{"nodes":'
    + '[{"label":"w"}]}}</script><script>"/*lesson-data*/"</script>');
});

test("program text cannot end the data's script element, and $ patterns stay text", () => {
  const program = "print('</script><script>alert(1)</script>') # $& $' $`";
  const html = lessonHtml(SHELL, program, {});
  const data = html.split('id="lesson-data">')[1].split("</script>")[0];
  assert.equal(JSON.parse(data).program, program);
  assert.ok(!data.includes("<"));
});

test("readLesson parses the data element, and finds none on the server's page", () => {
  const data = { program: "y = 2", graph: { nodes: [] } };
  const doc = (text) => ({ getElementById: (id) => (id === "lesson-data" && text !== null ? { textContent: text } : null) });
  assert.deepEqual(readLesson(doc(JSON.stringify(data))), data);
  assert.equal(readLesson(doc(null)), null);
});
