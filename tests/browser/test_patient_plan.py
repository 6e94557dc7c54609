"""The patient's day on a phone (390 x 844): check-offs, session done, guided mode,
history, the printed handout, and an accessibility check with axe-core."""

import re

import pytest
from playwright.sync_api import expect

from patients.demo import DEMO_PASSWORD
from patients.models import ExerciseCheck, SessionLog
from tests.browser.helpers import axe_violations, log_in, readme_picture, seed_demo_world

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def patient_page(phone_page):
    seed_demo_world()
    log_in(phone_page, "demo-patient", DEMO_PASSWORD)
    phone_page.wait_for_url("**/plan/")
    return phone_page


def test_patient_checks_everything_off_and_marks_the_session_done(patient_page, artifacts):
    page = patient_page
    assert axe_violations(page) == []
    done_buttons = page.get_by_role("button", name=re.compile(r"^Mark done"))
    total = done_buttons.count()
    assert total == 4
    for _ in range(total):
        done_buttons.first.click()  # htmx swaps the card; the next "Done" becomes first
        expect(done_buttons).to_have_count(total - 1 - _ if _ < total - 1 else 0)
    expect(page.locator(".exercise-card.is-done")).to_have_count(total)
    assert ExerciseCheck.objects.filter(session_log__date=SessionLog.objects.latest("date").date)
    page.screenshot(path=artifacts / "patient-today-checked.png", full_page=True)
    exercises = page.get_by_role("heading", name="Your exercises")
    readme_picture(page, "today-phone", scrolled_to=exercises)

    page.get_by_text("Mark session done").click()
    page.locator("label[for='pain-1-3']").click()
    page.get_by_text("About right", exact=True).click()
    page.get_by_label("A note for your clinician (optional)").fill("Felt good today.")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_text("Well done, Pat! Session saved.")).to_be_visible()
    expect(page.get_by_text("4 days in a row")).to_be_visible()
    page.screenshot(path=artifacts / "patient-today-done.png", full_page=True)
    latest = SessionLog.objects.latest("date")
    assert (latest.pain, latest.effort, latest.note) == (3, "about_right", "Felt good today.")

    page.get_by_role("link", name="History").click()
    today_cell = page.locator(f"td[data-date='{latest.date.isoformat()}']")
    expect(today_cell).to_have_attribute("data-status", "done")
    expect(page.get_by_test_id("current-streak")).to_have_text("4")
    assert axe_violations(page) == []
    page.screenshot(path=artifacts / "patient-history.png", full_page=True)
    assert page.console_errors == []


def test_guided_mode_steps_through_an_exercise_with_its_timer(patient_page, artifacts):
    page = patient_page
    page.get_by_role("link", name="Start guided session").click()
    page.wait_for_url("**/guided/")
    expect(page.get_by_text("Exercise 1 of 4").first).to_be_visible()
    assert axe_violations(page) == []

    # Pelvic tilt: 2 sets of 10 with short holds the patient counts; a rest between sets.
    step = page.locator("[data-step].is-current")
    step.get_by_role("button", name="Done with this set").click()
    expect(step.locator("[data-timer-label]")).to_have_text("Rest")
    step.get_by_role("button", name="Skip the timer").click()
    step.get_by_role("button", name="Done with this set").click()
    step.get_by_role("button", name="Next exercise ›").click()

    # Glute bridge and clamshell: two sets each, resting skipped.
    for name in ("Hip lift (glute bridge)", "Side-lying knee opening (clamshell)"):
        step = page.locator("[data-step].is-current")
        expect(step.get_by_role("heading", name=name)).to_be_visible()
        next_exercise = step.get_by_role("button", name="Next exercise ›")
        for _ in range(8):
            if next_exercise.is_visible():
                break
            step.locator("[data-action]:visible").first.click()
        next_exercise.click()

    # Standing hip flexor stretch: a timed 30-second hold; watch it count down.
    step = page.locator("[data-step].is-current")
    expect(
        step.get_by_role(
            "heading", name="Standing stretch for the front of the hip (hip flexor stretch)"
        )
    ).to_be_visible()
    step.get_by_role("button", name=re.compile(r"Start 30-second hold")).click()
    value = step.locator("[data-timer-value]")
    expect(value).to_have_text("30")
    expect(value).to_have_text("28", timeout=4000)
    page.screenshot(path=artifacts / "patient-guided.png", full_page=False)
    readme_picture(page, "guided-phone")
    step.get_by_role("button", name="Skip the timer").click()
    expect(step.locator("[data-set-counter]")).to_contain_text("second side")
    assert ExerciseCheck.objects.filter(prescribed_exercise__exercise__name="Pelvic tilt").exists()
    assert page.console_errors == []


def test_printed_handout(patient_page, artifacts):
    page = patient_page
    page.goto("/plan/print/")
    expect(page.get_by_role("heading", name=re.compile("Home exercise program"))).to_be_visible()
    # A way back and a Print button on screen (the installed app has no back button on an
    # iPhone); neither on paper.
    expect(page.get_by_role("button", name="Print")).to_be_visible()
    expect(page.get_by_role("link", name="‹ Back to my plan")).to_be_visible()
    assert axe_violations(page, impacts=("minor", "moderate", "serious", "critical")) == []
    page.emulate_media(media="print")
    expect(page.get_by_role("button", name="Print")).to_be_hidden()
    page.screenshot(path=artifacts / "patient-handout-print.png", full_page=True)
    pdf = page.pdf(path=artifacts / "patient-handout.pdf", format="A4")
    assert pdf.startswith(b"%PDF")
    assert page.console_errors == []
