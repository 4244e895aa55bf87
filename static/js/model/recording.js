// Pure: what a recorded video of the animation holds and where things go in its frames (issue 20, Record). The
// recorder (ui/recorder.js) seeks the player through `framePlan` and paints each position in `frameLayout`.

/** The video sizes offered; "view" is the graph view's own size (its pixels, rounded to even numbers). */
export const SIZES = { "1280x720": { w: 1280, h: 720 }, "1920x1080": { w: 1920, h: 1080 }, view: null };
export const SPEEDS = [0.5, 1, 2, 4, 8]; // as the player's: 1× shows a step for its STEP_MS
export const FPS = 10; // a still frame repeated: enough for a player to seek within a step
export const END_HOLD_MS = 2000; // the last position stays on screen this long (a slide ends on the result)
const MIN_SIDE = 160; // the smallest video side; an encoder needs even sides
const MAX_SIDE = 3840;

/** The video's size in pixels for a SIZES key (the view's {w, h} for "view"). */
export function videoSize(key, view) {
  const size = SIZES[key] ?? view;
  const even = (n) => 2 * Math.round(Math.min(MAX_SIDE, Math.max(MIN_SIDE, n)) / 2);
  return { w: even(size.w), h: even(size.h) };
}

/** The positions a range covers, {from, to} (0 = before any step; the player's positions), or null when the run has
 * no such part: the whole run; its first forward (or backward) pass; from `position` to the end. */
export function rangeOf(steps, range, position) {
  if (range === "all") return steps.length ? { from: 0, to: steps.length } : null;
  if (range === "here") return position < steps.length ? { from: position, to: steps.length } : null;
  const first = steps.findIndex((step) => step.phase === range);
  if (first < 0) return null;
  let last = first;
  while (steps[last + 1]?.phase === range) last += 1;
  return { from: first, to: last + 1 }; // from the state before its first step to the state after its last
}

/** The frames to record: each position of the range shown for one step at `speed`, the last one longer;
 * {position, frames} in order. */
export function framePlan({ from, to }, speed, stepMs, fps = FPS) {
  const perStep = Math.max(1, Math.round((stepMs / speed / 1000) * fps));
  const plan = [];
  for (let position = from; position <= to; position += 1) plan.push({ position, frames: perStep });
  plan.at(-1).frames += Math.round((END_HOLD_MS / 1000) * fps);
  return plan;
}

/** The video's length in ms for a plan (what its Duration will say). */
export function planMs(plan, fps = FPS) {
  return (plan.reduce((sum, item) => sum + item.frames, 0) * 1000) / fps;
}

/** Where a frame's parts go, for a video of `size`: the phase title on top, the graph, the step's caption below;
 * the type scales with the video's height (a 1080p frame looks like a 720p one, sharper). */
export function frameLayout({ w, h }) {
  const unit = h / 720;
  const pad = Math.round(24 * unit);
  const title = { x: pad, y: pad, h: Math.round(34 * unit), font: Math.round(28 * unit) };
  const caption = { font: Math.round(22 * unit), lineHeight: Math.round(30 * unit), lines: 3 };
  caption.h = caption.lineHeight * caption.lines;
  caption.x = pad;
  caption.w = w - 2 * pad;
  caption.y = h - pad - caption.h;
  const top = title.y + title.h + Math.round(12 * unit);
  const graph = { x: pad, y: top, w: w - 2 * pad, h: caption.y - Math.round(12 * unit) - top };
  return { title, graph, caption, counter: { x: w - pad, y: pad, font: Math.round(20 * unit) } };
}

/** The part of the drawing to show in `area`: `rect` (drawing coordinates) widened or heightened to the area's
 * proportions, around its centre, so that the drawing is scaled evenly. */
export function framedRect(rect, area) {
  const aspect = area.w / area.h;
  const w = Math.max(rect.w, rect.h * aspect);
  const h = w / aspect;
  return { x: rect.x + (rect.w - w) / 2, y: rect.y + (rect.h - h) / 2, w, h };
}

/** The whole drawing ({w, h}) with a margin around it. */
export function wholeDrawing(drawing, margin = 24) {
  return { x: -margin, y: -margin, w: drawing.w + 2 * margin, h: drawing.h + 2 * margin };
}

/** `text` broken into at most `max` lines no wider than `width` (`measure(text)` → px); a line cut short ends in
 * "…". Words longer than a line are cut where they overflow. */
export function wrapText(text, width, measure, max) {
  const lines = [];
  let line = "";
  for (const word of text.split(/\s+/).filter(Boolean)) {
    const joined = line ? `${line} ${word}` : word;
    if (measure(joined) <= width) {
      line = joined;
      continue;
    }
    if (line) lines.push(line);
    line = word;
    while (measure(line) > width && line.length > 1) { // a word wider than a line: cut it
      const cut = fitting(line, width, measure);
      lines.push(line.slice(0, cut));
      line = line.slice(cut);
    }
  }
  if (line) lines.push(line);
  if (lines.length <= max) return lines;
  const kept = lines.slice(0, max);
  kept[max - 1] = ellipsis(kept[max - 1], width, measure);
  return kept;
}

function fitting(text, width, measure) {
  let n = text.length - 1;
  while (n > 1 && measure(text.slice(0, n)) > width) n -= 1;
  return n;
}

function ellipsis(line, width, measure) {
  let text = line;
  while (text && measure(`${text}…`) > width) text = text.slice(0, -1);
  return `${text.trimEnd()}…`;
}
