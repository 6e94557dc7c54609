"""How each exercise felt: one answer per prescribed exercise and day, stored once however
often it is sent (double taps, the phone's offline queue), read by the suggestions, the
progress page and the CSV; the session's own answer is never spread onto its exercises."""

import csv
import datetime
import io
import uuid

import pytest
from django.test import Client
from django.urls import reverse

from patients import adherence, attention, services, suggestions
from patients.models import ClientWrite, ExerciseCheck, ExerciseFeedback, Patient, SessionLog
from tests.clock import NOW, TODAY
from tests.factories import PrescribedExerciseFactory, PrescriptionFactory

pytestmark = pytest.mark.django_db

JSON = {"HTTP_ACCEPT": "application/json"}
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture(autouse=True)
def _clock(frozen_clock):
    return frozen_clock


@pytest.fixture
def plan(patient):
    prescription = PrescriptionFactory(patient=patient, start_date=TODAY - datetime.timedelta(30))
    clam = PrescribedExerciseFactory(
        prescription=prescription, sets=2, reps=10, exercise__name="Clamshell"
    )
    stretch = PrescribedExerciseFactory(
        prescription=prescription, sets=2, reps=None, hold_seconds=30, exercise__name="Stretch"
    )
    return prescription, clam, stretch


def give(client, prescribed, effort, *, day=TODAY, client_uuid=None, headers=JSON, **extra):
    data = {"exercise": prescribed.pk, "session": 1, "effort": effort, **extra}
    if client_uuid:
        data["client_uuid"] = str(client_uuid)
    return client.post(reverse("patients:feedback", args=[day.isoformat()]), data, **headers)


def found(patient):
    annotated = adherence.with_adherence(Patient.objects, today=TODAY).get(pk=patient.pk)
    return {
        (c.prescribed.exercise.name, c.kind): c.change
        for c in suggestions.candidates_for([annotated], today=TODAY).get(patient.pk, [])
    }


def history(prescription, *, days=14, effort="about_right"):
    """Two weeks done, pain 2, the sessions rated ``effort``."""
    for n in range(1, days + 1):
        log = SessionLog.objects.create(
            prescription=prescription,
            date=TODAY - datetime.timedelta(days=n),
            completed_at=NOW,
            pain=2,
            effort=effort,
            done_share=1.0,
        )
        for item in prescription.exercises.all():
            ExerciseCheck.objects.create(session_log=log, prescribed_exercise=item)


def test_one_answer_per_exercise_and_day_stored_once(client, patient, plan):
    _prescription, clam, _stretch = plan
    client.force_login(patient.user)
    write = uuid.uuid4()
    assert give(client, clam, "too_hard", client_uuid=write).json() == {"ok": True, "error": ""}
    assert give(client, clam, "too_hard", client_uuid=write).status_code == 200  # a replay
    assert ExerciseFeedback.objects.count() == 1
    assert ClientWrite.objects.filter(kind="feedback").count() == 1
    give(client, clam, "about_right", client_uuid=uuid.uuid4())  # changed their mind
    answer = ExerciseFeedback.objects.get()
    assert (answer.effort, answer.date, answer.session_log.session_number) == (
        "about_right",
        TODAY,
        1,
    )
    assert ClientWrite.objects.filter(kind="feedback", replaced={"effort": "too_hard"}).exists()


def test_an_older_answer_from_the_offline_queue_does_not_replace_a_newer_one(patient, plan):
    _prescription, clam, _stretch = plan
    services.exercise_feedback_give(
        patient=patient, prescribed=clam, day=TODAY, session_number=1, effort="too_hard"
    )
    services.exercise_feedback_give(
        patient=patient,
        prescribed=clam,
        day=TODAY,
        session_number=1,
        effort="too_easy",
        client_uuid=uuid.uuid4(),
        made_at=NOW - datetime.timedelta(hours=1),
    )
    assert ExerciseFeedback.objects.get().effort == "too_hard"
    assert ClientWrite.objects.filter(outcome="superseded").count() == 1


