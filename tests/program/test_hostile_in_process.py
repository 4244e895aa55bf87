"""Every row of the shared hostile table, in-process through app.runner.run: the exact kind, never a crash."""

from __future__ import annotations

import pytest
from hostile_cases import CASES, HostileCase

from app.errors import GradtraceError
from app.limits import Limits
from app.models import GraphOptions
from app.runner import run
from app.settings import Settings

SETTINGS = Settings()
IN_PROCESS = [case for case in CASES if case.layer == "program"]


def test_table_is_big_and_ids_are_unique() -> None:
    assert len(CASES) >= 80
    assert len({case.id for case in CASES}) == len(CASES)


@pytest.mark.parametrize("case", IN_PROCESS, ids=[case.id for case in IN_PROCESS])
def test_hostile_program_gets_its_kind(case: HostileCase) -> None:
    options = GraphOptions(device="cpu")
    limits = Limits()
    if case.kind is None:
        response = run(
            case.program,
            options,
            limits,
            max_chars=SETTINGS.max_program_chars,
            max_lines=SETTINGS.max_program_lines,
        )
        text = response.model_dump_json()
        assert all(fragment in text for fragment in case.contains)
        return
    with pytest.raises(GradtraceError) as caught:
        run(
            case.program,
            options,
            limits,
            max_chars=SETTINGS.max_program_chars,
            max_lines=SETTINGS.max_program_lines,
        )
    assert caught.value.kind == case.kind, caught.value.message
    assert caught.value.message
