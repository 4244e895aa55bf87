// SVG builders for one node, one collapsed call (drawn as a node), one edge and one group; shapes and colours come
// from CSS classes.

import { svg } from "../util/dom.js";
import { nodeBox } from "../model/graph.js";
import { groupCaption } from "../model/params.js";
import { t } from "../i18n.js";

export const KINDS = [
  ["input", t("kind.input")], ["param", t("kind.param")], ["const", t("kind.const")], ["op", t("kind.op")],
  ["call", t("kind.call")], ["output", t("kind.output")], ["saved", t("kind.saved")],
];
const KIND_WORDS = new Map(KINDS);
const KIND_NAMES = { input: t("kindname.input"), param: t("kindname.param"), const: t("kindname.const"),
  op: t("kindname.op"), output: t("kindname.output"), saved: t("kindname.saved") };

/** A node's kind in a word (the inspector's facts, the search's matches): "param" → "παράμετρος" in Greek. */
export const kindName = (kind) => KIND_NAMES[kind] ?? kind;
/** The word before a box's gradient ("grad [3] …"). */
export const GRAD_WORD = t("box.grad");
const GRAD_SHAPE = new RegExp(`^${GRAD_WORD} \\[[^\\]]*\\] `);

const LINE_H = 12; // px between text lines of a box
const CHAR_W = { label: 7.3, detail: 6.1, value: 6.7, grad: 6.7 }; // px per character of each line's font
const TOGGLE_W = 18; // the ▸ strip at the left of a call's box

/** The shape of a node of this kind, sized w × h at the origin. */
function shapeFor(kind, w, h) {
  if (kind === "op") return svg("rect", { class: "shape", width: w, height: h, rx: h / 2 });
  if (kind === "input") {
    const s = Math.min(10, w / 6);
    return svg("polygon", { class: "shape", points: `${s},0 ${w},0 ${w - s},${h} 0,${h}` });
  }
  if (kind === "output" || kind === "call") return svg("rect", { class: "shape", width: w, height: h, rx: 6 });
  return svg("rect", { class: "shape", width: w, height: h, rx: 2 });
}

const shapeText = (shape) => (shape.length ? `[${shape.join("×")}]` : t("node.scalar"));

function describeShape(node) {
  const shape = shapeText(node.shape);
  return node.op ? `${node.op.replace(/Backward\d*$/, "")} · ${shape}` : shape;
}

/** The text of a line that fits `room` px: whole when it fits, else without its leading "[shape] " (a value's
 * number matters more than its shape, which the box already shows), else cut short with "…". */
export function fitLine(text, room, charWidth) {
  const fits = (t) => t.length * charWidth <= room;
  if (fits(text)) return text;
  const bare = text.replace(/^(= )?\[[^\]]*\] /, "").replace(GRAD_SHAPE, `${GRAD_WORD} `);
  if (fits(bare)) return bare;
  const keep = Math.max(1, Math.floor(room / charWidth) - 1);
  return `${bare.slice(0, keep)}…`;
}

// The text lines of a box: label, detail (when there is room), value, gradient; centred vertically.
function textLines(w, h, label, detail, left = 0) {
  const lines = Math.max(1, Math.floor((h - 4) / LINE_H));
  const y = (i) => h / 2 + (i - (lines - 1) / 2) * LINE_H + 4;
  const x = left + (w - left) / 2;
  const room = w - left - 8;
  const text = (cls, i, content = "") => svg("text", { class: cls, x, y: y(i) }, fitLine(content, room, CHAR_W[cls]));
  return {
    label: text("label", 0, label),
    detail: lines >= 4 ? text("detail", 1, detail) : null,
    value: lines >= 2 ? text("value", lines >= 4 ? 2 : 1) : null,
    grad: lines >= 3 ? text("grad", lines >= 4 ? 3 : 2) : null,
    room,
  };
}

