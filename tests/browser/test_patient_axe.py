"""axe-core on every patient page at 390 x 844, violations of any impact: Today with a done
and a skipped card, guided mode with a running timer, history, settings, an exercise, the
safety advice, symptoms, the check-in, print, login and the sign-in link page."""

import re

import pytest
from playwright.sync_api import expect

from patients.demo import DEMO_PASSWORD
from tests.browser.helpers import axe_violations, log_in, seed_demo_world

pytestmark = pytest.mark.django_db(transaction=True)

SHOTS = "/tmp/shots-20"  # noqa: S108 - screenshots to look at, not a secret
ANY = ("minor", "moderate", "serious", "critical")


def test_no_axe_violations_of_any_impact_on_patient_pages(phone_page):
    page = phone_page
    seed_demo_world()
    found = {}
    for path in ("/accounts/login/", "/accounts/sign-in-link/"):
        page.goto(path)
        found[path] = axe_violations(page, ANY)
    log_in(page, "demo-patient", DEMO_PASSWORD)
    page.wait_for_url("**/plan/")

    page.get_by_role("button", name=re.compile(r"^Mark done")).first.click()
    expect(page.locator(".exercise-card.is-done")).to_have_count(1)
    card = page.locator(".exercise-card:not(.is-done)").first
    card.locator("summary", has_text="Skip").click()
    card.get_by_label("Why are you skipping it?").select_option(label="No time")
    card.get_by_role("button", name="Skip this exercise").click()
    expect(page.locator(".exercise-card.is-skipped")).to_have_count(1)
    found["today"] = axe_violations(page, ANY)

    page.get_by_role("link", name="Start guided session").click()
    page.wait_for_url("**/guided/")
    step = page.locator("[data-step].is-current")
    timer = step.locator("[data-timer]")
    for _ in range(4):  # sets and sides until a rest starts
        if timer.is_visible():
            break
        step.get_by_role("button", name="Done with this set").click()
    expect(timer).to_be_visible()
    found["guided"] = axe_violations(page, ANY)

    for path in (
        "/plan/history/",
        "/plan/settings/",
        "/plan/safety/",
        "/plan/symptoms/",
        "/plan/check-in/",
        "/plan/print/",
    ):
        page.goto(path)
        found[path] = axe_violations(page, ANY)
        if path == "/plan/history/":
            page.screenshot(path=f"{SHOTS}/history.png", full_page=True)
    page.goto("/plan/")
    page.locator(".exercise-card h3 a").first.click()
    found["exercise"] = axe_violations(page, ANY)
    assert {name: v for name, v in found.items() if v} == {}
