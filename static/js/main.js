// The controller: builds the components, wires their events and owns the current run. No DOM details here.

import { Api, ApiError } from "./api.js";
import { decodeState, encodeState, withLanguage } from "./state.js";
import {
  callOf, groupPath, hiddenNodes, indexGraph, layoutPayload, linesOf, membersOf, mergeLayout, nodesAtLine,
} from "./model/graph.js";
import { buildSteps, describeStep, phaseOf, stateAt } from "./model/timeline.js";
import { failedView, failureSummary } from "./model/problems.js";
import { collapsedAround, cycle, findNodes, transitiveInputs } from "./model/search.js";
import { formatCount, parameterTotal } from "./model/params.js";
import { configLinks, readConfig } from "./model/config.js";
import { ConfigPanel } from "./ui/config-panel.js";
import { Drawer } from "./ui/drawer.js";
import { Editor } from "./ui/editor.js";
import { GraphView } from "./ui/graph-view.js";
import { Inspector } from "./ui/inspector.js";
import { kindName } from "./ui/graph-parts.js";
import { LanguageSwitch } from "./ui/language-switch.js";
import { Output } from "./ui/output.js";
import { Player } from "./ui/player.js";
import { ProblemList } from "./ui/problems.js";
import { SearchBar } from "./ui/search.js";
import { StatusLine } from "./ui/status.js";
import { Toolbar } from "./ui/toolbar.js";
import { downloadJson, downloadSvg } from "./ui/export.js";
import { OFFLINE, downloadLesson, readLesson } from "./lesson.js";
import { RecordDialog } from "./ui/record-dialog.js";
import { Recorder } from "./record.js";
import { Teacher } from "./teach.js";
import { Comparer } from "./compare.js";
import { language, t, translateDocument } from "./i18n.js";

const api = new Api();
const ui = {
  toolbar: new Toolbar(), editor: new Editor(), view: new GraphView(),
  player: new Player(), inspector: new Inspector(), status: new StatusLine(), output: new Output(),
  search: new SearchBar(), problems: new ProblemList(), drawer: new Drawer(), config: new ConfigPanel(),
  recorder: new RecordDialog(),
  language: new LanguageSwitch(),
};
const run = {
  graph: null, index: null, steps: [], collapsed: new Set(), outline: new Set(), selected: null, state: null,
  matches: [], matchAt: -1, program: "", options: null,
};
const JUMP_ZOOM = 1; // a search result or a config link is shown at this zoom at least
const teach = new Teacher(ui.view, ui.player);
const compare = new Comparer(ui.view);
const lesson = readLesson(); // {program, graph} in a lesson file, which works without the server
// Record video (it listens to its dialog): what the page shows now gives each frame its title and caption
new Recorder(ui.recorder, ui.view, ui.player, () => ({
  steps: run.steps, phase: phaseOf(run.state?.current ?? null), caption: ui.player.sentence.textContent,
}));

function mount() {
  translateDocument(document);
  for (const [name, component] of Object.entries(ui)) {
    document.querySelector(`[data-mount="${name}"]`).append(component.container);
  }
  ui.drawer.attach(document.querySelector("#inspector"));
}

async function runProgram() {
  if (lesson) return ui.status.info(OFFLINE);
  const program = ui.editor.value;
  run.program = program;
  const options = requestOptions();
  run.options = options;
  // busy before the first await: a pair's B run follows A's answer in the same task, so the page never
  // looks finished between them
  ui.status.busy(t("status.running"));
  history.replaceState(null, "", await encodeState({ program, options, before: compare.before, language }));
  try {
    const graph = await api.runGraph(program, options);
    if (graph) showRun(graph);
    return graph;
  } catch (error) {
    showFailure(error);
    return null;
  }
}

// The bench reads "graph-draw" (response headers in → drawn and painted) and "graph-render" (parsed → drawn).
function showRun(graph) {
  present(graph);
  requestAnimationFrame(() => requestAnimationFrame(() => {
    performance.mark("graph-drawn");
    performance.measure("graph-draw", "graph-response", "graph-drawn");
    performance.measure("graph-render", "graph-parsed", "graph-drawn");
  }));
}

