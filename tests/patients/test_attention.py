"""The "needs attention" queue: each rule fires and clears; reviewed items stay hidden until
something new happens; constant queries."""

import datetime

import pytest
import time_machine
from django.core.cache import caches
from django.urls import reverse

from patients import attention, changes, services
from patients.models import PrescribedExercise, SessionLog
from tests.clock import NOW, TODAY
from tests.factories import (
    ExerciseFactory,
    PatientFactory,
    PrescribedExerciseFactory,
    PrescriptionFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clock(frozen_clock):
    return frozen_clock


def days_ago(n):
    return TODAY - datetime.timedelta(days=n)


@pytest.fixture
def plan(patient):
    prescription = PrescriptionFactory(patient=patient, start_date=days_ago(30))
    PrescribedExerciseFactory.create_batch(2, prescription=prescription)
    return prescription


def easing(n_days_ago):
    """Pain that eases by two points after the first week, as it should on the program."""
    return 5 if n_days_ago > 21 else 3


def log(prescription, n_days_ago, *, pain=easing, effort="about_right", note="", done=True):
    """A finished session, written as the write path would (the queue's kept summaries are
    keyed on the patient's stamp)."""
    row = SessionLog.objects.create(
        prescription=prescription,
        date=days_ago(n_days_ago),
        completed_at=NOW if done else None,
        pain=pain(n_days_ago) if callable(pain) else pain,
        effort=effort,
        note=note,
        done_share=1.0 if done else 0.0,
    )
    changes.record(prescription.patient_id, [changes.created(row)])
    return row


def codes(user):
    return {item.patient.pk: item.codes for item in attention.queue_for(user, today=TODAY)}


def test_a_patient_who_does_the_work_needs_no_attention(clinician, patient, plan):
    for n in range(1, 29):
        log(plan, n)
    assert codes(clinician) == {}


def test_no_activity_for_three_due_days_fires_and_clears(clinician, patient, plan):
    for n in range(4, 29):
        log(plan, n)
    assert codes(clinician) == {patient.pk: {attention.INACTIVE}}
    log(plan, 1)
    assert codes(clinician) == {}


def test_low_adherence_fires(clinician, patient, plan):
    for n in (1, 5, 9, 13, 17, 21, 25):  # 7 of 28 due sessions: 25 %
        log(plan, n)
    assert attention.LOW_ADHERENCE in codes(clinician)[patient.pk]


def test_pain_rising_by_two_points_in_a_week_fires(clinician, patient, plan):
    for n in range(1, 29):
        log(plan, n, pain=6 if n <= 7 else 3)
    # Pain is the session's answer: it proposes no regression of any one exercise. (And at
    # 6 it is no lower than the first week's 3.)
    assert codes(clinician) == {patient.pk: {attention.PAIN_RISING, attention.PAIN_NOT_BETTER}}


def test_too_hard_twice_in_a_row_fires_and_clears(clinician, patient, plan):
    for n in range(3, 29):
        log(plan, n)
    log(plan, 2, effort="too_hard")
    log(plan, 1, effort="too_hard")
    assert codes(clinician) == {patient.pk: {attention.TOO_HARD}}
    # A bulk update, as a data fix would make: it must say whose data it changed.
    SessionLog.objects.filter(date=days_ago(1)).update(effort="about_right")
    changes.plans_stale(patient.pk)
    assert codes(clinician) == {}


def test_a_new_note_fires(clinician, patient, plan):
    for n in range(1, 29):
        log(plan, n, note="My back aches in the morning." if n == 2 else "")
    assert codes(clinician) == {patient.pk: {attention.NEW_NOTE}}


def test_reviewed_items_stay_hidden_until_something_new_happens(client, clinician, patient, plan):
    for n in range(4, 29):
        log(plan, n)
    client.force_login(clinician)
    assert patient.full_name in client.get(reverse("admin:index")).content.decode()
    response = client.post(reverse("admin:patients_patient_review", args=[patient.pk]))
    assert response.url == reverse("admin:index")
    assert codes(clinician) == {}
    assert "Nobody needs attention" in client.get(reverse("admin:index")).content.decode()
    with time_machine.travel(NOW + datetime.timedelta(minutes=5), tick=False):
        log(plan, 0, effort="too_hard", note="Worse today")
        assert codes(clinician)[patient.pk] >= {attention.NEW_NOTE}


def test_another_clinicians_patients_never_appear_and_review_is_404(
    client, clinician, other_clinician, other_patient
):
    prescription = PrescriptionFactory(patient=other_patient, start_date=days_ago(30))
    PrescribedExerciseFactory(prescription=prescription)
    assert codes(other_clinician) == {
        other_patient.pk: {attention.INACTIVE, attention.LOW_ADHERENCE}
    }
    assert codes(clinician) == {}
    client.force_login(clinician)
    assert other_patient.full_name not in client.get(reverse("admin:index")).content.decode()
    url = reverse("admin:patients_patient_review", args=[other_patient.pk])
    assert client.post(url).status_code == 404


def test_needs_attention_filter_on_the_patient_list(client, clinician, patient, plan):
    calm = PatientFactory(clinician=clinician, last_name="Calm")
    calm_plan = PrescriptionFactory(patient=calm, start_date=days_ago(30))
    for n in range(1, 29):
        log(calm_plan, n)
    client.force_login(clinician)
    html = client.get(reverse("admin:patients_patient_changelist"), {"attention": "yes"}).content
    assert patient.last_name.encode() in html
    assert b"Calm" not in html


@pytest.mark.parametrize("count", [10, pytest.param(500, marks=pytest.mark.slow)])
def test_queue_and_patient_list_queries_do_not_grow(
    client, clinician, count, django_assert_max_num_queries, no_n_plus_one
):
    patients = PatientFactory.create_batch(count, clinician=clinician, user=None)
    prescriptions = PrescriptionFactory.create_batch(
        count, patient=factory_iter(patients), start_date=days_ago(182)
    )
    exercises = ExerciseFactory.create_batch(2)
    PrescribedExercise.objects.bulk_create(
        PrescribedExercise(prescription=prescription, exercise=exercise, sets=2, reps=10)
        for prescription in prescriptions
        for exercise in exercises
    )
    SessionLog.objects.bulk_create(
        SessionLog(
            prescription=prescription,
            date=days_ago(n),
            completed_at=NOW,
            pain=3,
            done_share=1.0,
        )
        for prescription in prescriptions
        for n in range(1, 183, 3)
    )
    # 12: the suggestions read each exercise's own "how did it feel?" answers in one query.
    with django_assert_max_num_queries(12):
        items = attention.queue_for(clinician, today=TODAY)
    assert len(items) == count
    client.force_login(clinician)
    with django_assert_max_num_queries(21) as index_queries, no_n_plus_one():
        response = client.get(reverse("admin:index"))
    assert response.status_code == 200
    print(f"\nneeds-attention index, {count} patients: {len(index_queries)} queries")
    with django_assert_max_num_queries(13), no_n_plus_one():  # 12 reads, 1 audit event
        response = client.get(reverse("admin:patients_patient_changelist"))
    assert response.status_code == 200


def factory_iter(items):
    import factory

    return factory.Iterator(items)


# --- Each patient's summary is kept until their data changes ---------------------------------


def queue_as_shown(user):
    return [
        (item.patient.pk, item.is_urgent, [(r.code, r.text, r.at) for r in item.reasons])
        for item in attention.queue_for(user, today=TODAY)
    ]


def freshly_evaluated(user):
    caches[attention.CACHE_ALIAS].clear()
    return queue_as_shown(user)


def _check_off_skipped_as_too_painful(patient, prescription, clinician):
    services.exercise_check_off(
        patient=patient,
        prescribed=prescription.exercises.first(),
        day=TODAY,
        session_number=1,
        status="skipped",
        skip_reason="too_painful",
    )


def _session_done_in_pain(patient, prescription, clinician):
    services.session_complete(
        patient=patient, day=TODAY, session_number=1, pain=9, effort="too_hard", note="Ouch"
    )


def _function_check_in_lower(patient, prescription, clinician):
    activity = patient.activities.create(name="Putting on socks")
    for day, score in ((days_ago(20), 8), (TODAY, 3)):
        services.function_checkin_save(
            patient=patient,
            day=day,
            scores={activity.pk: score},
            new_activities=[],
            entered_by=None,
        )


def _symptom_report(patient, prescription, clinician):
    services.symptom_report_create(
        patient=patient, symptoms=["spreading_further"], note="", progress_url="https://x/"
    )


def _reviewed(patient, prescription, clinician):
    services.attention_review(patient=patient, reviewed_by=clinician, today=TODAY)


def _prescription_paused(patient, prescription, clinician):
    prescription.status = "paused"
    prescription.save()


@pytest.mark.parametrize(
    "change",
    [
        _check_off_skipped_as_too_painful,
        _session_done_in_pain,
        _function_check_in_lower,
        _symptom_report,
        _reviewed,
        _prescription_paused,
    ],
)
def test_after_each_kind_of_change_the_kept_queue_is_what_a_fresh_evaluation_shows(
    clinician, patient, plan, change
):
    for n in range(1, 29):
        log(plan, n, pain=8)
    before = queue_as_shown(clinician)
    assert before == freshly_evaluated(clinician)
    change(patient, plan, clinician)
    after = queue_as_shown(clinician)
    assert after == freshly_evaluated(clinician)
    assert after != before


def test_a_visit_with_nothing_new_reads_no_history(
    clinician, patient, plan, django_assert_num_queries
):
    for n in range(1, 29):
        log(plan, n, pain=8)
    first = queue_as_shown(clinician)
    # The symptom reports and the clinician's patients (with their stamps): nothing more.
    with django_assert_num_queries(2):
        assert queue_as_shown(clinician) == first
