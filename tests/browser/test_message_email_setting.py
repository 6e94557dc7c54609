"""The patient's "Email me when my clinic sends me a message" switch on a phone, and the
unsubscribe page that turns it off with the reminders."""

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from patients.demo import DEMO_PASSWORD
from patients.models import Patient
from patients.reminders import unsubscribe_token
from tests.browser.helpers import log_in, seed_demo_world

pytestmark = pytest.mark.django_db(transaction=True)

SHOTS = "/tmp/shots-22-emails"  # noqa: S108 - screenshots to look at, not a secret


def test_the_patient_turns_message_emails_off_and_the_unsubscribe_page_says_so(
    browser, live_server
):
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": 390, "height": 844}, is_mobile=True
    )
    page = context.new_page()
    seed_demo_world(with_history=False)
    patient = Patient.objects.get(user__username="demo-patient")
    assert patient.message_emails
    log_in(page, "demo-patient", DEMO_PASSWORD)
    page.wait_for_url("**/plan/")
    page.goto("/plan/settings/")
    switch = page.get_by_label("Email me when my clinic sends me a message")
    expect(switch).to_be_checked()
    switch.scroll_into_view_if_needed()
    page.screenshot(path=f"{SHOTS}/settings-390.png")
    switch.uncheck()
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_text("Your settings are saved.")).to_be_visible()
    patient.refresh_from_db()
    assert not patient.message_emails
    assert patient.reminders_enabled  # only what was switched

    context.clear_cookies()
    page.goto(f"/plan/unsubscribe/{unsubscribe_token(patient)}/")
    expect(page.get_by_role("heading", name="Stop our emails?")).to_be_visible()
    page.screenshot(path=f"{SHOTS}/unsubscribe-390.png")
    page.get_by_role("button", name="Yes, stop the emails").click()
    done = page.get_by_role("heading", name="Done — no more reminder or message emails")
    expect(done).to_be_visible()
    page.screenshot(path=f"{SHOTS}/unsubscribed-390.png")
    patient.refresh_from_db()
    assert not patient.reminders_enabled
    assert not patient.message_emails
    assert get_user_model().objects.filter(pk=patient.user_id, is_active=True).exists()
