"""/plan/ costs the same number of queries with 3 or 15 exercises, 1 or 3 prescriptions,
and six months of history in the database."""

import datetime

import pytest
from django.urls import reverse
from zeal import NPlusOneError

from patients.models import ExerciseCheck, PrescribedExercise, SessionLog
from tests.factories import ExerciseFactory, PrescribedExerciseFactory, PrescriptionFactory

pytestmark = pytest.mark.django_db

TODAY_BUDGET = 7  # 6 for the plan, 1 for today's "Read" items (education pages)
HISTORY_BUDGET = 8


def build(patient, *, prescriptions: int, exercises: int, days: int = 182):
    today = patient.today()
    start = today - datetime.timedelta(days=days)
    library = ExerciseFactory.create_batch(exercises)
    for _ in range(prescriptions):
        prescription = PrescriptionFactory(patient=patient, start_date=start)
        prescribed = [
            PrescribedExerciseFactory(prescription=prescription, exercise=exercise, order=n)
            for n, exercise in enumerate(library)
        ]
        logs = SessionLog.objects.bulk_create(
            SessionLog(
                prescription=prescription,
                date=start + datetime.timedelta(days=n),
                session_number=1,
                pain=5,
                completed_at=datetime.datetime.now(tz=datetime.UTC),
            )
            for n in range(days)
        )
        ExerciseCheck.objects.bulk_create(
            ExerciseCheck(session_log=log, prescribed_exercise=item)
            for log in logs
            for item in prescribed
        )


@pytest.mark.parametrize(("prescriptions", "exercises"), [(1, 3), (1, 15), (3, 3), (3, 15)])
def test_today_query_count_is_constant(
    client, patient, prescriptions, exercises, django_assert_max_num_queries, no_n_plus_one
):
    build(patient, prescriptions=prescriptions, exercises=exercises)
    client.force_login(patient.user)
    with django_assert_max_num_queries(TODAY_BUDGET), no_n_plus_one():
        response = client.get(reverse("patients:today"))
    assert response.content.decode().count('class="exercise-card') == prescriptions * exercises


@pytest.mark.parametrize(("prescriptions", "exercises"), [(1, 3), (3, 15)])
def test_history_query_count_is_constant(
    client, patient, prescriptions, exercises, django_assert_max_num_queries, no_n_plus_one
):
    build(patient, prescriptions=prescriptions, exercises=exercises)
    client.force_login(patient.user)
    with django_assert_max_num_queries(HISTORY_BUDGET), no_n_plus_one():
        assert client.get(reverse("patients:history")).status_code == 200


def test_a_page_that_went_n_plus_one_would_fail_the_budget(
    client, patient, django_assert_max_num_queries
):
    """The budget bites: the same data read one row at a time costs more than TODAY_BUDGET."""
    build(patient, prescriptions=1, exercises=15, days=7)

    def read_one_by_one():
        for prescribed in PrescribedExercise.objects.all():
            _ = prescribed.exercise.name  # deliberately not select_related

    with (
        pytest.raises(pytest.fail.Exception, match="queries or less but 16 were done"),
        django_assert_max_num_queries(TODAY_BUDGET),
    ):
        read_one_by_one()


def test_the_n_plus_one_detector_names_the_culprit(patient, no_n_plus_one):
    """zeal catches the pattern itself, even where a small data set stays within budget."""
    build(patient, prescriptions=1, exercises=3, days=7)

    def read_one_by_one():
        for prescribed in PrescribedExercise.objects.all():
            _ = prescribed.exercise.name  # deliberately not select_related

    with no_n_plus_one(), pytest.raises(NPlusOneError, match=r"PrescribedExercise.exercise"):
        read_one_by_one()