function present(graph) {
  showProblems([]);
  show(graph);
  ui.view.showState("current");
  compare.update(graph, run.program, run.options);
  const loss = graph.outputs?.loss;
  const summary = t("status.summary", { nodes: String(graph.nodes.length), steps: String(graph.backward.length) });
  const lossText = loss === undefined ? "" : ` · ${t("status.loss", { loss })}`;
  ui.status.info(`${summary}${lossText} · ${Math.round(graph.timings?.total ?? 0)} ms`);
}

// An error never leaves the previous graph looking current: what ran before it is shown as partial, else the old
// graph is greyed out. Its problems are marked in the gutter and written once, under the program.
async function showFailure(error) {
  const cancelled = error.name === "AbortError";
  const answered = error instanceof ApiError;
  const partial = answered && Boolean(error.graph?.nodes.length);
  if (answered) showProblems(error.problems);
  if (partial) show(await laidOut(error.graph));
  ui.view.showState(...failedView({ partial, shown: Boolean(run.graph), cancelled }));
  if (cancelled) return ui.status.info(t("status.cancelled"));
  if (!answered) return ui.status.error(t("status.unreachable", { message: error.message }));
  ui.status.error(failureSummary(error.info.kind, error.problems.length, partial));
}

function showProblems(problems) {
  ui.editor.showProblems(problems);
  ui.problems.show(problems);
}

// What ran before an error comes without coordinates: lay it out so it can still be drawn.
async function laidOut(graph) {
  if (graph.nodes.some((node) => node.w > 0)) return graph;
  try {
    return mergeLayout(graph, await api.layout(layoutPayload(graph), []));
  } catch {
    return graph;
  }
}

function show(graph) {
  run.graph = graph;
  run.index = indexGraph(graph);
  run.steps = buildSteps(graph);
  run.collapsed = new Set(graph.groups.filter((g) => g.collapsed).map((g) => g.id));
  run.outline = new Set(run.collapsed);
  run.selected = null;
  ui.view.render(run.index, run.collapsed);
  ui.output.show(graph.stdout, graph.figures, graph.passes ?? null);
  ui.inspector.clear();
  teach.load(run.index, run.steps);
  ui.player.load(run.steps.length);
  const total = parameterTotal(run.index);
  ui.search.showTotal(total > 0 ? t("search.total", { count: formatCount(total) }) : "");
  ui.config.show(configLinks(readConfig(run.program), run.index));
  search(ui.search.query);
}

function applyPosition(position, follow = true) {
  if (!run.index) return;
  run.state = stateAt(run.index, run.steps, position);
  ui.player.describe(describeStep(run.index, run.state.current), phaseOf(run.state.current));
  teach.position(run.state.current);
  if (run.selected) inspect(run.selected);
  // the camera last: the panels above may have changed the graph's size (a formula card of three lines)
  ui.view.applyState(run.state, follow);
}

function inspect(nodeId) {
  const node = run.index.nodes.get(nodeId);
  if (!node) return;
  run.selected = nodeId;
  const lines = linesOf(node);
  // the program the shown graph ran (run A of a comparison, while the editor holds B's)
  const source = run.program.split("\n").slice(lines[0] - 1, lines.at(-1)).join("\n");
  ui.view.select(nodeId);
  compare.select(nodeId, node.label);
  ui.editor.markLines(lines);
  const shown = { value: run.state?.values.get(nodeId), grad: run.state?.grads.get(nodeId) };
  ui.inspector.show(node, lines.length ? source : "", shown, callContext(nodeId));
}

// The program's call a node belongs to (as its result or one of its internals), with the nodes inside it.
function callContext(nodeId) {
  const group = callOf(run.index, nodeId) ?? groupPath(run.index, run.index.nodes.get(nodeId).group)
    .map((id) => run.index.groups.get(id)).findLast((g) => g.kind === "call");
  if (!group) return null;
  return { group, members: membersOf(run.index, group.id), open: !run.collapsed.has(group.id) };
}

