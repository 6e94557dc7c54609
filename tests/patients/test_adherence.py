"""Adherence on hand-built histories, checked against numbers worked out by hand."""

import datetime

import pytest

from patients import adherence
from patients.models import ExerciseCheck, Patient, SessionLog
from patients.weekdays import mask_from_days
from tests.factories import PrescribedExerciseFactory, PrescriptionFactory

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 11, 25)  # Wednesday; the 7-day window is Wed 18 - Tue 24
NOV = {n: datetime.date(2026, 11, n) for n in range(1, 31)}
NOW = datetime.datetime(2026, 11, 25, 9, 0, tzinfo=datetime.UTC)


def log(prescription, day, session=1, *, done=True, checks=0, pain=None, effort=""):
    entry = SessionLog.objects.create(
        prescription=prescription,
        date=day,
        session_number=session,
        completed_at=NOW if done else None,
        pain=pain,
        effort=effort,
    )
    exercises = list(prescription.exercises.all())
    for item in exercises[:checks]:
        ExerciseCheck.objects.create(session_log=entry, prescribed_exercise=item)
    entry.done_share = checks / len(exercises) if exercises else 0
    entry.save()
    return entry


@pytest.fixture
def daily(patient):
    """Every day since 1 November, one session, four exercises."""
    prescription = PrescriptionFactory(patient=patient, start_date=NOV[1])
    PrescribedExerciseFactory.create_batch(4, prescription=prescription)
    return prescription


def annotated(patient) -> Patient:
    return adherence.with_adherence(Patient.objects, today=TODAY).get(pk=patient.pk)


def test_partly_done_sessions_count_by_their_share_of_exercises(patient, daily):
    for day in (18, 19, 20, 21, 22):
        log(daily, NOV[day])
    log(daily, NOV[23], done=False, checks=2)  # half the exercises: half a session
    result = annotated(patient)
    assert (result.due_7, result.done_7) == (7, 5.5)
    assert result.adherence_7 == pytest.approx(100 * 5.5 / 7)


def test_today_is_not_in_the_window_and_nothing_logged_is_zero(patient, daily):
    log(daily, TODAY)
    result = annotated(patient)
    assert (result.due_7, result.done_7, result.adherence_7) == (7, 0, 0)
    assert (result.due_28, result.done_28) == (24, 0)  # 1-24 November


def test_several_prescriptions_and_sessions_per_day(patient, daily):
    twice_mwf = PrescriptionFactory(
        patient=patient,
        start_date=NOV[20],
        weekdays=mask_from_days([0, 2, 4]),
        sessions_per_day=2,
    )
    PrescribedExerciseFactory(prescription=twice_mwf)
    for day in (18, 19, 20, 21, 22, 23, 24):
        log(daily, NOV[day])
    log(twice_mwf, NOV[20], 1)  # Friday: one of two sessions
    log(twice_mwf, NOV[23], 1)  # Monday: both
    log(twice_mwf, NOV[23], 2)
    result = annotated(patient)
    assert result.due_7 == 7 + 2 * 2
    assert result.done_7 == 7 + 3
    assert adherence.prescription_adherence(twice_mwf, NOV[18], NOV[24]) == (4, 3.0)
    assert adherence.prescription_adherence(daily, NOV[18], NOV[24]) == (7, 7.0)


def test_paused_prescriptions_are_not_due(patient, daily):
    daily.status = "paused"
    daily.save()
    assert annotated(patient).due_7 == 0
    assert annotated(patient).adherence_7 is None


def test_pain_latest_average_and_direction(patient, daily):
    for day, pain in ((11, 3), (12, 3), (13, 4), (18, 5), (19, 6), (24, 7)):
        log(daily, NOV[day], pain=pain)
    result = annotated(patient)
    assert result.latest_pain == 7
    assert result.last_session == NOV[24]
    assert result.pain_this_week == pytest.approx(6.0)
    assert result.pain_last_week == pytest.approx(10 / 3)
    assert adherence.pain_direction(result.pain_this_week, result.pain_last_week) == "up"
    assert adherence.pain_direction(3.0, 3.2) == "steady"
    assert adherence.pain_direction(2.0, 4.0) == "down"
    assert adherence.pain_direction(None, 4.0) == ""


def test_efforts_of_the_last_two_sessions(patient, daily):
    log(daily, NOV[20], effort="about_right")
    log(daily, NOV[21], effort="too_hard")
    log(daily, NOV[22], effort="too_hard")
    result = annotated(patient)
    assert (result.latest_effort, result.previous_effort) == ("too_hard", "too_hard")


def test_sorting_the_patient_list_by_adherence(clinician, daily, patient):
    from tests.factories import PatientFactory

    idle = PatientFactory(clinician=clinician)
    idle_plan = PrescriptionFactory(patient=idle, start_date=NOV[1])
    PrescribedExerciseFactory(prescription=idle_plan)
    for day in range(18, 25):
        log(daily, NOV[day])
    ordered = adherence.with_adherence(Patient.objects, today=TODAY).order_by("-adherence_7")
    assert [p.pk for p in ordered] == [patient.pk, idle.pk]
