"""The JSON contract (graph v2): request and response models; /openapi.json is its published form.

Vocabulary is autograd's own and the same in Python, JSON and JS: `data`, `grad`, `op`, `shape`, `dtype`.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, TypeAlias

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    JsonValue,
    SerializeAsAny,
    ValidationError,
    model_validator,
)
from typing_extensions import TypeAliasType

from app.forms.models import REQUEST_EXAMPLES, NetworkSpec, Target, Variables
from app.forms.values import field_error
from app.limits import LimitsOverride

__all__ = [
    "BackwardEvent",
    "Card",
    "Delta",
    "DiffRequest",
    "DiffResponse",
    "DiffSide",
    "Edge",
    "ErrorBody",
    "ErrorInfo",
    "GraphOptions",
    "GradCheck",
    "GraphRequest",
    "GraphResponse",
    "Group",
    "Health",
    "HealthFlag",
    "Heatmap",
    "LayoutRequest",
    "LayoutResponse",
    "Node",
    "NodeKind",
    "NodeMatch",
    "OptimizerEvent",
    "ParamUpdate",
    "PassWindow",
    "Point",
    "SavedTensor",
    "Span",
    "Stats",
    "TensorData",
    "TimelineEntry",
    "TracebackFrame",
    "TrainOptions",
    "TrainStep",
    "Training",
    "VALUES_PAGE_MAX",
    "ValuesQuery",
    "ValuesRequest",
    "ValuesResponse",
]

GRAPH_VERSION = 2

# A JSON-safe scalar: finite floats and safe ints as numbers; NaN/±Inf as "NaN"/"Infinity"/"-Infinity";
# integers beyond ±2**53 as decimal strings; bools as bools.
Scalar: TypeAlias = bool | int | float | str
Nested = TypeAliasType("Nested", "Scalar | list[Nested]")  # named, so pydantic can recurse
NodeKind: TypeAlias = Literal["input", "param", "const", "op", "output", "saved"]
# Tensor numbers serialize by each value's own type (the schema keeps the union): checking every number
# of a GPT-2 response against Scalar's four types took 40 of the 70 ms its JSON took
Numbers: TypeAlias = SerializeAsAny[list[Scalar]]
Statistic: TypeAlias = SerializeAsAny[Scalar | None]  # likewise: GPT-2's 8,000 took 4 of its JSON's 32 ms


class Model(BaseModel):
    """Base of every model: unknown keys are errors; non-finite floats encode as strings, never a 500."""

    model_config = ConfigDict(extra="forbid", ser_json_inf_nan="strings")


# ---------------------------------------------------------------- tensors


class Stats(Model):
    """Summary of a tensor, computed on its own device; None where undefined (empty, bool)."""

    min: Statistic = None
    max: Statistic = None
    mean: Statistic = None
    std: Statistic = None
    norm: Statistic = None
    nan: int = 0  # count of NaN elements
    inf: int = 0  # count of ±Inf elements


class Heatmap(Model):
    """A >=2-D tensor downsampled to at most rows x cols cells (mean of each block, last two dims)."""

    rows: int
    cols: int
    values: SerializeAsAny[list[list[Scalar]]]


class TensorData(Model):
    """A tensor's numbers: all of them when small (`values`), else stats + a bounded `preview` + heatmap."""

    shape: list[int]
    dtype: str
    numel: int
    stats: Stats | None = None
    values: SerializeAsAny[Nested] | None = None  # nested like `shape`; a plain scalar for 0-d tensors
    preview: Numbers | None = None  # first elements in row-major order when truncated
    heatmap: Heatmap | None = None
    # an attention matrix [B, heads, T, T] (a softmax's value and gradient): one grid per head, queries x
    # keys, of the first sequence in the batch (heads <= 16, T <= 64; pooled like `heatmap` above T = 16)
    heads: list[Heatmap] | None = None
    truncated: bool = False


# ---------------------------------------------------------------- graph


class Span(Model):
    """Where in the program a node was made (1-based lines, 0-based columns, like Python's ast)."""

    line: int
    col: int
    end_line: int
    end_col: int


class Point(Model):
    x: float
    y: float


class SavedTensor(Model):
    """A tensor an autograd node saved for backward (`_saved_self`, `_saved_result`, ...)."""

    name: str  # without the `_saved_` prefix: "self", "other", "result"
    node: str | None = None  # the graph node whose value it is, when it is one
    data: TensorData | None = None


