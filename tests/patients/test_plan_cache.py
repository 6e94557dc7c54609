"""The day page's plan is kept rendered per patient and day (patients/plan_cache.py): a visit
with nothing changed reads no plan data, and every kind of change shows at the next visit,
exactly as a fresh rendering would show it."""

import datetime
import re

import pytest
from django.core.cache import caches
from django.urls import reverse

from exercises.models import Exercise
from exercises.services import exercise_save
from patients import changes, plan_cache, services
from patients.models import ExerciseCheck, Patient, Prescription
from tests.admin_forms import prescription_change_data
from tests.clock import TODAY
from tests.factories import (
    ClinicianFactory,
    ExerciseFactory,
    PrescribedExerciseFactory,
    PrescriptionFactory,
    SuperuserFactory,
)
from tests.write_path import WritePathClient

pytestmark = pytest.mark.django_db

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
HX_TOKEN = re.compile(r'"X-CSRFToken": "([^"]+)"')
TODAY_URL = reverse("patients:today")


@pytest.fixture(autouse=True)
def _clock(frozen_clock):
    return frozen_clock


@pytest.fixture
def prescription(patient):
    prescription = PrescriptionFactory(
        patient=patient,
        start_date=TODAY - datetime.timedelta(days=14),
        message="Little and often.",
    )
    for order, name in enumerate(["Bridge", "Clamshell", "Bird dog"], start=1):
        PrescribedExerciseFactory(prescription=prescription, order=order, exercise__name=name)
    return prescription


@pytest.fixture
def signed_in(client, patient, prescription):
    client.force_login(patient.user)
    return client


def page(client, url=TODAY_URL) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def without_tokens(html: str) -> str:
    return HX_TOKEN.sub("", TOKEN.sub("", html))


def fresh_page(client, url=TODAY_URL) -> str:
    """The page as it would be rendered with nothing kept."""
    caches[plan_cache.CACHE_ALIAS].clear()
    return page(client, url)


def assert_shown_as_fresh(client, url=TODAY_URL):
    """What the cache serves is byte for byte what a fresh rendering shows, tokens aside."""
    served = page(client, url)
    assert without_tokens(served) == without_tokens(fresh_page(client, url))
    return served


def test_a_second_visit_reads_no_plan_data(signed_in, django_assert_num_queries):
    first = page(signed_in)
    # The session and the user with their patient: what any signed-in page reads.
    with django_assert_num_queries(2):
        second = page(signed_in)
    assert without_tokens(second) == without_tokens(first)
    assert second.count('class="exercise-card') == 3


def test_each_visit_gets_its_own_working_csrf_token(signed_in, patient, prescription):
    signed_in.handler.enforce_csrf_checks = True
    first, second = page(signed_in), page(signed_in)
    assert plan_cache.CSRF_PLACEHOLDER not in first + second
    tokens = set(TOKEN.findall(second))
    assert tokens
    assert not tokens & set(TOKEN.findall(first))
    patient.refresh_from_db()
    kept = caches[plan_cache.CACHE_ALIAS].get(plan_cache.cache_key(patient, TODAY, TODAY, "page"))
    assert plan_cache.CSRF_PLACEHOLDER in kept
    assert not tokens & set(TOKEN.findall(kept)), "no token is ever kept"
    prescribed = prescription.exercises.first()
    response = signed_in.post(
        reverse("patients:check_off", args=[TODAY.isoformat()]),
        {
            "csrfmiddlewaretoken": tokens.pop(),
            "exercise": prescribed.pk,
            "session": 1,
            "action": "done",
        },
    )
    assert response.status_code == 302
    assert ExerciseCheck.objects.filter(prescribed_exercise=prescribed).exists()


def test_patients_never_see_each_others_plan(client, patient, prescription, other_patient):
    PrescribedExerciseFactory(
        prescription=PrescriptionFactory(patient=other_patient, start_date=TODAY),
        exercise__name="Secret squat",
    )
    client.force_login(patient.user)
    assert "Secret squat" not in page(client)
    client.force_login(other_patient.user)
    shown = page(client)
    assert "Secret squat" in shown
    assert "Clamshell" not in shown


def test_the_patients_own_check_offs_and_session_show_at_once(signed_in, prescription):
    page(signed_in)
    prescribed = prescription.exercises.first()
    signed_in.post(
        reverse("patients:check_off", args=[TODAY.isoformat()]),
        {"exercise": prescribed.pk, "session": 1, "action": "done"},
    )
    assert f'class="exercise-card is-done" id="exercise-{prescribed.pk}-1"' in (
        assert_shown_as_fresh(signed_in)
    )
    signed_in.post(
        reverse("patients:check_off", args=[TODAY.isoformat()]),
        {"exercise": prescribed.pk, "session": 1, "action": "undo"},
    )
    assert "is-done" not in assert_shown_as_fresh(signed_in)
    signed_in.post(
        reverse("patients:session_done", args=[TODAY.isoformat(), 1]),
        {"pain": 4, "effort": "too_hard", "note": "Sore knee"},
        follow=True,  # to Today, with its "well done" message, which only that visit shows
    )
    shown = assert_shown_as_fresh(signed_in)
    assert 'value="4" required checked' in shown
    assert "Sore knee" in shown


# Each change goes the way a real one does: a clinician's admin form, an editor's save, or
# a service that a request (another device, the worker) calls.


def clinician_posts(prescription, **changes):
    staff = WritePathClient()
    staff.force_login(prescription.patient.clinician)
    response = staff.post(
        reverse("admin:patients_prescription_change", args=[prescription.pk]),
        prescription_change_data(prescription, **changes),
    )
    assert response.status_code == 302, response.content.decode()[:3000]


