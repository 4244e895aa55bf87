"""Who a child becomes: `nobody`'s ids from the image's /etc/passwd, or the kernel's overflow ids where the
image has no `nobody` (slim CUDA images: the pool never started there before)."""

from __future__ import annotations

import pwd
from collections.abc import Iterator

import pytest

from app.sandbox import confine


@pytest.fixture
def fresh_lookup() -> Iterator[None]:
    confine.child_user_ids.cache_clear()
    yield
    confine.child_user_ids.cache_clear()


def test_nobody_comes_from_the_password_file(fresh_lookup: None) -> None:
    entry = pwd.getpwnam("nobody")
    assert confine.child_user_ids() == (entry.pw_uid, entry.pw_gid)


def test_an_image_without_nobody_falls_back_to_the_overflow_ids(
    fresh_lookup: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    def missing(name: str) -> pwd.struct_passwd:
        raise KeyError(f"getpwnam(): name not found: {name!r}")

    monkeypatch.setattr(confine.pwd, "getpwnam", missing)
    assert confine.child_user_ids() == (65534, 65534)