class Node(Model):
    """One value in the graph: a leaf (input/param/const) or one output of one aten op (kind op/output).

    A node is either a call of the program itself (its `group` is a module or None) or one of the internals
    of a call (its `group` is that call's group, `c<k>`, shown when the call is expanded)."""

    id: str  # "n0", "n1", ... in forward execution order; deterministic (gaps where a window dropped nodes)
    kind: NodeKind
    label: str  # the program's words: variable name, module path ("fc1.weight"), source text ("x * w")
    op: str | None = None  # autograd node name, e.g. "SigmoidBackward0"; None when no grad_fn
    fn: str | None = None  # the function as written ("torch.sigmoid", "*", "F.linear"); internals: "aten.mm"
    output_nr: int = 0  # which output of a multi-output op this value is
    shape: list[int] = []
    dtype: str = ""
    device: str = "cpu"
    requires_grad: bool = False
    group: str | None = None  # module path of the innermost module that ran it ("blocks.3.attn")
    span: Span | None = None
    data: TensorData | None = None
    grad: TensorData | None = None  # gradient of the (last) backward root w.r.t. this value
    saved: list[SavedTensor] = []
    uninitialised: bool = False  # made by an empty* op: its memory held no value yet (data is None)
    x: float = 0.0
    y: float = 0.0
    w: float = 0.0
    h: float = 0.0


class Edge(Model):
    """Data flows source -> target; backward gradients flow target -> source."""

    id: str  # "e0", "e1", ...
    source: str
    target: str
    input_index: int  # position of `source` among the target op's inputs
    points: list[Point] = []  # route, filled by the layout
    grad: TensorData | None = None  # contribution carried backward along this edge (last pass)


class Group(Model):
    """A module of the nn.Module tree (kind `module`), or one call of the program with internals (kind
    `call`: `F.cross_entropy`, `nn.LayerNorm`, collapsed by default and drawn as one box); collapsible. A
    call's chain-rule card is on the backward event where its output's gradient arrives (`call_cards`, and
    `call` = this id), one per backward pass."""

    id: str  # module path ("blocks.3.attn"), or "c<k>" for a call; "" is never used
    kind: Literal["module", "call"] = "module"
    label: str  # "blocks.3 (Block)"; for a call the program's words ("loss", "F.cross_entropy(…)", "ln_1")
    module: str  # class name ("Block"); for a call the function as written ("F.cross_entropy")
    parent: str | None = None
    members: int = 0  # nodes directly or indirectly inside
    params: int = 0  # parameter elements owned by the module (recursively)
    collapsed: bool = False
    repeat: int = 1  # > 1 for a folded stack of identical sibling blocks ("× 12")
    span: Span | None = None  # a call's place in the program
    outputs: list[str] = []  # a call's result nodes (what the collapsed box shows)
    x: float = 0.0
    y: float = 0.0
    w: float = 0.0
    h: float = 0.0


# ---------------------------------------------------------------- teaching text


class Card(Model):
    """One sentence of teaching text as a message key and what it shows: names as strings, numbers as they
    are (the page formats every number one way), small tensors as nested lists. The page renders it in the
    interface's language from its catalogue (static/i18n/<language>.json); the server renders the English
    text fields (`formula`, `message`, ...) from the same English catalogue (app/teach/render.py).

    A template names its args in braces: `{x}` is replaced by the arg formatted (a number by the page's
    number format, a list as `[a, b]`, a card by its own rendering); `{terms+}` joins a list with " + ".
    An arg may itself be a card: a part of the sentence (`step.worked` wraps a formula and its numbers), or
    a tensor too big to write out (`tensor.stats`: its shape and statistics, and its NaN/±Inf counts)."""

    key: str  # e.g. "chain.times", "grad.accumulate", "health.nan.forward"
    args: Annotated[
        dict[str, Any],
        Field(
            description="each a name (string), a number (NaN/±Inf as the strings 'NaN', 'Infinity', "
            "'-Infinity'), a list of numbers nested like a tensor, or a card {key, args}"
        ),
    ] = {}  # Any: serialized by each value's own type (a typed union cost GPT-2 124M 70 ms per response)


# ---------------------------------------------------------------- timeline


