"""The container image and the Kubernetes manifests, for real: hadolint passes; the built image serves the
logistic neuron (scripts/container-smoke: docker, else podman); deploy/gradtrace.yaml played by
`podman kube play` serves it too (scripts/kube-smoke). CI runs as root on Debian, where the scripts install
podman; elsewhere without podman these are skipped, saying why."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from waiting import BACKSTOP_SECONDS

ROOT = Path(__file__).resolve().parents[2]
HADOLINT = Path(sys.executable).parent / "hadolint"
NEURON = "dL/dw = -0.0898\ndL/db = -0.0817\n"


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
    assert 'CMD ["python3", "-m", "app.serve",' in text  # the connection guards apply


def why_podman_cannot_run() -> str | None:
    """None when podman is here or the scripts can install it (root with apt-get); else the reason."""
    if shutil.which("podman"):
        return None if os.geteuid() == 0 else "podman runs rootful here and this user is not root"
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        return "podman is not installed, and installing it needs root and apt-get"
    return None


def docker_answers() -> bool:
    docker = shutil.which("docker")
    return docker is not None and subprocess.run([docker, "info"], capture_output=True).returncode == 0


def run(script: str, *args: str) -> subprocess.CompletedProcess[str]:
    command = [str(ROOT / "scripts" / script), *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=2400)


@pytest.mark.container
@pytest.mark.slow
def test_image_builds_runs_and_answers_the_logistic_neuron() -> None:
    if not docker_answers() and (reason := why_podman_cannot_run()):
        pytest.skip(f"no Docker engine answers and {reason}")
    wait = ("--wait", str(int(BACKSTOP_SECONDS)))  # for the container's /healthz: a backstop, not a bound
    result = run("container-smoke", "--keep-image", *wait)
    assert result.returncode == 0, (result.stdout + result.stderr)[-4000:]
    assert_jailed_neuron(result.stdout)


@pytest.mark.container
@pytest.mark.slow
def test_kubernetes_manifests_run_with_podman_kube_play_and_answer_the_neuron() -> None:
    if reason := why_podman_cannot_run():
        pytest.skip(reason)
    result = run("kube-smoke", "--wait", str(int(BACKSTOP_SECONDS)))
    assert result.returncode == 0, (result.stdout + result.stderr)[-4000:]
    assert_jailed_neuron(result.stdout)


def assert_jailed_neuron(stdout: str) -> None:
    """The served image runs its children in the whole jail (strict mode) and answers the neuron."""
    jail, *rest = stdout.splitlines(keepends=True)
    assert jail.startswith("jail: strict, landlock ABI ") and jail.endswith(", seccomp True\n"), stdout
    assert "".join(rest) == NEURON
