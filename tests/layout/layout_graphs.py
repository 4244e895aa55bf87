"""Synthetic graphs for the layout tests and bench: small shapes, a GPT-2-like stack of blocks, random DAGs.

The GPT-2-like graph mimics what capture produces for nanoGPT at aten level: per block about 50 ops and
13 leaves (LayerNorm, a fused qkv Linear, split heads, masked softmax attention, an MLP with GELU, two
residual adds), grouped `blocks.N`, `blocks.N.attn`, `blocks.N.attn.c_attn`, `blocks.N.mlp`, ...
"""

from __future__ import annotations

import random

from app.models import Edge, GraphResponse, Group, Node

D = 768  # model width
T = 64  # sequence length


class Builder:
    """Appends nodes (ids n0, n1, ... in creation order), edges and groups."""

    def __init__(self) -> None:
        self.nodes: list[Node] = []
        self.edges: list[Edge] = []
        self.groups: list[Group] = []

    def group(self, gid: str, module: str, parent: str | None) -> str:
        self.groups.append(Group(id=gid, label=f"{gid} ({module})", module=module, parent=parent))
        return gid

    def leaf(self, label: str, shape: list[int], group: str | None, kind: str = "param") -> str:
        node = Node(id=f"n{len(self.nodes)}", kind=kind, label=label, shape=shape, group=group)  # type: ignore[arg-type]
        self.nodes.append(node)
        return node.id

    def op(self, op: str, inputs: list[str], shape: list[int], group: str | None, label: str = "") -> str:
        nid = f"n{len(self.nodes)}"
        self.nodes.append(Node(id=nid, kind="op", label=label or op, op=op, shape=shape, group=group))
        for index, source in enumerate(inputs):
            self.edges.append(Edge(id=f"e{len(self.edges)}", source=source, target=nid, input_index=index))
        return nid

    def graph(self) -> GraphResponse:
        members = {g.id: 0 for g in self.groups}
        parents = {g.id: g.parent for g in self.groups}
        for node in self.nodes:
            gid = node.group
            while gid is not None:
                members[gid] += 1
                gid = parents[gid]
        groups = [g.model_copy(update={"members": members[g.id]}) for g in self.groups]
        return GraphResponse(nodes=self.nodes, edges=self.edges, groups=groups)


def linear(b: Builder, x: str, gid: str, parent: str, fan_out: int) -> str:
    """nn.Linear at aten level: view, t, addmm, view (4 ops, 2 params)."""
    g = b.group(gid, "Linear", parent)
    weight = b.leaf(f"{gid}.weight", [fan_out, D], g)
    bias = b.leaf(f"{gid}.bias", [fan_out], g)
    flat = b.op("ViewBackward0", [x], [T, D], g)
    wt = b.op("TBackward0", [weight], [D, fan_out], g)
    mm = b.op("AddmmBackward0", [bias, flat, wt], [T, fan_out], g)
    return b.op("ViewBackward0", [mm], [1, T, fan_out], g)


def layer_norm(b: Builder, x: str, gid: str, parent: str | None) -> str:
    g = b.group(gid, "LayerNorm", parent)
    weight = b.leaf(f"{gid}.weight", [D], g)
    bias = b.leaf(f"{gid}.bias", [D], g)
    return b.op("NativeLayerNormBackward0", [x, weight, bias], [1, T, D], g)


def matmul(b: Builder, left: str, right: str, g: str) -> str:
    """Batched matmul as aten runs it: expand, view, bmm, view (6 ops)."""
    left3 = b.op("ViewBackward0", [b.op("ExpandBackward0", [left], [1, 12, T, 64], g)], [12, T, 64], g)
    right3 = b.op("ViewBackward0", [b.op("ExpandBackward0", [right], [1, 12, 64, T], g)], [12, 64, T], g)
    return b.op("ViewBackward0", [b.op("BmmBackward0", [left3, right3], [12, T, T], g)], [1, 12, T, T], g)


