"""POST /diff on the real server: two runs compared through the sandbox, pool and cache of POST /graph, and an
error that names the program that failed."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import httpx
import pytest
from conftest import serving

from app.examples import SIGMOID_RELU

if TYPE_CHECKING:
    from conftest import LiveServer

SIGMOID = {"program": SIGMOID_RELU.code}
RELU = {"program": SIGMOID_RELU.after}
BROKEN_AFTER = "import torch\n\nx = torch.ones(2, requires_grad=True)\ny = x * undefined_name\n"


@pytest.fixture(scope="module")
def client(server: LiveServer) -> Iterator[httpx.Client]:
    with server.client() as live:
        yield live


@pytest.fixture(scope="module")
def pair(client: httpx.Client) -> dict[str, Any]:
    response = client.post("/diff", json={"before": SIGMOID, "after": RELU})
    assert response.status_code == 200, response.text[:500]
    body: dict[str, Any] = response.json()
    return body


def test_the_example_pair_matches_every_node_with_its_deltas(pair: dict[str, Any]) -> None:
    assert (len(pair["matched"]), pair["added"], pair["removed"]) == (38, [], [])
    assert pair["before"]["nodes"] == pair["after"]["nodes"] == 38
    by_label = {match["label"]: match for match in pair["matched"]}
    first = by_label["0.weight"]
    assert first["data"]["abs"] == 0.0  # the same seed, the same initial weights
    assert first["grad"]["basis"] == "values"
    assert round(first["grad"]["before_norm"], 4) == 0.0016 and round(first["grad"]["after_norm"], 3) == 0.060
    assert 0 < first["grad"]["rel"] <= 1
    activation = by_label["1"]  # nn.Sigmoid, then nn.ReLU: one node of the program, two ops
    assert activation["data"]["rel"] > 0.1


def test_losses_and_graphs_are_those_of_post_graph(client: httpx.Client, pair: dict[str, Any]) -> None:
    for side, request in (("before", SIGMOID), ("after", RELU)):
        graph = client.post("/graph", json=request)
        assert graph.headers["x-gradtrace-cache"] == "hit"  # the comparison's run was kept for it
        assert pair[side]["loss"] == graph.json()["outputs"]["loss"]
        assert pair[side]["graph"] == graph.headers["content-location"]
    assert round(pair["before"]["loss"], 4) == 1.0239


def test_a_line_inserted_moves_the_nodes_below_and_is_added(client: httpx.Client) -> None:
    before = "import torch\nw = torch.tensor(2.0, requires_grad=True)\nloss = w * 3\nloss.backward()\n"
    after = before.replace("loss = w * 3", "v = w + 1\nloss = v * 3")
    body = client.post("/diff", json={"before": {"program": before}, "after": {"program": after}}).json()
    matched = {match["label"]: (match["before"], match["after"]) for match in body["matched"]}
    # before: w n0, 3 n1, loss n2; after: w n0, 1 n1, v n2, 3 n3, loss n4 (the edited line's nodes moved down)
    assert matched == {"w": ("n0", "n0"), "3": ("n1", "n3"), "loss": ("n2", "n4")}
    assert (body["added"], body["removed"]) == (["n1", "n2"], [])
    assert (body["before"]["loss"], body["after"]["loss"]) == (6.0, 9.0)
    loss = next(match for match in body["matched"] if match["label"] == "loss")
    assert (loss["data"]["abs"], loss["data"]["rel"]) == (3.0, 3.0 / 9.0)


def test_an_error_names_the_program_that_failed_with_its_place(client: httpx.Client) -> None:
    response = client.post("/diff", json={"before": SIGMOID, "after": {"program": BROKEN_AFTER}})
    assert response.status_code == 422
    error = response.json()["error"]
    assert (error["side"], error["kind"], error["line"], error["col"]) == ("after", "runtime_error", 4, 8)
    broken_before = client.post("/diff", json={"before": {"program": "x = (\n"}, "after": SIGMOID})
    error = broken_before.json()["error"]
    assert (broken_before.status_code, error["side"], error["kind"], error["line"]) == (
        422,
        "before",
        "syntax_error",
        1,
    )


def test_a_request_without_both_programs_is_refused(client: httpx.Client) -> None:
    response = client.post("/diff", json={"before": SIGMOID})
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["kind"] == "invalid_request" and "after" in error["message"]
    assert "side" not in error


def test_diff_is_in_the_openapi_contract(client: httpx.Client) -> None:
    schema = client.get("/openapi.json").json()
    operation = schema["paths"]["/diff"]["post"]
    assert operation["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith("DiffRequest")
    assert {"matched", "added", "removed", "before", "after"} <= set(
        schema["components"]["schemas"]["DiffResponse"]["properties"]
    )
    assert "side" in schema["components"]["schemas"]["ErrorInfo"]["properties"]


def test_graphs_too_big_for_a_comparison_job_are_a_413(tmp_path_factory: pytest.TempPathFactory) -> None:
    settings = {"max_body_bytes": "16384", "max_layout_body_bytes": "16384", "workers": "1", "prefork": "1"}
    with serving(tmp_path_factory, "small-diff", settings) as small, small.client() as client:
        response = client.post("/diff", json={"before": SIGMOID, "after": RELU})
        assert response.status_code == 413
        error = response.json()["error"]
        assert (error["kind"], error.get("side")) == ("body_too_large", None)
        assert "the page compares runs of any size" in error["message"]
        assert client.post("/graph", json=SIGMOID).status_code == 200  # the server is still fine
