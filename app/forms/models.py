"""Request models of the two light forms of POST /graph: an expression with variables, and a network spec.

Both are compiled into program text (app.forms.expression, app.forms.network); these models only check shape
and names, so that every mistake comes back as a 422 that names its field (and the layer's index).
"""

from __future__ import annotations

import keyword
import math
from typing import TYPE_CHECKING, Annotated, Any, Literal, TypeAlias, Union

from pydantic import (
    AfterValidator,
    AliasChoices,
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    JsonValue,
    StrictFloat,
    StrictInt,
    Tag,
    model_validator,
)
from pydantic_core import PydanticCustomError
from typing_extensions import TypeAliasType

from app.forms.shapes import check_layers, check_loss
from app.forms.values import INT64_MAX, field_error, is_integral, largest, nested_shape, out_of_int64

__all__ = [
    "BARE_FUNCTIONS",
    "MODULE_NAMES",
    "REQUEST_EXAMPLES",
    "Activation",
    "DType",
    "Dropout",
    "Embedding",
    "InitSpec",
    "LayerNorm",
    "Layer",
    "Linear",
    "LossName",
    "NetworkSpec",
    "Number",
    "OptimizerSpec",
    "Softmax",
    "Target",
    "TensorSpec",
    "Variable",
    "VariableName",
    "Variables",
]

MAX_DIMS = 8  # dimensions of a tensor made from a shape
MAX_LAYERS = 64
MAX_STEPS = 1_000  # optimizer steps a network form may ask for

# Names the generated program binds to modules; variables may not shadow them.
MODULE_NAMES = frozenset({"torch", "nn", "F", "optim", "math"})
# Bare math names an expression may call, and the torch function each one means.
BARE_FUNCTIONS = {name: f"torch.{name}" for name in (
    "sigmoid", "tanh", "relu", "exp", "log", "sin", "cos", "sqrt", "abs", "softmax", "sum", "mean",
)}  # fmt: skip

Number: TypeAlias = StrictInt | Annotated[StrictFloat, Field(allow_inf_nan=False)]
if TYPE_CHECKING:
    Nested: TypeAlias = int | float | list["Nested"]
else:  # pydantic needs a named alias to recurse through the Annotated number types
    Nested = TypeAliasType("NestedNumbers", Union[Number, list["Nested"]])  # noqa: UP007


def check_tensor_values(value: Nested) -> Nested:
    """Nested lists must be rectangular (what torch.tensor accepts) and their ints within int64's range."""
    try:
        nested_shape(value)
    except ValueError as error:
        raise PydanticCustomError("ragged_list", str(error)) from None
    return check_number_range(value)


def check_number_range(value: Nested) -> Nested:
    """Ints beyond int64 are refused here: torch.tensor takes none, and the server turns numbers into floats
    (an embedding's largest id, float literals), which fails from 1e309 up."""
    path = out_of_int64(value)
    if path is not None:
        raise PydanticCustomError("int_range", f"{path} is an integer beyond int64's range (about ±9.2e18)")
    return value


Values: TypeAlias = Annotated[Nested, AfterValidator(check_tensor_values)]
DType: TypeAlias = Literal["float32", "float64", "int64"]
LossName: TypeAlias = Literal["bce", "bce_with_logits", "mse", "cross_entropy", "l1"]


class FormModel(BaseModel):
    """Base of the form models: unknown keys are errors, as in app.models."""

    model_config = ConfigDict(extra="forbid")


# ---------------------------------------------------------------- tensors


class TensorSpec(FormModel):
    """A tensor given by its values, like `torch.tensor(value, requires_grad=..., dtype=...)`."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"value": 2.2, "requires_grad": True}]})

    value: Values
    requires_grad: bool = False
    dtype: DType | None = None

    @model_validator(mode="after")
    def check_grad_dtype(self) -> TensorSpec:
        if self.requires_grad and self.dtype == "int64":
            raise field_error("TensorSpec", ("requires_grad",), "requires_grad needs a floating dtype", True)
        return self

    @property
    def shape(self) -> list[int]:
        return nested_shape(self.value)

    def is_integer(self) -> bool:
        """Whether torch.tensor will make an integer tensor of it."""
        return self.dtype == "int64" or (self.dtype is None and is_integral(self.value))

    def largest(self) -> float:
        return largest(self.value)


class InitSpec(FormModel):
    """A tensor made from a shape: `torch.randn(3, 4)`, `torch.zeros`, `torch.ones` or a reshaped arange."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"shape": [3, 4], "init": "randn"}]})

    shape: list[Annotated[int, Field(ge=0, le=INT64_MAX)]] = Field(max_length=MAX_DIMS)
    init: Literal["randn", "zeros", "ones", "arange"] = "randn"
    requires_grad: bool = False
    dtype: DType | None = None

    @model_validator(mode="after")
    def check_dtype(self) -> InitSpec:
        if self.dtype == "int64" and self.init == "randn":
            raise field_error("InitSpec", ("dtype",), "init randn needs a floating dtype", self.dtype)
        if self.dtype == "int64" and self.requires_grad:
            raise field_error("InitSpec", ("requires_grad",), "requires_grad needs a floating dtype", True)
        return self

    def is_integer(self) -> bool:
        return self.dtype == "int64"

    def largest(self) -> float:
        """The largest element the init makes (randn has none)."""
        numel = math.prod(self.shape)
        tops = {"zeros": 0.0, "ones": 1.0, "arange": numel - 1.0, "randn": math.inf}
        return tops[self.init] if numel else -math.inf


