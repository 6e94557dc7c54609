import pytest
from playwright.sync_api import expect

from patients.demo import DEMO_PASSWORD
from tests.browser.helpers import log_in, readme_picture, seed_demo_world

pytestmark = pytest.mark.django_db(transaction=True)


def test_clinician_sees_adherence_and_opens_the_progress_page(page, artifacts):
    seed_demo_world()
    log_in(page, "demo-clinician", DEMO_PASSWORD)
    page.wait_for_url("**/admin/")
    page.screenshot(path=artifacts / "admin-index-attention.png", full_page=True)

    page.goto("/admin/patients/patient/")
    row = page.get_by_role("row").filter(has_text="Pat Morgan")
    expect(row.locator(".adherence").first).to_contain_text("%")
    page.screenshot(path=artifacts / "admin-patient-list.png", full_page=True)

    row.get_by_role("link", name="Pat Morgan").click()
    page.get_by_role("link", name="Progress").click()
    expect(page.get_by_role("heading", name="Completion, last 12 weeks")).to_be_visible()
    expect(page.locator("svg.heatmap rect.status-done").first).to_be_visible()
    expect(
        page.get_by_role("img", name="Pain after sessions (0–10)").locator("polyline")
    ).to_be_visible()
    expect(page.get_by_text("Could walk the dog without pain today!")).to_be_visible()
    expect(page.get_by_role("row", name="Putting on socks 3 5")).to_be_visible()
    page.screenshot(path=artifacts / "admin-progress.png", full_page=True)
    readme_picture(page, "progress-clinician")
    page.emulate_media(media="print")
    page.pdf(path=artifacts / "admin-progress.pdf", format="A4")
    assert page.console_errors == []
