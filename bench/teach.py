"""What issue #7's additions cost: chain-rule cards + health on the built-in examples, the gradient check
and training, each against the capture it annotates or plain torch forward+backward. Prints figures and
ratios; asserts nothing."""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path[0] = str(
    Path(__file__).resolve().parents[1]
)  # the repo root, not bench/ (its http.py shadows the stdlib)

import torch  # noqa: E402

import app.capture  # noqa: E402,F401  (torch with the numpy warning silenced)
from app.capture import Recorder, capture  # noqa: E402
from app.examples import example  # noqa: E402
from app.examples.lessons import lesson  # noqa: E402
from app.graph import build_graph  # noqa: E402
from app.limits import Limits  # noqa: E402
from app.models import GraphOptions, TrainOptions  # noqa: E402
from app.program import compile_program  # noqa: E402
from app.runner import Execution  # noqa: E402
from app.teach import annotate, check_gradients, train  # noqa: E402
from app.teach.rerun import rerun  # noqa: E402


def _program(code: str) -> Callable[[Recorder], None]:
    return Execution(compile_program(code, max_chars=200_000, max_lines=5_000), Limits())


def _ms(start: float) -> float:
    return (time.perf_counter() - start) * 1000


def bench_annotate(name: str, repeats: int = 7) -> None:
    """annotate() (local derivatives, cards, call cards, health) next to the capture and graph build it
    follows: the median CPU time of `repeats` runs on copies of one graph (a loaded machine's wall clock
    varies several-fold; CPU time of one torch thread, as in the sandbox child, does not)."""
    program = _program(example(name).code)
    torch.manual_seed(0)
    start = time.process_time()
    recorded = capture(program, limits=Limits())
    graph = build_graph(recorded)
    base = (time.process_time() - start) * 1000
    spent: list[float] = []
    for _ in range(repeats):
        copy = graph.model_copy(deep=True)
        start = time.process_time()
        annotate(copy, recorded)
        spent.append((time.process_time() - start) * 1000)
    extra = statistics.median(spent)
    print(
        f"annotate {name:<12} {len(graph.nodes):5d} nodes {len(graph.backward):5d} events: "
        f"capture+build {base:8.1f} ms, annotate {extra:8.1f} ms median (min {min(spent):.1f}) CPU"
    )


def _plain_step_ms(code: str) -> float:
    """One bare run of the program up to and including its first backward (no capture): the unit of cost."""
    program = _program(code)
    start = time.perf_counter()
    for _ in range(10):
        rerun(program, {}, seed=0, backward=True)
    return _ms(start) / 10


def bench_lesson(name: str, options: GraphOptions) -> None:
    item = lesson(name)
    program = _program(item.code)
    torch.manual_seed(0)
    recorded = capture(program, limits=Limits())
    graph = build_graph(recorded)
    plain = _plain_step_ms(item.code)
    start = time.perf_counter()
    if options.gradcheck:
        check_gradients(graph, recorded, program, seed=0, budget_s=60)
        what = f"gradcheck of {len(graph.gradcheck)} elements"
    else:
        assert options.train is not None
        train(graph, recorded, program, options.train, seed=0, budget_s=60)
        what = f"train {options.train.steps} steps ({options.train.optimizer})"
    spent = _ms(start)
    print(f"{name:<17} {what:<32} {spent:8.1f} ms = {spent / plain:6.1f} bare runs ({plain:.2f} ms each)")


def main() -> None:
    torch.set_num_threads(1)  # as the sandbox child computes
    for name in ("logistic", "fanout", "simplenet", "softmax_ce", "gpt2_block", "gpt2_mini", "gpt2_124m"):
        bench_annotate(name)
    bench_lesson("gradcheck_smooth", GraphOptions(gradcheck=True))
    bench_lesson("train_mlp", GraphOptions(gradcheck=True))  # the MLP's 61 parameter elements
    bench_lesson("train_neuron", GraphOptions(train=TrainOptions(steps=50, lr=0.5)))
    bench_lesson("train_mlp", GraphOptions(train=TrainOptions(steps=100, optimizer="Adam", lr=0.01)))
    bench_lesson("train_mlp", GraphOptions(train=TrainOptions(steps=200, optimizer="SGD", lr=0.01)))


if __name__ == "__main__":
    main()
