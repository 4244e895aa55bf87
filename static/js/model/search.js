// Pure finding in a big graph: nodes matching a query, what a node depends on, which collapsed groups hide it.

import { groupPath } from "./graph.js";

/** Ids of the nodes whose label, op, fn, module path or module class contains the query (any case), in graph order. */
export function findNodes(index, query) {
  const needle = query.trim().toLowerCase();
  if (!needle) return [];
  return index.graph.nodes.filter((node) => searchText(index, node).includes(needle)).map((node) => node.id);
}

function searchText(index, node) {
  const module = node.group ? index.groups.get(node.group)?.module : null;
  return [node.label, node.op, node.fn, node.group, module].filter(Boolean).join("\n").toLowerCase();
}

/** Everything a node depends on: the node itself, its transitive inputs, and the edges between them. */
export function transitiveInputs(index, nodeId) {
  const nodes = new Set([nodeId]);
  const edges = new Set();
  const pending = [nodeId];
  while (pending.length) {
    for (const edge of index.inEdges.get(pending.pop()) ?? []) {
      edges.add(edge.id);
      if (nodes.has(edge.source)) continue;
      nodes.add(edge.source);
      pending.push(edge.source);
    }
  }
  return { nodes, edges };
}

/** The collapsed groups around a node, outermost first: expanding all of them shows the node itself. */
export function collapsedAround(index, collapsed, nodeId) {
  const node = index.nodes.get(nodeId);
  return node ? groupPath(index, node.group).filter((id) => collapsed.has(id)) : [];
}

/** The position after `current` when stepping by `step` (±1) through `count` matches, wrapping around. */
export function cycle(current, step, count) {
  if (count === 0) return -1;
  if (current < 0) return step > 0 ? 0 : count - 1;
  return (current + step + count) % count;
}