class BackwardEvent(Model):
    """One autograd node executed by the engine, in the engine's real order."""

    step: int  # 0, 1, ... across the whole run
    pass_index: int  # which .backward() call (0-based)
    node: str  # the graph node whose grad_fn ran (the first output of a multi-output op)
    op: str  # autograd node name, e.g. "MulBackward0" or "AccumulateGrad"
    grad_outputs: list[TensorData | None] = []  # gradients arriving, one per output of the op
    grad_inputs: list[TensorData | None] = []  # gradients sent, one per entry of `edges`
    edges: list[str | None] = []  # edge id each grad_input travels along (None: to a non-grad input)
    accumulates: str | None = None  # for AccumulateGrad: the leaf whose .grad it added to
    local: Annotated[
        list[TensorData | None],
        Field(
            description="local derivative d(output)/d(input) per entry of `edges`, exact for elementwise ops "
            "(in the output's shape; for a reduction or a loss: in the input's shape), so that grad_input = "
            "grad_output x local (summed over broadcast dims); None where it is a Jacobian (matmul, "
            "softmax, ...): see `local_formulas`"
        ),
    ] = []
    local_formulas: Annotated[
        list[str | None],
        Field(
            description="per entry of `edges`: the local derivative as a formula with the numbers plugged in "
            "for small tensors, e.g. 'da/dz = σ(z)(1−σ(z)) = 0.0750'"
        ),
    ] = []
    formula: Annotated[
        str | None,
        Field(
            description="the chain rule of this step in one line, e.g. 'dL/dz = dL/da × da/dz = −1.0889 × "
            "0.0750 = −0.0817'; for AccumulateGrad the .grad update, showing accumulation across passes"
        ),
    ] = None
    sum_of: Annotated[
        list[str],
        Field(
            description="fan-out: ids of the edges whose contributions were added up into grad_outputs[0] "
            "(a value used more than once), when there are two or more"
        ),
    ] = []
    cards: Annotated[
        list[Card],
        Field(
            description="the lines of this step's chain-rule card, in order: each fan-out sum (the "
            "contributions that arrived add up to the gradient torch computed), then per input edge its "
            "local derivative and upstream x local = contribution, then the .grad update; `formula` is "
            "their English, joined with '; '. No line repeats: an input used twice here is one line"
        ),
    ] = []
    local_cards: Annotated[
        list[Card | None],
        Field(
            description="per entry of `edges`: the local derivative d(output)/d(input) with its numbers "
            "(`local_formulas` is their English); None for a Jacobian (its chain line says it all)"
        ),
    ] = []
    call_cards: Annotated[
        list[Card],
        Field(
            description="set on the event where the gradient reaches a call group's output (a Group of "
            "kind 'call': its first event of the pass): the chain rule of the call as a whole, from "
            "dL/d(output) to each input of the call (nn.Linear: dL/dx = dL/dy·W, dL/dW = dL/dyᵀ·x, "
            "dL/db = Σ dL/dy; layer norm; cross-entropy: softmax − one-hot; matmul), with its numbers"
        ),
    ] = []
    call: str | None = None  # the call group (`c<k>`) whose output this event starts, with call_cards


class ParamUpdate(Model):
    node: str  # the parameter's graph node
    before: TensorData
    grad: TensorData | None = None
    after: TensorData
    formula: str | None = None  # the update with its numbers: "w ← w − lr · grad = 2.2000 − 0.1 × …"
    card: Card | None = None  # the same sentence as a message key and numbers (`formula` is its English)


class OptimizerEvent(Model):
    """One optimizer.step(): each parameter before and after."""

    step: int
    optimizer: str  # "SGD", "Adam"
    lr: float | None = None
    params: list[ParamUpdate] = []


class TimelineEntry(Model):
    """The whole run in execution order: indexes into forward, backward or optimizer."""

    phase: Literal["forward", "backward", "step", "zero_grad"]
    index: int  # into `forward` (phase forward), `backward` (backward) or `optimizer` (step)
    pass_index: int = 0


# ---------------------------------------------------------------- request / response


class TrainOptions(Model):
    """Train the program's parameters for `steps` steps (re-running it up to its first .backward())."""

    steps: int = Field(50, ge=1, le=200, description="optimizer steps")
    optimizer: Literal["SGD", "Adam"] = "SGD"
    lr: float = Field(0.1, gt=0, le=10, description="learning rate")


