import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { LANGUAGES, catalogue, chooseLanguage, has, language, t } from "../../static/js/i18n.js";

const en = JSON.parse(readFileSync(new URL("../../static/i18n/en.json", import.meta.url), "utf-8"));

test("the link's language first, then the browser's languages, then English", () => {
  assert.equal(chooseLanguage("#p=abc&lang=el", ["en-US"]), "el");
  assert.equal(chooseLanguage("#p=abc&lang=en", ["el-GR", "el"]), "en");
  assert.equal(chooseLanguage("#p=abc", ["el-GR", "en-US"]), "el");
  assert.equal(chooseLanguage("#p=abc", ["fr-FR", "EL"]), "el");
  assert.equal(chooseLanguage("#p=abc&lang=fr", ["de-DE", "fr"]), "en");
  assert.equal(chooseLanguage("#lang=toString", []), "en"); // only the languages the page speaks
  assert.equal(chooseLanguage("", []), "en");
  assert.deepEqual(Object.keys(LANGUAGES), ["en", "el"]);
});

test("under node (no page) the words are the English catalogue's, numbers in the page's format", () => {
  assert.equal(language, "en");
  assert.deepEqual(catalogue, en);
  assert.equal(t("quiz.right", { answer: -0.08983 }), "Correct: −0.08983.");
  assert.equal(t("no.such.key"), "no.such.key");
  assert.equal(has("toolbar.run"), true);
  assert.equal(has("example.nobody.title"), false);
});