def variable_kind(value: Any) -> str:
    """Which form a variable takes, so a wrong one gets the errors of its own form only."""
    if isinstance(value, dict | BaseModel):
        has_shape = "shape" in value if isinstance(value, dict) else isinstance(value, InitSpec)
        return "init" if has_shape else "tensor"
    return "list" if isinstance(value, list) else "number"


Variable: TypeAlias = Annotated[
    Annotated[Number, AfterValidator(check_number_range), Tag("number")]
    | Annotated[list[Nested], AfterValidator(check_tensor_values), Tag("list")]
    | Annotated[TensorSpec, Tag("tensor")]
    | Annotated[InitSpec, Tag("init")],
    Discriminator(variable_kind),
]


def check_variable_name(name: str) -> str:
    """A variable becomes a program name: an identifier that neither hides a module nor is private."""
    if not name.isidentifier() or keyword.iskeyword(name):
        problem = "is not a valid Python name"
    elif name.startswith("_"):
        problem = "begins with '_', which programs may not use"
    elif name in MODULE_NAMES:
        problem = "is the name of a module"
    elif name in BARE_FUNCTIONS:
        problem = f"is the name of a function ({BARE_FUNCTIONS[name]})"
    else:
        return name
    raise PydanticCustomError("variable_name", f"{name!r} {problem}")


VariableName: TypeAlias = Annotated[str, Field(max_length=64), AfterValidator(check_variable_name)]
Variables: TypeAlias = Annotated[dict[VariableName, Variable], Field(max_length=256)]


# ---------------------------------------------------------------- expression target


class Target(FormModel):
    """What the expression should have been: backward runs from `loss(expression, value)`."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"y": 1.0, "loss": "bce"}, {"value": [0.0, 1.0], "loss": "mse"}]}
    )

    value: Values = Field(validation_alias=AliasChoices("value", "y"), description="target value, or `y`")
    loss: LossName = "mse"


# ---------------------------------------------------------------- network layers


class Linear(FormModel):
    type: Literal["Linear"]
    in_features: int = Field(alias="in", gt=0)
    out_features: int = Field(alias="out", gt=0)
    bias: bool = True


class Activation(FormModel):
    """An element-wise activation with no settings."""

    type: Literal["ReLU", "GELU", "Tanh", "Sigmoid"]


class Softmax(FormModel):
    type: Literal["Softmax"]
    dim: int = -1


class Dropout(FormModel):
    type: Literal["Dropout"]
    p: float = Field(0.5, ge=0.0, lt=1.0)


class LayerNorm(FormModel):
    type: Literal["LayerNorm"]
    normalized_shape: int = Field(gt=0, description="size of the last dimension")


class Embedding(FormModel):
    type: Literal["Embedding"]
    num_embeddings: int = Field(gt=0, description="vocabulary size")
    embedding_dim: int = Field(gt=0)


Layer: TypeAlias = Annotated[
    Linear | Activation | Softmax | Dropout | LayerNorm | Embedding, Field(discriminator="type")
]


class OptimizerSpec(FormModel):
    type: Literal["SGD", "Adam"] = "SGD"
    lr: float = Field(0.01, gt=0.0, le=10.0)
    steps: int = Field(1, ge=1, le=MAX_STEPS)


class NetworkSpec(FormModel):
    """An `nn.Sequential` of layers, an input, and optionally a target, a loss and optimizer steps."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "layers": [
                        {"type": "Linear", "in": 10, "out": 5},
                        {"type": "ReLU"},
                        {"type": "Linear", "in": 5, "out": 1},
                        {"type": "Sigmoid"},
                    ],
                    "input": {"shape": [1, 10]},
                    "target": {"value": [[1.0]]},
                    "loss": "bce",
                    "optimizer": {"type": "SGD", "lr": 0.01, "steps": 1},
                }
            ]
        }
    )

    layers: list[Layer] = Field(min_length=1, max_length=MAX_LAYERS)
    input: Variable
    target: Variable | None = None
    loss: LossName | None = Field(None, description="defaults to mse when a target is given")
    optimizer: OptimizerSpec | None = None

    @model_validator(mode="after")
    def check_network(self) -> NetworkSpec:
        check_layers(self)
        check_loss(self)
        return self


# The three forms of POST /graph, shown in /docs.
REQUEST_EXAMPLES: list[JsonValue] = [
    {
        "program": "import torch\n"
        "import torch.nn.functional as F\n"
        "\n"
        "x = torch.tensor(1.1)\n"
        "w = torch.tensor(2.2, requires_grad=True)\n"
        "b = torch.tensor(0.0, requires_grad=True)\n"
        "a = torch.sigmoid(w * x + b)\n"
        "loss = F.binary_cross_entropy(a, torch.tensor(1.0))\n"
        "loss.backward()\n"
    },
    {
        "expression": "torch.sigmoid(w * x + b)",
        "variables": {
            "x": 1.1,
            "w": {"value": 2.2, "requires_grad": True},
            "b": {"value": 0.0, "requires_grad": True},
        },
        "target": {"y": 1.0, "loss": "bce"},
    },
    {"network": NetworkSpec.model_json_schema()["examples"][0]},
]
