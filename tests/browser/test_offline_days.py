"""Offline on a phone (390 x 844): the "next day" link finds the coming day's saved copy,
which the phone keeps under another address (/plan/<date>/?offline-copy=1)."""

import datetime
import re

import pytest
from playwright.sync_api import expect

from patients.demo import DEMO_PASSWORD
from patients.models import Patient
from tests.browser.helpers import OFFLINE_READY_MS, log_in, seed_demo_world

pytestmark = pytest.mark.django_db(transaction=True)

SHOTS = "/tmp/shots-20"  # noqa: S108 - screenshots to look at, not a secret


def test_offline_the_next_day_link_finds_the_saved_copy(phone_page):
    page = phone_page
    seed_demo_world(with_history=False)
    patient = Patient.objects.get(user__username="demo-patient")
    log_in(page, "demo-patient", DEMO_PASSWORD)
    page.wait_for_url("**/plan/")
    expect(page.locator("body[data-offline-ready]")).to_have_count(1, timeout=OFFLINE_READY_MS)
    page.context.set_offline(True)
    page.get_by_role("link", name="Next day").click()
    tomorrow = patient.today() + datetime.timedelta(days=1)
    page.wait_for_url(f"**/plan/{tomorrow.isoformat()}/")
    expect(page.locator(f"[data-plan-day='{tomorrow.isoformat()}']")).to_be_visible()
    expect(page.get_by_test_id("offline-status")).to_contain_text("this day is still to come")
    # Named by its weekday, with nothing to log before the day.
    expect(page.locator(".day-header h1")).to_have_text(tomorrow.strftime("%A"))
    expect(page.get_by_role("button", name=re.compile(r"^Mark done"))).to_have_count(0)
    expect(page.get_by_role("link", name="Start guided session")).to_have_count(0)
    expect(page.get_by_text("isn’t saved on this phone")).to_have_count(0)
    page.screenshot(path=f"{SHOTS}/offline-next-day.png")
