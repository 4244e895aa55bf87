// DOM builders that only ever insert text (never innerHTML), so program and server text stays text.

const SVG_NS = "http://www.w3.org/2000/svg";

/** Build an HTML element: el("button", {class: "x", onclick: fn}, "text", child). */
export function el(tag, attrs = {}, ...children) {
  return fill(document.createElement(tag), attrs, children);
}

/** Build an SVG element the same way. */
export function svg(tag, attrs = {}, ...children) {
  return fill(document.createElementNS(SVG_NS, tag), attrs, children);
}

function fill(node, attrs, children) {
  for (const [name, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (name.startsWith("on") && typeof value === "function") node.addEventListener(name.slice(2), value);
    else node.setAttribute(name, value === true ? "" : String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(typeof child === "string" || typeof child === "number" ? String(child) : child);
  }
  return node;
}

/** Set an element's text only when it changed (cheap during animation). */
export function setText(node, text) {
  if (node.textContent !== text) node.textContent = text;
}

/** Dispatch a CustomEvent carrying `detail` from a component. */
export function emit(target, name, detail = null) {
  target.dispatchEvent(new CustomEvent(name, { detail }));
}

/** Save a Blob as a file through a temporary link. */
export function download(blob, filename) {
  const url = URL.createObjectURL(blob);
  const link = el("a", { href: url, download: filename });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/** The element an event started on, also inside a shadow root (the editor's), where `event.target` is the host. */
export function origin(event) {
  return event.composedPath()[0] ?? event.target;
}

/** True when a key event comes from a place that takes typing (a field or an editor): page shortcuts stay off. */
export function typing(event) {
  return Boolean(origin(event).closest?.("input, textarea, select, [contenteditable]"));
}
