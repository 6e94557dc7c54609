"""The patient's writes when the database fails under them: a fast 503 with Retry-After
(which the phone's queue retries) instead of Django's bare "Server Error (500)"; a connection
that could not write is not used again once the database can; and a write that committed is
acknowledged even when the connection drops before the answer is built."""

import datetime
import time
import uuid

import pytest
from django.db import connection
from django.urls import reverse

from patients.models import ClientWrite, ExerciseCheck, SessionLog, SymptomReport
from tests.factories import PrescribedExerciseFactory, PrescriptionFactory
from tests.faults import (
    ServerClient,
    connection_dropped_after_saving,
    read_only_database,
    unreachable_database,
)

pytestmark = pytest.mark.django_db(transaction=True)

JSON = {"HTTP_ACCEPT": "application/json"}
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture(autouse=True)
def _groups(role_groups):
    """These tests commit, as the app does: see ``role_groups``."""


@pytest.fixture
def phone(patient):
    client = ServerClient()
    client.force_login(patient.user)
    return client


@pytest.fixture
def plan(patient):
    prescription = PrescriptionFactory(
        patient=patient, start_date=patient.today() - datetime.timedelta(days=7)
    )
    return [
        PrescribedExerciseFactory(prescription=prescription, order=n, exercise__name=name)
        for n, name in enumerate(["Bridge", "Clamshell"], start=1)
    ]


def check_off(phone, prescribed, client_uuid=None, **headers):
    return phone.post(
        reverse("patients:check_off", args=[prescribed.prescription.patient.today().isoformat()]),
        {
            "exercise": prescribed.pk,
            "session": 1,
            "action": "done",
            "client_uuid": client_uuid or str(uuid.uuid4()),
        },
        **headers,
    )


def fresh_connection_next() -> None:
    """The next request opens its own connection, as a server process after a fault does
    (this thread's would otherwise outlive the fault)."""
    connection.close()


# --- The database unavailable: 503 with Retry-After, at once --------------------------------


@pytest.mark.parametrize("headers", [HTMX, JSON, {}], ids=["htmx", "json", "plain form"])
def test_a_check_off_while_the_database_is_unreachable_answers_503_with_retry_after(
    phone, plan, headers
):
    fresh_connection_next()
    with unreachable_database():
        started = time.monotonic()
        response = check_off(phone, plan[0], **headers)
        took = time.monotonic() - started
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert took < 5
    if headers is JSON:
        assert response.json()["ok"] is False
    else:
        page = response.content.decode()
        assert "Please try again in a moment" in page
        assert "Server Error (500)" not in page


def test_a_check_off_while_the_database_is_read_only_answers_503_not_500(phone, plan):
    """Finding 1: every check-off failed with 500 ReadOnlySqlTransaction."""
    fresh_connection_next()
    with read_only_database():
        response = check_off(phone, plan[0], **JSON)
        assert response.status_code == 503
        assert response["Retry-After"] == "5"
        assert phone.get(reverse("patients:today")).status_code == 200  # reads still work
    assert not ExerciseCheck.objects.exists()


def test_after_a_read_only_episode_the_next_write_succeeds_without_a_reload(phone, plan):
    """Finding 1: connections made while the database was read-only kept failing writes for
    as long as the server ran. This thread's connection is the server's here: made during
    the episode, still read-only after it, and replaced before the next write."""
    fresh_connection_next()
    with read_only_database():
        assert check_off(phone, plan[0], **JSON).status_code == 503
    written = str(uuid.uuid4())
    response = check_off(phone, plan[0], client_uuid=written, **JSON)
    assert (response.status_code, response.json()) == (200, {"ok": True, "error": ""})
    assert ClientWrite.objects.filter(pk=written).exists()
    assert ExerciseCheck.objects.count() == 1


def test_an_unexpected_fault_shows_our_own_plain_500_page(phone, plan):
    def fail(execute, sql, params, many, context):
        raise ValueError("a fault in our code")

    with connection.execute_wrapper(fail):
        response = phone.get(reverse("patients:today"))
    assert response.status_code == 500
    page = response.content.decode()
    assert "Something went wrong on our side" in page
    assert "a fault in our code" not in page
    assert "Retry-After" not in response


# --- Committed, then the connection dropped: still acknowledged ------------------------------


def test_a_committed_htmx_check_off_is_acknowledged_when_the_card_cannot_be_rebuilt(phone, plan):
    """Finding 3: the write committed, rebuilding the card hit the dropped connection, and
    the patient was told it failed."""
    with connection_dropped_after_saving(ExerciseCheck):
        response = check_off(phone, plan[0], **HTMX)
    assert response.status_code == 200
    assert response["HX-Reswap"] == "none"
    assert response["X-Homeplan-Saved"] == "done"
    assert ExerciseCheck.objects.get().prescribed_exercise == plan[0]
    # The next load shows it from the database.
    page = phone.get(reverse("patients:today")).content.decode()
    assert f'class="exercise-card is-done" id="exercise-{plan[0].pk}-1"' in page


def test_a_committed_session_done_is_acknowledged_when_the_next_read_fails(phone, plan, patient):
    with connection_dropped_after_saving(SessionLog):
        response = phone.post(
            reverse("patients:session_done", args=[patient.today().isoformat(), 1]),
            {"pain": 4, "effort": "about_right", "note": "Stiff at first"},
        )
    assert (response.status_code, response["Location"]) == (302, reverse("patients:today"))
    log = SessionLog.objects.get()
    assert (log.pain, log.note, log.completed_at is not None) == (4, "Stiff at first", True)


def test_a_committed_symptom_report_still_shows_its_advice_when_the_connection_drops(
    phone, patient
):
    """The advice is read before the report is stored, so nothing after the write needs the
    database; the report is stored once."""
    with connection_dropped_after_saving(SymptomReport):
        response = phone.post(reverse("patients:symptoms"), {"symptoms": ["leg_pain"], "note": ""})
    assert response.status_code == 200
    assert "Stop any exercise that makes your symptoms worse" in response.content.decode()
    assert SymptomReport.objects.count() == 1
