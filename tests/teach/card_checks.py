"""A card's arithmetic, recomputed: what `step.worked`, `fanout.sum` and `grad.accumulate` write out must
give the value they show, to the 7 significant digits numbers travel with."""

from __future__ import annotations

import re

import torch

from app.models import Card, TensorData
from app.teach.render import render

RTOL, ATOL = 1e-4, 1e-5
_SPECIAL = {"NaN": float("nan"), "Infinity": float("inf"), "-Infinity": float("-inf")}
BARE_SHAPE = re.compile(r"= \(\d+(, \d+)*\)")  # "= (5, 10)": a shape where numbers belong


def numbers(value: object) -> torch.Tensor:
    """A card arg or TensorData values as a float64 tensor (NaN/±Inf strings decoded)."""

    def decode(item: object) -> object:
        if isinstance(item, list):
            return [decode(inner) for inner in item]
        return _SPECIAL[item] if isinstance(item, str) else item

    return torch.tensor(decode(value), dtype=torch.float64)


def close(a: torch.Tensor, b: torch.Tensor) -> bool:
    return a.shape == b.shape and torch.allclose(a, b, rtol=RTOL, atol=ATOL, equal_nan=True)


def _work(work: Card) -> torch.Tensor:
    args = {name: numbers(value) for name, value in work.args.items() if not isinstance(value, Card)}
    if work.key in ("work.times", "work.hadamard"):
        return args["a"] * args["b"]
    if work.key == "work.product":
        a, b = args["a"], args["b"]
        return a * b if a.dim() == 0 or b.dim() == 0 else a @ b
    if work.key == "work.update":
        return args["before"] - args["lr"] * args["grad"]
    if work.key == "work.cross_entropy":
        return (args["p"] - args["onehot"]) / args["count"]
    if work.key == "work.cross_entropy.sum":
        return args["p"] - args["onehot"]
    raise AssertionError(f"unknown arithmetic {work.key}")


def check_arithmetic(card: Card) -> int:
    """Asserts every written-out sum and product in `card` (and the cards inside it); how many it checked."""
    checked = sum(check_arithmetic(arg) for arg in card.args.values() if isinstance(arg, Card))
    value = card.args.get("value")
    if card.key == "step.worked":
        work = card.args["work"]
        assert isinstance(work, Card)
        if isinstance(value, Card):  # too big to write out: the arithmetic's statistics
            computed = _work(work)
            mean, norm = float(numbers(value.args["mean"])), float(numbers(value.args["norm"]))
            assert abs(float(computed.mean()) - mean) <= ATOL + RTOL * abs(mean), render(card)
            assert abs(float(computed.norm()) - norm) <= ATOL + RTOL * norm, render(card)
            return checked + 1
        shown = numbers(value)
        if work.key == "work.hadamard.sum":
            product = numbers(work.args["a"]) * numbers(work.args["b"])
            computed = product.sum_to_size(shown.shape) if shown.dim() else product.sum()
        else:
            computed = _work(work)
        assert close(computed.reshape(shown.shape), shown), f"{render(card)}: the arithmetic gives {computed}"
        return checked + 1
    if card.key == "fanout.sum":
        terms = card.args["terms"]
        assert isinstance(terms, list)
        total = sum((numbers(term) for term in terms), torch.zeros(()))
        assert close(total.reshape(numbers(value).shape), numbers(value)), render(card)
        return checked + 1
    if card.key == "grad.accumulate":
        total = numbers(card.args["before"]) + numbers(card.args["incoming"])
        assert close(total, numbers(value)), render(card)
        return checked + 1
    return checked


def shows(card: Card, data: TensorData | None) -> bool:
    """The card's value is this tensor: its numbers, or its shape and statistics."""
    value = card.args.get("value")
    if data is None or value is None:
        return False
    if isinstance(value, Card):
        stats = data.stats
        shape = "×".join(str(size) for size in data.shape)
        return stats is not None and value.args.get("shape") == shape and value.args.get("mean") == stats.mean
    if data.values is None:
        return False
    return close(numbers(value).reshape(-1), numbers(data.values).reshape(-1))


def unwrap(card: Card) -> Card:
    """The line itself of a `step.each` (an input used twice by one op)."""
    inner = card.args.get("step") if card.key == "step.each" else None
    return inner if isinstance(inner, Card) else card


def formula_key(card: Card) -> str:
    formula = unwrap(card).args.get("formula")
    return formula.key if isinstance(formula, Card) else unwrap(card).key
