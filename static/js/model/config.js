// Pure: where a GPT program's config shows in its graph. The config is read from the program's text (a dict
// `"n_heads": 12,` or a dataclass `n_heads: int = 12`); each entry is matched to the nodes and groups it shaped, by
// their shapes and names in the graph, never by the example's own wording.

import { t } from "../i18n.js";

// each entry under its "LLMs from scratch" name, then nanoGPT's
const KEYS = {
  vocab_size: ["vocab_size"], context_length: ["context_length", "block_size"], emb_dim: ["emb_dim", "n_embd"],
  n_heads: ["n_heads", "n_head"], n_layers: ["n_layers", "n_layer"], drop_rate: ["drop_rate", "dropout"],
  qkv_bias: ["qkv_bias"],
};
const LITERAL = "(-?\\d[\\d_]*(?:\\.\\d*)?(?:e[+-]?\\d+)?|True|False|true|false)(?![\\w.])"; // a number or a bool
const DROPOUT_OPS = new Set(["aten.bernoulli_", "aten.native_dropout", "aten.dropout"]);
const QKV_BIAS = /(?:c_attn|qkv|W_query|W_key|W_value|q_proj|k_proj|v_proj|query|key|value)\.bias$/;

/** The config entries the program sets: {entry: {name, value}} with `name` as the program writes it ({} unless it
 * sets at least three). */
export function readConfig(program) {
  const entries = {};
  for (const [entry, names] of Object.entries(KEYS)) {
    for (const name of names) {
      const match = program.match(new RegExp(`(?<![\\w.])["']?${name}["']?\\s*(?::\\s*\\w+\\s*=|[:=])\\s*${LITERAL}`));
      if (match && !(entry in entries)) entries[entry] = { name, value: match[1] };
    }
  }
  return Object.keys(entries).length >= 3 ? entries : {};
}

/** [{key, value, text, targets}] for each config entry (`key` as the program writes it): a sentence saying where it
 * shows, and the node or group ids that show it (empty when the graph has none). */
export function configLinks(entries, index) {
  return Object.entries(entries).map(([entry, { name, value }]) => ({
    key: name, value, ...WHERE[entry](Number(value), value, index) }));
}

const nodes = (index) => [...index.nodes.values()];
const groups = (index) => [...index.groups.values()];
const dims = (node) => `[${node.shape.join("×")}]`;
const nameOf = (item) => (item.kind === "call" ? item.module : item.label); // a call by the module path it ran
const names = (items, most = 2) => items.slice(0, most).map(nameOf).join(", ") +
  (items.length > most ? ` ${t("config.and_more", { count: String(items.length - most) })}` : "");

const WHERE = {
  vocab_size(size, _, index) {
    const tables = nodes(index).filter((n) => n.kind === "param" && n.shape.length === 2 && n.shape[0] === size);
    if (!tables.length) return { text: t("config.vocab.none"), targets: [] };
    return { text: t("config.vocab", { names: names(tables), size: String(size) }), targets: ids(tables) };
  },
  context_length(size, _, index) {
    const positions = embeddingTables(index).filter((n) => n.shape[0] === size);
    const masks = nodes(index).filter((n) => n.shape.length === 2 && n.shape[0] === size && n.shape[1] === size &&
      n.dtype === "bool");
    const copies = t(masks.length === 1 ? "config.copies.one" : "config.copies.many", { count: String(masks.length) });
    const parts = [positions.length ? t("config.context", { names: names(positions), size: String(size) }) : "",
      masks.length ? t("config.mask", { size: String(size), copies }) : ""];
    return { text: parts.filter(Boolean).join("; ") || t("config.context.none"),
      targets: ids([...positions, ...masks]) };
  },
  emb_dim(size, _, index) {
    const looked = new Set(embeddingTables(index).map((table) => table.id));
    const vectors = nodes(index).filter((n) => n.shape.at(-1) === size && n.kind !== "param" &&
      (index.inEdges.get(n.id) ?? []).some((edge) => looked.has(edge.source)));
    if (!vectors.length) return { text: t("config.width", { size: String(size) }), targets: [] };
    return { text: t("config.width.example", { size: String(size), x: vectors[0].label, shape: dims(vectors[0]) }),
      targets: ids(vectors.slice(0, 1)) };
  },
  n_heads(count, _, index) {
    const softmaxes = nodes(index).filter((n) => n.op === "SoftmaxBackward0" && n.shape.length === 4 &&
      n.shape[1] === count);
    if (!softmaxes.length) return { text: t("config.heads.none"), targets: [] };
    return { text: t("config.heads", { x: softmaxes[0].label, shape: dims(softmaxes[0]), count: String(count) }),
      targets: ids(softmaxes) };
  },
  n_layers(count, _, index) {
    const stack = groups(index).find((g) => g.repeat > 1 && g.repeat === count);
    if (stack) return { text: t("config.stack", { x: stack.label, count: String(count) }), targets: [stack.id] };
    const blocks = groups(index).filter((g) => g.kind === "module" && /(^|\.)\d+$/.test(g.id) && !g.id.includes("#"));
    const sameClass = blocks.filter((g) => g.module === blocks[0]?.module);
    if (sameClass.length !== count) return { text: t("config.blocks.none"), targets: [] };
    const blocksText = t(count === 1 ? "config.blocks.one" : "config.blocks.many", { count: String(count) });
    return { text: `${blocksText}: ${names(sameClass)}`, targets: ids(sameClass) };
  },
  drop_rate(rate, _, index) {
    const masking = new Set(nodes(index).filter((n) => DROPOUT_OPS.has(n.fn)).map((n) => n.group));
    const drops = groups(index).filter((g) => g.kind === "call" && (masking.has(g.id) || /dropout/i.test(g.module)));
    if (!drops.length) {
      return { text: t(rate > 0 ? "config.dropout.none" : "config.dropout.zero"), targets: [] };
    }
    return { text: t("config.dropout", { count: String(drops.length), names: names(drops), rate: String(rate) }),
      targets: ids(drops) };
  },
  qkv_bias(_, value, index) {
    const biases = nodes(index).filter((n) => n.kind === "param" && QKV_BIAS.test(n.label));
    const on = value === "True" || value === "true";
    if (on) return { text: t("config.bias", { names: names(biases) }), targets: ids(biases) };
    return { text: biases.length ? t("config.bias.unexpected", { names: names(biases) }) : t("config.bias.none"),
      targets: ids(biases) };
  },
};

// Weights looked up by index (an nn.Embedding's table): the parameters an Embedding op reads.
function embeddingTables(index) {
  return nodes(index).filter((n) => n.kind === "param" && n.shape.length === 2 &&
    (index.outEdges.get(n.id) ?? []).some((edge) => index.nodes.get(edge.target)?.op === "EmbeddingBackward0"));
}

function ids(items) {
  return items.map((item) => item.id);
}