class GraphOptions(Model):
    device: Literal["cpu", "cuda", "auto"] = "auto"
    dtype: Literal["float32", "float64"] = "float32"
    seed: int = Field(0, ge=0, le=2**32 - 1)
    layout: bool = True
    gradcheck: bool = False
    limits: LimitsOverride | None = None
    train: TrainOptions | None = None  # a "train N steps" run: loss curve and per-step snapshots


class GraphRequest(Model):
    """Exactly one form: a whole `program`, an `expression` (with `variables`, `target`) or a `network`."""

    model_config = ConfigDict(json_schema_extra={"examples": REQUEST_EXAMPLES})

    program: str | None = Field(None, description="a PyTorch program: real Python, run in a sandbox")
    expression: str | None = Field(None, description="one formula, e.g. `torch.sigmoid(w * x + b)`")
    variables: Variables | None = Field(None, description="values of the expression's names")
    target: Target | None = Field(None, description="backward runs from loss(expression, target)")
    network: NetworkSpec | None = Field(None, description="nn.Sequential layers, input, loss, optimizer")
    options: GraphOptions = Field(default_factory=GraphOptions)

    @model_validator(mode="after")
    def check_one_form(self) -> GraphRequest:
        forms = [name for name in ("program", "expression", "network") if getattr(self, name) is not None]
        if len(forms) != 1:
            raise ValueError(f"give exactly one of program, expression, network (got {len(forms)})")
        if self.expression is None and (self.variables is not None or self.target is not None):
            raise ValueError("variables and target go with an expression")
        return self


class PassWindow(Model):
    """A run with more backward passes than the graph keeps: which are drawn, and every pass's loss."""

    total: int  # backward passes the program ran
    kept: list[int]  # 0-based passes whose nodes and events are in the graph
    loss: list[Scalar | None] = []  # the root's value at every pass (None where it was not one number)


class GraphResponse(Model):
    version: int = GRAPH_VERSION
    nodes: list[Node] = []
    edges: list[Edge] = []
    groups: list[Group] = []
    forward: list[str] = []  # node ids in execution order
    backward: list[BackwardEvent] = []
    optimizer: list[OptimizerEvent] = []
    timeline: list[TimelineEntry] = []
    outputs: dict[str, Scalar] = {}  # named scalars, e.g. {"loss": 0.0852}
    stdout: str = ""
    figures: list[str] = []  # what the program drew with matplotlib: PNG images as data: URLs, in order
    device: str = "cpu"
    dtype: str = "float32"
    torch: str = ""
    timings: dict[str, float] = {}  # milliseconds: parse, run, capture, encode, layout, total
    limits: dict[str, float] = {}
    truncated: dict[str, bool] = {}  # e.g. {"nodes": false, "stdout": false}
    width: float = 0.0  # size of the laid-out drawing
    height: float = 0.0
    program: str | None = None  # the generated program, for the expression and network forms
    notes: list[str] = []  # what the generation and the run decided, e.g. free names made into leaves
    note_cards: list[Card] = []  # the teaching notes (re-runs skipped or stopped); their English is in notes
    gradcheck: list[GradCheck] = []  # with options.gradcheck: autograd next to finite differences
    training: Training | None = None  # with options.train: the loss curve and per-step snapshots
    health: Health | None = None  # gradient health: flags and magnitudes
    passes: PassWindow | None = None  # set when the recording window left passes out
    nondeterministic: bool = False  # the run used time, os.urandom or unseeded randomness: do not cache


class GradCheck(Model):
    """One leaf element: autograd's gradient next to central finite differences in float64."""

    node: str  # the leaf's graph node
    label: str
    index: list[int]  # the element's position in the leaf (empty for a 0-d leaf)
    autograd: Scalar
    numeric: Scalar  # (f(x + eps) - f(x - eps)) / (2 eps)
    abs_err: Scalar
    rel_err: Scalar  # abs_err / max(|autograd|, |numeric|, tiny)
    ok: bool
    note: str | None = None  # why they differ, in plain words, where they do
    note_card: Card | None = None  # `note` as a message key and names


