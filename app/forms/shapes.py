"""Cross-field checks of a network spec: each layer's input width against what the layer before it made."""

from __future__ import annotations

from typing import TYPE_CHECKING

from app.forms.values import field_error, is_integral, largest, nested_shape

if TYPE_CHECKING:
    from app.forms.models import Layer, NetworkSpec, Variable

__all__ = ["check_layers", "check_loss", "variable_shape"]


def variable_shape(variable: Variable) -> list[int] | None:
    """The shape a variable will have, when it is known without running anything."""
    if isinstance(variable, list):
        return nested_shape(variable)
    if isinstance(variable, int | float):
        return []
    return list(variable.shape)


def is_index_tensor(variable: Variable) -> bool:
    """Whether the variable will be an integer tensor (what nn.Embedding takes)."""
    if isinstance(variable, int | float | list):
        return is_integral(variable)
    return variable.is_integer()


def largest_index(variable: Variable) -> float:
    """The largest id an integer input holds."""
    return largest(variable) if isinstance(variable, int | float | list) else variable.largest()


def consumed_width(layer: Layer) -> tuple[str, int] | None:
    """The field and size a layer expects as its input's last dimension, if it has one."""
    if layer.type == "Linear":
        return "in", layer.in_features
    if layer.type == "LayerNorm":
        return "normalized_shape", layer.normalized_shape
    return None


def produced_width(layer: Layer) -> tuple[str, int] | None:
    """The field and size of the last dimension a layer makes, if it changes it."""
    if layer.type == "Linear":
        return "out", layer.out_features
    if layer.type == "Embedding":
        return "embedding_dim", layer.embedding_dim
    return None


def check_embedding_input(spec: NetworkSpec) -> None:
    """nn.Embedding takes integer ids below its vocabulary size."""
    first = spec.layers[0]
    if first.type != "Embedding":
        return
    if not is_index_tensor(spec.input):
        raise field_error("NetworkSpec", ("input",), "Embedding (layers[0]) needs integer ids", None)
    top = largest_index(spec.input)
    if top >= first.num_embeddings:
        message = f"id {top:g} is not below layers[0].num_embeddings = {first.num_embeddings}"
        raise field_error("NetworkSpec", ("input",), message, None)


def check_layers(spec: NetworkSpec) -> None:
    """Raise a located validation error at the first layer whose input does not fit."""
    check_embedding_input(spec)
    shape = variable_shape(spec.input)
    width = shape[-1] if shape and spec.layers[0].type != "Embedding" else None
    source = "input.shape[-1]"
    for index, layer in enumerate(spec.layers):
        if layer.type == "Embedding" and index > 0:
            message = "Embedding takes integer ids, so it must be the first layer"
            raise field_error("NetworkSpec", ("layers", index, "type"), message, layer.type)
        wanted = consumed_width(layer)
        if wanted is not None and width is not None and wanted[1] != width:
            field, size = wanted
            message = f"{size} does not match {source} = {width}"
            raise field_error("NetworkSpec", ("layers", index, field), message, size)
        made = produced_width(layer)
        if made is not None:
            width, source = made[1], f"layers[{index}].{made[0]}"


def check_loss(spec: NetworkSpec) -> None:
    """A loss needs something to compare with."""
    if spec.loss is not None and spec.target is None:
        raise field_error("NetworkSpec", ("target",), f"loss {spec.loss!r} needs a target", None)
