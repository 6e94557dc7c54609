"""Progression and regression suggestions: rules fire under the stated conditions, accepting
changes only that prescribed exercise and is recorded, nothing changes by itself."""

import datetime

import pytest
from django.urls import reverse

from patients import adherence, attention, services, suggestions
from patients.models import ExerciseCheck, Patient, SessionLog, Suggestion
from tests.clock import NOW, TODAY
from tests.factories import ExerciseFactory, PrescribedExerciseFactory, PrescriptionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clock(frozen_clock):
    return frozen_clock


@pytest.fixture
def plan(patient):
    prescription = PrescriptionFactory(patient=patient, start_date=TODAY - datetime.timedelta(30))
    clam = PrescribedExerciseFactory(
        prescription=prescription,
        sets=2,
        reps=10,
        exercise__name="Clamshell",
        exercise__category="strengthening",
        exercise__difficulty="beginner",
    )
    stretch = PrescribedExerciseFactory(
        prescription=prescription, sets=2, reps=None, hold_seconds=30, exercise__name="Stretch"
    )
    return prescription, clam, stretch


def history(prescription, *, days=14, pain=2, effort="about_right", efforts=None, checked=None):
    for n in range(1, days + 1):
        log = SessionLog.objects.create(
            prescription=prescription,
            date=TODAY - datetime.timedelta(days=n),
            completed_at=NOW,
            pain=pain(n) if callable(pain) else pain,
            effort=(efforts or {}).get(n, effort),
            done_share=1.0,
        )
        for item in checked or prescription.exercises.all():
            ExerciseCheck.objects.create(session_log=log, prescribed_exercise=item)


def found(patient):
    annotated = adherence.with_adherence(Patient.objects, today=TODAY).get(pk=patient.pk)
    return {
        (c.prescribed.exercise.name, c.kind): c.change
        for c in suggestions.candidates_for([annotated], today=TODAY).get(patient.pk, [])
    }


def test_progression_when_done_most_days_with_low_pain_and_fine_ratings(patient, plan):
    prescription, _clam, _stretch = plan
    history(prescription)
    assert found(patient) == {
        ("Clamshell", "progress"): "2 sets of 12",
        ("Stretch", "progress"): "hold 40 seconds, twice",
    }


def test_no_progression_when_pain_is_higher_or_days_were_missed(patient, plan):
    prescription, *_ = plan
    history(prescription, pain=5)
    assert found(patient) == {}
    SessionLog.objects.all().delete()
    history(prescription, days=7)  # 7 of 14 due days
    assert found(patient) == {}


def test_session_answers_never_propose_a_regression_of_one_exercise(patient, plan):
    """ "Too hard" and pain are answers about the session, not about any one exercise."""
    prescription, *_ = plan
    history(prescription, efforts={1: "too_hard", 4: "too_hard"})
    assert found(patient) == {}
    SessionLog.objects.all().delete()
    history(prescription, pain=lambda n: 6 if n <= 7 else 3)
    assert found(patient) == {}


def skip(prescription, item, n_days_ago, reason="too_painful"):
    ExerciseCheck.objects.filter(
        session_log__date=TODAY - datetime.timedelta(days=n_days_ago), prescribed_exercise=item
    ).update(status="skipped", skip_reason=reason)


def test_two_too_painful_skips_in_a_row_propose_a_regression_of_that_exercise(patient, plan):
    prescription, clam, stretch = plan
    history(prescription, pain=4)  # pain too high for a progression of the other
    skip(prescription, clam, 2)
    assert found(patient) == {}  # once is not yet a pattern
    skip(prescription, clam, 1)
    assert found(patient) == {("Clamshell", "regress"): "2 sets of 8"}
    skip(prescription, stretch, 1, reason="no_time")
    assert ("Stretch", "regress") not in found(patient)


