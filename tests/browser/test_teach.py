"""Issue #7 in the page: formula cards, quiz, loss curve, gradient check, health overlay, in Chromium."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from actions import pick_example, run
from playwright.sync_api import Page, expect

from app.examples.lessons import lesson

pytestmark = pytest.mark.browser

NEURON = lesson("train_neuron").code  # the logistic neuron of the issue: x = 1.1, w = 2.2, b = 0, y = 1
X_LOG_X = lesson("nan_gradient").code
SGD_STEP = "opt = torch.optim.SGD([w, b], lr=0.1)\nloss.backward()\nopt.step()"
NEURON_STEP = NEURON.replace("loss.backward()", SGD_STEP)

TWO_LAYERS = """import torch
import torch.nn as nn
torch.manual_seed(0)
net = nn.Sequential(nn.Linear(3, 2), nn.Tanh(), nn.Linear(2, 1))
loss = net(torch.ones(1, 3)).sum()
loss.backward()
"""


def step_until_card(page: Page, title: str) -> None:
    card = page.locator(".formula-card .card-title")
    for _ in range(30):
        if card.text_content() == title:
            return
        page.get_by_role("button", name="Step", exact=True).click()
    raise AssertionError(f"no step shows the card {title!r}")


def test_formula_card_shows_the_chain_rule_with_numbers(page: Page, artifacts: Path) -> None:
    run(page, NEURON)
    card = page.locator(".formula-card")
    expect(card).to_contain_text("not computed yet")
    step_until_card(page, "SigmoidBackward0 at a")
    expect(card.locator(".card-local")).to_have_text("da/dz = σ(z)(1 − σ(z)) = 0.07499")
    expect(card.locator(".card-chain")).to_have_text("dL/dz = dL/da × da/dz = −1.089 × 0.07499 = −0.08166")
    page.screenshot(path=artifacts / "teach-formula-card.png")
    step_until_card(page, "MulBackward0 at x * w")
    chain = "dL/dw = dL/d(x * w) × d(x * w)/dw = −0.08166 × 1.1 = −0.08983"
    expect(card.locator(".card-chain")).to_have_text(chain)


def test_fan_out_card_shows_the_sum_of_the_contributions(page: Page) -> None:
    run(page, "import torch\nw = torch.tensor(3.0, requires_grad=True)\nloss = w * w\nloss.backward()\n")
    step_until_card(page, "AccumulateGrad at w")
    expect(page.locator(".formula-card .card-fan-out")).to_have_text("dL/dw = 3 + 3 = 6 (w is used 2 times)")


def test_optimizer_step_card_shows_each_update_with_its_numbers(page: Page) -> None:
    run(page, NEURON_STEP)
    page.get_by_role("button", name="End", exact=True).click()
    card = page.locator(".formula-card")
    expect(card.locator(".card-title")).to_have_text("SGD step")
    expect(card.locator(".card-update")).to_have_text(
        [
            "w: w ← w − lr · grad = 2.2 − 0.1 × (−0.08983) = 2.209",
            "b: b ← b − lr · grad = 0 − 0.1 × (−0.08166) = 0.008166",
        ]
    )


def test_quiz_rejects_a_wrong_gradient_and_accepts_the_right_one(page: Page, artifacts: Path) -> None:
    page.get_by_role("checkbox", name="Quiz").check()
    run(page, NEURON)
    page.get_by_label("Speed").select_option("0")
    page.get_by_role("button", name="Play", exact=True).click()
    quiz = page.locator(".quiz")
    expect(quiz.locator(".quiz-prompt")).to_have_text("What is dL/da? (BinaryCrossEntropyBackward0 sends it)")
    page.get_by_role("button", name="Show answer").click()
    expect(quiz.locator(".quiz-feedback")).to_have_text("The answer is −1.089.")
    page.get_by_role("button", name="Continue").click()
    expect(quiz.locator(".quiz-prompt")).to_have_text("What is dL/dz? (SigmoidBackward0 sends it)")
    answer = page.get_by_label("Your answer")
    answer.fill("0.5")
    page.get_by_role("button", name="Check").click()
    expect(quiz.locator(".quiz-feedback")).to_have_attribute("data-result", "wrong")
    page.screenshot(path=artifacts / "teach-quiz-wrong.png")
    assert page.locator(".formula-card .card-title").text_content() != "SigmoidBackward0 at a"
    answer.fill("−0.0817")
    answer.press("Enter")
    expect(quiz.locator(".quiz-feedback")).to_have_text("Correct: −0.08166.")
    page.get_by_role("button", name="Continue").click()
    expect(quiz.locator(".quiz-prompt")).to_have_text("What is dL/d(x * w)? (AddBackward0 sends it)")
    expect(page.locator(".formula-card .card-title")).to_have_text("SigmoidBackward0 at a")


def test_training_draws_one_loss_point_per_step_and_a_step_slider(page: Page, artifacts: Path) -> None:
    pick_example(page, "train_neuron")
    expect(page.get_by_role("checkbox", name="Train", exact=True)).to_be_checked()
    curve = page.get_by_role("img", name="Loss curve", exact=True)  # the training curve (not the passes one)
    expect(curve).to_have_attribute("data-points", "50")
    assert len(curve.locator("polyline").get_attribute("points").split()) == 50
    expect(page.locator(".train-readout")).to_contain_text("step 1 / 50")
    page.get_by_role("slider", name="Training step").fill("49")
    expect(page.locator(".train-readout")).to_contain_text("step 50 / 50")
    expect(page.locator('[data-label="w"] .value')).not_to_have_text("= 2.2")
    expect(page.locator(".formula-card .card-title")).to_have_text("SGD training step 50 of 50")
    page.screenshot(path=artifacts / "teach-training.png")


def test_gradient_check_table_shows_the_relu_kink(page: Page, artifacts: Path) -> None:
    pick_example(page, "gradcheck_kink")
    table = page.locator(".gradcheck-table")
    expect(table.locator("tbody tr")).to_have_count(3)
    expect(table.locator("tr.differs")).to_have_count(1)
    expect(table.locator("tr.differs td").first).to_have_text("x[0]")
    expect(page.locator(".gradcheck-notes")).to_contain_text("kink")
    page.screenshot(path=artifacts / "teach-gradcheck.png")


def test_health_overlay_marks_the_nan_op_of_x_log_x(page: Page, artifacts: Path) -> None:
    page.get_by_role("checkbox", name="Gradient health").check()
    run(page, X_LOG_X)
    flagged = page.locator('[data-node-id].flag-nan[data-label="y"]')
    expect(flagged).to_have_count(1)
    assert "health-coloured" in (page.locator('[data-label="loss"]').first.get_attribute("class") or "")
    nan_flag = page.locator(".health-flags .flag-nan").first
    expect(nan_flag).to_have_text("NaN (forward)")
    nan_flag.click()
    expect(page.locator(".inspector h3")).to_have_text("y")
    page.screenshot(path=artifacts / "teach-health.png")
    page.get_by_role("checkbox", name="Gradient health").uncheck()
    expect(page.locator(".flag-nan[data-node-id]")).to_have_count(0)


def test_health_colours_come_back_on_nodes_drawn_when_a_module_opens(page: Page) -> None:
    page.get_by_role("checkbox", name="Gradient health").check()
    graph = run(page, TWO_LAYERS)
    weight = page.locator('[data-node-id][data-label="0.weight"]')
    expect(weight).to_have_class(re.compile("health-coloured"))
    page.locator('.group-header[data-group-id="net"]').click()
    expect(weight).to_be_hidden()
    page.locator('.group-header[data-group-id="net"]').click()
    expect(weight).to_have_class(re.compile("health-coloured"))
    first = next(g["id"] for g in graph["groups"] if g["kind"] == "call" and g["label"] == "0")
    page.locator(f'.call-box[data-group-id="{first}"] .call-toggle').click()  # nn.Linear's call, opened
    transpose = page.locator('[data-node-id][data-label="t"]').first  # one of its autograd nodes, drawn now
    expect(transpose).to_have_class(re.compile("health-coloured"))


def test_backward_twice_without_zero_grad_shows_the_accumulation(page: Page) -> None:
    pick_example(page, "accumulate")
    page.get_by_role("button", name="End", exact=True).click()
    expect(page.locator(".formula-card .card-chain")).to_have_text(
        "w.grad += dL/dw: 6 + 2 = 8 (accumulated: no zero_grad since the last backward)"
    )


def test_quiz_feedback_stays_until_the_person_moves_on(page: Page) -> None:
    page.get_by_role("checkbox", name="Quiz").check()
    run(page, NEURON)
    page.get_by_label("Speed").select_option("0")  # a step per frame: feedback used to vanish within one
    page.get_by_role("button", name="Play", exact=True).click()
    quiz = page.locator(".quiz")
    expect(quiz.locator(".quiz-prompt")).to_have_text("What is dL/da? (BinaryCrossEntropyBackward0 sends it)")
    position = page.locator(".counter").text_content()
    page.get_by_label("Your answer").fill("-1.0889")
    page.get_by_label("Your answer").press("Enter")
    feedback = quiz.locator(".quiz-feedback")
    expect(feedback).to_have_text("Correct: −1.089.")
    expect(page.locator(".player")).not_to_have_class(re.compile("playing"))  # nothing runs on by itself
    page.get_by_role("button", name="Step back", exact=True).focus()  # the person looks around: still there
    expect(page.get_by_role("button", name="Continue")).to_be_visible()
    assert page.locator(".counter").text_content() == position
    expect(feedback).to_have_text("Correct: −1.089.")
    expect(page.get_by_label("Your answer")).to_be_disabled()
    page.get_by_role("button", name="Continue").click()
    expect(quiz.locator(".quiz-prompt")).to_have_text("What is dL/dz? (SigmoidBackward0 sends it)")
    expect(feedback).to_have_text("")


def test_a_closed_call_shows_the_chain_rule_of_the_whole_call(page: Page) -> None:
    graph = pick_example(page, "softmax_ce")
    labels = {node["id"]: node["label"] for node in graph["nodes"]}
    event = next(event for event in graph["backward"] if event["call"])  # dL/dlogits reaches F.cross_entropy
    step_until_card(page, labels[event["node"]])  # titled by the call's output, not by an autograd op
    expect(page.locator(".formula-card .card-chain")).to_have_text(
        "dL/dlogits = (softmax(logits) − one-hot(targets))/2 = ([[0.659, 0.2424, 0.09857], [0.1161, 0.858, "
        "0.02591]] − [[1, 0, 0], [0, 1, 0]]) / 2 = [[−0.1705, 0.1212, 0.04928], [0.05806, −0.07101, 0.01295]]"
    )
