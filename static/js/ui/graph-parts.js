// SVG builders for one node, one edge and one module group; shapes and colours come from CSS classes.

import { svg } from "../util/dom.js";
import { nodeBox } from "../model/graph.js";
import { groupCaption } from "../model/params.js";

export const KINDS = [
  ["input", "input (data)"], ["param", "parameter"], ["const", "constant"],
  ["op", "operation"], ["output", "output"], ["saved", "saved tensor"],
];

/** The shape of a node of this kind, sized w × h at the origin. */
function shapeFor(kind, w, h) {
  if (kind === "op") return svg("rect", { class: "shape", width: w, height: h, rx: h / 2 });
  if (kind === "input") {
    const s = Math.min(10, w / 6);
    return svg("polygon", { class: "shape", points: `${s},0 ${w},0 ${w - s},${h} 0,${h}` });
  }
  if (kind === "output") return svg("rect", { class: "shape", width: w, height: h, rx: 4 });
  return svg("rect", { class: "shape", width: w, height: h, rx: 2 });
}

function describeShape(node) {
  const shape = node.shape.length ? `[${node.shape.join("×")}]` : "scalar";
  return node.op ? `${node.op.replace(/Backward\d*$/, "")} · ${shape}` : shape;
}

/** Squeeze a line that would overflow its box (about 6.6 px per character at 11 px monospace). */
export function fitText(node, text, width) {
  const room = width - 6;
  if (room > 0 && text.length * 6.6 > room) {
    node.setAttribute("textLength", String(room));
    node.setAttribute("lengthAdjust", "spacingAndGlyphs");
  } else {
    node.removeAttribute("textLength");
  }
}

/** Build a node: <g data-node-id data-label role=button> with label, op/shape, value and grad lines. */
export function buildNode(node) {
  const box = nodeBox(node);
  const lines = Math.max(1, Math.floor((box.h - 4) / 12));
  const y = (i) => box.h / 2 + (i - (lines - 1) / 2) * 12 + 4;
  const text = (cls, i, content = "") => {
    const line = svg("text", { class: cls, x: box.w / 2, y: y(i) }, content);
    fitText(line, content, box.w);
    return line;
  };
  const label = text("label", 0, node.label);
  const detail = lines >= 4 ? text("detail", 1, describeShape(node)) : null;
  const value = text("value", lines >= 4 ? 2 : 1);
  const grad = text("grad", lines >= 4 ? 3 : 2);
  const g = svg("g", {
    class: `node kind-${node.kind}`, "data-node-id": node.id, "data-label": node.label,
    role: "button", tabindex: -1, "aria-label": `${node.label}: ${node.kind}${node.op ? ` ${node.op}` : ""}`,
  }, svg("title", {}, `${node.label} — ${node.op ?? node.kind}`), shapeFor(node.kind, box.w, box.h),
  label, detail, lines >= 2 ? value : null, lines >= 3 ? grad : null);
  place(g, node);
  return { g, value, grad, width: box.w, height: box.h };
}

/** Move a node's group to its (new) layout position. */
export function place(g, node) {
  g.style.transform = `translate(${node.x}px, ${node.y}px)`;
  g.style.display = node.w > 0 && node.h > 0 ? "" : "none";
}

/** The SVG path of an edge: its routed points, or a straight line between the two boxes. */
export function edgePath(edge, source, target) {
  const points = edge.points?.length >= 2 ? edge.points : [
    { x: nodeBox(source).cx, y: source.y + source.h },
    { x: nodeBox(target).cx, y: target.y },
  ];
  return points.map((p, i) => `${i ? "L" : "M"}${p.x.toFixed(1)},${p.y.toFixed(1)}`).join("");
}

/** The middle of an edge's route, where its backward contribution is written. */
export function edgeMiddle(edge, source, target) {
  const points = edge.points?.length >= 2 ? edge.points : [
    { x: nodeBox(source).cx, y: source.y + source.h }, { x: nodeBox(target).cx, y: target.y },
  ];
  const a = points[Math.floor((points.length - 1) / 2)];
  const b = points[Math.ceil((points.length - 1) / 2 + 0.5)] ?? a;
  return { x: (a.x + b.x) / 2, y: (a.y + b.y) / 2 };
}

/** A module group: a box plus a header that collapses/expands it when clicked. */
export function buildGroup(group, collapsed) {
  const sign = collapsed ? "▸" : "▾";
  const header = svg("g", {
    class: "group-header", role: "button", tabindex: -1, "data-group-id": group.id,
    "aria-label": `${collapsed ? "Expand" : "Collapse"} ${group.label}`, "aria-expanded": String(!collapsed),
  }, svg("text", { x: group.x + 6, y: collapsed ? group.y + 16 : group.y - 5 }, `${sign} ${groupCaption(group)}`));
  const sizeText = collapsed
    ? svg("text", { class: "group-size", x: group.x + 6, y: group.y + 32 }, `${group.members} nodes`) : null;
  const rect = svg("rect", { class: "group-box", x: group.x, y: group.y, width: group.w, height: group.h, rx: 6 });
  return svg("g", { class: `group${collapsed ? " collapsed" : ""}`, "data-group": group.id }, rect, sizeText, header);
}
