import datetime

import pytest
import time_machine
from django.urls import reverse

from patients.models import ExerciseCheck, Prescription, SessionLog
from patients.weekdays import mask_from_days
from tests.clock import NOW, TODAY
from tests.factories import PrescribedExerciseFactory, PrescriptionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clock(frozen_clock):
    return frozen_clock


@pytest.fixture
def prescription(patient):
    prescription = PrescriptionFactory(
        patient=patient,
        start_date=TODAY - datetime.timedelta(days=14),
        message="Little and often, Alice.",
    )
    for order, name in enumerate(["Bridge", "Clamshell", "Bird dog"], start=1):
        PrescribedExerciseFactory(
            prescription=prescription, order=order, exercise__name=name, notes=f"{name} slowly"
        )
    return prescription


@pytest.fixture
def their_prescription(other_patient):
    prescription = PrescriptionFactory(patient=other_patient, start_date=TODAY)
    PrescribedExerciseFactory(prescription=prescription, exercise__name="Secret squat")
    return prescription


def day_url(day, name="patients:day", *args):
    return reverse(name, args=[day.isoformat(), *args])


def check(client, prescribed, action="done", day=TODAY, session=1, **extra):
    return client.post(
        day_url(day, "patients:check_off"),
        {"exercise": prescribed.pk, "session": session, "action": action, **extra},
        **({"HTTP_HX_REQUEST": "true"} if extra.pop("htmx", False) else {}),
    )


def done(client, day=TODAY, session=1, **data):
    payload = {"pain": 3, "effort": "about_right", "note": "Felt fine"} | data
    return client.post(day_url(day, "patients:session_done", session), payload)


def test_today_shows_exercises_in_order_with_plain_dosage_and_message(
    client, patient, prescription
):
    client.force_login(patient.user)
    html = client.get(reverse("patients:today")).content.decode()
    assert html.index("Bridge") < html.index("Clamshell") < html.index("Bird dog")
    assert "3 sets of 10" in html
    assert "Bridge slowly" in html
    assert "Little and often, Alice." in html
    assert "Start guided session" in html


def test_rest_day_says_so_and_names_the_next_due_day(client, patient):
    PrescriptionFactory(patient=patient, start_date=TODAY, weekdays=mask_from_days([4]))
    client.force_login(patient.user)
    html = client.get(reverse("patients:today")).content.decode()
    assert "Nothing to do today" in html
    assert "Friday 27 November" in html


def test_several_sessions_a_day_are_shown_separately(client, patient, prescription):
    prescription.sessions_per_day = 2
    prescription.save()
    client.force_login(patient.user)
    html = client.get(reverse("patients:today")).content.decode()
    assert "Session 1 of 2" in html
    assert "Session 2 of 2" in html


def test_check_off_without_javascript_redirects_back(client, patient, prescription):
    first = prescription.exercises.first()
    client.force_login(patient.user)
    response = check(client, first)
    assert response.status_code == 302
    assert response.url.startswith(reverse("patients:today"))
    assert ExerciseCheck.objects.get().status == "done"
    assert "✓ Done" in client.get(reverse("patients:today")).content.decode()


def test_check_off_with_htmx_returns_the_card_only(client, patient, prescription):
    first = prescription.exercises.first()
    client.force_login(patient.user)
    response = check(client, first, htmx=True)
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<article class="exercise-card is-done"')
    assert "<html" not in html
    response = check(client, first, "undo", htmx=True)
    assert 'class="exercise-card"' in response.content.decode()
    assert not ExerciseCheck.objects.exists()


def test_same_check_off_twice_is_one_row(client, patient, prescription):
    first = prescription.exercises.first()
    client.force_login(patient.user)
    check(client, first)
    check(client, first)
    assert ExerciseCheck.objects.count() == 1
    assert SessionLog.objects.count() == 1


def test_skip_needs_a_reason_and_is_recorded(client, patient, prescription):
    first = prescription.exercises.first()
    client.force_login(patient.user)
    response = check(client, first, "skip", htmx=True)
    assert response.status_code == 400
    assert "Choose why you skipped it." in response.content.decode()
    check(client, first, "skip", reason="too_painful")
    assert ExerciseCheck.objects.get().skip_reason == "too_painful"


def test_session_done_twice_is_one_row_and_the_second_updates(client, patient, prescription):
    client.force_login(patient.user)
    first = done(client, pain=5, note="Hard today")
    assert first.status_code == 302
    completed_at = SessionLog.objects.get().completed_at
    second = done(client, pain=3, note="Better after all")
    assert second.status_code == 302
    log = SessionLog.objects.get()
    assert (log.pain, log.note) == (3, "Better after all")
    assert log.completed_at == completed_at
    page = client.get(reverse("patients:today")).content.decode()
    assert "Well done, Alice!" in page
    assert "Session done ✓" in page


def test_session_done_for_two_prescriptions_logs_each(client, patient, prescription):
    second = PrescriptionFactory(patient=patient, start_date=TODAY)
    PrescribedExerciseFactory(prescription=second)
    client.force_login(patient.user)
    done(client)
    assert set(SessionLog.objects.values_list("prescription_id", flat=True)) == {
        prescription.pk,
        second.pk,
    }


@pytest.mark.parametrize(
    ("pain", "message"),
    [
        ("11", "Pain is a number from 0 to 10."),
        ("-1", "Pain is a number from 0 to 10."),
        ("", "Choose a number from 0 to 10 for your pain."),
        ("three", "Pain is a number from 0 to 10."),
    ],
)
def test_invalid_pain_gets_a_clear_message(client, patient, prescription, pain, message):
    client.force_login(patient.user)
    response = done(client, pain=pain)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not SessionLog.objects.exists()


