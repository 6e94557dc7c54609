import pytest
from playwright.sync_api import expect

from patients.demo import DEMO_PASSWORD
from tests.browser.conftest import axe_violations, log_in, seed_demo_world

pytestmark = pytest.mark.django_db(transaction=True)


def test_patient_reports_worse_symptoms_from_guided_mode_and_clinician_sees_it_first(
    phone_page, browser, live_server, artifacts
):
    seed_demo_world()
    page = phone_page
    log_in(page, "demo-patient", DEMO_PASSWORD)
    page.wait_for_url("**/plan/")
    page.get_by_role("link", name="Start guided session").click()
    page.wait_for_url("**/guided/")
    page.get_by_role("link", name="My symptoms got worse").click()
    page.wait_for_url("**/plan/symptoms/")
    assert axe_violations(page) == []
    page.get_by_label("Weakness or numbness in both legs").check()
    page.get_by_label("Tell your clinician more (optional)").fill("Since lifting a box.")
    page.get_by_role("button", name="Send to my clinician").click()
    expect(page.get_by_role("heading", name="Get urgent help now")).to_be_visible()
    expect(page.get_by_text("emergency department now")).to_be_visible()
    page.screenshot(path=artifacts / "patient-symptoms-urgent.png", full_page=True)
    assert page.console_errors == []

    desk = browser.new_context(base_url=live_server.url)
    clinician = desk.new_page()
    log_in(clinician, "demo-clinician", DEMO_PASSWORD)
    clinician.wait_for_url("**/admin/")
    first_row = clinician.locator(".attention-queue tbody tr").first
    expect(first_row).to_contain_text("Urgent")
    expect(first_row).to_contain_text("Pat Morgan")
    expect(first_row).to_contain_text("weakness or numbness in both legs")
    clinician.screenshot(path=artifacts / "admin-queue-urgent.png", full_page=True)
    desk.close()
