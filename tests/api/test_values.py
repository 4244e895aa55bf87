"""POST /values end to end against a real uvicorn: pages of a node's value or gradient equal plain torch's."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import httpx
import proc
import pytest
import torch
from graphs import node, number
from held import held
from long_runs import UNFINISHABLE
from tolerance import assert_within_rounding
from waiting import wait_for_async

if TYPE_CHECKING:
    from conftest import LiveServer

PAGE_MAX = 65_536
LINEAR = """\
import torch
import torch.nn as nn

torch.manual_seed(7)
lin = nn.Linear(300, 400)
x = torch.randn(8, 300)
wt = lin.weight.t()
y = x @ wt + lin.bias
loss = (y * y).mean()
loss.backward()
"""


def linear_oracle() -> dict[str, torch.Tensor]:
    """The same program in plain torch: the weight (120,000 elements), its transpose and its gradient."""
    torch.manual_seed(7)
    lin = torch.nn.Linear(300, 400)
    x = torch.randn(8, 300)
    wt = lin.weight.t()
    y = x @ wt + lin.bias
    (y * y).mean().backward()
    assert lin.weight.grad is not None
    return {"weight": lin.weight.detach(), "wt": wt.detach(), "grad": lin.weight.grad}


@pytest.fixture(scope="module")
def client(server: LiveServer) -> Any:
    with server.client() as client:
        yield client


@pytest.fixture(scope="module")
def linear_graph(client: httpx.Client) -> dict[str, Any]:
    response = client.post("/graph", json={"program": LINEAR, "options": {"layout": False}})
    assert response.status_code == 200, response.text
    graph: dict[str, Any] = response.json()
    return graph


def values(client: httpx.Client, program: str, **query: Any) -> dict[str, Any]:
    response = client.post("/values", json={"program": program, **query})
    assert response.status_code == 200, response.text
    page: dict[str, Any] = response.json()
    return page


def error(client: httpx.Client, body: dict[str, Any]) -> dict[str, Any]:
    response = client.post("/values", json=body)
    assert response.status_code == 422, response.text
    info: dict[str, Any] = response.json()["error"]
    return info


def test_the_neurons_weight_gradient_equals_the_graphs(client: httpx.Client, logistic_neuron: str) -> None:
    graph = client.post("/graph", json={"program": logistic_neuron, "options": {"layout": False}}).json()
    w = node(graph, "w")
    page = values(client, logistic_neuron, node=w["id"], field="grad")
    assert page["values"] == [pytest.approx(number(w["grad"]["values"]), rel=5e-7)]  # the graph's 7 digits
    assert round(page["values"][0], 4) == -0.0898
    assert page | {"values": None} == {
        "node": w["id"], "label": "w", "field": "grad", "shape": w["shape"], "dtype": "float32", "numel": 1,
        "offset": 0, "values": None,
    }  # fmt: skip


def test_a_page_at_an_offset_equals_plain_torch(client: httpx.Client, linear_graph: dict[str, Any]) -> None:
    weight = node(linear_graph, "lin.weight")
    assert weight["data"]["truncated"] is True and weight["data"]["numel"] == 120_000
    page = values(client, LINEAR, node=weight["id"], offset=70_000, limit=1_000, label="lin.weight")
    expected = linear_oracle()["weight"].flatten()[70_000:71_000]
    # drawn, not reduced: the same bits in every process, whatever its threads
    assert torch.equal(torch.tensor(page["values"], dtype=torch.float32), expected)
    assert (page["shape"], page["numel"], page["offset"]) == ([400, 300], 120_000, 70_000)


def test_gradient_pages_cover_the_tensor_in_row_major_order(
    client: httpx.Client, linear_graph: dict[str, Any]
) -> None:
    weight = node(linear_graph, "lin.weight")
    first = values(client, LINEAR, node=weight["id"], field="grad")
    last = values(client, LINEAR, node=weight["id"], field="grad", offset=PAGE_MAX)
    assert (len(first["values"]), len(last["values"])) == (PAGE_MAX, 120_000 - PAGE_MAX)
    # reduced along 300 inputs (forward) then 8 rows (backward), in another order than the child's
    expected = linear_oracle()["grad"].flatten()
    assert_within_rounding(first["values"] + last["values"], expected, dtype=torch.float32, terms=300 + 8)


def test_a_transposed_view_pages_like_its_flattened_copy(
    client: httpx.Client, linear_graph: dict[str, Any]
) -> None:
    wt = node(linear_graph, "wt")
    page = values(client, LINEAR, node=wt["id"], offset=1_150, limit=1_000)  # rows 2 to 5 of 400 elements
    expected = linear_oracle()["wt"].flatten()[1_150:2_150]
    assert torch.equal(torch.tensor(page["values"], dtype=torch.float32), expected)


def test_the_request_seed_drives_unseeded_programs(client: httpx.Client) -> None:
    program = "import torch\n\nw = torch.randn(5, 4, requires_grad=True)\n(w * 3).sum().backward()\n"
    page = values(client, program, node="n0", options={"seed": 11})
    torch.manual_seed(11)
    assert torch.equal(torch.tensor(page["values"], dtype=torch.float32), torch.randn(5, 4).flatten())
    assert values(client, program, node="n0", field="grad", limit=3)["values"] == [3.0, 3.0, 3.0]


def test_non_finite_values_travel_as_strings(client: httpx.Client) -> None:
    program = "import torch\n\nv = torch.tensor([1.0, 0.0, -1.0]) / 0.0\n"
    page = values(client, program, node="n2", limit=3)  # n1 is the constant 0.0
    assert page["label"] == "v" and page["values"] == ["Infinity", "NaN", "-Infinity"]


def test_integers_beyond_2_53_travel_as_strings(client: httpx.Client) -> None:
    program = "import torch\n\nt = torch.ones(100, dtype=torch.long) * 1048576\nbig = t * t * t + 1\n"
    graph = client.post("/graph", json={"program": program, "options": {"layout": False}}).json()
    page = values(client, program, node=node(graph, "big")["id"], offset=98)
    assert (page["dtype"], page["values"]) == ("int64", [str(2**60 + 1)] * 2)


def test_an_unknown_node_is_named(client: httpx.Client, logistic_neuron: str) -> None:
    info = error(client, {"program": logistic_neuron, "node": "n999"})
    assert info["kind"] == "invalid_request"
    assert info["message"].startswith("there is no node n999: this program's graph has ")


def test_a_malformed_node_id_is_refused(client: httpx.Client, logistic_neuron: str) -> None:
    info = error(client, {"program": logistic_neuron, "node": "w"})
    assert info["message"] == "node: String should match pattern '^n[0-9]{1,9}$'"


def test_a_node_without_a_gradient_says_so(client: httpx.Client, logistic_neuron: str) -> None:
    info = error(client, {"program": logistic_neuron, "node": "n0", "field": "grad"})
    assert info["message"] == (
        "node n0 ('x') has no gradient: it does not require grad, or no backward pass reached it"
    )


def test_an_offset_beyond_the_tensor_is_refused(client: httpx.Client, logistic_neuron: str) -> None:
    info = error(client, {"program": logistic_neuron, "node": "n1", "offset": 1})
    assert info["message"] == "offset 1 is beyond the tensor's 1 elements (offsets 0 to 0)"


def test_an_edited_program_no_longer_matching_the_graph_is_refused(
    client: httpx.Client, linear_graph: dict[str, Any]
) -> None:
    wt = node(linear_graph, "wt")
    edited = LINEAR.replace("x = torch.randn(8, 300)\n", "x = torch.randn(8, 300)\nx = x * 2\n")
    query = {"node": wt["id"], "label": "wt", "shape": wt["shape"]}  # the edit moved every later id on
    info = error(client, {"program": edited, **query})
    assert info["message"] == (
        f"node {wt['id']} is now 'x * 2' [8, 300], not 'wt' [300, 400] as in the graph: the program "
        "or its options changed since; run it again"
    )


def test_the_page_size_is_capped(client: httpx.Client, logistic_neuron: str) -> None:
    info = error(client, {"program": logistic_neuron, "node": "n1", "limit": PAGE_MAX + 1})
    assert info["message"] == f"limit: Input should be less than or equal to {PAGE_MAX}"


def test_a_program_failing_before_the_node_reports_its_own_error(client: httpx.Client) -> None:
    program = "import torch\n\na = torch.ones(2)\nb = a @ torch.ones(3)\n"
    info = error(client, {"program": program, "node": "n5"})
    assert (info["kind"], info["line"]) == ("runtime_error", 4)


def test_values_are_in_the_openapi_contract(client: httpx.Client) -> None:
    schema = client.get("/openapi.json").json()
    operation = schema["paths"]["/values"]["post"]
    assert operation["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith("ValuesRequest")
    assert {"node", "field", "offset", "limit", "program", "options"} <= set(
        schema["components"]["schemas"]["ValuesRequest"]["properties"]
    )
    assert "422" in operation["responses"] and "503" in operation["responses"]


@pytest.mark.slow
def test_a_run_past_its_wall_clock_limit_is_stopped(server: LiveServer, client: httpx.Client) -> None:
    before = proc.running_workers(server.pid)  # children of earlier runs may still be exiting
    info = error(client, {"program": UNFINISHABLE, "node": "n0", "options": {"limits": {"wall_seconds": 1}}})
    assert (info["kind"], info["message"]) == ("timeout", "the run took longer than 1 s and was stopped")
    assert proc.running_workers(server.pid) <= before  # its child was killed before the answer


@pytest.mark.slow
@pytest.mark.anyio
async def test_a_client_that_disconnects_cancels_its_rerun(small_server: LiveServer) -> None:
    """The rerun would go on for longer than any wait here: only the cancel can end its child."""
    before = proc.running_workers(small_server.pid)
    async with held(small_server, {"program": UNFINISHABLE, "node": "n0"}, running=1, path="/values"):
        children = await wait_for_async(
            lambda: proc.running_workers(small_server.pid) - before, "the held rerun's child to take its job"
        )
    await wait_for_async(
        lambda: not children & proc.running_workers(small_server.pid), "its abandoned child to be killed"
    )


@pytest.mark.slow
@pytest.mark.anyio
async def test_a_full_queue_answers_503_with_retry_after(small_server: LiveServer) -> None:
    """One worker running a rerun and one rerun queued: the next request is refused, whatever the timing."""
    body = {"program": UNFINISHABLE, "node": "n0"}
    async with held(small_server, body, running=1, waiting=1, path="/values") as client:
        busy = await client.post("/values", json=body, headers={"x-gradtrace-client": "one-more-client"})
    assert busy.status_code == 503, busy.text
    assert (busy.json()["error"]["kind"], busy.headers["retry-after"]) == ("busy", "1")