def test_invalid_dates_get_a_clear_message(client, patient, prescription):
    client.force_login(patient.user)
    response = client.get("/plan/2026-02-30/")
    assert response.status_code == 400
    assert "There is no such date" in response.content.decode()
    assert client.post("/plan/2026-13-01/sessions/1/done/", {"pain": 2}).status_code == 400


def test_future_and_old_days_cannot_be_logged(client, patient, prescription, settings):
    settings.PLAN_EDIT_GRACE_DAYS = 2
    client.force_login(patient.user)
    tomorrow = TODAY + datetime.timedelta(days=1)
    assert "happened yet" in done(client, day=tomorrow).content.decode()
    old = TODAY - datetime.timedelta(days=3)
    assert "can no longer be changed" in done(client, day=old).content.decode()
    assert done(client, day=TODAY - datetime.timedelta(days=2)).status_code == 302
    assert SessionLog.objects.count() == 1
    page = client.get(day_url(old)).content.decode()
    assert "can no longer be changed" in page
    assert "Mark session done" not in page


def test_past_day_shows_what_was_logged(client, patient, prescription):
    client.force_login(patient.user)
    yesterday = TODAY - datetime.timedelta(days=1)
    done(client, day=yesterday, pain=4, note="Stiff")
    with time_machine.travel(NOW + datetime.timedelta(days=5), tick=False):
        page = client.get(day_url(yesterday)).content.decode()
    assert "pain 4/10" in page
    assert "Stiff" in page


def test_exercise_page_shows_every_instruction(client, patient, prescription):
    prescribed = prescription.exercises.first()
    client.force_login(patient.user)
    html = client.get(reverse("patients:exercise", args=[prescribed.pk])).content.decode()
    for text in ("Lie on your back.", "Move slowly.", "Stop if it hurts more.", "3 sets of 10"):
        assert text in html


def test_history_shows_today_done_and_the_streak(client, patient, prescription):
    client.force_login(patient.user)
    for days_ago in (2, 1, 0):
        done(client, day=TODAY - datetime.timedelta(days=days_ago), pain=6 - days_ago)
    html = client.get(reverse("patients:history")).content.decode()
    assert f'data-date="{TODAY.isoformat()}" data-status="done"' in html
    assert 'data-testid="current-streak">3<' in html
    assert "<polyline" in html


def test_handout_lists_the_whole_program_without_navigation(client, patient, prescription):
    client.force_login(patient.user)
    html = client.get(reverse("patients:print")).content.decode()
    assert "Bird dog" in html
    assert "Little and often, Alice." in html
    assert "Every day" in html
    assert "Log out" not in html


def test_staff_print_their_patients_handout_from_the_admin(
    client, clinician, patient, prescription
):
    client.force_login(clinician)
    url = reverse("admin:patients_patient_print", args=[patient.pk])
    assert "Bird dog" in client.get(url).content.decode()


def test_paused_prescription_is_not_on_today(client, patient, prescription):
    prescription.status = Prescription.Status.PAUSED
    prescription.save()
    client.force_login(patient.user)
    assert "Nothing to do today" in client.get(reverse("patients:today")).content.decode()


def test_manifest_makes_the_plan_installable(client):
    data = client.get("/manifest.webmanifest").json()
    assert data["start_url"] == "/plan/"
    assert {icon["sizes"] for icon in data["icons"]} == {"192x192", "512x512"}


@pytest.mark.parametrize(
    "path",
    [
        "/plan/0001-01-01/",
        "/plan/9999-12-31/",
        "/plan/0001-01-01/sessions/1/done/",
        "/plan/9999-12-31/sessions/1/done/",
        "/plan/0001-01-01/sessions/1/guided/",
        "/plan/9999-12-31/sessions/1/guided/",
        "/plan/9999-12-31/?offline-copy=1",
    ],
)
def test_finding_5_the_first_and_last_days_of_the_calendar_are_a_clear_400(client, patient, path):
    """Security review round 2: these were 500s (a day either side overflowed)."""
    client.force_login(patient.user)
    response = client.get(path)
    assert response.status_code == 400
    assert "is not a day on the calendar between 1900 and 2999" in response.content.decode()


@pytest.mark.parametrize("month", ["0001-01", "0001-02", "9999-12", "1899-12"])
def test_finding_5_history_for_the_calendars_edges_shows_this_month(client, patient, month):
    client.force_login(patient.user)
    response = client.get(reverse("patients:history"), {"month": month})
    assert response.status_code == 200
    assert response.context["month"] == patient.today().replace(day=1)


def test_a_patients_own_hold_is_the_only_hold_on_their_exercise_page_and_handout(client, patient):
    """The shipped glute bridge's dose is a 3-second hold; this patient's clinician set 5.
    Its steps describe the movement only, so the page and the handout say 5 and never 3."""
    from exercises import services as exercise_services
    from exercises.library import load_shipped_library

    bridge = next(e for e in load_shipped_library() if e["key"] == "glute-bridge")
    exercise_services.library_load(entries=[bridge])
    prescribed = PrescribedExerciseFactory(
        prescription__patient=patient,
        prescription__start_date=TODAY,
        exercise=exercise_services.Exercise.objects.get(library_key="glute-bridge"),
        hold_seconds=5,
    )
    client.force_login(patient.user)
    for url in (reverse("patients:exercise", args=[prescribed.pk]), reverse("patients:print")):
        page = client.get(url).content.decode()
        assert "hold 5 seconds" in page
        assert "3 seconds" not in page
        assert "3 second" not in page
