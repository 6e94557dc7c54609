"""Forms where the patient looks, on a phone (390 x 844): a refused "session done" puts its
error summary in view with focus on it, says "not saved", and asks once about exercises that
are not ticked."""

import re

import pytest
from playwright.sync_api import expect

from patients.demo import DEMO_PASSWORD
from patients.models import ExerciseCheck, SessionLog
from tests.browser.helpers import PHONE, axe_violations, log_in, seed_demo_world

pytestmark = pytest.mark.django_db(transaction=True)

SHOTS = "/tmp/shots-20"  # noqa: S108 - screenshots to look at, not a secret


@pytest.fixture
def patient_page(phone_page):
    seed_demo_world(with_history=False)
    log_in(phone_page, "demo-patient", DEMO_PASSWORD)
    phone_page.wait_for_url("**/plan/")
    return phone_page


def test_a_refused_session_done_shows_its_errors_in_view_and_focused(patient_page):
    page = patient_page
    page.get_by_role("button", name=re.compile(r"^Mark done")).first.click()
    expect(page.locator(".exercise-card.is-done")).to_have_count(1)
    page.get_by_text("Mark session done").click()
    page.get_by_text("About right", exact=True).click()
    page.get_by_role("button", name="Save", exact=True).click()  # no pain score, no answer

    summary = page.locator("[data-error-summary]")
    expect(summary).to_be_focused()
    box = summary.bounding_box()
    assert box is not None
    assert box["y"] >= 0, box
    assert box["y"] + box["height"] <= PHONE["height"], box
    expect(summary).to_contain_text("Choose a number from 0 to 10 for your pain.")
    expect(summary).to_contain_text("Choose what to do with the exercises that aren't ticked.")
    expect(page.get_by_text("Well done")).to_have_count(0)
    expect(page.get_by_text("Not saved — see the problem below")).to_be_visible()
    page.screenshot(path=f"{SHOTS}/session-done-refused.png")
    assert axe_violations(page, impacts=("minor", "moderate", "serious", "critical")) == []

    # The link goes to the field; then the patient answers and it saves.
    summary.get_by_role("link", name=re.compile("pain")).click()
    expect(page.locator("#pain-1-0")).to_be_focused()
    page.locator("label[for='pain-1-2']").click()
    page.get_by_role("radio", name="Skip them").check()
    page.get_by_label(re.compile("Why are you skipping them")).select_option(label="No time")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_text("Session saved.")).to_be_visible()
    assert SessionLog.objects.get().pain == 2
    assert ExerciseCheck.objects.filter(status="skipped", skip_reason="no_time").count() == 3
    expect(page.locator(".exercise-card.is-skipped")).to_have_count(3)
    # The refused post's own 400 is the only console error.
    assert all("400" in error for error in page.console_errors)


def test_no_question_once_everything_is_ticked(patient_page):
    page = patient_page
    buttons = page.get_by_role("button", name=re.compile(r"^Mark done"))
    for left in range(3, -1, -1):
        buttons.first.click()
        expect(buttons).to_have_count(left)
    page.get_by_text("Mark session done").click()
    expect(page.locator("[data-unticked]")).to_be_hidden()
    page.locator("label[for='pain-1-1']").click()
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_text("Session saved.")).to_be_visible()


def test_a_missing_page_is_in_the_apps_look_with_a_way_home(patient_page):
    page = patient_page
    response = page.goto("/plan/exercises/999999/")
    assert response.status == 404
    expect(page.get_by_role("heading", name="We can't find that page")).to_be_visible()
    page.screenshot(path=f"{SHOTS}/404-patient.png")
    assert axe_violations(page, impacts=("minor", "moderate", "serious", "critical")) == []
    page.get_by_role("link", name="Back to my plan").click()
    page.wait_for_url("**/plan/")
