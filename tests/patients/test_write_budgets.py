"""What a patient's writes cost, whole request included (session, user and patient), the
transaction statements (BEGIN, SAVEPOINT, RELEASE, COMMIT) not counted: a check-off at most
8 statements and "session done" at most 10, each with its audit events and new plan stamp
(patients/changes.py). The figures are constant in the size of the plan."""

import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from audit.models import AuditEvent
from patients.models import ExerciseCheck, SessionLog
from tests.factories import PrescribedExerciseFactory, PrescriptionFactory

pytestmark = pytest.mark.django_db

CHECK_OFF_BUDGET = 8
# An entry from the page's script or the offline queue carries its own id, stored first so
# that a replay changes nothing: one INSERT more.
CHECK_OFF_WITH_ID_BUDGET = CHECK_OFF_BUDGET + 1
# The htmx answer is the exercise's card, rebuilt from the database: a read of the plan
# (prescriptions, exercises, the day's logs, checks and how each exercise felt).
CARD_READS = 5
SESSION_DONE_BUDGET = 10

TRANSACTION_STATEMENTS = ("BEGIN", "SAVEPOINT", "RELEASE", "COMMIT", "ROLLBACK")


def statements(captured) -> list[str]:
    return [
        query["sql"]
        for query in captured.captured_queries
        if not query["sql"].lstrip().upper().startswith(TRANSACTION_STATEMENTS)
    ]


@pytest.fixture
def signed_in(client, patient):
    client.force_login(patient.user)
    return client


def plan_of(patient, size: int):
    prescription = PrescriptionFactory(patient=patient, start_date=patient.today())
    return [PrescribedExerciseFactory(prescription=prescription, order=n) for n in range(size)]


def check_off(client, patient, item, watch, **extra):
    """Check ``item`` off, under zeal's N+1 watch; the statements it cost."""
    day = patient.today().isoformat()
    data = {"exercise": item.pk, "session": 1, "action": "done"}
    headers = {}
    if extra.pop("with_id", False):
        data["client_uuid"] = str(uuid.uuid4())
        headers["Accept"] = "application/json"
    if extra.pop("htmx", False):
        headers["HX-Request"] = "true"
    with watch(), CaptureQueriesContext(connection) as captured:
        response = client.post(reverse("patients:check_off", args=[day]), data, headers=headers)
    assert response.status_code in (200, 302), response.content.decode()[:500]
    return statements(captured)


@pytest.mark.parametrize("size", [3, 12])
def test_a_check_off_costs_at_most_8_statements(signed_in, patient, size, no_n_plus_one):
    items = plan_of(patient, size)
    first = check_off(signed_in, patient, items[0], no_n_plus_one)  # makes the session's log
    second = check_off(signed_in, patient, items[1], no_n_plus_one)
    again = check_off(signed_in, patient, items[1], no_n_plus_one)  # a double tap
    for cost in (first, second, again):
        assert len(cost) <= CHECK_OFF_BUDGET, "\n".join(cost)
    log = SessionLog.objects.get()
    assert log.done_share == pytest.approx(2 / size)
    assert ExerciseCheck.objects.count() == 2
    events = AuditEvent.objects.filter(patient_id=patient.pk, action="create")
    assert sorted(events.values_list("target", flat=True)) == [
        "patients.exercisecheck",
        "patients.exercisecheck",
        "patients.sessionlog",
    ]


def test_a_check_off_with_its_own_id_costs_one_more(signed_in, patient, no_n_plus_one):
    items = plan_of(patient, 3)
    for item in items[:2]:
        cost = check_off(signed_in, patient, item, no_n_plus_one, with_id=True)
        assert len(cost) <= CHECK_OFF_WITH_ID_BUDGET, "\n".join(cost)


def test_an_htmx_check_off_adds_only_the_cards_read(signed_in, patient, no_n_plus_one):
    items = plan_of(patient, 3)
    for item in items[:2]:
        cost = check_off(signed_in, patient, item, no_n_plus_one, htmx=True)
        assert len(cost) <= CHECK_OFF_BUDGET + CARD_READS, "\n".join(cost)


@pytest.mark.parametrize("size", [3, 12])
def test_session_done_costs_at_most_10_statements(signed_in, patient, size, no_n_plus_one):
    items = plan_of(patient, size)
    check_off(signed_in, patient, items[0], no_n_plus_one)
    day = patient.today().isoformat()
    with no_n_plus_one(), CaptureQueriesContext(connection) as captured:
        response = signed_in.post(
            reverse("patients:session_done", args=[day, 1]),
            {"pain": 3, "effort": "about_right", "note": "Fine", "client_uuid": str(uuid.uuid4())},
        )
    assert response.status_code == 302
    cost = statements(captured)
    assert len(cost) <= SESSION_DONE_BUDGET, "\n".join(cost)
    log = SessionLog.objects.get()
    assert (log.pain, log.note, log.completed_at is not None) == (3, "Fine", True)
    assert AuditEvent.objects.filter(
        target="patients.sessionlog", action="update", fields__contains="pain"
    ).exists()