def change_prescription(prescription):
    clinician_posts(prescription, message="Now twice a day.", sessions_per_day=2)


def change_dosage(prescription):
    clinician_posts(prescription, **{"exercises-0-sets": 5, "exercises-0-notes": "Go slowly now"})


def add_exercise(prescription):
    side_plank = ExerciseFactory(name="Side plank")
    clinician_posts(
        prescription,
        **{
            "exercises-TOTAL_FORMS": 4,
            "exercises-3-prescription": prescription.pk,
            "exercises-3-order": 9,
            "exercises-3-exercise": side_plank.pk,
            "exercises-3-sets": 2,
            "exercises-3-reps": 10,
            "exercises-3-side": "both",
            "exercises-3-rest_seconds": 30,
        },
    )


def remove_exercise(prescription):
    clinician_posts(prescription, **{"exercises-2-DELETE": "on"})


def pause(prescription):
    services.prescription_pause(
        prescription=prescription,
        starts_on=TODAY,
        ends_on=None,
        reason="flare_up",
        message="Rest this week.",
        paused_by=prescription.patient.clinician,
    )


def rename_in_library(prescription):
    exercise = Exercise.objects.get(name="Bridge")
    exercise.name = "Glute bridge"
    exercise_save(exercise=exercise, edited_by_editor=True)


def rename_clinician(prescription):
    clinician = prescription.patient.clinician
    admin = WritePathClient()
    admin.force_login(SuperuserFactory())
    url = reverse("admin:clinic_user_change", args=[clinician.pk])
    response = admin.post(
        url,
        {
            "username": clinician.username,
            "first_name": "Dana",
            "last_name": "Doe",
            "email": clinician.email,
            "is_active": "on",
            "is_staff": "on",
            "groups": [group.pk for group in clinician.groups.all()],
            "date_joined_0": clinician.date_joined.strftime("%Y-%m-%d"),
            "date_joined_1": clinician.date_joined.strftime("%H:%M:%S"),
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]


def move_to_another_clinician(prescription):
    patient = Patient.objects.get(pk=prescription.patient_id)
    patient.clinician = ClinicianFactory(first_name="Ezra", last_name="Eng")
    services.patient_update(patient, ["clinician"])


def log_from_another_device(prescription):
    services.session_complete(
        patient=prescription.patient, day=TODAY, session_number=1, pain=2, effort="", note=""
    )


def check_off_from_another_device(prescription):
    services.exercise_check_off(
        patient=prescription.patient,
        prescribed=prescription.exercises.first(),
        day=TODAY,
        session_number=1,
        status=ExerciseCheck.Status.DONE,
    )


def undo_from_another_device(prescription):
    services.exercise_check_off(
        patient=prescription.patient,
        prescribed=prescription.exercises.first(),
        day=TODAY,
        session_number=1,
        status=None,
    )


undo_from_another_device.before = check_off_from_another_device


def check_in(prescription):
    services.function_checkin_save(
        patient=prescription.patient,
        day=TODAY,
        scores={},
        new_activities=[("Walking", 4)],
        entered_by=prescription.patient.user,
    )


CHANGES = [
    change_prescription,
    change_dosage,
    add_exercise,
    remove_exercise,
    pause,
    rename_in_library,
    rename_clinician,
    move_to_another_clinician,
    log_from_another_device,
    check_off_from_another_device,
    undo_from_another_device,
    check_in,
]


@pytest.mark.parametrize("change", CHANGES, ids=[change.__name__ for change in CHANGES])
def test_every_change_to_what_the_plan_shows_shows_at_the_next_visit(
    signed_in, prescription, change
):
    if hasattr(change, "before"):
        change.before(prescription)
    before = page(signed_in)
    yesterday_url = reverse("patients:day", args=[(TODAY - datetime.timedelta(days=1)).isoformat()])
    page(signed_in, yesterday_url)
    change(prescription)
    after = assert_shown_as_fresh(signed_in)
    assert without_tokens(after) != without_tokens(before)
    assert_shown_as_fresh(signed_in, yesterday_url)


def test_a_new_day_is_rendered_anew(signed_in, frozen_clock):
    assert "Wednesday 25 November 2026" in page(signed_in)
    frozen_clock.shift(datetime.timedelta(days=1))
    assert "Thursday 26 November 2026" in assert_shown_as_fresh(signed_in)


def test_a_refused_session_form_is_never_kept(signed_in):
    page(signed_in)
    response = signed_in.post(
        reverse("patients:session_done", args=[TODAY.isoformat(), 1]), {"pain": 11}
    )
    assert response.status_code == 400
    assert "Pain is a number from 0 to 10." in response.content.decode()
    assert "Pain is a number from 0 to 10." not in page(signed_in)


def test_bulk_changes_go_through_the_write_path(signed_in, prescription):
    """``update()`` writes no row by row: code that uses it on plan data says so itself."""
    page(signed_in)
    Prescription.objects.filter(pk=prescription.pk).update(message="Bulk message")
    assert "Bulk message" not in page(signed_in)
    changes.plans_stale(prescription.patient_id)
    assert "Bulk message" in assert_shown_as_fresh(signed_in)


def test_a_login_touches_no_patient(client, clinician, prescription):
    """Saving a clinician's user for a sign-in (``last_login``) gives no patient a new stamp:
    only a change of the name that patients see does."""
    stamp = Patient.objects.get(pk=prescription.patient_id).plan_stamp
    client.post(reverse("login"), {"username": clinician.username, "password": "pass-clinician-a"})
    clinician.refresh_from_db()
    clinician.save(update_fields=["last_login"])
    assert Patient.objects.get(pk=prescription.patient_id).plan_stamp == stamp
