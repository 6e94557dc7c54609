import pytest
from playwright.sync_api import expect

from patients.demo import DEMO_PASSWORD
from patients.models import Patient
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


# Cells whose longest word is wider than the cell: the browser broke a heading or a number
# inside it ("Skipped" as SKI/PPE/D, 24 sessions as 2 over 4).
BROKEN_WORDS = """() => [...document.querySelectorAll("#content table th, #content table td")]
  .filter((cell) => {
    const style = getComputedStyle(cell);
    const words = cell.textContent.trim().split(/\\s+/);
    const longest = words.reduce((a, b) => (b.length > a.length ? b : a), "");
    if (!longest) return false;
    const probe = document.createElement("span");
    probe.style.cssText = "position:absolute;visibility:hidden;white-space:nowrap";
    probe.textContent = longest;
    cell.appendChild(probe);
    const needed = probe.getBoundingClientRect().width;
    probe.remove();
    const room = cell.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
    return needed > room + 0.5;
  })
  .map((cell) => cell.textContent.trim())"""


def test_the_progress_tables_break_no_word_or_number_at_1024_and_820(page):
    seed_demo_world()
    patient = Patient.objects.get(user__username="demo-patient")
    log_in(page, "demo-clinician", DEMO_PASSWORD)
    page.wait_for_url("**/admin/")
    for width in (1024, 820):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(f"/admin/patients/patient/{patient.pk}/progress/")
        expect(page.get_by_role("heading", name="Exercises")).to_be_visible()
        assert page.evaluate(BROKEN_WORDS) == [], width
        # Nothing pushes the page sideways: a table too wide scrolls inside its own box.
        assert page.evaluate("document.documentElement.scrollWidth") <= width
