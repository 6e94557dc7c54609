"""The session-done form: an error summary with links at its top (and no "done" where the save
failed), and one question about exercises neither done nor skipped."""

import datetime

import pytest
from django.urls import reverse

from patients.models import ExerciseCheck, SessionLog
from tests.clock import TODAY
from tests.factories import PrescribedExerciseFactory, PrescriptionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clock(frozen_clock):
    return frozen_clock


@pytest.fixture
def exercises(patient):
    prescription = PrescriptionFactory(
        patient=patient, start_date=TODAY - datetime.timedelta(days=14)
    )
    return [
        PrescribedExerciseFactory(prescription=prescription, order=n, exercise__name=name)
        for n, name in enumerate(["Bridge", "Clamshell", "Bird dog"], start=1)
    ]


def done(client, day=TODAY, **data):
    payload = {"pain": 3, "effort": "about_right", "note": ""} | data
    return client.post(reverse("patients:session_done", args=[day.isoformat(), 1]), payload)


def check(client, prescribed, action="done", **extra):
    client.post(
        reverse("patients:check_off", args=[TODAY.isoformat()]),
        {"exercise": prescribed.pk, "session": 1, "action": action, **extra},
    )


def test_a_refused_save_has_a_summary_with_links_and_says_not_saved(client, patient, exercises):
    client.force_login(patient.user)
    yesterday = TODAY - datetime.timedelta(days=1)
    assert done(client, day=yesterday).status_code == 302  # logged before
    response = done(client, day=yesterday, pain=11)
    assert response.status_code == 400
    html = response.content.decode()
    assert "data-error-summary" in html
    assert '<a href="#pain-1-0">Pain is a number from 0 to 10.</a>' in html
    assert "Not saved — see the problem below" in html
    assert "Session done ✓" not in html
    assert "Well done" not in html
    assert SessionLog.objects.get(date=yesterday).pain == 3


def test_the_question_is_asked_once_when_exercises_are_not_ticked(client, patient, exercises):
    client.force_login(patient.user)
    check(client, exercises[0])
    html = client.get(reverse("patients:today")).content.decode()
    assert "What should we do with them?" in html
    response = done(client, unticked_asked="1")
    assert response.status_code == 400
    assert '<a href="#unticked-1-done">' in response.content.decode()
    response = done(client, unticked_asked="1", unticked="skip")
    assert '<a href="#unticked-reason-1">Choose why you are skipping them.</a>' in (
        response.content.decode()
    )
    assert not SessionLog.objects.exclude(completed_at=None).exists()


def test_mark_them_done_ticks_only_the_open_exercises(client, patient, exercises):
    client.force_login(patient.user)
    check(client, exercises[0], action="skip", reason="no_time")
    assert done(client, unticked_asked="1", unticked="done").status_code == 302
    statuses = dict(
        ExerciseCheck.objects.values_list("prescribed_exercise__exercise__name", "status")
    )
    assert statuses == {"Bridge": "skipped", "Clamshell": "done", "Bird dog": "done"}
    log = SessionLog.objects.get()
    assert log.is_done
    assert log.done_share == pytest.approx(2 / 3)


def test_skip_them_needs_a_reason_and_uses_it(client, patient, exercises):
    client.force_login(patient.user)
    check(client, exercises[0])
    done(client, unticked_asked="1", unticked="skip", unticked_reason="no_equipment")
    reasons = dict(
        ExerciseCheck.objects.values_list("prescribed_exercise__exercise__name", "skip_reason")
    )
    assert reasons == {"Bridge": "", "Clamshell": "no_equipment", "Bird dog": "no_equipment"}


def test_save_as_it_is_and_a_form_that_did_not_ask_leave_them(client, patient, exercises):
    client.force_login(patient.user)
    assert done(client, unticked_asked="1", unticked="leave").status_code == 302
    assert done(client).status_code == 302  # an entry queued before the question existed
    assert not ExerciseCheck.objects.exists()


def test_the_question_is_not_asked_when_everything_is_ticked(client, patient, exercises):
    client.force_login(patient.user)
    for prescribed in exercises:
        check(client, prescribed)
    html = client.get(reverse("patients:today")).content.decode()
    assert "What should we do with them?" not in html


def test_settings_refused_show_the_summary(client, patient, exercises):
    client.force_login(patient.user)
    response = client.post(
        reverse("patients:settings"),
        {"reminder_time": "25:99", "timezone": "Europe/London"},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "data-error-summary" in html
    assert 'href="#id_reminder_time"' in html


def test_a_past_day_shows_the_logged_pain_effort_and_note(client, patient, exercises):
    client.force_login(patient.user)
    yesterday = TODAY - datetime.timedelta(days=1)
    done(client, day=yesterday, pain=4, effort="too_hard", note="Stiff in the morning")
    html = client.get(reverse("patients:day", args=[yesterday.isoformat()])).content.decode()
    logged = html.split('data-testid="logged-result-1">')[1].split("</p>")[0]
    assert logged == "Logged: pain 4/10, too hard.<br>Your note: “Stiff in the morning”"


def test_the_handout_has_its_dates_a_way_back_and_a_print_button(client, clinician, patient):
    prescription = PrescriptionFactory(
        patient=patient, start_date=datetime.date(2026, 11, 1), end_date=datetime.date(2027, 1, 31)
    )
    PrescribedExerciseFactory(prescription=prescription)
    client.force_login(patient.user)
    html = client.get(reverse("patients:print")).content.decode()
    assert "1 November 2026 – 31 January 2027" in html
    assert f'href="{reverse("patients:today")}">‹ Back to my plan</a>' in html
    assert "data-print hidden>Print</button>" in html
    client.force_login(clinician)
    html = client.get(reverse("admin:patients_patient_print", args=[patient.pk])).content
    assert "‹ Back to the patient" in html.decode()


def test_an_entry_from_the_offline_queue_is_never_refused_for_the_question(
    client, patient, exercises
):
    """Offline, the question cannot be answered then and there: the phone sends the entry
    later, and refusing it then would lose the pain score and the note."""
    client.force_login(patient.user)
    response = client.post(
        reverse("patients:session_done", args=[TODAY.isoformat(), 1]),
        {"pain": 3, "effort": "", "note": "Sent later", "unticked_asked": "1"},
        HTTP_ACCEPT="application/json",
    )
    assert response.json() == {"ok": True, "error": ""}
    assert SessionLog.objects.get().note == "Sent later"
    assert not ExerciseCheck.objects.exists()
