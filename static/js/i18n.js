// The page's words (issue 20, part 4): every string the page shows comes from one catalogue per language,
// static/i18n/<language>.json, the catalogue the teaching cards render from too. It is loaded before any component
// is built (this module's top-level await), so a component writes its text through t() and nothing else.

import { renderCard } from "./model/cards.js";
import { formatNumber } from "./model/number.js";

/** The catalogues a lesson file carries ({language: catalogue}, app/lesson.py); null on the served page. */
function bundled(doc) {
  const script = doc?.getElementById("catalogues");
  return script ? JSON.parse(script.textContent) : null;
}

async function load(language, doc = globalThis.document) {
  const inline = bundled(doc);
  if (inline) return inline[language] ?? inline.en;
  if (!doc) return {}; // a module test under node: keys stand for themselves
  const response = await fetch(`/static/i18n/${language}.json`);
  if (!response.ok) throw new Error(`static/i18n/${language}.json: ${response.status}`);
  return response.json();
}

export const language = "en";
export const catalogue = await load(language);

/** The text of `key` with its {args} filled in, numbers in the page's format; a key the catalogue lacks shows as
 * itself, so a missing translation is seen, never silently blank. */
export function t(key, args = {}) {
  return renderCard({ key, args }, catalogue, formatNumber);
}
