"""Network form: a layer list becomes the `nn.Sequential` program a person would write for it.

The model is built right after `torch.manual_seed(seed)`, so its parameters (labelled `0.weight`, `2.bias`,
...) are those of the same hand-written program with the same seed.
"""

from __future__ import annotations

from app.forms.code import ResolvedProgram, import_lines, loss_line, tensor_code
from app.forms.models import Layer, NetworkSpec, OptimizerSpec

__all__ = ["layer_code", "network_program"]

INDENT = "    "


def layer_code(layer: Layer) -> str:
    """`nn.Linear(10, 5)`, `nn.ReLU()`, ... for one layer."""
    if layer.type == "Linear":
        bias = "" if layer.bias else ", bias=False"
        return f"nn.Linear({layer.in_features}, {layer.out_features}{bias})"
    if layer.type == "Softmax":
        return f"nn.Softmax(dim={layer.dim})"
    if layer.type == "Dropout":
        return f"nn.Dropout(p={layer.p!r})"
    if layer.type == "LayerNorm":
        return f"nn.LayerNorm({layer.normalized_shape})"
    if layer.type == "Embedding":
        return f"nn.Embedding({layer.num_embeddings}, {layer.embedding_dim})"
    return f"nn.{layer.type}()"


def model_lines(spec: NetworkSpec) -> list[str]:
    layers = [f"{INDENT}{layer_code(layer)}," for layer in spec.layers]
    return ["model = nn.Sequential(", *layers, ")"]


def optimizer_line(optimizer: OptimizerSpec) -> str:
    return f"optimizer = optim.{optimizer.type}(model.parameters(), lr={optimizer.lr!r})"


def pass_lines(spec: NetworkSpec) -> list[str]:
    """One forward and backward pass, and the optimizer step around it when there is an optimizer."""
    forward = ["out = model(x)"]
    if spec.target is not None:
        forward.append(loss_line("loss", spec.loss or "mse", "out", "y"))
        forward.append("loss.backward()")
    else:
        forward.append("out.sum().backward()")
    if spec.optimizer is None:
        return forward
    return ["optimizer.zero_grad()", *forward, "optimizer.step()"]


def training_lines(spec: NetworkSpec) -> list[str]:
    """The pass, in a loop over steps when there is more than one."""
    steps = spec.optimizer.steps if spec.optimizer else 1
    if steps == 1:
        return pass_lines(spec)
    return [f"for step in range({steps}):", *(INDENT + line for line in pass_lines(spec))]


def data_lines(spec: NetworkSpec) -> list[str]:
    """The input (integer ids for an Embedding) and the target (class indices for cross_entropy)."""
    embeds = spec.layers[0].type == "Embedding"
    lines = [f"x = {tensor_code(spec.input, exact=embeds)}"]
    if spec.target is not None:
        lines.append(f"y = {tensor_code(spec.target, exact=spec.loss == 'cross_entropy')}")
    return lines


def network_notes(spec: NetworkSpec) -> list[str]:
    if spec.target is None:
        return ["no target: backward runs from out.sum()"]
    return [] if spec.loss else ["no loss given: mse"]


def network_program(spec: NetworkSpec, seed: int) -> ResolvedProgram:
    """The program for a network form request, and the notes the response carries."""
    modules = (
        {"nn"} | ({"F"} if spec.target is not None else set()) | ({"optim"} if spec.optimizer else set())
    )
    setup = [*model_lines(spec), *data_lines(spec)]
    if spec.optimizer is not None:
        setup.append(optimizer_line(spec.optimizer))
    lines = [*import_lines(modules), "", f"torch.manual_seed({seed})", *setup, "", *training_lines(spec)]
    return ResolvedProgram("\n".join(lines) + "\n", tuple(network_notes(spec)))
