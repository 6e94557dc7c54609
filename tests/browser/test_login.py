import pytest

from patients.demo import DEMO_PASSWORD, demo_accounts_ensure
from tests.browser.helpers import log_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_clinician_logs_in_through_the_real_login_page_and_lands_in_admin(page, artifacts):
    demo_accounts_ensure()
    log_in(page, "demo-clinician", DEMO_PASSWORD)
    page.wait_for_url("**/admin/")
    assert page.locator("#site-name").inner_text() == "Homeplan"
    page.screenshot(path=artifacts / "admin-index.png")
    assert page.console_errors == []


def test_patient_logs_in_on_a_phone_and_lands_on_the_plan(phone_page, artifacts):
    demo_accounts_ensure()
    log_in(phone_page, "demo-patient", DEMO_PASSWORD)
    phone_page.wait_for_url("**/plan/")
    assert phone_page.get_by_test_id("signed-in-as").is_visible()
    phone_page.screenshot(path=artifacts / "patient-first-login.png")
    phone_page.get_by_role("button", name="Log out").click()
    phone_page.wait_for_url("**/accounts/login/")
    assert phone_page.console_errors == []


def test_wrong_password_shows_a_message_not_an_error(page):
    demo_accounts_ensure()
    log_in(page, "demo-clinician", "not-the-password")
    assert page.get_by_text("Please enter a correct").is_visible()