class TrainStep(Model):
    """One training step: the loss and, for small graphs, each node's value and gradient before the update."""

    step: int  # 0-based
    loss: Scalar
    data: dict[str, TensorData] = {}  # node id -> value at this step
    grad: dict[str, TensorData] = {}  # node id -> gradient at this step


class Training(Model):
    """A 'train N steps' run: real torch.optim on the program's parameters, one re-run per step."""

    optimizer: Literal["SGD", "Adam"]
    lr: float
    loss: list[Scalar] = []  # the loss curve, one point per step (before that step's update)
    steps: list[TrainStep] = []  # per step, for the step slider
    params: dict[str, TensorData] = {}  # parameter node id -> value after the last step
    note: str | None = None  # e.g. why no per-step snapshots were kept
    note_card: Card | None = None  # `note` as a message key and numbers


class HealthFlag(Model):
    """A gradient-health finding, at the first op that showed it."""

    kind: Literal["nan", "inf", "vanishing", "exploding", "dead_relu", "saturated"]
    phase: Literal["forward", "backward"]  # found in a forward value or in a gradient
    node: str
    message: str  # one plain sentence: the English of `card`
    card: Card | None = None


class Health(Model):
    """Gradient health: flags, and log10 of max |gradient| per node and per edge for colouring."""

    flags: list[HealthFlag] = []
    node_log10: dict[str, Scalar] = {}  # node id -> log10 max|grad| ("-Infinity" for an all-zero gradient)
    edge_log10: dict[str, Scalar] = {}  # edge id -> log10 max|contribution|


class TracebackFrame(Model):
    """One frame of the program's own code in a runtime error (innermost last; gradtrace's never shown)."""

    function: str  # "<module>", "Block.forward"
    line: int
    col: int | None = None
    end_line: int | None = None
    end_col: int | None = None


class ErrorInfo(Model):
    kind: str
    # POST /diff: which of the two programs failed (absent for every other request)
    side: Literal["before", "after"] | None = None
    message: str
    line: int | None = None
    col: int | None = None
    end_line: int | None = None
    end_col: int | None = None
    frames: list[TracebackFrame] = []


class ErrorBody(Model):
    error: ErrorInfo
    errors: list[ErrorInfo] = []  # every problem found, `error` first (e.g. each syntax error)
    graph: GraphResponse | None = None  # what ran before the error, when anything did


# POST /layout's caps: twice the default graph (5,000 nodes), GPT-2 124M nests 4 deep. Beyond them: 422.
LAYOUT_MAX_NODES = 10_000
LAYOUT_MAX_EDGES = 40_000
LAYOUT_MAX_GROUPS = 10_000
LAYOUT_MAX_DEPTH = 64  # nesting of groups


class LayoutRequest(Model):
    """A graph to lay out again, e.g. after collapsing groups; nothing is re-run."""

    nodes: list[Node] = Field(max_length=LAYOUT_MAX_NODES)
    edges: list[Edge] = Field(max_length=LAYOUT_MAX_EDGES)
    groups: list[Group] = Field([], max_length=LAYOUT_MAX_GROUPS)
    collapsed: list[str] = Field([], max_length=LAYOUT_MAX_GROUPS)  # group ids drawn as one box

    @model_validator(mode="after")
    def check_nesting(self) -> LayoutRequest:
        """Parent links form a forest at most LAYOUT_MAX_DEPTH deep; each link is followed once."""
        parent = {group.id: group.parent for group in self.groups}
        depth: dict[str, int] = {}  # 0 for a root
        for start in parent:
            path: dict[str, None] = {}  # ordered and hashed
            current: str | None = start
            while current in parent and current not in depth:
                if current in path:
                    raise _nesting_error(f"the parent links of group {current[:40]!r} form a loop")
                if len(path) == LAYOUT_MAX_DEPTH:
                    raise _nesting_error(f"nested more than {LAYOUT_MAX_DEPTH} levels deep (the cap)")
                path[current] = None
                current = parent[current]
            below = depth.get(current, -1) if current is not None else -1
            for gid in reversed(path):
                below += 1
                if below >= LAYOUT_MAX_DEPTH:
                    raise _nesting_error(f"nested more than {LAYOUT_MAX_DEPTH} levels deep (the cap)")
                depth[gid] = below
        return self


def _nesting_error(message: str) -> ValidationError:
    return field_error("LayoutRequest", ("groups",), message, None)


