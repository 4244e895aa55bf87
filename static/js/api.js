// Talks to the server: POST /graph, POST /values, POST /layout, GET /examples; cancellable, and stale answers
// are dropped.

import { problemsOf } from "./model/problems.js";

/** An error answer from the server: `info` is {kind, message, line, col, ...}; `problems` every problem it lists
 * (`info` first); `graph` what ran before it. */
export class ApiError extends Error {
  constructor(status, body) {
    const info = body?.error ?? { kind: "http_error", message: `The server answered ${status}.` };
    super(info.message);
    this.status = status;
    this.info = info;
    this.problems = body?.error ? problemsOf(body) : [info];
    this.graph = body?.graph ?? null;
  }
}

/** One request slot: a newer request aborts the older one, whose answer is then ignored. */
class Slot {
  #latest = 0;
  #controller = null;

  /** POST and parse; with `mark`, performance marks "<mark>-response" (headers in) and "<mark>-parsed". */
  async send(url, init, mark = null) {
    this.cancel();
    const id = ++this.#latest;
    this.#controller = new AbortController();
    const response = await fetch(url, { ...init, signal: this.#controller.signal });
    if (mark) performance.mark(`${mark}-response`);
    const body = await readJson(response);
    if (mark) performance.mark(`${mark}-parsed`);
    if (id !== this.#latest) return null;
    this.#controller = null;
    if (!response.ok) throw new ApiError(response.status, body);
    return body;
  }

  cancel() {
    this.#controller?.abort();
    this.#controller = null;
  }
}

async function readJson(response) {
  try {
    return await response.json();
  } catch {
    return null;
  }
}

const JSON_POST = { method: "POST", headers: { "content-type": "application/json" } };

let shownOrigin = null; // what made the latest graph the page received: its request, not the editor's text

/** {request: {program, options}, heatmapsDropped} of the latest graph received (answer or an error's partial
 * graph); null before any. "Show all values" re-runs this request, whatever the editor holds by then. */
export function graphOrigin() {
  return shownOrigin;
}

function originOf(request, graph) {
  return { request, heatmapsDropped: Boolean(graph.truncated?.heatmaps) };
}

export class Api {
  #graph = new Slot();
  #values = new Slot();
  #layout = new Slot();

  /** Run a program; resolves to a GraphResponse, or null when a newer run replaced this one. */
  async runGraph(program, options) {
    const request = { program, options };
    try {
      const graph = await this.#graph.send("/graph", { ...JSON_POST, body: JSON.stringify(request) }, "graph");
      if (graph) shownOrigin = originOf(request, graph);
      return graph;
    } catch (error) {
      if (error instanceof ApiError && error.graph?.nodes?.length) shownOrigin = originOf(request, error.graph);
      throw error;
    }
  }

  /** A page of a node's numbers ({node, field, offset, limit, label, shape}) from a re-run of `request`;
   * null when a newer page request replaced this one. */
  values(request, query) {
    return this.#values.send("/values", { ...JSON_POST, body: JSON.stringify({ ...request, ...query }) });
  }

  /** Lay a graph (see layoutPayload) out again for a new set of collapsed groups. */
  layout(payload, collapsed) {
    const body = JSON.stringify({ ...payload, collapsed: [...collapsed] });
    return this.#layout.send("/layout", { ...JSON_POST, body });
  }

  /** The examples menu: [{name, title, description, code}]. */
  async examples() {
    const response = await fetch("/examples");
    if (!response.ok) throw new ApiError(response.status, await readJson(response));
    return response.json();
  }

  cancelRun() {
    this.#graph.cancel();
  }
}
