"""The page, health, examples and the published contract; security headers on every response."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from conftest import LiveServer


def test_healthz_is_ok_once_warm(server: LiveServer) -> None:
    with server.client() as client:
        response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok" and body["torch"].startswith("2.13")
    assert (body["running"], body["waiting"]) == (0, 0)  # every earlier run has answered


@pytest.mark.parametrize("path", ["/", "/healthz", "/examples", "/openapi.json"])
def test_security_headers_everywhere(server: LiveServer, path: str) -> None:
    with server.client() as client:
        headers = client.get(path).headers
    assert headers["content-security-policy"].startswith("default-src 'self'")
    assert "unsafe-inline" not in headers["content-security-policy"]
    assert "frame-ancestors 'none'" in headers["content-security-policy"]
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "no-referrer"
    assert "access-control-allow-origin" not in headers


def test_no_cors_preflight(server: LiveServer) -> None:
    with server.client() as client:
        response = client.options(
            "/graph", headers={"origin": "https://evil.example", "access-control-request-method": "POST"}
        )
    assert "access-control-allow-origin" not in response.headers


def test_page_renders_without_inline_scripts(server: LiveServer) -> None:
    with server.client() as client:
        response = client.get("/")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert '<script type="module" src="/static/js/main.js' in response.text
    assert "<script>" not in response.text


def test_static_files_are_served(server: LiveServer) -> None:
    with server.client() as client:
        response = client.get("/static/js/main.js")
    assert response.status_code == 200
    assert "javascript" in response.headers["content-type"]


def test_examples_list_the_logistic_neuron(server: LiveServer) -> None:
    with server.client() as client:
        examples = client.get("/examples").json()
    assert {"name", "title", "description", "code"} <= set(examples[0])
    assert any("sigmoid" in example["code"] for example in examples)


@pytest.mark.slow
def test_every_example_runs(server: LiveServer) -> None:
    with server.client() as client:
        for example in client.get("/examples").json():
            response = client.post("/graph", json={"program": example["code"]})
            assert response.status_code == 200, (example["name"], response.text[:300])


def test_openapi_describes_the_routes(server: LiveServer) -> None:
    with server.client() as client:
        schema = client.get("/openapi.json").json()
    assert {"/graph", "/layout", "/examples", "/healthz"} <= set(schema["paths"])
    assert "GraphResponse" in schema["components"]["schemas"]