async function toggleGroup(groupId) {
  const collapsed = new Set(run.collapsed);
  if (collapsed.has(groupId)) collapsed.delete(groupId);
  else collapsed.add(groupId);
  await relayout(collapsed);
  ui.view.revealToggle(groupId);
}

// Lay the graph out again with these groups collapsed (POST /layout); nodes glide to their new places.
async function relayout(collapsed) {
  if (lesson) return ui.status.info(OFFLINE);
  try {
    const layout = await api.layout(layoutPayload(run.graph), collapsed);
    if (!layout) return;
    run.collapsed = collapsed;
    run.graph = mergeLayout(run.graph, layout);
    run.index = indexGraph(run.graph);
    ui.view.relayout(run.index, collapsed);
    teach.repaint();
    applyPosition(ui.player.position, false);
  } catch (error) {
    ui.status.error(t("status.relayout_failed", { message: error.message }));
  }
}

function search(query) {
  run.matches = run.index ? findNodes(run.index, query) : [];
  run.matchAt = -1;
  ui.view.markMatches(run.matches);
  showMatches();
}

function showMatches() {
  const hidden = hiddenNodes(run.index ?? { nodes: new Map() }, run.collapsed);
  const where = (node) => run.index.groups.get(hidden.get(node.id))?.label ?? node.op ?? node.fn
    ?? kindName(node.kind);
  const items = run.matches.map((id) => run.index.nodes.get(id)).map((node) => ({
    id: node.id, label: node.label, where: where(node) }));
  ui.search.showMatches(items, run.matchAt);
}

// Enter (or ↓, ↑) goes to the next (previous) match, a click in the list to that one.
function stepMatch(step) {
  return goToMatch(cycle(run.matchAt, step, run.matches.length));
}

async function goToMatch(position) {
  run.matchAt = position;
  showMatches();
  const id = run.matches[position];
  if (id !== undefined) await goTo(id);
}

// Show a node: the collapsed groups around it open, the view zooms to it and the inspector shows it; a group id
// (a folded stack, a dropout call) is revealed as it is drawn.
async function goTo(id) {
  if (!run.index.nodes.has(id)) return ui.view.revealGroup(id, JUMP_ZOOM);
  const closed = collapsedAround(run.index, run.collapsed, id);
  if (closed.length) await relayout(new Set([...run.collapsed].filter((group) => !closed.includes(group))));
  inspect(id);
  ui.view.reveal(id, JUMP_ZOOM);
}

function traceInputs(nodeId) {
  const traced = nodeId === null || !run.index ? null : transitiveInputs(run.index, nodeId);
  ui.view.trace(traced);
  if (!traced) return;
  ui.view.reveal(nodeId);
  ui.status.info(t("status.traced", { x: run.index.nodes.get(nodeId).label, count: String(traced.nodes.size - 1) }));
}

// The toolbar's options (device, dtype) and the teaching ones (gradcheck, train).
function requestOptions() {
  return { ...ui.toolbar.options, ...teach.options };
}

async function share() {
  const state = { program: ui.editor.value, options: requestOptions(), before: compare.before, language };
  const fragment = await encodeState(state);
  history.replaceState(null, "", fragment);
  try {
    await navigator.clipboard.writeText(location.href);
    ui.status.info(t("status.link_copied"));
  } catch {
    ui.status.info(t("status.link_shown"));
  }
}

