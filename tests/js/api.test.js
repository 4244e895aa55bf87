import { test, beforeEach } from "node:test";
import assert from "node:assert/strict";
import { Api, ApiError, CLIENT_HEADER, clientToken, graphOrigin, retryDelay } from "../../static/js/api.js";

class MemoryStorage {
  #items = new Map();
  getItem(key) {
    return this.#items.has(key) ? this.#items.get(key) : null;
  }
  setItem(key, value) {
    this.#items.set(key, String(value));
  }
}

const sent = []; // [url, init] of every fetch
let answers = []; // Responses fetch gives, in order

beforeEach(() => {
  globalThis.localStorage = new MemoryStorage();
  globalThis.sessionStorage = new MemoryStorage();
  sent.length = 0;
  answers = [];
  globalThis.fetch = async (url, init) => {
    sent.push([url, init]);
    return answers.shift();
  };
});

const json = (body, status = 200, headers = {}) =>
  new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json", ...headers } });
const GRAPH = { nodes: [{ id: "n0" }], truncated: {} };
const LOCATION = `/graph/${"ab".repeat(32)}`;

test("every request carries this browser's token, kept in localStorage", async () => {
  answers = [json([]), json(GRAPH)];
  const api = new Api();
  await api.examples();
  await api.runGraph("x = 1", {});
  const tokens = sent.map(([, init]) => init.headers[CLIENT_HEADER]);
  assert.equal(tokens[0], tokens[1]);
  assert.match(tokens[0], /^[0-9a-f-]{36}$/);
  assert.equal(localStorage.getItem("gradtrace-client"), tokens[0]);
  assert.equal(clientToken(), tokens[0]);
});

test("a 429 or 503 is tried again after its Retry-After, at most twice", async () => {
  const busy = () => json({ error: { kind: "too_many_requests", message: "later" } }, 429, { "retry-after": "0" });
  answers = [busy(), json(GRAPH)];
  assert.deepEqual(await new Api().runGraph("x = 1", {}), GRAPH);
  answers = [busy(), busy(), busy(), json(GRAPH)];
  await assert.rejects(new Api().runGraph("x = 1", {}), (error) => error instanceof ApiError && error.status === 429);
  assert.equal(sent.length, 2 + 3);
  assert.equal(retryDelay(json({}, 503, { "retry-after": "1" })), 1000);
  assert.equal(retryDelay(json({}, 500, { "retry-after": "1" })), null);
});

test("a request run before is fetched from where the server keeps its graph, and posted again once gone", async () => {
  const api = new Api();
  answers = [json(GRAPH, 200, { "content-location": LOCATION })];
  await api.runGraph("x = 1", { seed: 1 });
  assert.equal(graphOrigin().location, LOCATION);
  answers = [json(GRAPH, 200, { "content-location": LOCATION })];
  assert.deepEqual(await api.runGraph("x = 1", { seed: 1 }), GRAPH);
  assert.deepEqual(sent.map(([url, init]) => [url, init.method]), [["/graph", "POST"], [LOCATION, "GET"]]);
  answers = [json({ error: { kind: "not_found", message: "evicted" } }, 404), json(GRAPH)];
  assert.deepEqual(await api.runGraph("x = 1", { seed: 1 }), GRAPH);
  assert.deepEqual(sent.slice(2).map(([url, init]) => [url, init.method]), [[LOCATION, "GET"], ["/graph", "POST"]]);
  answers = [json(GRAPH)];
  await api.runGraph("x = 2", { seed: 1 }); // another request: posted
  assert.equal(sent.at(-1)[0], "/graph");
});
