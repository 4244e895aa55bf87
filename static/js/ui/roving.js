// A roving tabindex over a drawing: one element of it is in the tab order; arrow keys move the focus (and that
// tab stop) to the nearest element in their direction (model/roving.js does the geometry).

import { firstInReadingOrder, nearestInDirection } from "../model/roving.js";

/** The node or group header an event happened on, or null. */
export const reachable = (target) => target?.closest?.("[data-node-id], .group-header") ?? null;

export class RovingTabStop {
  /** `boxes()` lists what the keyboard can reach ({id: element, x, y, w, h}); `reveal(box)` brings one into view;
   * `twinOf(element)` finds the redrawn copy of an element that a redraw replaced (or null). */
  constructor(root, { boxes, reveal, twinOf }) {
    Object.assign(this, { boxes, reveal, twinOf });
    this.element = null;
    root.addEventListener("focusin", (event) => this.set(reachable(event.target)));
  }

  /** Move the focus for an arrow key pressed on a reachable element; true when the key was such an arrow. */
  arrow(event) {
    const from = reachable(event.target);
    if (!from || !event.key.startsWith("Arrow")) return false;
    const boxes = this.boxes();
    const next = nearestInDirection(boxes, from, event.key);
    if (next) {
      this.set(next);
      next.focus();
      this.reveal(boxes.find((box) => box.id === next));
    }
    return true;
  }

  /** Make `element` the one tab stop. */
  set(element) {
    if (!element || element === this.element) return;
    this.element?.setAttribute("tabindex", "-1");
    element.setAttribute("tabindex", "0");
    this.element = element;
  }

  /** After a redraw: the stop stays if still reachable, else moves to its redrawn twin, else to the first box. */
  keep() {
    const boxes = this.boxes();
    if (boxes.some((box) => box.id === this.element)) return;
    const twin = this.element ? this.twinOf(this.element) : null;
    this.element = null;
    this.set(twin ?? firstInReadingOrder(boxes));
  }
}
