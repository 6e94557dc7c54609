"""Many requests at once, through real HTTP handling and real database connections.

Each thread has its own test client and so its own database connection (Django's
connections are per thread); the rows are committed (``transactional_db``), so the threads
meet in the database as two phones or two clinicians would. The suite runs on SQLite and,
in CI, again on PostgreSQL, where writers really do overlap.
"""

import datetime
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.contrib.auth import SESSION_KEY, get_user_model
from django.contrib.sessions.models import Session
from django.db import connections
from django.test import Client
from django.urls import reverse

from patients import services
from patients.models import ExerciseCheck, PrescribedExercise, SessionLog
from tests.admin_forms import prescription_change_data
from tests.factories import (
    ClinicianFactory,
    PatientFactory,
    PrescribedExerciseFactory,
    PrescriptionFactory,
)

# Separate processes or threads: seconds each (left out of make test-fast).
pytestmark = pytest.mark.slow

THREADS = 20
# A successful form post answers with a redirect (post/redirect/get); anything else that is
# not an error must be a page the patient can act on. Never a 5xx.
ACCEPTABLE = {200, 302}


def _all_at_once(clients, make_request):
    """Run ``make_request(client)`` in one thread per client, released together."""
    barrier = threading.Barrier(len(clients))

    def run(client):
        try:
            barrier.wait(timeout=30)
            return make_request(client)
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=len(clients)) as pool:
        return [response.status_code for response in pool.map(run, clients)]


def _logged_in_clients(user, count=THREADS):
    clients = []
    for _ in range(count):
        client = Client()
        client.force_login(user)
        clients.append(client)
    return clients


@pytest.fixture
def plan(role_groups):
    patient = PatientFactory()
    today = patient.today()
    prescription = PrescriptionFactory(patient=patient, start_date=today - datetime.timedelta(3))
    exercises = PrescribedExerciseFactory.create_batch(5, prescription=prescription)
    return patient, today, prescription, exercises


def test_twenty_identical_session_done_posts_store_one_log(plan):
    patient, today, prescription, _ = plan
    url = reverse("patients:session_done", args=[today.isoformat(), 1])
    statuses = _all_at_once(
        _logged_in_clients(patient.user),
        lambda client: client.post(url, {"pain": 4, "effort": "about_right", "note": "ok"}),
    )
    assert set(statuses) <= ACCEPTABLE, statuses
    log = SessionLog.objects.get(prescription=prescription, date=today)
    assert (log.pain, log.effort, log.note) == (4, "about_right", "ok")
    assert log.completed_at is not None


def test_twenty_identical_check_offs_store_one_check(plan):
    patient, today, _, exercises = plan
    url = reverse("patients:check_off", args=[today.isoformat()])
    data = {"exercise": exercises[0].pk, "session": 1, "action": "done"}
    statuses = _all_at_once(_logged_in_clients(patient.user), lambda client: client.post(url, data))
    assert set(statuses) <= ACCEPTABLE, statuses
    assert SessionLog.objects.count() == 1
    check = ExerciseCheck.objects.get()
    assert check.prescribed_exercise == exercises[0]
    assert SessionLog.objects.get().done_share == pytest.approx(1 / 5)


def test_check_offs_of_different_exercises_at_once_all_count(plan):
    """Twenty check-offs spread over five exercises of one session: five checks, and the
    session's stored share is 5/5 — no recount lost to an overlapping one."""
    patient, today, _, exercises = plan
    url = reverse("patients:check_off", args=[today.isoformat()])
    clients = _logged_in_clients(patient.user)
    for index, client in enumerate(clients):
        client.exercise_pk = exercises[index % len(exercises)].pk
    statuses = _all_at_once(
        clients,
        lambda client: client.post(
            url, {"exercise": client.exercise_pk, "session": 1, "action": "done"}
        ),
    )
    assert set(statuses) <= ACCEPTABLE, statuses
    assert ExerciseCheck.objects.count() == len(exercises)
    assert SessionLog.objects.get().done_share == pytest.approx(1.0)


# --- Two clinicians, one prescription -------------------------------------------------------


@pytest.fixture
def shared_prescription(role_groups):
    """A prescription that two clinicians may edit: the patient's own clinician and a
    superuser covering for them."""
    clinician = ClinicianFactory()
    covering = ClinicianFactory(is_superuser=True)
    patient = PatientFactory(clinician=clinician)
    prescription = PrescriptionFactory(patient=patient, message="Start gently.")
    PrescribedExerciseFactory.create_batch(2, prescription=prescription)
    return clinician, covering, prescription


