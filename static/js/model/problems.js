// Pure: the problems an error answer lists, where each one is, and its text said once.

import { has, t } from "../i18n.js";

/** Every problem of an error body: `errors` when the server lists them (the first equals `error`), else `error`. */
export function problemsOf(body) {
  if (Array.isArray(body?.errors) && body.errors.length) return body.errors;
  return body?.error ? [body.error] : [];
}

/** "line 2, column 18" for a placed problem (columns counted from 1, as people count), "" for one without a line. */
export function placeOf(problem) {
  if (!problem.line) return "";
  const line = String(problem.line);
  return problem.col === null || problem.col === undefined
    ? t("problem.line", { line }) : t("problem.line_col", { line, col: String(problem.col + 1) });
}

/** The message without the "(line 2, column 18)" the server may have written into it: the page says where, once. */
export function messageOf(problem) {
  const place = /\s*\(line \d+, column \d+\)/g;
  return String(problem.message ?? "").replace(place, "").trim();
}

/** The editor range {from, to} of a problem in a document ({lines, line(n) → {from, to}}): its span clamped to the
 * text; one character (or a point at the line's end) when the span is empty or missing. */
export function diagnosticRange(doc, problem) {
  const at = (line, col) => {
    const row = doc.line(Math.min(Math.max(1, line), doc.lines));
    return Math.min(row.from + Math.max(0, col ?? 0), row.to);
  };
  const from = at(problem.line, problem.col);
  const hasEnd = problem.end_line !== null && problem.end_line !== undefined;
  const to = hasEnd ? at(problem.end_line, problem.end_col) : from;
  const lineEnd = doc.line(Math.min(Math.max(1, problem.line), doc.lines)).to;
  return { from, to: to > from ? to : Math.min(from + 1, lineEnd) };
}

/** The status line after a failed run: what kind of failure and where its problems are written (not the message
 * itself, which the problem list says once). */
export function failureSummary(kind, count, partial) {
  const many = count > 1;
  const key = partial ? (many ? "failure.many.partial" : "failure.one.partial") : (many ? "failure.many" : "failure.one");
  return t(key, { kind: kindWords(kind), count: String(count) });
}

/** An error kind in the page's words ("syntax_error" → "syntax error"); the server's message stays its own. A kind
 * the catalogue does not know (a newer server's) is its name with spaces. */
export function kindWords(kind) {
  const key = `error.${kind}`;
  return has(key) ? t(key) : String(kind).replaceAll("_", " ");
}

/** What the graph view shows after a run that gave no graph of its own: [state, note] for GraphView.showState.
 * `partial`: the error came with what ran before it; `shown`: an older graph is on screen; `cancelled`: the person
 * stopped the run. */
export function failedView({ partial = false, shown = false, cancelled = false }) {
  if (partial) return ["partial", t("view.partial")];
  if (!shown) return ["empty", t(cancelled ? "view.empty.cancelled" : "view.empty.failed")];
  return ["stale", t(cancelled ? "view.stale.cancelled" : "view.stale.failed")];
}