def attention(b: Builder, x: str, block: str) -> str:
    g = b.group(f"{block}.attn", "CausalSelfAttention", block)
    qkv = linear(b, x, f"{g}.c_attn", g, 3 * D)
    heads = []
    for index in range(3):
        part = b.op("SplitBackward0", [qkv], [1, T, D], g)
        b.nodes[-1] = b.nodes[-1].model_copy(update={"output_nr": index})
        heads.append(
            b.op("TransposeBackward0", [b.op("ViewBackward0", [part], [1, T, 12, 64], g)], [1, 12, T, 64], g)
        )
    q, k, v = heads
    scores = matmul(b, q, b.op("TransposeBackward0", [k], [1, 12, 64, T], g), g)
    scaled = b.op("MulBackward0", [scores], [1, 12, T, T], g)
    mask = b.leaf(f"{g}.bias", [1, 1, T, T], g, kind="const")
    masked = b.op("MaskedFillBackward0", [scaled, mask], [1, 12, T, T], g)
    att = b.op("MulBackward0", [b.op("SoftmaxBackward0", [masked], [1, 12, T, T], g)], [1, 12, T, T], g)
    y = matmul(b, att, v, g)
    y = b.op(
        "ViewBackward0",
        [b.op("CloneBackward0", [b.op("TransposeBackward0", [y], [1, T, 12, 64], g)], [1, T, 12, 64], g)],
        [1, T, D],
        g,
    )
    return linear(b, y, f"{g}.c_proj", g, D)


def mlp(b: Builder, x: str, block: str) -> str:
    g = b.group(f"{block}.mlp", "MLP", block)
    hidden = b.op("GeluBackward0", [linear(b, x, f"{g}.c_fc", g, 4 * D)], [1, T, 4 * D], g)
    return linear(b, hidden, f"{g}.c_proj", g, D)


def block(b: Builder, x: str, gid: str, parent: str | None) -> str:
    g = b.group(gid, "Block", parent)
    x = b.op("AddBackward0", [x, attention(b, layer_norm(b, x, f"{g}.ln_1", g), g)], [1, T, D], g)
    return b.op("AddBackward0", [x, mlp(b, layer_norm(b, x, f"{g}.ln_2", g), g)], [1, T, D], g)


def gpt2_like(n_blocks: int = 12, prefix: str = "blocks") -> GraphResponse:
    """A GPT-2-shaped graph: embeddings, `n_blocks` blocks, final LayerNorm, tied head, cross-entropy loss."""
    b = Builder()
    idx = b.leaf("idx", [1, T], None, kind="input")
    wte = b.leaf("wte.weight", [50257, D], b.group("wte", "Embedding", None))
    wpe = b.leaf("wpe.weight", [1024, D], b.group("wpe", "Embedding", None))
    pos = b.leaf("pos", [T], None, kind="const")
    x = b.op(
        "AddBackward0",
        [
            b.op("EmbeddingBackward0", [wte, idx], [1, T, D], "wte"),
            b.op("EmbeddingBackward0", [wpe, pos], [T, D], "wpe"),
        ],
        [1, T, D],
        None,
    )
    for index in range(n_blocks):
        x = block(b, x, f"{prefix}.{index}", None)
    x = layer_norm(b, x, "ln_f", None)
    logits = b.op(
        "MmBackward0",
        [b.op("ViewBackward0", [x], [T, D], None), b.op("TBackward0", [wte], [D, 50257], None)],
        [T, 50257],
        None,
    )
    targets = b.leaf("targets", [T], None, kind="input")
    b.op(
        "NllLossBackward0",
        [b.op("LogSoftmaxBackward0", [logits], [T, 50257], None), targets],
        [],
        None,
        "loss",
    )
    return b.graph()


def chain(length: int = 4) -> GraphResponse:
    """x -> op1 -> op2 -> ... : one node per layer."""
    b = Builder()
    current = b.leaf("x", [3], None, kind="input")
    for index in range(1, length):
        current = b.op("ExpBackward0", [current], [3], None, f"h{index}")
    return b.graph()


def random_dag(size: int, seed: int = 0, window: int = 64, long_edges: float = 0.05) -> GraphResponse:
    """`size` nodes in no groups, each op taking one or two earlier nodes: mostly from the last `window`
    (programs compute from recent values), a `long_edges` share from anywhere before (a skip connection),
    every tenth node a leaf. Seeded: the same graph each time."""
    pick = random.Random(seed)
    b = Builder()
    b.leaf("x0", [8], None, kind="input")
    while len(b.nodes) < size:
        count = len(b.nodes)
        if count % 10 == 0:
            b.leaf(f"w{count}", [8], None)
            continue
        inputs = set()
        for _ in range(pick.choice((1, 2))):
            low = 0 if pick.random() < long_edges else max(0, count - window)
            inputs.add(f"n{pick.randrange(low, count)}")
        b.op("AddBackward0" if len(inputs) == 2 else "TanhBackward0", sorted(inputs), [8], None)
    return b.graph()