def test_too_painful_skips_must_be_in_a_row(patient, plan):
    prescription, clam, _stretch = plan
    history(prescription, pain=4)
    skip(prescription, clam, 3)
    skip(prescription, clam, 1)  # done in between, on day 2
    assert found(patient) == {}


def test_a_skip_today_counts_at_once(patient, plan):
    prescription, clam, _stretch = plan
    history(prescription, pain=4)
    skip(prescription, clam, 1)
    today = SessionLog.objects.create(prescription=prescription, date=TODAY)
    ExerciseCheck.objects.create(
        session_log=today, prescribed_exercise=clam, status="skipped", skip_reason="too_painful"
    )
    assert found(patient) == {("Clamshell", "regress"): "2 sets of 8"}


def test_no_progression_while_the_last_weeks_pain_averages_5_or_more(patient, plan):
    prescription, *_ = plan
    # Two weeks averaging 3.0 (allowed), but the last 7 days average 5.
    history(prescription, pain=lambda n: 5 if n <= 7 else 1)
    assert found(patient) == {}
    SessionLog.objects.all().delete()
    history(prescription, pain=lambda n: 4 if n <= 7 else 2)
    assert {kind for _, kind in found(patient)} == {"progress"}


def test_no_progression_while_a_symptom_report_is_unreviewed(clinician, patient, plan):
    prescription, *_ = plan
    history(prescription)
    services.symptom_report_create(
        patient=patient, symptoms=["other"], note="", progress_url="https://example.org/"
    )
    assert found(patient) == {}
    services.attention_review(patient=patient, reviewed_by=clinician, today=TODAY)
    assert {kind for _, kind in found(patient)} == {"progress"}


def test_at_the_top_of_the_range_only_the_linked_harder_exercise_is_proposed(patient, plan):
    prescription, clam, _stretch = plan
    clam.reps = 20
    clam.save()
    ExerciseFactory(  # same region, category and next level: not a reason to switch
        name="Bird dog",
        body_region=clam.exercise.body_region,
        category="strengthening",
        difficulty="intermediate",
    )
    history(prescription, checked=[clam])
    assert ("Clamshell", "progress") not in found(patient)
    harder = ExerciseFactory(name="Side-lying hip abduction", default_sets=2, default_reps=12)
    clam.exercise.harder = harder
    clam.exercise.save()
    assert found(patient)[("Clamshell", "progress")] == f"switch to {harder.name}, 2 sets of 12"


def test_accepting_changes_only_that_exercise_and_is_recorded(client, clinician, patient, plan):
    prescription, clam, stretch = plan
    history(prescription)
    client.force_login(clinician)
    url = reverse("admin:patients_patient_suggestion", args=[patient.pk])
    page = client.get(reverse("admin:patients_patient_progress", args=[patient.pk]))
    assert "Progression for Clamshell:" in page.content.decode()
    response = client.post(url, {"prescribed": clam.pk, "kind": "progress", "decision": "accept"})
    assert response.status_code == 302
    clam.refresh_from_db()
    stretch.refresh_from_db()
    assert (clam.sets, clam.reps) == (2, 12)
    assert stretch.hold_seconds == 30
    # A prescription form opened before this is now stale (optimistic locking).
    prescription.refresh_from_db()
    assert prescription.version == 2
    decision = Suggestion.objects.get()
    assert (decision.status, decision.decided_by, decision.change) == (
        "accepted",
        clinician,
        "2 sets of 12",
    )
    assert ("Clamshell", "progress") not in found(patient)  # quiet after a decision


def test_dismissing_records_and_changes_nothing(client, clinician, patient, plan):
    prescription, clam, _ = plan
    history(prescription)
    client.force_login(clinician)
    client.post(
        reverse("admin:patients_patient_suggestion", args=[patient.pk]),
        {"prescribed": clam.pk, "kind": "progress", "decision": "dismiss"},
    )
    clam.refresh_from_db()
    assert clam.reps == 10
    assert Suggestion.objects.get().status == "dismissed"