def test_second_save_of_a_stale_prescription_form_is_refused(shared_prescription):
    clinician, covering, prescription = shared_prescription
    url = reverse("admin:patients_prescription_change", args=[prescription.pk])
    first, second = Client(), Client()
    first.force_login(clinician)
    second.force_login(covering)
    # Both open the form at the same version.
    for client in (first, second):
        page = client.get(url).content.decode()
        assert 'name="loaded_version" value="1"' in page
    response = first.post(
        url, prescription_change_data(prescription, loaded_version=1, message="Add the bridge.")
    )
    assert response.status_code == 302
    response = second.post(
        url, prescription_change_data(prescription, loaded_version=1, message="Rest this week.")
    )
    assert response.status_code == 200
    assert "Someone else changed this prescription after you opened it" in (
        response.content.decode()
    )
    prescription.refresh_from_db()
    assert prescription.message == "Add the bridge."
    assert prescription.version == 2
    # Opening the form again shows the new version, and that save goes through.
    assert 'name="loaded_version" value="2"' in second.get(url).content.decode()
    response = second.post(
        url, prescription_change_data(prescription, loaded_version=2, message="Rest this week.")
    )
    assert response.status_code == 302
    prescription.refresh_from_db()
    assert (prescription.message, prescription.version) == ("Rest this week.", 3)


def test_a_form_without_its_version_is_refused(shared_prescription):
    clinician, _, prescription = shared_prescription
    client = Client()
    client.force_login(clinician)
    data = prescription_change_data(prescription, loaded_version=1, message="Changed")
    del data["loaded_version"]
    response = client.post(
        reverse("admin:patients_prescription_change", args=[prescription.pk]), data
    )
    assert response.status_code == 200
    prescription.refresh_from_db()
    assert prescription.message == "Start gently."


def test_simultaneous_saves_of_the_same_version_let_exactly_one_through(shared_prescription):
    clinician, covering, prescription = shared_prescription
    url = reverse("admin:patients_prescription_change", args=[prescription.pk])
    clients = []
    for user in (clinician, covering) * 5:
        client = Client()
        client.force_login(user)
        clients.append(client)
    for index, client in enumerate(clients):
        client.data = prescription_change_data(
            prescription, loaded_version=1, message=f"Edit {index}"
        )
    statuses = _all_at_once(clients, lambda client: client.post(url, client.data))
    assert sorted(statuses) == [200] * (len(clients) - 1) + [302], statuses
    prescription.refresh_from_db()
    assert prescription.version == 2
    winner = statuses.index(302)
    assert prescription.message == f"Edit {winner}"


def test_a_change_made_outside_the_form_makes_an_open_form_stale(shared_prescription):
    """Accepting a suggestion changes a dose and bumps the version (tested in
    test_suggestions); a form opened before it must not undo the new dose."""
    clinician, _, prescription = shared_prescription
    client = Client()
    client.force_login(clinician)
    prescription.version_bump()
    PrescribedExercise.objects.filter(prescription=prescription).update(reps=15)
    response = client.post(
        reverse("admin:patients_prescription_change", args=[prescription.pk]),
        prescription_change_data(prescription, loaded_version=1) | {"exercises-0-reps": 10},
    )
    assert response.status_code == 200
    assert set(prescription.exercises.values_list("reps", flat=True)) == {15}


# --- Single-use links (security review round 2, finding 6) ----------------------------------


def _signed_in_sessions(user) -> int:
    return sum(
        1
        for session in Session.objects.all()
        if session.get_decoded().get(SESSION_KEY) == str(user.pk)
    )


def test_finding_6_twenty_simultaneous_uses_of_one_sign_in_link_sign_in_once(role_groups):
    """Eight simultaneous POSTs of one link gave eight sessions: the link was checked, then
    used up by the login, with room between the two for every other request."""
    patient = PatientFactory()
    path = services.sign_in_path(patient.user)
    responses = _all_at_once([Client() for _ in range(THREADS)], lambda client: client.post(path))
    assert sorted(responses) == [302] + [400] * (THREADS - 1), responses
    assert _signed_in_sessions(patient.user) == 1


def test_finding_6_twenty_simultaneous_acceptances_of_one_invitation_make_one_account(
    role_groups,
):
    patient = PatientFactory(user=None, email="iris@example.org")
    patient.invitation_nonce = "n" * 32
    patient.save()
    path = reverse("invitation_accept", args=[services.invitation_token(patient)])
    password = "a-sturdy-hip-2026"
    responses = _all_at_once(
        [Client() for _ in range(THREADS)],
        lambda client: client.post(path, {"password1": password, "password2": password}),
    )
    assert sorted(responses) == [302] + [400] * (THREADS - 1), responses
    assert get_user_model().objects.filter(email__iexact="iris@example.org").count() == 1
    patient.refresh_from_db()
    assert patient.user is not None
    assert _signed_in_sessions(patient.user) == 1
