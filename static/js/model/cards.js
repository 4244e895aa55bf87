// Pure: teaching text from the server's cards (a message key and its args) and a language's catalogue
// (static/i18n/<language>.json: key → template with {placeholders}). app/teach/render.py does the same in Python.

const PLACEHOLDER = /\{(\w+)(\+?)\}/g;
const SPECIAL = { NaN: NaN, Infinity: Infinity, "-Infinity": -Infinity };

/**
 * The card's sentence: its template with each {arg} filled in — a number by `formatNumber`, a list as
 * "[a, b]", a card (a part of the sentence, or a big tensor's statistics) by its own rendering; {arg+} joins a
 * list with " + ". A key the catalogue lacks shows as the key itself, so nothing is silently dropped.
 */
export function renderCard(card, catalogue, formatNumber) {
  const template = catalogue[card.key];
  if (template === undefined) return card.key;
  const args = card.args ?? {};
  return template.replace(PLACEHOLDER, (_, name, joined) => {
    const value = args[name];
    if (joined && Array.isArray(value)) return value.map((item) => text(item, catalogue, formatNumber)).join(" + ");
    return text(value, catalogue, formatNumber);
  });
}

function text(value, catalogue, formatNumber) {
  if (value === null || value === undefined) return "";
  if (Array.isArray(value)) return `[${value.map((item) => text(item, catalogue, formatNumber)).join(", ")}]`;
  if (typeof value === "object") return renderCard(value, catalogue, formatNumber);
  if (typeof value === "number") return formatNumber(value);
  if (typeof value === "string" && value in SPECIAL) return formatNumber(SPECIAL[value]);
  return String(value);
}

/** The innermost formula's key of a line (`step.result` wraps `chain.times`): what kind of line it is. */
export function lineKey(card) {
  let inner = card;
  while (inner?.args && (inner.key === "step.each" || inner.key.startsWith("step."))) {
    const next = inner.args.step ?? inner.args.formula;
    if (!next || typeof next !== "object") break;
    inner = next;
  }
  return inner?.key ?? "";
}
