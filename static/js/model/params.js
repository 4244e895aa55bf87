// Pure parameter counting and wording: the model's total and a group's caption with its size.

import { t } from "../i18n.js";

const COMPACT = [[1e9, "B"], [1e6, "M"], [1e3, "K"]];

/** Parameter elements of the model: the top-level modules' counts, or the parameter leaves' without modules. */
export function parameterTotal(index) {
  // a module called again ("model#2", its second call) owns no new parameters
  const roots = [...index.groups.values()].filter((group) => !group.parent && !group.id.includes("#"));
  if (roots.length) return roots.reduce((sum, group) => sum + (group.params ?? 0), 0);
  const leaves = [...index.nodes.values()].filter((node) => node.kind === "param");
  return leaves.reduce((sum, node) => sum + node.shape.reduce((n, size) => n * size, 1), 0);
}

/** A count with thousands separators: 124439808 → "124,439,808". */
export function formatCount(count) {
  return Math.round(count).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

/** A count at a glance: 2360064 → "2.4M", 1536 → "1.5K", 960 → "960". */
export function formatCompact(count) {
  const [scale, suffix] = COMPACT.find(([size]) => count >= size) ?? [1, ""];
  const digits = count / scale >= 100 || scale === 1 ? 0 : 1;
  return `${(count / scale).toFixed(digits).replace(/\.0$/, "")}${suffix}`;
}

/** A group's caption: path and class, "× n" for a folded stack, and its parameter count when it has any. */
export function groupCaption(group) {
  const repeat = group.repeat > 1 && !group.label.includes("×") ? ` × ${group.repeat}` : "";
  const params = group.params > 0 ? ` · ${t("group.params", { count: formatCompact(group.params) })}` : "";
  return `${group.label}${repeat}${params}`;
}
