"""GET /lesson: the lesson shell the page fills with its graph, as app.lesson writes it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from app.lesson import DATA_MARK, lesson_shell

if TYPE_CHECKING:
    from conftest import LiveServer


def test_the_lesson_shell_is_served_with_one_place_for_the_data(server: LiveServer) -> None:
    with server.client() as client:
        response = client.get("/lesson")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert response.text == lesson_shell()
    data_element = '<script type="application/json" id="lesson-data">'
    assert response.text.index(DATA_MARK) == response.text.index(data_element) + len(data_element)
    # served from the server's origin, the shell runs nothing: its inline scripts are refused there
    assert "unsafe-inline" not in response.headers["content-security-policy"]
