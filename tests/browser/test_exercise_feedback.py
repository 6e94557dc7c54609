"""How each exercise felt, on a phone (390 x 844): "too hard" on the clamshell twice (once on
a day's card, once at the end of the exercise in guided mode) gives the clinician one
regression suggestion, for the clamshell only."""

import datetime
import re

import pytest
from playwright.sync_api import expect

from patients import adherence, suggestions
from patients.demo import DEMO_PASSWORD
from patients.models import ExerciseFeedback, Patient
from tests.browser.helpers import OFFLINE_READY_MS, axe_violations, log_in, seed_demo_world

pytestmark = pytest.mark.django_db(transaction=True)

SHOTS = "/tmp/shots-20"  # noqa: S108 - screenshots to look at, not a secret


def _card(page, name):
    return page.locator(".exercise-card").filter(has=page.get_by_role("link", name=name))


def test_too_hard_twice_on_one_exercise_gives_one_regression_for_it(phone_page):
    page = phone_page
    seed_demo_world(with_history=False)
    patient = Patient.objects.get(user__username="demo-patient")
    log_in(page, "demo-patient", DEMO_PASSWORD)
    page.wait_for_url("**/plan/")

    # Yesterday, on the day's page: done, then one tap.
    yesterday = patient.today() - datetime.timedelta(days=1)
    page.goto(f"/plan/{yesterday.isoformat()}/")
    card = _card(page, "Side-lying knee opening (clamshell)")
    card.get_by_role("button", name=re.compile(r"^Mark done")).click()
    card = _card(page, "Side-lying knee opening (clamshell)")
    expect(card.get_by_text("How did it feel? (optional)")).to_be_visible()
    card.get_by_role("button", name="Too hard").click()
    expect(
        _card(page, "Side-lying knee opening (clamshell)").get_by_role("button", name="Too hard")
    ).to_have_attribute("aria-pressed", "true")
    _card(page, "Side-lying knee opening (clamshell)").scroll_into_view_if_needed()
    page.screenshot(path=f"{SHOTS}/feedback-card.png")
    assert axe_violations(page, impacts=("minor", "moderate", "serious", "critical")) == []

    # Today, in guided mode: the question comes at the end of the clamshell.
    page.goto("/plan/")
    page.get_by_role("link", name="Start guided session").click()
    page.wait_for_url("**/guided/")
    for _ in range(3):
        step = page.locator("[data-step].is-current")
        if (
            step.get_by_role("heading", level=1).inner_text()
            == "Side-lying knee opening (clamshell)"
        ):
            break
        step.get_by_role("button", name="Finish now").wait_for()
        step.locator("summary", has_text="Skip").click()
        step.get_by_label("Why are you skipping it?").select_option(label="No time")
        step.get_by_role("button", name="Skip this exercise").click()
    step = page.locator("[data-step].is-current")
    expect(step.get_by_role("heading", level=1)).to_have_text("Side-lying knee opening (clamshell)")
    question = step.locator("[data-feedback]")
    expect(question).to_be_hidden()  # asked once the exercise is done
    next_button = step.locator("[data-action=next]")
    for _ in range(8):
        if next_button.is_visible():
            break
        step.locator("[data-controls] [data-action]:visible").first.click()
    expect(question).to_be_visible()
    question.get_by_role("button", name="Too hard").click()
    expect(question.get_by_role("button", name="Too hard")).to_have_attribute(
        "aria-pressed", "true"
    )
    page.screenshot(path=f"{SHOTS}/feedback-guided.png")
    page.wait_for_function("() => !document.querySelector('[data-step][data-sending]')")

    assert list(ExerciseFeedback.objects.values_list("effort", flat=True)) == [
        "too_hard",
        "too_hard",
    ]
    annotated = adherence.with_adherence(Patient.objects, today=patient.today()).get(pk=patient.pk)
    found = suggestions.candidates_for([annotated], today=patient.today()).get(patient.pk, [])
    assert [(c.prescribed.exercise.name, c.kind) for c in found] == [
        ("Side-lying knee opening (clamshell)", "regress")
    ]
    assert page.console_errors == []


def test_an_answer_given_offline_is_stored_once_when_back_online(phone_page):
    page = phone_page
    seed_demo_world(with_history=False)
    log_in(page, "demo-patient", DEMO_PASSWORD)
    page.wait_for_url("**/plan/")
    expect(page.locator("body[data-offline-ready]")).to_have_count(1, timeout=OFFLINE_READY_MS)
    card = _card(page, "Side-lying knee opening (clamshell)")
    card.get_by_role("button", name=re.compile(r"^Mark done")).click()
    expect(
        _card(page, "Side-lying knee opening (clamshell)").get_by_role("button", name="Too hard")
    ).to_be_visible()

    page.context.set_offline(True)
    too_hard = _card(page, "Side-lying knee opening (clamshell)").get_by_role(
        "button", name="Too hard"
    )
    too_hard.click()
    expect(page.get_by_test_id("offline-status")).to_contain_text("1 saved entry")
    expect(too_hard).to_have_attribute("aria-pressed", "true")
    too_hard.click()  # a second tap, also kept
    expect(page.get_by_test_id("offline-status")).to_contain_text("2 saved entries")
    assert not ExerciseFeedback.objects.exists()

    page.context.set_offline(False)
    expect(page.get_by_test_id("offline-status")).to_contain_text(
        "2 entries sent to your clinic", timeout=30_000
    )
    answer = ExerciseFeedback.objects.get()
    assert (answer.prescribed_exercise.exercise.name, answer.effort) == (
        "Side-lying knee opening (clamshell)",
        "too_hard",
    )
    offline_requests = ("ERR_INTERNET_DISCONNECTED", "ERR_FAILED")
    assert [e for e in page.console_errors if not any(s in e for s in offline_requests)] == []
