// Loaded before the module tests (scripts/test: node --import): the page's modules write their text in English,
// the words the page shows in an English browser (static/js/i18n.js reads this where there is no page).
import { readFileSync } from "node:fs";

globalThis.gradtraceCatalogue = JSON.parse(readFileSync(new URL("../../static/i18n/en.json", import.meta.url), "utf-8"));