function wire() {
  const on = (component, name, handler) => component.addEventListener(name, (e) => handler(e.detail));
  on(ui.toolbar, "run", runProgram);
  on(ui.editor, "run", runProgram);
  on(ui.toolbar, "example", (example) => {
    if (example.after) return openPair(example);
    ui.editor.value = example.code;
    teach.options = example.options;
    runProgram();
  });
  on(ui.toolbar, "share", share);
  on(ui.language, "language", switchLanguage);
  on(ui.toolbar, "download-json", () => run.graph && downloadJson(run.graph));
  on(ui.toolbar, "download-svg", () => downloadSvg(ui.view.svg));
  on(ui.toolbar, "download-lesson", saveLesson);
  on(ui.status, "cancel", () => api.cancelRun());
  on(ui.player, "position", applyPosition);
  on(ui.view, "select", (nodeId) => {
    inspect(nodeId);
    ui.drawer.open(); // on a narrow screen the inspector is a drawer: a tapped node opens it
  });
  on(ui.problems, "go", (problem) => ui.editor.goTo(problem));
  on(teach, "select", inspect);
  on(ui.view, "toggle-group", toggleGroup);
  on(ui.view, "drawn", () => {
    teach.repaint(); // a big graph's nodes are drawn as the camera reaches them
    compare.paint();
  });
  on(ui.toolbar, "compare", keepRun);
  on(compare, "show", (shown) => {
    run.program = shown.program;
    run.options = shown.options;
    show(shown.graph);
    ui.view.showState("current");
  });
  on(ui.view, "outline", () => run.graph && relayout(new Set(run.outline)));
  on(ui.view, "expand-all", () => run.graph && relayout(new Set()));
  on(ui.inspector, "toggle-call", toggleGroup);
  on(ui.inspector, "member", goTo);
  on(ui.config, "go", goTo);
  on(ui.search, "query", search);
  on(ui.search, "step", stepMatch);
  on(ui.search, "pick", goToMatch);
  on(ui.inspector, "trace", traceInputs);
  on(ui.editor, "line", (line) => run.index && ui.view.highlight(nodesAtLine(run.index, line)));
}

// "Compare": the run shown is kept as A; the next runs are B, drawn with each node's difference from A.
function keepRun() {
  if (!run.graph) return ui.status.info(t("diff.needRun"));
  compare.keep(run.graph, run.program, run.options);
  ui.status.info(t("diff.kept"));
}

// Run `before` and keep it as A, then `after` (left in the editor) as B; each {program, options}.
async function compareRuns(before, after) {
  compare.stop();
  for (const side of [before, after]) {
    ui.editor.value = side.program;
    if (side.options?.device) ui.toolbar.options = side.options;
    teach.options = side.options;
    if (!(await runProgram())) return;
    if (side === before) compare.keep(run.graph, run.program, run.options);
  }
}

// An example that is a pair opens compared, coloured by how each gradient changed size (B's norm over A's).
async function openPair(example) {
  const { code, after, options } = example;
  await compareRuns({ program: code, options }, { program: after, options });
  compare.colourBy("ratio");
}

// Another language: the page reloads in it with the program and options in the link, so the same program runs
// again (a lesson file keeps the run it holds); what the animation showed starts over.
async function switchLanguage(next) {
  const program = lesson ? "" : ui.editor.value;
  const state = { program, options: requestOptions(), before: compare.before, language: next };
  const fragment = program ? await encodeState(state)
    : withLanguage(location.hash, next);
  history.replaceState(null, "", fragment);
  location.reload();
}

async function saveLesson() {
  if (!run.graph) return ui.status.info(t("status.lesson_empty"));
  try {
    await downloadLesson(api, run.program, run.graph);
  } catch (error) {
    ui.status.error(t("status.lesson_failed", { message: error.message }));
  }
}

// A lesson file shows the run it holds; the controls that need the server say why they are off.
function openLesson() {
  ui.toolbar.offline(OFFLINE);
  ui.inspector.offline = OFFLINE;
  ui.editor.value = lesson.program;
  run.program = lesson.program;
  present(lesson.graph);
}

async function start() {
  mount();
  teach.mount();
  compare.mount();
  wire();
  if (lesson) return openLesson();
  const examples = await api.examples().catch(() => []);
  ui.toolbar.setExamples(examples);
  const saved = await decodeState(location.hash);
  if (saved?.before) return compareRuns(saved.before, saved);
  if (saved) {
    ui.editor.value = saved.program;
    ui.toolbar.options = saved.options;
    teach.options = saved.options;
    return runProgram();
  }
  if (ui.editor.value || !examples.length) return ui.status.info(t("status.start"));
  ui.editor.value = examples[0].code; // the first visit opens on a run graph (the logistic neuron), never empty
  teach.options = examples[0].options;
  return runProgram();
}

start();
