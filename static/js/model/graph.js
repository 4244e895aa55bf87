// Pure graph index: look nodes, edges and groups up by id, map nodes to source lines, compute visibility.

/** Index a GraphResponse (or a LayoutResponse merged into one) for fast look-ups. */
export function indexGraph(graph) {
  const nodes = new Map(graph.nodes.map((n) => [n.id, n]));
  const edges = new Map(graph.edges.map((e) => [e.id, e]));
  const groups = new Map((graph.groups ?? []).map((g) => [g.id, g]));
  const inEdges = new Map();
  const outEdges = new Map();
  for (const edge of graph.edges) {
    pushTo(inEdges, edge.target, edge);
    pushTo(outEdges, edge.source, edge);
  }
  return { graph, nodes, edges, groups, inEdges, outEdges, byLine: indexLines(graph.nodes) };
}

function pushTo(map, key, value) {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

function indexLines(nodes) {
  const byLine = new Map();
  for (const node of nodes) {
    for (const line of linesOf(node)) pushTo(byLine, line, node.id);
  }
  return byLine;
}

/** The 1-based source lines a node came from (empty when it has no span). */
export function linesOf(node) {
  if (!node.span) return [];
  const lines = [];
  for (let line = node.span.line; line <= node.span.end_line; line += 1) lines.push(line);
  return lines;
}

/** Ids of the nodes created by a source line. */
export function nodesAtLine(index, line) {
  return index.byLine.get(line) ?? [];
}

/** The input edges of a node ordered by input_index, so gradients line up with the op's arguments. */
export function inputsOf(index, nodeId) {
  return [...(index.inEdges.get(nodeId) ?? [])].sort((a, b) => a.input_index - b.input_index);
}

/** A node's display name: its label, which the server sets to the variable name or module path. */
export function nameOf(index, nodeId) {
  return index.nodes.get(nodeId)?.label ?? nodeId;
}

/** Group ids from the outermost module down to `groupId`. */
export function groupPath(index, groupId) {
  const path = [];
  let current = groupId ? index.groups.get(groupId) : undefined;
  while (current && !path.includes(current.id)) {
    path.unshift(current.id);
    current = current.parent ? index.groups.get(current.parent) : undefined;
  }
  return path;
}

/** Map each node hidden by a collapsed group to the outermost collapsed group that contains it. */
export function hiddenNodes(index, collapsed) {
  const hidden = new Map();
  for (const node of index.nodes.values()) {
    const owner = groupPath(index, node.group).find((id) => collapsed.has(id));
    if (owner !== undefined) hidden.set(node.id, owner);
  }
  return hidden;
}

/** Groups not inside another collapsed group (a collapsed group hides its descendants' boxes). */
export function visibleGroups(index, collapsed) {
  return [...index.groups.values()].filter((group) => {
    const ancestors = groupPath(index, group.parent);
    return !ancestors.some((id) => collapsed.has(id));
  });
}

/** A collapsed call drawn as one box, which stands for its result: the group of a hidden call whose box is shown
 * (not inside another collapsed group), else null. */
export function shownCall(index, groupId, collapsed) {
  const group = index.groups.get(groupId);
  if (group?.kind !== "call" || !collapsed.has(groupId)) return null;
  return groupPath(index, group.parent).some((id) => collapsed.has(id)) ? null : group;
}

/** The call group whose box stands for this node (the node is one of the call's results), or null. */
export function callOf(index, nodeId) {
  const group = index.groups.get(index.nodes.get(nodeId)?.group);
  return group?.kind === "call" && group.outputs?.includes(nodeId) ? group : null;
}

/** The nodes inside a group, at any depth, in forward order. */
export function membersOf(index, groupId) {
  return index.graph.nodes.filter((node) => groupPath(index, node.group).includes(groupId));
}

/** Where a node sits: the layout gives x/y as the top-left corner and w/h as the size (kept only here). */
export function nodeBox(item) {
  return { x: item.x, y: item.y, w: item.w, h: item.h, cx: item.x + item.w / 2, cy: item.y + item.h / 2 };
}

/** The graph without tensor payloads: all that POST /layout needs, a fraction of the bytes. */
export function layoutPayload(graph) {
  return {
    nodes: graph.nodes.map(({ data, grad, saved, ...node }) => node),
    edges: graph.edges.map(({ grad, points, ...edge }) => edge),
    groups: graph.groups,
  };
}

/** The original graph (tensors kept) with the coordinates, routes and group boxes of a new layout. */
export function mergeLayout(graph, layout) {
  const place = (item, { x, y, w, h }) => ({ ...item, x, y, w, h });
  const nodes = new Map(layout.nodes.map((n) => [n.id, n]));
  const edges = new Map(layout.edges.map((e) => [e.id, e]));
  return {
    ...graph,
    nodes: graph.nodes.map((node) => (nodes.has(node.id) ? place(node, nodes.get(node.id)) : node)),
    edges: graph.edges.map((edge) => ({ ...edge, points: edges.get(edge.id)?.points ?? [] })),
    groups: layout.groups,
    width: layout.width,
    height: layout.height,
  };
}
