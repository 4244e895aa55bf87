"""The pipe protocol: tagged JSON both ways, errors rebuilt as their own class, never a pickle; nothing the
child
sends past its jail report is trusted."""

from __future__ import annotations

import json

import pytest

from app.errors import (
    Frame,
    InternalError,
    LimitExceeded,
    Problem,
    ProgramRuntimeError,
    ReplyRejected,
    SyntaxProblem,
)
from app.sandbox.protocol import decode_reply, encode_error, encode_result

CAP = 2**20


def test_result_round_trip() -> None:
    assert decode_reply(encode_result(b'{"nodes": []}')) == b'{"nodes": []}'


def test_error_round_trip_keeps_kind_place_frames_other_problems_and_graph_bytes() -> None:
    graph = {"nodes": [{"id": "n0"}]}
    frames = [Frame("<module>", 3, 7, 3, 8)]
    also = [Problem("syntax_error", "invalid syntax", 5, 0, 5, 2)]
    place = {"line": 3, "col": 7, "end_line": 3, "end_col": 8}
    sent = SyntaxProblem("expected ':'", **place, graph=graph, frames=frames, also=also)
    with pytest.raises(SyntaxProblem) as caught:
        decode_reply(encode_error(sent, CAP))
    got = caught.value
    assert (got.message, got.line, got.col, got.end_line, got.end_col) == ("expected ':'", 3, 7, 3, 8)
    assert got.graph == b'{"nodes": [{"id": "n0"}]}'  # forwarded, never parsed in the server
    first = {
        "kind": "syntax_error", "message": "expected ':'", "line": 3, "col": 7, "end_line": 3, "end_col": 8,
        "frames": [{"function": "<module>", "line": 3, "col": 7, "end_line": 3, "end_col": 8}],
    }  # fmt: skip
    second = {"kind": "syntax_error", "message": "invalid syntax", "line": 5, "col": 0, "end_line": 5,
              "end_col": 2, "frames": []}  # fmt: skip
    assert json.loads(got.body_json()) == {"error": first, "errors": [first, second], "graph": graph}


def test_graph_that_is_not_strict_json_is_dropped_not_the_error() -> None:
    with pytest.raises(LimitExceeded) as caught:
        decode_reply(encode_error(LimitExceeded("too many ops", graph={"value": float("nan")}), CAP))
    assert caught.value.graph is None


def test_partial_graph_over_the_cap_is_dropped_and_the_error_says_so() -> None:
    """Issue 18, defect 4: a failing run's partial graph over the reply cap made the whole reply too big
    (500 worker_crashed); now the error comes back alone, a 422 that says what was left out."""
    graph = {"nodes": [{"id": f"n{index}", "label": "x" * 50} for index in range(2_000)]}
    sent = ProgramRuntimeError("shape mismatch " + "y" * 290, line=4, col=2, graph=graph)
    reply = encode_error(sent, 10_000)
    assert len(reply) <= 10_000
    with pytest.raises(ProgramRuntimeError) as caught:
        decode_reply(reply)
    got = caught.value
    assert got.status == 422 and (got.line, got.col) == (4, 2) and got.graph is None
    assert got.message.startswith("shape mismatch yyy")
    assert got.message.endswith(
        f"the partial graph ({len(json.dumps(graph))} bytes) was over the reply cap "
        "(10000 bytes) and was left out"
    )
    assert len(got.message) <= 300


@pytest.mark.parametrize(
    "reply",
    [
        b'E{"errors": [{"kind": "no_such_kind", "message": "m"}]}\nnull',  # a kind there is not
        b'E{"errors": [{"kind": "busy", "message": "m"}]}\nnull',  # the server's to say, not a run's
        b'E{"errors": [{"kind": "runtime_error", "message": "m", "extra": 1}]}\nnull',
        b'E{"errors": [{"kind": "runtime_error", "message": "' + b"m" * 301 + b'"}]}\nnull',
        b'E{"errors": []}\nnull',  # no error at all
        b'E{"errors": [{"kind": "runtime_error", "message": "m", "line": "3"}]}\nnull',
        b"E[1, 2]\nnull",
        b"E\xff\xfe",
        b"P\x80\x04",  # an unknown tag (and a pickle's opening bytes)
        b"",
    ],
)
def test_anything_else_from_the_child_is_its_own_fault_not_a_500(reply: bytes) -> None:
    with pytest.raises(ReplyRejected) as caught:
        decode_reply(reply)
    assert caught.value.status == 422


def test_an_internal_error_the_child_reports_stays_one() -> None:
    with pytest.raises(InternalError, match="the worker failed"):
        reply = b'E{"errors": [{"kind": "internal_error", "message": "the worker failed: KeyError"}]}\nnull'
        decode_reply(reply)