/** Build a node: <g data-node-id data-label role=button> with label, op/shape, value and grad lines. */
export function buildNode(node) {
  const box = nodeBox(node);
  const lines = textLines(box.w, box.h, node.label, describeShape(node));
  const g = svg("g", {
    class: `node kind-${node.kind}`, "data-node-id": node.id, "data-label": node.label,
    role: "button", tabindex: -1, "aria-label": `${node.label}: ${KIND_WORDS.get(node.kind) ?? node.kind}${node.op ? ` ${node.op}` : ""}`,
  }, svg("title", {}, `${node.label} — ${node.op ?? kindName(node.kind)}`), shapeFor(node.kind, box.w, box.h),
  lines.label, lines.detail, lines.value, lines.grad);
  place(g, node);
  return { g, value: lines.value, grad: lines.grad, room: lines.room, width: box.w, height: box.h };
}

/** A collapsed call, drawn as the node it stands for: its result's id (`data-node-id`), the call's words as its
 * label, the function as written and the result's shape, its value and gradient; the ▸ strip opens it. */
export function buildCallBox(group, output) {
  const { w, h } = group;
  const detail = `${group.module} · ${shapeText(output?.shape ?? [])}`;
  const lines = textLines(w, h, group.label, detail, TOGGLE_W);
  const toggle = svg("g", { class: "call-toggle" },
    svg("rect", { class: "call-toggle-hit", width: TOGGLE_W, height: h }),
    svg("text", { x: TOGGLE_W / 2 + 1, y: h / 2 + 4 }, "▸"));
  const g = svg("g", {
    class: "node kind-call call-box", "data-node-id": output?.id, "data-group-id": group.id, "data-label": group.label,
    role: "button", tabindex: -1, "aria-expanded": "false",
    "aria-label": t("call.label", { label: group.label, module: group.module }),
  }, svg("title", {}, t("call.title", { label: group.label, module: group.module, count: group.members })),
  shapeFor("call", w, h), toggle, lines.label, lines.detail, lines.value, lines.grad);
  place(g, group);
  return { g, value: lines.value, grad: lines.grad, room: lines.room };
}

/** Move a node's (or a call box's) group to its (new) layout position. */
export function place(g, item) {
  g.style.transform = `translate(${item.x}px, ${item.y}px)`;
  g.style.display = item.w > 0 && item.h > 0 ? "" : "none";
}

/** An edge's route: its routed points, or a straight line between the two boxes. */
export function routeOf(edge, source, target) {
  if (edge.points?.length >= 2) return edge.points;
  return [{ x: nodeBox(source).cx, y: source.y + source.h }, { x: nodeBox(target).cx, y: target.y }];
}

/** The SVG path data of a route. */
export function pathData(points) {
  return points.map((p, i) => `${i ? "L" : "M"}${p.x.toFixed(1)},${p.y.toFixed(1)}`).join("");
}

const callCaption = (group) => (group.label === group.module ? group.label : `${group.label} · ${group.module}`);

/** A group: its box (`frame`) and the header that collapses/expands it when clicked (`header`, drawn over everything
 * else so that no edge takes its clicks); an open call's header shows its words. */
export function buildGroup(group, collapsed) {
  const sign = collapsed ? "▸" : "▾";
  const caption = group.kind === "call" ? callCaption(group) : groupCaption(group);
  const header = svg("g", {
    class: "group-header", role: "button", tabindex: -1, "data-group-id": group.id,
    "aria-label": t(collapsed ? "group.expand" : "group.collapse", { label: group.label }), "aria-expanded": String(!collapsed),
  }, svg("text", { x: group.x + 6, y: collapsed ? group.y + 16 : group.y - 5 }, `${sign} ${caption}`));
  const sizeText = collapsed
    ? svg("text", { class: "group-size", x: group.x + 6, y: group.y + 32 }, t("group.size", { count: group.members })) : null;
  const rect = svg("rect", { class: "group-box", x: group.x, y: group.y, width: group.w, height: group.h, rx: 6 });
  const frame = svg("g", { class: `group kind-${group.kind}${collapsed ? " collapsed" : ""}`, "data-group": group.id },
    rect, sizeText);
  return { frame, header };
}
