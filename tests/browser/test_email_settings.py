"""A clinician turns symptom-report emails off from the admin's user tools, in a real
browser at 1024 and 820 px: the link, the two boxes, the emergency note, axe-core (any
impact). Screenshots go to /tmp/shots-19b/."""

import tempfile
from pathlib import Path

import pytest
from playwright.sync_api import expect

from clinic.models import User
from patients import demo
from tests.browser.helpers import axe_violations, log_in, seed_demo_world

pytestmark = pytest.mark.django_db(transaction=True)

SHOTS = Path(tempfile.gettempdir()) / "shots-19b"
ANY_IMPACT = ("minor", "moderate", "serious", "critical")


def test_a_clinician_turns_symptom_report_emails_off_from_the_user_tools(page, live_server):
    seed_demo_world(with_history=False)
    log_in(page, "demo-clinician", demo.DEMO_PASSWORD)
    page.wait_for_url("**/admin/")
    page.set_viewport_size({"width": 1024, "height": 900})
    page.get_by_role("link", name="My email settings").click()
    page.wait_for_url("**/admin/my-email/")
    expect(page.get_by_text("Emergencies are always emailed.")).to_be_visible()
    symptoms = page.get_by_label("Symptom reports")
    expect(symptoms).to_be_checked()
    expect(page.get_by_label("Weekly summary")).to_be_checked()
    assert axe_violations(page, ANY_IMPACT) == []
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=SHOTS / "email-settings-1024.png", full_page=True)

    symptoms.uncheck()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Your email settings are saved.")).to_be_visible()
    expect(page.get_by_label("Symptom reports")).not_to_be_checked()
    clinician = User.objects.get(username="demo-clinician")
    assert (clinician.weekly_summary, clinician.notification_emails) == (True, False)

    page.set_viewport_size({"width": 820, "height": 1180})
    assert page.evaluate("document.documentElement.scrollWidth") <= 820
    assert axe_violations(page, ANY_IMPACT) == []
    page.screenshot(path=SHOTS / "email-settings-820.png", full_page=True)
    assert page.console_errors == []