class LayoutResponse(Model):
    nodes: list[Node]
    edges: list[Edge]
    groups: list[Group]
    width: float
    height: float


# ---------------------------------------------------------------- POST /values

VALUES_PAGE_MAX = 65_536  # elements per answer: a 38.6 M-element embedding is browsed page by page


class ValuesQuery(Model):
    """Which numbers of which node to send: one page of a tensor in row-major order."""

    node: str = Field(pattern=r"^n[0-9]{1,9}$", description="node id from the graph, e.g. `n123`")
    field: Literal["data", "grad"] = Field("data", description="the node's value or its gradient")
    offset: int = Field(0, ge=0, description="first element sent, as a row-major (flat) index")
    limit: int = Field(VALUES_PAGE_MAX, ge=1, le=VALUES_PAGE_MAX, description="most elements sent")
    label: str | None = Field(
        None,
        max_length=200,
        description="the node's label in the graph: a re-run whose node has another label (the program "
        "changed) is refused instead of answering another tensor's numbers",
    )
    shape: list[int] | None = Field(
        None, max_length=64, description="the node's shape in the graph, checked like `label`"
    )


VALUES_EXAMPLE: JsonValue = {
    "program": "import torch\n\nw = torch.randn(300, 400, requires_grad=True)\n(w * w).sum().backward()\n",
    "node": "n0",
    "field": "grad",
    "offset": 1000,
    "limit": 100,
}


class ValuesRequest(ValuesQuery, GraphRequest):
    """POST /values: the program forms and options of POST /graph, and the page of one node's numbers."""

    model_config = ConfigDict(json_schema_extra={"examples": [VALUES_EXAMPLE]})

    def query(self) -> ValuesQuery:
        return ValuesQuery(**{name: getattr(self, name) for name in ValuesQuery.model_fields})


class ValuesResponse(Model):
    """One page of a node's value or gradient, flat in row-major order, JSON-safe like TensorData.

    Floats are exact for their dtype: float32 (and smaller) at 9 significant digits, which give back the same
    float32; float64 at the 17 Python prints. NaN/±Inf are strings; integers beyond ±2**53 decimal strings.
    """

    node: str
    label: str
    field: Literal["data", "grad"]
    shape: list[int]
    dtype: str
    numel: int
    offset: int  # flat index of values[0]
    values: Numbers  # elements offset ... offset + len(values) - 1


# ---------------------------------------------------------------- POST /diff


class DiffRequest(Model):
    """Two runs to compare: the program before a change and after it, each a POST /graph request."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "before": {
                        "program": "import torch\nz = torch.tensor([1.0, -2.0], requires_grad=True)\n"
                        "a = torch.sigmoid(z)\na.sum().backward()\n"
                    },
                    "after": {
                        "program": "import torch\nz = torch.tensor([1.0, -2.0], requires_grad=True)\n"
                        "a = torch.relu(z)\na.sum().backward()\n"
                    },
                }
            ]
        }
    )

    before: GraphRequest
    after: GraphRequest


class Delta(Model):
    """How far apart a node's tensor is in the two runs."""

    abs: float  # the largest |after − before| over the elements (basis values), or |‖after‖ − ‖before‖|
    rel: float  # abs over the largest magnitude of either (0 when both are all zero)
    basis: Literal["values", "norm"]  # every value compared, or only the norms (a tensor sent truncated)
    before_norm: float | None = None  # the tensors' norms, from their stats
    after_norm: float | None = None


class NodeMatch(Model):
    """One node of the program found in both runs (same program position), with its deltas."""

    before: str  # its id in the run before
    after: str  # its id in the run after
    label: str
    data: Delta | None = None  # None: not comparable (missing, other shape, NaN/±Inf)
    grad: Delta | None = None


class DiffSide(Model):
    nodes: int
    loss: Scalar | None = None  # outputs["loss"] of that run
    graph: str | None = None  # where the run's whole graph is kept (GET), when it is


class DiffResponse(Model):
    """Two runs compared. Nodes match by program position: where the node's code starts (the earlier
    program's lines moved to their place in the later one), its label and its occurrence in forward order."""

    matched: list[NodeMatch]  # in the later run's forward order
    added: list[str]  # node ids of the run after that the run before lacks
    removed: list[str]  # node ids of the run before that the run after lacks
    before: DiffSide
    after: DiffSide
