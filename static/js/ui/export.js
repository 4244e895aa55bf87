// Downloads: the graph JSON as the server sent it, and the drawing as SVG with its styles inlined.

import { download } from "../util/dom.js";

const STYLED = ["fill", "stroke", "stroke-width", "stroke-dasharray", "opacity", "font-size", "font-family",
  "font-weight", "font-style", "text-anchor", "display", "visibility", "paint-order"];

export function downloadJson(graph) {
  download(new Blob([JSON.stringify(graph, null, 1)], { type: "application/json" }), "gradtrace-graph.json");
}

/** Save the whole drawing as it is shown: computed styles copied onto a clone, so it looks the same anywhere. */
export function downloadSvg(svgElement) {
  const text = new XMLSerializer().serializeToString(styledClone(svgElement));
  download(new Blob([text], { type: "image/svg+xml" }), "gradtrace-graph.svg");
}

/** A copy of the drawing that looks as it does on the page without the page's style sheets (as a file, as an
 * image drawn on a canvas): each element's computed styles written onto it; the whole drawing at zoom 1. */
export function styledClone(svgElement) {
  const clone = svgElement.cloneNode(true);
  const originals = svgElement.querySelectorAll("*");
  clone.querySelectorAll("*").forEach((node, i) => {
    const style = getComputedStyle(originals[i]);
    for (const name of STYLED) node.setAttribute(name, style.getPropertyValue(name));
    if (originals[i].style.transform) node.setAttribute("transform", svgTranslate(originals[i].style.transform));
    node.removeAttribute("style");
  });
  clone.removeAttribute("style"); // the camera's transform
  clone.setAttribute("xmlns", "http://www.w3.org/2000/svg");
  return clone;
}

// CSS "translate(10px, 20px)" → SVG "translate(10,20)".
function svgTranslate(transform) {
  return transform.replaceAll("px", "");
}
