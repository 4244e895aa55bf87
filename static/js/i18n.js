// The page's words (issue 20, part 4): every string the page shows comes from one catalogue per language,
// static/i18n/<language>.json, the catalogue the teaching cards render from too. It is loaded before any component
// is built (this module's top-level await), so a component writes its text through t() and nothing else.
// The language: the link's (#…&lang=el, state.js), else the first of the browser's languages the page speaks, else
// English. Changing it reloads the page with the language in the link (main.js keeps the program there).

import { renderCard } from "./model/cards.js";
import { formatNumber } from "./model/number.js";
import { languageOf } from "./state.js";

/** The languages the page speaks, each named in its own words (the header's switch). */
export const LANGUAGES = { en: "English", el: "Ελληνικά" };
const FALLBACK = "en";

/** The page's language: the link's, else the first of `preferred` (navigator.languages: "el-GR" → "el"). */
export function chooseLanguage(fragment, preferred = []) {
  const spoken = (tag) => Object.hasOwn(LANGUAGES, tag);
  const linked = languageOf(fragment);
  if (spoken(linked)) return linked;
  return preferred.map((tag) => String(tag).toLowerCase().split("-")[0]).find(spoken) ?? FALLBACK;
}

/** The catalogues a lesson file carries ({language: catalogue}, app/lesson.py); null on the served page. */
function bundled(doc) {
  const script = doc?.getElementById("catalogues");
  return script ? JSON.parse(script.textContent) : null;
}

async function load(language, doc = globalThis.document) {
  const inline = bundled(doc);
  if (inline) return inline[language] ?? inline[FALLBACK];
  if (!doc) return globalThis.gradtraceCatalogue ?? {}; // module tests under node: tests/js/english.js sets it
  const response = await fetch(`/static/i18n/${language}.json`);
  if (!response.ok) throw new Error(`static/i18n/${language}.json: ${response.status}`);
  return response.json();
}

const doc = globalThis.document;
export const language = doc ? chooseLanguage(location.hash, navigator.languages ?? [navigator.language]) : FALLBACK;
export const catalogue = await load(language);

/** The text of `key` with its {args} filled in, numbers in the page's format; a key the catalogue lacks shows as
 * itself, so a missing translation is seen, never silently blank. */
export function t(key, args = {}) {
  return renderCard({ key, args }, catalogue, formatNumber);
}

/** Whether the catalogue words `key` (an example the server added after the catalogue was written may not be). */
export function has(key) {
  return Object.hasOwn(catalogue, key);
}

/** The page's own text in the templates: <html lang>, the title and each [data-i18n] element's text. */
export function translateDocument(page) {
  page.documentElement.lang = language;
  page.title = t("page.title");
  for (const element of page.querySelectorAll("[data-i18n]")) element.textContent = t(element.dataset.i18n);
}

/** A server's card ({key, args}: a health flag, a gradient check's or a training run's note) in the page's words. */
export function cardText(card) {
  return renderCard(card, catalogue, formatNumber);
}
