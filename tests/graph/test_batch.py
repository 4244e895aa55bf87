"""ModelBatch: the same models as one constructor call each, and no list shared between two of them."""

from __future__ import annotations

import pytest
from pydantic import BaseModel, ValidationError

from app.graph.batch import ModelBatch
from app.models import BackwardEvent, Model


def test_a_batch_makes_the_models_their_constructor_makes() -> None:
    rows = [
        {"step": 0, "pass_index": 0, "node": "n3", "op": "MulBackward0", "edges": ["e1", None]},
        {"step": 1, "pass_index": 0, "node": "n0", "op": "AccumulateGrad", "accumulates": "n0"},
    ]
    assert ModelBatch(BackwardEvent)(rows) == [BackwardEvent(**row) for row in rows]


def test_models_of_one_batch_share_no_default_list() -> None:
    batch = ModelBatch(BackwardEvent)
    row = {"pass_index": 0, "node": "n0", "op": "x"}
    first, second = batch([{"step": 0, **row}, {"step": 1, **row}])
    first.sum_of.append("e0")  # the teaching layer fills these lists in place
    first.local_formulas.append("da/dz = 1")
    (third,) = batch([{"step": 2, **row}])
    assert second.sum_of == third.sum_of == [] and second.local_formulas == third.local_formulas == []


def test_rows_are_validated_like_keyword_arguments() -> None:
    with pytest.raises(ValidationError, match="unknown_field"):
        ModelBatch(BackwardEvent)([{"step": 0, "pass_index": 0, "node": "n0", "op": "x", "unknown_field": 1}])


def test_a_default_that_validation_would_not_copy_is_refused() -> None:
    class Inner(BaseModel):
        value: int = 0

    class Outer(Model):
        inner: Inner = Inner()

    with pytest.raises(TypeError, match="Outer.inner"):
        ModelBatch(Outer)