def test_htmx_gets_the_card_with_the_answer_pressed(client, patient, plan):
    _prescription, clam, _stretch = plan
    client.force_login(patient.user)
    client.post(
        reverse("patients:check_off", args=[TODAY.isoformat()]),
        {"exercise": clam.pk, "session": 1, "action": "done"},
    )
    html = client.get(reverse("patients:today")).content.decode()
    assert "How did it feel? (optional)" in html
    card = give(client, clam, "too_hard", headers=HTMX).content.decode()
    assert 'value="too_hard" class="btn btn-sm btn-touch btn-secondary" aria-pressed="true"' in card
    # The day page shows it too: the answer made the cached plan stale.
    html = client.get(reverse("patients:today")).content.decode()
    assert 'aria-pressed="true">Too hard' in html


def test_bad_answers_are_refused_with_a_message(client, patient, plan, other_patient):
    _prescription, clam, _stretch = plan
    client.force_login(patient.user)
    response = give(client, clam, "exhausting")
    assert (response.status_code, response.json()["error"]) == (400, "Choose how it felt.")
    future = give(client, clam, "too_hard", day=TODAY + datetime.timedelta(days=1))
    assert future.status_code == 400
    theirs = PrescriptionFactory(patient=other_patient, start_date=TODAY)
    their_exercise = PrescribedExerciseFactory(prescription=theirs)
    assert give(client, their_exercise, "too_hard").status_code == 404
    assert not ExerciseFeedback.objects.exists()


def test_the_answer_needs_the_csrf_token(patient, plan):
    _prescription, clam, _stretch = plan
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(patient.user)
    assert give(browser, clam, "too_hard").status_code == 403
    assert not ExerciseFeedback.objects.exists()


def test_too_hard_twice_on_one_exercise_proposes_one_regression_of_it_only(patient, plan):
    prescription, clam, _stretch = plan
    history(prescription)
    for n in (2, 1):
        services.exercise_feedback_give(
            patient=patient,
            prescribed=clam,
            day=TODAY - datetime.timedelta(days=n),
            session_number=1,
            effort="too_hard",
            made_at=NOW,
        )
    # Once is not a pattern; twice in a row is, for the clamshell only: the stretch, answered
    # "about right" in sessions rated fine, may still progress.
    assert found(patient) == {
        ("Clamshell", "regress"): "2 sets of 8",
        ("Stretch", "progress"): "hold 40 seconds, twice",
    }


def test_one_too_hard_answer_holds_back_only_that_exercises_progression(patient, plan):
    prescription, clam, _stretch = plan
    history(prescription)
    services.exercise_feedback_give(
        patient=patient,
        prescribed=clam,
        day=TODAY - datetime.timedelta(days=2),
        session_number=1,
        effort="too_hard",
        made_at=NOW,
    )
    assert found(patient) == {("Stretch", "progress"): "hold 40 seconds, twice"}


def test_session_answers_are_never_spread_onto_exercises(client, clinician, patient, plan):
    prescription, clam, _stretch = plan
    history(prescription, effort="too_hard")
    assert found(patient) == {}  # the session's "too hard" holds progressions back, no more
    services.exercise_feedback_give(
        patient=patient,
        prescribed=clam,
        day=TODAY - datetime.timedelta(days=1),
        session_number=1,
        effort="too_easy",
        made_at=NOW,
    )
    client.force_login(clinician)
    html = client.get(reverse("admin:patients_patient_progress", args=[patient.pk])).content
    html = html.decode()
    # Clamshell: too hard 0, about right 0, too easy 1; the stretch has no answers at all.
    assert "<td>0</td><td>0</td><td>1</td></tr>" in html
    assert "<td>0</td><td>0</td><td>0</td></tr>" in html
    export = client.get(reverse("admin:patients_patient_export", args=[patient.pk]))
    body = b"".join(export.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(body)))
    column = rows[0].index("how each exercise felt")
    felt = [row[column] for row in rows[1:] if row[column]]
    assert felt == ["Clamshell (too easy)"]


def test_the_regression_reaches_the_needs_attention_queue_at_once(clinician, patient, plan):
    prescription, clam, _stretch = plan
    history(prescription)
    reasons = lambda: [r.text for item in attention.queue_for(clinician) for r in item.reasons]  # noqa: E731
    assert not any("regression" in text for text in reasons())
    for n in (2, 1):
        services.exercise_feedback_give(
            patient=patient,
            prescribed=clam,
            day=TODAY - datetime.timedelta(days=n),
            session_number=1,
            effort="too_hard",
            made_at=NOW,
        )
    assert [text for text in reasons() if "regression" in text] == [
        "Suggested regression: Clamshell → 2 sets of 8"
    ]