def test_stale_or_forged_suggestions_are_refused(client, clinician, patient, plan, other_patient):
    _prescription, clam, _ = plan
    client.force_login(clinician)
    url = reverse("admin:patients_patient_suggestion", args=[patient.pk])
    response = client.post(url, {"prescribed": clam.pk, "kind": "progress", "decision": "accept"})
    assert response.status_code == 302
    clam.refresh_from_db()
    assert clam.reps == 10  # no history, so no suggestion to accept
    theirs = PrescribedExerciseFactory(prescription__patient=other_patient)
    assert client.post(url, {"prescribed": theirs.pk, "kind": "progress"}).status_code == 404


def test_another_clinician_cannot_decide(client, other_clinician, patient, plan):
    prescription, clam, _ = plan
    history(prescription)
    client.force_login(other_clinician)
    url = reverse("admin:patients_patient_suggestion", args=[patient.pk])
    assert client.post(url, {"prescribed": clam.pk, "kind": "progress"}).status_code == 404


def test_suggestions_appear_in_the_queue(clinician, patient, plan):
    prescription, *_ = plan
    history(prescription)
    items = attention.queue_for(clinician, today=TODAY)
    assert any("Suggested progression: Clamshell" in r.text for r in items[0].reasons)


def test_a_dismissed_suggestion_leaves_the_queue_at_once(client, clinician, patient, plan):
    """The queue keeps each patient's summary until their data changes: a decision is such a
    change, so the next visit never shows what was just dismissed."""
    prescription, clam, _ = plan
    history(prescription)
    client.force_login(clinician)
    reasons = lambda: [r.text for item in attention.queue_for(clinician) for r in item.reasons]  # noqa: E731
    assert any("Suggested progression: Clamshell" in text for text in reasons())
    client.post(
        reverse("admin:patients_patient_suggestion", args=[patient.pk]),
        {"prescribed": clam.pk, "kind": "progress", "decision": "dismiss"},
    )
    assert not any("Suggested progression: Clamshell" in text for text in reasons())


# --- "Accept all" and "Dismiss all" for one patient, on the progress page --------------------


def test_accept_all_applies_every_suggestion_with_who(client, clinician, patient, plan):
    prescription, clam, stretch = plan
    history(prescription)
    client.force_login(clinician)
    progress = client.get(reverse("admin:patients_patient_progress", args=[patient.pk]))
    assert "Accept all" in progress.content.decode()
    url = reverse("admin:patients_patient_suggestions_all", args=[patient.pk])
    response = client.post(url, {"decision": "accept"}, follow=True)
    assert "Accepted: Clamshell: 2 sets of 12; Stretch: hold 40 seconds, twice." in (
        response.content.decode()
    )
    clam.refresh_from_db()
    stretch.refresh_from_db()
    assert (clam.reps, stretch.hold_seconds) == (12, 40)
    assert set(Suggestion.objects.values_list("status", "decided_by")) == {
        ("accepted", clinician.pk)
    }
    assert found(patient) == {}


def test_dismiss_all_changes_nothing(client, clinician, patient, plan):
    prescription, clam, _stretch = plan
    history(prescription)
    client.force_login(clinician)
    url = reverse("admin:patients_patient_suggestions_all", args=[patient.pk])
    client.post(url, {"decision": "dismiss"})
    clam.refresh_from_db()
    assert clam.reps == 10
    assert Suggestion.objects.filter(status="dismissed").count() == 2
    assert client.post(url, {"decision": "maybe"}).status_code == 404


def test_another_clinician_cannot_decide_all(client, other_clinician, patient, plan):
    history(plan[0])
    client.force_login(other_clinician)
    url = reverse("admin:patients_patient_suggestions_all", args=[patient.pk])
    assert client.post(url, {"decision": "accept"}).status_code == 404
    assert not Suggestion.objects.exists()
