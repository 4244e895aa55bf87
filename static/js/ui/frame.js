// One frame of a recorded video (issue 20, Record): the graph's SVG as the page shows it, drawn as an image, under
// the phase title and above the step's sentence. The image is a data: URL, which both the server's CSP and a
// lesson file's (img-src data: blob:) allow, and which leaves the canvas readable by its MediaRecorder.

import { styledClone } from "./export.js";
import { framedRect, wrapText } from "../model/recording.js";

/** The drawing's part `rect` (drawing coordinates) as an image of `area`'s size in pixels. */
export async function graphImage(svgElement, rect, area) {
  const clone = styledClone(svgElement);
  const shown = framedRect(rect, area);
  clone.setAttribute("viewBox", `${shown.x} ${shown.y} ${shown.w} ${shown.h}`);
  clone.setAttribute("width", String(area.w));
  clone.setAttribute("height", String(area.h));
  const text = new XMLSerializer().serializeToString(clone);
  const image = new Image(area.w, area.h);
  image.src = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(text)}`;
  await image.decode();
  return image;
}

/** The page's colours and fonts (its light or dark theme), read once per recording. */
export function pageTheme() {
  const style = getComputedStyle(document.documentElement);
  const read = (name) => style.getPropertyValue(name).trim();
  return { background: read("--panel"), text: read("--text"), muted: read("--muted"), border: read("--border"),
    sans: read("--sans"), mono: read("--mono") };
}

/** Paint a whole frame: background, the graph image, the title and counter, the caption (wrapped). */
export function paintFrame(context, layout, theme, { image, title, counter, caption }) {
  const { canvas } = context;
  context.fillStyle = theme.background;
  context.fillRect(0, 0, canvas.width, canvas.height);
  const { graph } = layout;
  context.drawImage(image, graph.x, graph.y, graph.w, graph.h);
  context.strokeStyle = theme.border;
  context.lineWidth = 1;
  context.strokeRect(graph.x + 0.5, graph.y + 0.5, graph.w - 1, graph.h - 1);

  context.textBaseline = "top";
  context.fillStyle = theme.text;
  context.textAlign = "left";
  context.font = `bold ${layout.title.font}px ${theme.sans}`;
  context.fillText(title, layout.title.x, layout.title.y);
  context.fillStyle = theme.muted;
  context.textAlign = "right";
  context.font = `${layout.counter.font}px ${theme.sans}`;
  context.fillText(counter, layout.counter.x, layout.counter.y + (layout.title.font - layout.counter.font));

  const box = layout.caption;
  context.fillStyle = theme.text;
  context.textAlign = "left";
  context.font = `${box.font}px ${theme.mono}`;
  const lines = wrapText(caption, box.w, (text) => context.measureText(text).width, box.lines);
  lines.forEach((line, i) => context.fillText(line, box.x, box.y + i * box.lineHeight));
}
