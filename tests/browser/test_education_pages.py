"""Education pages end to end: a clinician attaches two pages on the prescribing page
(1024 px); the patient (390 x 844) reads one from Today and marks it read; both pages, and
the Learn page, open offline, and "Mark as read" made offline reaches the server once back
online. Screenshots go to /work/notes/shots-education/ when that folder exists (else the
test artifacts folder)."""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from exercises import services as exercise_services
from exercises.library.education import load_shipped_education
from patients import demo
from patients.models import Patient, PrescriptionEducation
from tests.browser.helpers import OFFLINE_READY_MS, PHONE, axe_violations, log_in, seed_demo_world
from tests.browser.test_offline import CACHED

pytestmark = pytest.mark.django_db(transaction=True)

NOTES_SHOTS = Path("/work/notes/shots-education")


def shots(artifacts) -> Path:
    return NOTES_SHOTS if NOTES_SHOTS.is_dir() else artifacts


def saved(page, path: str) -> bool:
    return any(f["url"] == path and "-pages-" in f["cache"] for f in page.evaluate(CACHED))


def test_clinician_attaches_two_pages_patient_reads_one_and_both_work_offline(
    browser, page, live_server, artifacts, capsys
):
    folder = shots(artifacts)
    seed_demo_world(with_history=False)
    exercise_services.education_load(entries=load_shipped_education())
    patient = Patient.objects.get(user__username="demo-patient")
    prescription = patient.prescriptions.order_by("-start_date", "-pk").first()

    # The clinician, at 1024 px: two chips and "Save changes".
    page.set_viewport_size({"width": 1024, "height": 900})
    log_in(page, "demo-clinician", demo.DEMO_PASSWORD)
    page.wait_for_url("**/admin/")
    page.goto(f"/admin/patients/patient/{patient.pk}/prescribe/?prescription={prescription.pk}")
    page.get_by_label("Keep moving: stay active, avoid bed rest").check()
    page.get_by_label("Your flare-up plan").check()
    reading = page.locator(".reading-choice")
    reading.scroll_into_view_if_needed()
    page.screenshot(path=folder / "prescribe-reading-1024.png", full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth <= innerWidth")
    violations = {"prescribing page": axe_violations(page)}
    page.set_viewport_size({"width": 820, "height": 1180})
    page.screenshot(path=folder / "prescribe-reading-820.png", full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth <= innerWidth")
    page.get_by_role("button", name="Save changes").click()
    page.wait_for_url(f"**/admin/patients/patient/{patient.pk}/change/")
    rows = PrescriptionEducation.objects.filter(prescription=prescription)
    assert sorted(row.page.slug for row in rows) == ["flare-up-plan", "keep-moving"]

    # The patient, on a phone: "Read" on Today.
    context = browser.new_context(
        base_url=live_server.url, viewport=PHONE, device_scale_factor=2, is_mobile=True
    )
    phone = context.new_page()
    errors = []
    phone.on("console", lambda m: m.type == "error" and errors.append(m.text))
    log_in(phone, "demo-patient", demo.DEMO_PASSWORD)
    phone.wait_for_url("**/plan/")
    expect(phone.locator("body[data-offline-ready]")).to_have_count(1, timeout=OFFLINE_READY_MS)
    read = phone.locator("section.reading")
    expect(read.get_by_role("heading", name="Read", exact=True)).to_be_visible()
    expect(read.locator(".reading-item")).to_have_count(2)
    read.scroll_into_view_if_needed()
    phone.screenshot(path=folder / "patient-today-read.png")
    phone.screenshot(path=folder / "patient-today-full.png", full_page=True)

    read.get_by_role("link", name="Keep moving: stay active, avoid bed rest").click()
    phone.wait_for_url("**/plan/learn/keep-moving/")
    expect(phone.get_by_role("heading", name="How to keep moving")).to_be_visible()
    phone.screenshot(path=folder / "patient-page.png", full_page=True)
    violations["education page"] = axe_violations(phone)
    phone.get_by_role("button", name="Mark as read").click()
    phone.wait_for_url("**/plan/learn/keep-moving/")
    expect(phone.get_by_text("✓ Read")).to_be_visible()
    assert rows.get(page__slug="keep-moving").read_at is not None
    phone.get_by_role("link", name="Back to today").click()
    expect(phone.locator("[data-reading='keep-moving']")).to_contain_text("✓ Read")

    phone.get_by_role("link", name="Learn", exact=True).click()
    phone.wait_for_url("**/plan/learn/")
    expect(phone.locator(".reading-item")).to_have_count(2)
    phone.screenshot(path=folder / "patient-learn.png", full_page=True)
    violations["learn page"] = axe_violations(phone)
    assert violations == {name: [] for name in violations}, violations

    # Offline: the Learn page and both pages, from the copy the service worker saved.
    for path in ("/plan/learn/", "/plan/learn/keep-moving/", "/plan/learn/flare-up-plan/"):
        phone.wait_for_function(
            f"async () => (await ({CACHED})()).some("
            f"(f) => f.url === {path!r} && f.cache.includes('-pages-'))",
            timeout=30_000,
        )
    context.set_offline(True)
    phone.goto("/plan/learn/")
    expect(phone.get_by_test_id("offline-status")).to_contain_text("Offline")
    expect(phone.locator(".reading-item")).to_have_count(2)
    phone.goto("/plan/learn/keep-moving/")
    expect(phone.get_by_role("heading", name="How to keep moving")).to_be_visible()
    phone.goto("/plan/learn/flare-up-plan/")
    expect(phone.get_by_role("heading", name="What to do")).to_be_visible()
    phone.screenshot(path=folder / "patient-page-offline.png")
    # "Mark as read" offline: kept on the phone, shown read, sent once back online.
    phone.get_by_role("button", name="Mark as read").click()
    expect(phone.get_by_text("✓ Read (saved on this phone)")).to_be_visible()
    phone.screenshot(path=folder / "patient-read-offline.png")
    assert rows.get(page__slug="flare-up-plan").read_at is None
    context.set_offline(False)
    expect(phone.get_by_test_id("offline-status")).to_contain_text(
        "1 entry sent to your clinic", timeout=30_000
    )
    assert rows.get(page__slug="flare-up-plan").read_at is not None
    assert not [e for e in errors if "Failed to load resource" not in e], errors
    with capsys.disabled():
        sizes = {f["url"]: f["bytes"] for f in phone.evaluate(CACHED) if "/learn/" in f["url"]}
        print(f"\nLearn pages saved on the phone (bytes): {sizes}")
    context.close()
