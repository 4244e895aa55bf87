// Talks to the server: POST /graph (or GET /graph/{hash} for a request it answered before), POST /values,
// POST /layout, GET /examples, GET /lesson; cancellable, stale answers dropped, and every request carries this browser's
// client token (the server's per-client limits count runs by it).

export const CLIENT_HEADER = "X-Gradtrace-Client";
const TOKEN_KEY = "gradtrace-client";
const LOCATIONS_KEY = "gradtrace-graph-locations";
const KEPT_LOCATIONS = 32; // requests whose graph address is remembered (per tab)
const RETRIES = 2; // a 429 or 503 with Retry-After is tried again this many times
const LONGEST_RETRY_MS = 10_000;

import { problemsOf } from "./model/problems.js";
import { t } from "./i18n.js";

/** An error answer from the server: `info` is {kind, message, line, col, ...}; `problems` every problem it lists
 * (`info` first); `graph` what ran before it. */
export class ApiError extends Error {
  constructor(status, body) {
    const info = body?.error ?? { kind: "http_error", message: t("http.answered", { status: String(status) }) };
    super(info.message);
    this.status = status;
    this.info = info;
    this.problems = body?.error ? problemsOf(body) : [info];
    this.graph = body?.graph ?? null;
  }
}

/** localStorage or sessionStorage, or null where the browser refuses it (a sandboxed frame, privacy modes). */
function storage(name) {
  try {
    const found = globalThis[name];
    found?.getItem("");
    return found ?? null;
  } catch {
    return null;
  }
}

let sessionToken = null;

/** This browser's client token: made once, kept in localStorage (or for this page's life without it). */
export function clientToken() {
  const kept = storage("localStorage");
  sessionToken = kept?.getItem(TOKEN_KEY) ?? sessionToken ?? crypto.randomUUID();
  kept?.setItem(TOKEN_KEY, sessionToken);
  return sessionToken;
}

/** The seconds a 429 or 503 asks to wait before trying again, in ms; null for any other answer. */
export function retryDelay(response) {
  if (response.status !== 429 && response.status !== 503) return null;
  const seconds = Number(response.headers.get("retry-after"));
  return Number.isFinite(seconds) && seconds >= 0 ? Math.min(seconds * 1000, LONGEST_RETRY_MS) : null;
}

function pause(ms, signal) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    const abort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    signal?.addEventListener("abort", abort, { once: true });
  });
}

/** fetch with the client token, trying a 429/503 again after its Retry-After. */
async function send(url, init) {
  const headers = { ...init.headers, [CLIENT_HEADER]: clientToken() };
  for (let attempt = 0; ; attempt += 1) {
    const response = await fetch(url, { ...init, headers });
    const wait = retryDelay(response);
    if (wait === null || attempt === RETRIES) return response;
    await pause(wait, init.signal);
  }
}

/** One request slot: a newer request aborts the older one, whose answer is then ignored. */
class Slot {
  #latest = 0;
  #controller = null;
  location = null; // Content-Location of the latest answer: where the server keeps it (GET /graph/{hash})

  /** Send and parse; with `mark`, performance marks "<mark>-response" (headers in) and "<mark>-parsed". */
  async send(url, init, mark = null) {
    this.cancel();
    const id = ++this.#latest;
    this.#controller = new AbortController();
    const response = await send(url, { ...init, signal: this.#controller.signal });
    if (mark) performance.mark(`${mark}-response`);
    const body = await readJson(response);
    if (mark) performance.mark(`${mark}-parsed`);
    if (id !== this.#latest) return null;
    this.#controller = null;
    if (!response.ok) throw new ApiError(response.status, body);
    this.location = response.headers.get("content-location");
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

/** Where the server keeps the graph of each request this tab ran (request JSON -> /graph/{hash}), so that
 * running it again is a GET the browser's cache may answer (the graph of a hash never changes). */
class Locations {
  #kept = new Map(readKept());

  get(key) {
    return this.#kept.get(key) ?? null;
  }

  set(key, location) {
    this.#kept.delete(key);
    if (location) this.#kept.set(key, location);
    while (this.#kept.size > KEPT_LOCATIONS) this.#kept.delete(this.#kept.keys().next().value);
    storage("sessionStorage")?.setItem(LOCATIONS_KEY, JSON.stringify([...this.#kept]));
  }
}

function readKept() {
  try {
    const kept = JSON.parse(storage("sessionStorage")?.getItem(LOCATIONS_KEY) ?? "[]");
    return Array.isArray(kept) ? kept : [];
  } catch {
    return []; // written by another version, or by hand: start afresh
  }
}

/** A GET's answer; an error answer is thrown as its ApiError. */
async function get(url) {
  const response = await send(url, {});
  if (!response.ok) throw new ApiError(response.status, await readJson(response));
  return response;
}

const JSON_POST = { method: "POST", headers: { "content-type": "application/json" } };

let shownOrigin = null; // what made the latest graph the page received: its request, not the editor's text

/** {request: {program, options}, heatmapsDropped, location} of the latest graph received (answer or an
 * error's partial graph; `location` is its GET address on the server, for links, or null); null before any.
 * "Show all values" re-runs this request, whatever the editor holds by then. */
export function graphOrigin() {
  return shownOrigin;
}

function originOf(request, graph, location = null) {
  return { request, heatmapsDropped: Boolean(graph.truncated?.heatmaps), location };
}

export class Api {
  #graph = new Slot();
  #values = new Slot();
  #layout = new Slot();
  #locations = new Locations();

  /** Run a program; resolves to a GraphResponse, or null when a newer run replaced this one. */
  async runGraph(program, options) {
    const request = { program, options };
    const key = JSON.stringify(request);
    try {
      const graph = (await this.#kept(key)) ?? (await this.#post(key, request));
      if (graph) shownOrigin = originOf(request, graph, this.#graph.location);
      return graph;
    } catch (error) {
      if (error instanceof ApiError && error.graph?.nodes?.length) shownOrigin = originOf(request, error.graph);
      throw error;
    }
  }

  /** The graph of a request run before, from its address; null when there is none or it is gone (404). */
  async #kept(key) {
    const location = this.#locations.get(key);
    if (!location) return null;
    try {
      return await this.#graph.send(location, { method: "GET" }, "graph");
    } catch (error) {
      if (!(error instanceof ApiError && error.status === 404)) throw error;
      this.#locations.set(key, null);
      return null;
    }
  }

  async #post(key, request) {
    const graph = await this.#graph.send("/graph", { ...JSON_POST, body: JSON.stringify(request) }, "graph");
    if (graph) this.#locations.set(key, this.#graph.location);
    return graph;
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
    return (await get("/examples")).json();
  }

  /** The lesson page without its graph (see lesson.js). */
  async lessonShell() {
    return (await get("/lesson")).text();
  }

  cancelRun() {
    this.#graph.cancel();
  }
}
