"""Every error kind the server itself produces, in the one body shape, without echoing the request."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import httpx
import pytest

if TYPE_CHECKING:
    from conftest import LiveServer

MARKER = "SECRET_MARKER_7f3a"  # appears only in request bodies; must never come back


def error_of(response: httpx.Response) -> dict[str, Any]:
    body = response.json()
    assert set(body) == {"error", "errors", "graph"}
    assert set(body["error"]) == {"kind", "message", "line", "col", "end_line", "end_col", "frames"}
    assert body["errors"][0] == body["error"]  # every problem found, the error first
    error: dict[str, Any] = body["error"]
    return error


def invalid_request_message(response: httpx.Response) -> str:
    """The message of a 422 invalid_request (asserted to be one)."""
    assert response.status_code == 422
    error = error_of(response)
    assert error["kind"] == "invalid_request"
    message: str = error["message"]
    return message


def post(server: LiveServer, body: object) -> httpx.Response:
    with server.client() as client:
        return client.post("/graph", json=body)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"program": f"x = 1  # {MARKER}", "options": {"device": "tpu"}}, "options.device"),
        ({"program": f"# {MARKER}", "options": {"dtype": "float16"}}, "options.dtype"),
        ({"program": f"# {MARKER}", "options": {"seed": -1}}, "options.seed"),
        (
            {"program": f"# {MARKER}", "options": {"limits": {"wall_seconds": 0}}},
            "options.limits.wall_seconds",
        ),
        ({"program": f"# {MARKER}", MARKER: 1}, MARKER[:40]),
        ({"program": 42}, "program"),
        ({}, "body"),
    ],
)
def test_invalid_request_names_the_field_and_echoes_nothing(
    server: LiveServer, body: Any, field: str
) -> None:
    response = post(server, body)
    assert field in invalid_request_message(response)
    text = response.text.replace(field, "")  # an unknown key is named (that is the problem), nothing else
    assert MARKER not in text and "# " not in text and "x = 1" not in text


def test_malformed_json_is_invalid_request(server: LiveServer) -> None:
    with server.client() as client:
        response = client.post(
            "/graph", content=f'{{"program": "{MARKER}', headers={"content-type": "application/json"}
        )
    assert response.status_code == 422
    assert error_of(response)["kind"] == "invalid_request"
    assert MARKER not in response.text


def test_oversized_body_is_413(small_server: LiveServer) -> None:
    response = post(small_server, {"program": "#" * 8_000})
    assert response.status_code == 413
    assert error_of(response)["kind"] == "body_too_large"


def test_layout_takes_graph_sized_bodies_that_graph_refuses(small_server: LiveServer) -> None:
    nodes = [{"id": f"n{i}", "kind": "op", "label": "x" * 40} for i in range(200)]  # ~16 KB > the 4 KiB cap
    with small_server.client() as client:
        laid = client.post("/layout", json={"nodes": nodes, "edges": []})
        refused = client.post("/graph", json={"program": "#" * 16_000})
    assert laid.status_code == 200
    assert len(laid.json()["nodes"]) == 200
    assert refused.status_code == 413


def test_oversized_chunked_body_is_413(small_server: LiveServer) -> None:
    def chunks() -> Iterator[bytes]:
        yield b'{"program": "'
        for _ in range(10):
            yield b"#" * 1_000
        yield b'"}'

    with small_server.client() as client:  # no Content-Length: counted as it streams in
        response = client.post("/graph", content=chunks(), headers={"content-type": "application/json"})
    assert response.status_code == 413
    assert error_of(response)["kind"] == "body_too_large"


def test_cuda_without_a_gpu_is_a_clear_422(server: LiveServer, logistic_neuron: str) -> None:
    with server.client() as client:
        if client.get("/healthz").json()["cuda"]:
            pytest.skip("this machine has a GPU")
        response = client.post("/graph", json={"program": logistic_neuron, "options": {"device": "cuda"}})
    assert response.status_code == 422
    error = error_of(response)
    assert error["kind"] == "device_unavailable"
    assert "cpu" in error["message"]


def test_program_errors_carry_line_and_column(server: LiveServer) -> None:
    response = post(server, {"program": "import torch\nx = torch.ones(2,\n"})
    assert response.status_code == 422
    error = error_of(response)
    assert error["kind"] == "syntax_error"
    assert error["line"] in (2, 3)


def test_every_syntax_error_is_listed(server: LiveServer) -> None:
    response = post(server, {"program": "y = 2 +\nok = 1\ndef f(:\n    pass\nz = 3 ]\n"})
    error = error_of(response)
    assert [problem["line"] for problem in response.json()["errors"]] == [error["line"], 1, 3]


@pytest.mark.parametrize(
    ("program", "kind", "line"),
    [
        ("# only a comment\n", "empty_program", None),
        ("x = 'a\u202eb'\n", "source_rejected", 1),
        ("import torch\nx = torch.ones(1).expand(10**6, 10**6)\n", "limit_exceeded", 2),
        ("import torch\n\nx = torch.ones(2)\ny = x.view(3)\n", "runtime_error", 4),
        ("import torch\nx = torch.ones(2)\nimport nonexistent_package\n", "runtime_error", 3),
    ],
)
def test_program_refusals_are_422_with_their_line(
    server: LiveServer, program: str, kind: str, line: int | None
) -> None:
    response = post(server, {"program": program})
    assert response.status_code == 422
    error = error_of(response)
    assert (error["kind"], error["line"]) == (kind, line)


def test_a_runtime_error_shows_the_programs_own_frames(server: LiveServer) -> None:
    program = "import torch\n\ndef f(t):\n    return t.view(3)\n\nf(torch.ones(2))\n"
    error = error_of(post(server, {"program": program}))
    assert [(frame["function"], frame["line"]) for frame in error["frames"]] == [("<module>", 6), ("f", 4)]
    assert "site-packages" not in json.dumps(error)


def test_runtime_error_may_carry_the_partial_graph(server: LiveServer) -> None:
    program = "import torch\na = torch.ones(2, requires_grad=True)\nb = a * 2\nc = b @ torch.ones(3)\n"
    response = post(server, {"program": program})
    assert response.status_code == 422
    body = response.json()
    assert (body["error"]["kind"], body["error"]["line"]) == ("runtime_error", 4)
    assert body["graph"] is None or any(n["label"] == "b" for n in body["graph"]["nodes"])


def test_unknown_path_uses_the_same_shape(server: LiveServer) -> None:
    with server.client() as client:
        response = client.get("/nope")
    assert response.status_code == 404
    assert error_of(response)["kind"] == "not_found"


HUGE = 10**309  # no float can hold it: float(HUGE) raised OverflowError in the server (a 500)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"expression": "x * 2", "variables": {"x": HUGE}}, "variables.x"),
        ({"expression": "x * 2", "variables": {"x": [1.5, HUGE]}}, "variables.x"),
        ({"expression": "x * 2", "variables": {"x": {"value": HUGE, "dtype": "float32"}}}, "variables.x"),
        ({"expression": "x * 2", "variables": {"x": {"shape": [HUGE], "init": "arange"}}}, "variables.x"),
        ({"expression": "x * 2", "variables": {"x": 1.0}, "target": {"y": [HUGE]}}, "target.y"),
        (
            {
                "network": {
                    "layers": [{"type": "Embedding", "num_embeddings": 4, "embedding_dim": 2}],
                    "input": [1, -HUGE],
                }
            },
            "network.input",
        ),
        ({"network": {"layers": [{"type": "ReLU"}], "input": [[HUGE]]}}, "network.input"),
        ({"network": {"layers": [{"type": "ReLU"}], "input": [[1.0]], "target": [[HUGE]]}}, "network.target"),
    ],
)
def test_integers_beyond_int64_in_the_forms_are_invalid_requests(
    server: LiveServer, body: Any, field: str
) -> None:
    message = invalid_request_message(post(server, body))
    assert message.startswith(field)
    assert "int64" in message or str(2**63 - 1) in message


def test_an_integer_too_long_to_parse_is_an_invalid_request(server: LiveServer) -> None:
    with server.client() as client:  # past Python's 4,300-digit limit on int parsing
        response = client.post(
            "/graph",
            content='{"expression": "x", "variables": {"x": 1' + "0" * 5_000 + "}}",
            headers={"content-type": "application/json"},
        )
    assert response.status_code == 422
    assert error_of(response)["kind"] == "invalid_request"
