import pytest
from playwright.sync_api import expect

from exercises.models import SafetyAdvice
from patients.demo import DEMO_PASSWORD
from patients.models import SymptomReport
from tests.browser.helpers import OFFLINE_READY_MS, axe_violations, log_in, seed_demo_world

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


ANY_IMPACT = ("minor", "moderate", "serious", "critical")


def test_offline_a_leg_getting_weaker_gets_emergency_advice_and_reaches_the_queue_once(
    phone_page, browser, live_server, artifacts
):
    """Offline, from guided mode: the emergency advice at once, with numbers to tap; back
    online, the report reaches the clinician's queue first, urgent, exactly once."""
    seed_demo_world()
    page = phone_page
    log_in(page, "demo-patient", DEMO_PASSWORD)
    page.wait_for_url("**/plan/")
    expect(page.locator("body[data-offline-ready]")).to_have_count(1, timeout=OFFLINE_READY_MS)

    page.context.set_offline(True)
    page.reload()
    page.get_by_role("link", name="Start guided session").click()
    page.wait_for_url("**/guided/")
    page.get_by_role("link", name="My symptoms got worse").click()
    page.wait_for_url("**/plan/symptoms/")
    expect(page.get_by_test_id("offline-status")).to_contain_text("Offline")
    assert axe_violations(page, impacts=ANY_IMPACT) == []
    page.get_by_label("One leg is getting weaker, or my foot drags or gives way").check()
    page.get_by_role("button", name="Send to my clinician").click()

    expect(page.get_by_role("heading", name="Get urgent help now")).to_be_focused()
    for number, where in (("999", "in the UK"), ("112", "in Europe"), ("911", "in North America")):
        call = page.get_by_role("link", name=f"Call {number} {where}")
        expect(call).to_be_visible()
        expect(call).to_have_attribute("href", f"tel:{number}")
        assert call.bounding_box()["height"] >= 44
    expect(page.get_by_text("You’re offline. Your report is saved on this phone")).to_be_visible()
    assert axe_violations(page, impacts=ANY_IMPACT) == []
    page.screenshot(path=artifacts / "patient-symptoms-offline-urgent.png", full_page=True)
    reports = SymptomReport.objects.filter(patient__user__username="demo-patient")
    assert not reports.exists()

    page.context.set_offline(False)
    expect(page.get_by_test_id("offline-status")).to_contain_text(
        "sent to your clinic", timeout=30_000
    )
    page.reload()  # another chance to replay: must change nothing
    expect(page.locator("body[data-offline-ready]")).to_have_count(1, timeout=OFFLINE_READY_MS)
    report = reports.get()
    assert report.is_emergency
    assert report.symptoms == "leg_weaker"
    assert report.made_at is not None
    assert page.console_errors == []

    for width, height in ((1024, 768), (820, 1180)):
        desk = browser.new_context(
            base_url=live_server.url, viewport={"width": width, "height": height}
        )
        clinician = desk.new_page()
        log_in(clinician, "demo-clinician", DEMO_PASSWORD)
        clinician.wait_for_url("**/admin/")
        rows = clinician.locator(".attention-queue tbody tr")
        first_row = rows.first
        expect(first_row).to_contain_text("Urgent")
        expect(first_row).to_contain_text("Pat Morgan")
        expect(first_row.locator("li.reason-urgent")).to_have_count(1)
        expect(first_row.locator("li.reason-urgent")).to_contain_text(
            "one leg is getting weaker, or my foot drags or gives way"
        )
        expect(rows.filter(has_text="Pat Morgan")).to_have_count(1)
        clinician.screenshot(
            path=artifacts / f"admin-queue-offline-report-{width}.png", full_page=True
        )
        desk.close()


def test_offline_a_page_not_saved_shows_the_emergency_signs_and_numbers(
    phone_page, artifacts, settings
):
    settings.CLINIC_PHONE = "01632 960 001"
    seed_demo_world()
    page = phone_page
    log_in(page, "demo-patient", DEMO_PASSWORD)
    page.wait_for_url("**/plan/")
    expect(page.locator("body[data-offline-ready]")).to_have_count(1, timeout=OFFLINE_READY_MS)
    page.context.set_offline(True)
    page.goto("/plan/check-in/")  # never saved for offline use
    expect(page.get_by_role("heading", name="You’re offline")).to_be_visible()
    advice = SafetyAdvice.objects.first()
    for line in advice.emergency_list:
        expect(page.get_by_text(line)).to_be_visible()
    expect(page.get_by_role("link", name="Call 999 in the UK")).to_have_attribute("href", "tel:999")
    expect(
        page.get_by_role("link", name="Call Homeplan clinic on 01632 960 001")
    ).to_have_attribute("href", "tel:01632960001")
    assert axe_violations(page, impacts=ANY_IMPACT) == []
    page.screenshot(path=artifacts / "patient-offline-fallback.png", full_page=True)
    page.get_by_role("link", name="My symptoms got worse").click()
    expect(page.get_by_role("heading", name="My symptoms got worse")).to_be_visible()
    page.context.set_offline(False)


