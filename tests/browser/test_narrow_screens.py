"""A 320 px phone with a very long username: the header, Today and settings fit the
screen (no sideways scrolling), and the time zone is typed with suggestions."""

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from patients.demo import DEMO_PASSWORD
from patients.models import Patient
from tests.browser.helpers import log_in, seed_demo_world

pytestmark = pytest.mark.django_db(transaction=True)

SHOTS = "/tmp/shots-20"  # noqa: S108 - screenshots to look at, not a secret
LONG = "bartholomew.featherstonehaugh-cholmondeley.of.little-snoring-in-the-marsh"
WIDTH = "() => document.documentElement.scrollWidth"


def test_header_today_and_settings_fit_320_px(browser, live_server):
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": 320, "height": 640}, is_mobile=True
    )
    page = context.new_page()
    seed_demo_world(with_history=False)
    get_user_model().objects.filter(username="demo-patient").update(username=LONG)
    # The login page, with the language switcher at its foot, in the longest words we ship.
    page.goto("/accounts/login/")
    page.select_option("#language-choice", "es")
    page.locator(".language-switcher button").click()
    page.wait_for_selector("html[lang='es']")
    assert page.evaluate(WIDTH) <= 320
    page.screenshot(path=f"{SHOTS}/login-es-320.png", full_page=True)
    page.select_option("#language-choice", "en-gb")
    page.locator(".language-switcher button").click()
    page.wait_for_selector("html[lang='en-gb']")
    log_in(page, LONG, DEMO_PASSWORD)
    page.wait_for_url("**/plan/")
    assert page.evaluate(WIDTH) <= 320
    page.screenshot(path=f"{SHOTS}/today-320.png")
    page.goto("/plan/settings/")
    assert page.evaluate(WIDTH) <= 320
    page.screenshot(path=f"{SHOTS}/settings-320.png", full_page=True)

    zone = page.get_by_label("My time zone")
    zone.fill("America/New_York")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_text("Your settings are saved.")).to_be_visible()
    assert Patient.objects.get(user__username=LONG).timezone == "America/New_York"
    # The likeliest zones first: the patient's own region.
    first = page.evaluate(
        "[...document.querySelectorAll('#timezone-list option')].slice(0, 2).map((o) => o.value)"
    )
    assert first == ["America/New_York", "Europe/London"]
    zone.fill("Atlantis/Capital")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator("[data-error-summary]")).to_contain_text("is not a known time zone")
    context.close()
