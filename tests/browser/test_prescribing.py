import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from patients import demo
from patients.models import Patient
from tests.browser.helpers import log_in, seed_demo_world

pytestmark = pytest.mark.django_db(transaction=True)


def test_clinician_prescribes_and_invites_and_the_patient_lands_on_the_plan(
    page, browser, live_server, artifacts
):
    seed_demo_world(with_history=False)
    log_in(page, "demo-clinician", demo.DEMO_PASSWORD)
    page.wait_for_url("**/admin/")

    # A new patient.
    page.goto("/admin/patients/patient/add/")
    page.get_by_label("First name:").fill("Nora")
    page.get_by_label("Last name:").fill("Quinn")
    page.get_by_label("Email:").fill("nora.quinn@example.org")
    page.get_by_role("button", name="Save and continue editing").click()
    expect(page.get_by_text("was added successfully")).to_be_visible()

    # Assign the beginner template on Mon/Wed/Fri.
    page.get_by_role("link", name="Assign program").click()
    page.get_by_label("Program template:").select_option(label=demo.BEGINNER_PROGRAM)
    page.get_by_label("Weeks:").fill("4")
    for day in ("Tue", "Thu", "Sat", "Sun"):
        page.get_by_label(day, exact=True).uncheck()
    page.get_by_label("Message to the patient:").fill("Little and often, Nora.")
    page.screenshot(path=artifacts / "admin-assign.png", full_page=True)
    page.get_by_role("button", name="Assign").click()
    expect(page.get_by_text("Program assigned")).to_be_visible()

    # Change one exercise's repetitions for this patient only.
    reps = page.locator("input[name='exercises-0-reps']")
    reps.fill("12")
    page.screenshot(path=artifacts / "admin-prescription.png", full_page=True)
    page.get_by_role("button", name="Save", exact=True).click()
    page.wait_for_url("**/admin/patients/prescription/")

    patient = Patient.objects.get(email="nora.quinn@example.org")
    prescription = patient.prescriptions.get()
    assert prescription.days_text == "Mon, Wed, Fri"
    assert prescription.exercises.order_by("order").first().reps == 12

    # Send the invitation.
    page.goto(f"/admin/patients/patient/{patient.pk}/change/")
    page.get_by_role("button", name="Send invitation").click()
    page.wait_for_url(f"**/admin/patients/patient/{patient.pk}/invitation/")
    expect(page.locator(".qr svg")).to_be_visible()
    page.screenshot(path=artifacts / "admin-invitation.png", full_page=True)
    assert page.console_errors == []

    # The patient opens the link from the email on their own phone.
    link = re.search(r"http://\S+/accounts/invite/\S+/", mail.outbox[-1].body).group(0)
    phone = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    patient_page = phone.new_page()
    patient_page.goto(link)
    patient_page.get_by_label("Choose a password").fill("nora-hips-2026!")
    patient_page.get_by_label("Type it again").fill("nora-hips-2026!")
    patient_page.get_by_role("button", name="Save my password and open my plan").click()
    # First visit: the safety advice comes before the plan.
    patient_page.wait_for_url("**/plan/safety/?next=%2Fplan%2F")
    expect(patient_page.get_by_text("Welcome, Nora")).to_be_visible()
    expect(patient_page.get_by_text("Get urgent help now if you have:")).to_be_visible()
    patient_page.screenshot(path=artifacts / "patient-first-visit-safety.png", full_page=True)
    patient_page.get_by_role("button", name="I have read this — show my plan").click()
    patient_page.wait_for_url(f"{live_server.url}/plan/")
    patient_page.screenshot(path=artifacts / "patient-after-invitation.png")
    phone.close()
