"""The pipe protocol: tagged JSON both ways, errors rebuilt as their own class, never a pickle."""

from __future__ import annotations

import pytest

from app.errors import GradtraceError, InternalError, LimitExceeded, SyntaxProblem
from app.sandbox.protocol import decode_reply, encode_error, encode_result


def test_result_round_trip() -> None:
    assert decode_reply(encode_result(b'{"nodes": []}')) == b'{"nodes": []}'


def test_error_round_trip_keeps_kind_place_and_graph() -> None:
    graph = {"nodes": [{"id": "n0"}]}
    sent = SyntaxProblem("expected ':'", line=3, col=7, end_line=3, end_col=8, graph=graph)
    with pytest.raises(SyntaxProblem) as caught:
        decode_reply(encode_error(sent))
    got = caught.value
    assert (got.message, got.line, got.col, got.end_line, got.end_col) == ("expected ':'", 3, 7, 3, 8)
    assert got.graph == {"nodes": [{"id": "n0"}]}


def test_graph_that_is_not_strict_json_is_dropped_not_the_error() -> None:
    with pytest.raises(LimitExceeded) as caught:
        decode_reply(encode_error(LimitExceeded("too many ops", graph={"value": float("nan")})))
    assert caught.value.graph is None


def test_unknown_kind_becomes_internal_error() -> None:
    reply = b'E{"error": {"kind": "no_such_kind", "message": "m"}, "graph": null}'
    with pytest.raises(InternalError):
        decode_reply(reply)


def test_unknown_tag_is_an_internal_error() -> None:
    with pytest.raises(GradtraceError, match="unknown tag"):
        decode_reply(b"P\x80\x04")
