// Pure: where a GPT program's config shows in its graph. The config is read from the program's text (a dict
// `"n_heads": 12,` or a dataclass `n_heads: int = 12`); each entry is matched to the nodes and groups it shaped, by
// their shapes and names in the graph, never by the example's own wording.

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
  (items.length > most ? ` and ${items.length - most} more` : "");

const WHERE = {
  vocab_size(size, _, index) {
    const tables = nodes(index).filter((n) => n.kind === "param" && n.shape.length === 2 && n.shape[0] === size);
    if (!tables.length) return { text: "no weight in the graph has that many rows", targets: [] };
    return { text: `${names(tables)}: ${size} rows, one per token of the vocabulary`, targets: ids(tables) };
  },
  context_length(size, _, index) {
    const positions = embeddingTables(index).filter((n) => n.shape[0] === size);
    const masks = nodes(index).filter((n) => n.shape.length === 2 && n.shape[0] === size && n.shape[1] === size &&
      n.dtype === "bool");
    const parts = [positions.length ? `${names(positions)}: ${size} rows, one per position` : "",
      masks.length ? `the causal mask is ${size} × ${size} (${plural(masks.length, "copy", "copies")})` : ""];
    return { text: parts.filter(Boolean).join("; ") || "nothing in the graph has that size",
      targets: ids([...positions, ...masks]) };
  },
  emb_dim(size, _, index) {
    const looked = new Set(embeddingTables(index).map((table) => table.id));
    const vectors = nodes(index).filter((n) => n.shape.at(-1) === size && n.kind !== "param" &&
      (index.inEdges.get(n.id) ?? []).some((edge) => looked.has(edge.source)));
    if (!vectors.length) return { text: `each token's vector is ${size} wide`, targets: [] };
    return { text: `each token's vector is ${size} wide: ${vectors[0].label} is ${dims(vectors[0])}`,
      targets: ids(vectors.slice(0, 1)) };
  },
  n_heads(count, _, index) {
    const softmaxes = nodes(index).filter((n) => n.op === "SoftmaxBackward0" && n.shape.length === 4 &&
      n.shape[1] === count);
    if (!softmaxes.length) return { text: "no attention softmax over that many heads in the graph", targets: [] };
    return { text: `${softmaxes[0].label} is ${dims(softmaxes[0])}: select it to see ${count} heatmaps, one per head`,
      targets: ids(softmaxes) };
  },
  n_layers(count, _, index) {
    const stack = groups(index).find((g) => g.repeat > 1 && g.repeat === count);
    if (stack) return { text: `the stack ${stack.label}: ${count} blocks of the same shape`, targets: [stack.id] };
    const blocks = groups(index).filter((g) => g.kind === "module" && /(^|\.)\d+$/.test(g.id) && !g.id.includes("#"));
    const sameClass = blocks.filter((g) => g.module === blocks[0]?.module);
    if (sameClass.length !== count) return { text: "no stack of that many blocks in the graph", targets: [] };
    return { text: `${plural(count, "block", "blocks")}: ${names(sameClass)}`, targets: ids(sameClass) };
  },
  drop_rate(rate, _, index) {
    const masking = new Set(nodes(index).filter((n) => DROPOUT_OPS.has(n.fn)).map((n) => n.group));
    const drops = groups(index).filter((g) => g.kind === "call" && (masking.has(g.id) || /dropout/i.test(g.module)));
    if (!drops.length) {
      return { text: rate > 0 ? "no dropout call in the graph" : "p = 0: dropout hands its input back unchanged, so " +
        "the graph has no dropout call", targets: [] };
    }
    return { text: `${drops.length} dropout calls (${names(drops)}): each zeroes a random fraction ${rate} of its ` +
      `values while training and scales the rest by 1/(1 − ${rate})`, targets: ids(drops) };
  },
  qkv_bias(_, value, index) {
    const biases = nodes(index).filter((n) => n.kind === "param" && QKV_BIAS.test(n.label));
    const on = value === "True" || value === "true";
    if (on) return { text: `bias nodes in the query/key/value projection: ${names(biases)}`, targets: ids(biases) };
    return { text: biases.length ? `${names(biases)} present although the config says False`
      : "no bias node in the query/key/value projection (its weight only)", targets: ids(biases) };
  },
};

// Weights looked up by index (an nn.Embedding's table): the parameters an Embedding op reads.
function embeddingTables(index) {
  return nodes(index).filter((n) => n.kind === "param" && n.shape.length === 2 &&
    (index.outEdges.get(n.id) ?? []).some((edge) => index.nodes.get(edge.target)?.op === "EmbeddingBackward0"));
}

function plural(count, one, many) {
  return `${count} ${count === 1 ? one : many}`;
}

function ids(items) {
  return items.map((item) => item.id);
}