def test_advice_pages_and_handout_have_no_accessibility_violations(
    phone_page, browser, live_server, artifacts, settings
):
    settings.CLINIC_PHONE = "01632 960 001"
    seed_demo_world()
    page = phone_page
    log_in(page, "demo-patient", DEMO_PASSWORD)
    page.wait_for_url("**/plan/")

    page.goto("/plan/safety/")
    expect(page.get_by_role("heading", name="Hurt does not always mean harm")).to_be_visible()
    assert axe_violations(page, impacts=ANY_IMPACT) == []
    page.screenshot(path=artifacts / "patient-safety.png", full_page=True)

    # Each answer, as the phone shows it and as the server's page (a form sent without the
    # script) shows it.
    for label, level, heading in (
        (
            "Weakness or numbness in both legs",
            "emergency",
            "Get urgent help now",
        ),
        (
            "Numbness or pain spreading further down my leg",
            "doctor_soon",
            "See a doctor today or tomorrow",
        ),
        (
            "My back pain is much worse since exercising",
            "stop",
            "Stop any exercise that makes your symptoms worse",
        ),
    ):
        page.goto("/plan/symptoms/")
        page.get_by_role("button", name="Send to my clinician").click()
        expect(page.get_by_role("alert")).to_contain_text(
            "Tick at least one thing that has changed."
        )
        expect(page.locator("[data-error-summary]")).to_be_focused()
        assert axe_violations(page, impacts=ANY_IMPACT) == []
        page.screenshot(path=artifacts / "patient-symptoms-form-error.png", full_page=True)
        page.get_by_label(label).check()
        page.get_by_role("button", name="Send to my clinician").click()
        expect(page.get_by_role("heading", name=heading, exact=True)).to_be_focused()
        expect(page.get_by_text("We have told your clinician.")).to_be_visible()
        shown = page.locator(f"[data-advice='{level}']")
        if level == "emergency":
            expect(shown.get_by_role("link", name="Call 999 in the UK")).to_be_visible()
        else:
            expect(shown.get_by_text("today or tomorrow").first).to_be_visible()
            expect(
                shown.get_by_role("link", name="Call Homeplan clinic on 01632 960 001")
            ).to_be_visible()
        assert axe_violations(page, impacts=ANY_IMPACT) == []
        page.screenshot(path=artifacts / f"patient-symptoms-{level}.png", full_page=True)

        page.goto("/plan/symptoms/")
        page.get_by_label(label).check()
        page.evaluate("document.querySelector('form[data-symptom-form]').submit()")
        expect(page.get_by_role("heading", name=heading, level=1, exact=True)).to_be_visible()
        assert axe_violations(page, impacts=ANY_IMPACT) == []

    page.goto("/plan/print/")
    expect(page.get_by_role("heading", name="When to stop and get help")).to_be_visible()
    expect(page.get_by_role("link", name="01632 960 001").first).to_have_attribute(
        "href", "tel:01632960001"
    )
    expect(
        page.get_by_role("img", name="Side-lying knee opening (clamshell): how to finish")
    ).to_be_visible()
    assert axe_violations(page, impacts=ANY_IMPACT) == []
    assert page.console_errors == []
    # As it prints on A4 (about 794 x 1123 CSS pixels).
    paper = browser.new_context(base_url=live_server.url, viewport={"width": 794, "height": 1123})
    printed = paper.new_page()
    log_in(printed, "demo-patient", DEMO_PASSWORD)
    printed.wait_for_url("**/plan/")
    printed.goto("/plan/print/")
    printed.emulate_media(media="print")
    printed.screenshot(path=artifacts / "patient-handout-a4.png", full_page=True)
    printed.pdf(path=artifacts / "patient-handout-safety.pdf", format="A4")
    paper.close()
