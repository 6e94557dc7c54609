"""Response headers and deployment hygiene (security review, round 2).

Finding 2: pages with a patient's data were cacheable (no Cache-Control on /plan/, the
calendar feed or the exports). Finding 14: calendar event UIDs carried part of the feed's
secret; no Permissions-Policy or Cross-Origin-Resource-Policy; nothing warned about demo
accounts (whose password is public) on a production site.
"""

import datetime

import icalendar
import pytest
from django.core.checks import run_checks
from django.urls import reverse

from patients import demo, services
from patients.models import SessionLog
from tests.factories import PatientFactory, PrescribedExerciseFactory, PrescriptionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan(patient):
    today = patient.today()
    prescription = PrescriptionFactory(patient=patient, start_date=today - datetime.timedelta(9))
    prescribed = PrescribedExerciseFactory(prescription=prescription)
    SessionLog.objects.create(
        prescription=prescription, date=today - datetime.timedelta(days=1), pain=3, note="ok"
    )
    return prescribed


def assert_no_store(response, what):
    cache_control = {part.strip() for part in response.get("Cache-Control", "").split(",")}
    assert {"private", "no-store"} <= cache_control, f"{what}: {response.get('Cache-Control')}"


def test_finding_2_every_page_with_a_patients_data_is_private_and_no_store(
    client, patient, clinician, plan
):
    today = patient.today()
    yesterday = (today - datetime.timedelta(days=1)).isoformat()
    patient_pages = [
        reverse("patients:today"),
        reverse("patients:day", args=[yesterday]),
        reverse("patients:history"),
        reverse("patients:exercise", args=[plan.pk]),
        reverse("patients:print"),
        reverse("patients:settings"),
        reverse("patients:safety"),
        reverse("patients:symptoms"),
        reverse("patients:checkin"),
        reverse("patients:guided", args=[today.isoformat(), 1]),
        reverse("patients:session_done", args=[today.isoformat(), 1]),
        reverse("patients:offline_manifest"),
    ]
    client.force_login(patient.user)
    for url in patient_pages:
        response = client.get(url)
        assert response.status_code == 200, url
        assert_no_store(response, url)
    client.logout()

    feed = client.get(reverse("patients:calendar", args=[patient.calendar_token]))
    assert feed.status_code == 200
    assert_no_store(feed, "calendar feed")

    log = SessionLog.objects.get()
    staff_pages = [
        reverse("admin:index"),
        reverse("admin:patients_patient_changelist"),
        reverse("admin:patients_patient_change", args=[patient.pk]),
        reverse("admin:patients_patient_progress", args=[patient.pk]),
        reverse("admin:patients_patient_print", args=[patient.pk]),
        reverse("admin:patients_patient_export", args=[patient.pk]),
        reverse("admin:patients_prescription_change", args=[plan.prescription.pk]),
        reverse("admin:patients_sessionlog_changelist"),
        reverse("admin:patients_sessionlog_change", args=[log.pk]),
    ]
    client.force_login(clinician)
    for url in staff_pages:
        response = client.get(url)
        assert response.status_code == 200, url
        assert_no_store(response, url)
    adherence = client.post(
        reverse("admin:patients_patient_changelist"),
        {"action": "export_adherence_csv", "_selected_action": [patient.pk]},
    )
    assert adherence["Content-Type"].startswith("text/csv")
    assert_no_store(adherence, "adherence CSV")


def test_finding_2_the_service_worker_and_pictures_keep_their_own_caching(client):
    assert client.get(reverse("patients:service_worker"))["Cache-Control"] == "no-cache"


@pytest.mark.parametrize(
    "url", ["/plan/", "/accounts/login/", "/admin/", "/no-such-page/", "/healthz"]
)
def test_finding_14_permissions_policy_and_resource_policy_on_every_response(client, patient, url):
    client.force_login(patient.user)
    response = client.get(url)
    policy = dict(item.strip().split("=", 1) for item in response["Permissions-Policy"].split(","))
    allowed = {feature: value for feature, value in policy.items() if value != "()"}
    # The screen wake lock (guided mode) for our own pages; nothing else, for anyone. (The
    # camera is allowed only on guided pages that offer the camera coach: tests/camera.)
    assert allowed == {"screen-wake-lock": "(self)"}
    assert {"geolocation", "microphone", "payment", "usb"} <= set(policy)
    assert response["Cross-Origin-Resource-Policy"] == "same-origin"


def test_finding_14_calendar_event_uids_never_carry_the_feeds_secret(client, patient, plan):
    def uids():
        body = client.get(reverse("patients:calendar", args=[patient.calendar_token])).content
        return {str(event["uid"]) for event in icalendar.Calendar.from_ical(body).walk("VEVENT")}

    first = uids()
    assert first
    token = patient.calendar_token
    for uid in first:
        # No run of 6 characters from the secret appears in any UID.
        assert not any(token[i : i + 6] in uid for i in range(len(token) - 5)), uid
    # A renewed link changes nothing for the calendar: the same events, not a second set.
    services.calendar_link_renew(patient=patient)
    assert uids() == first
    other = PatientFactory(clinician=patient.clinician)
    PrescriptionFactory(patient=other, start_date=patient.today())
    PrescribedExerciseFactory(prescription=other.prescriptions.get())
    other_body = client.get(reverse("patients:calendar", args=[other.calendar_token])).content
    assert not first & {
        str(e["uid"]) for e in icalendar.Calendar.from_ical(other_body).walk("VEVENT")
    }


def deploy_warnings():
    return [
        message.id
        for message in run_checks(include_deployment_checks=True)
        if message.id.startswith("homeplan.")
    ]


def test_finding_14_check_deploy_warns_when_demo_accounts_exist_with_debug_off(settings, db):
    settings.DEBUG = False
    assert deploy_warnings() == []
    demo.demo_accounts_ensure()
    assert deploy_warnings() == ["homeplan.W001"]
    settings.DEBUG = True
    assert deploy_warnings() == []
