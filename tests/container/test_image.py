"""The Docker image: hadolint passes; the built image serves the logistic neuron (podman, no Docker)."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from waiting import BACKSTOP_SECONDS

ROOT = Path(__file__).resolve().parents[2]
SMOKE = ROOT.parent / "shared" / "tools" / "container-smoke.sh"
HADOLINT = Path(sys.executable).parent / "hadolint"
CHECK = Path(__file__).with_name("check_neuron.py")


def test_dockerfile_passes_hadolint() -> None:
    hadolint = shutil.which("hadolint") or str(HADOLINT)
    result = subprocess.run([hadolint, str(ROOT / "Dockerfile")], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_dockerfile_follows_the_deployment_rules() -> None:
    text = (ROOT / "Dockerfile").read_text()
    assert "ARG BASE_IMAGE=debian:bookworm-slim" in text
    assert text.count("FROM ${BASE_IMAGE}") == 2  # multi-stage
    assert "ARG TORCH_SPEC=torch==2.13.0" in text
    assert "EXPOSE 8000" in text and "HEALTHCHECK" in text and "/healthz" in text
    assert "\nUSER 10001\n" in text
    assert "GRADTRACE_JAIL=strict" in text  # no serving without Landlock and seccomp


def can_run_podman() -> bool:
    """podman is here, or the smoke script can install it (root with apt-get)."""
    return SMOKE.exists() and (
        shutil.which("podman") is not None or (os.geteuid() == 0 and bool(shutil.which("apt-get")))
    )


@pytest.mark.container
@pytest.mark.slow
@pytest.mark.skipif(not can_run_podman(), reason="podman is missing and cannot be installed here")
def test_image_builds_runs_and_answers_the_logistic_neuron() -> None:
    then = f"{shlex.quote(sys.executable)} {shlex.quote(str(CHECK))}"
    wait = ["--wait", str(int(BACKSTOP_SECONDS))]  # for the container's /healthz: a backstop, not a bound
    command = [str(SMOKE), "--keep-image", "--path", "/healthz", *wait, "--then", then, str(ROOT)]
    result = subprocess.run(command, capture_output=True, text=True, timeout=1800)
    assert result.returncode == 0, (result.stdout + result.stderr)[-4000:]
    assert "jail: strict, landlock ABI" in result.stdout and "seccomp True" in result.stdout
    assert "dL/dw = -0.0898" in result.stdout
