// Pure: the problems an error answer lists, where each one is, and its text said once.

/** Every problem of an error body: `errors` when the server lists them (the first equals `error`), else `error`. */
export function problemsOf(body) {
  if (Array.isArray(body?.errors) && body.errors.length) return body.errors;
  return body?.error ? [body.error] : [];
}

/** "line 2, column 18" for a placed problem (columns counted from 1, as people count), "" for one without a line. */
export function placeOf(problem) {
  if (!problem.line) return "";
  return problem.col === null || problem.col === undefined
    ? `line ${problem.line}` : `line ${problem.line}, column ${problem.col + 1}`;
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
  const where = count > 1 ? `see the ${count} problems under the program` : "see the problem under the program";
  const graph = partial ? "; the graph shows what ran before it" : "";
  return `Run failed (${String(kind).replaceAll("_", " ")}): ${where}${graph}.`;
}

/** What the graph view shows after a run that gave no graph of its own: [state, note] for GraphView.showState.
 * `partial`: the error came with what ran before it; `shown`: an older graph is on screen; `cancelled`: the person
 * stopped the run. */
export function failedView({ partial = false, shown = false, cancelled = false }) {
  if (partial) return ["partial", "Partial graph: what ran before the error."];
  if (!shown) return ["empty", cancelled ? "No graph: the run was cancelled." : "No graph: the program did not run."];
  const why = cancelled ? "Cancelled" : "Not up to date: the last run failed";
  return ["stale", `${why}, so this is the previous run's graph.`];
}
