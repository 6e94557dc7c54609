"""Scale-out: two app servers, one database. A patient signs in on one server, goes on
on the other, and both show the same day, because no state lives in a server process."""

import datetime
import re
import time

import pytest
from django.db import connection

from patients.models import ExerciseCheck, SessionLog
from tests.deploy.servers import CookieClient
from tests.factories import (
    PASSWORD,
    ExerciseFactory,
    PatientFactory,
    PrescribedExerciseFactory,
    PrescriptionFactory,
)

pytestmark = pytest.mark.django_db(transaction=True)

CARD = re.compile(r'<article class="exercise-card( is-done| is-skipped)?" id="exercise-(\d+)-1"')


def day_state(page: str) -> dict:
    """What a patient sees of today's session: each card's state and whether it is done."""
    return {
        "cards": {int(pk): (state or "").strip() or "open" for state, pk in CARD.findall(page)},
        "session_done": "Session done ✓ — change it" in page,
    }


def test_a_session_started_on_one_server_continues_on_the_other(two_servers, clinician, capsys):
    server_a, server_b = two_servers
    started = time.monotonic()
    patient = PatientFactory(clinician=clinician, first_name="Sam")
    today = patient.today()
    prescription = PrescriptionFactory(
        patient=patient, start_date=today - datetime.timedelta(days=3)
    )
    first, second = (
        PrescribedExerciseFactory(prescription=prescription, exercise=ExerciseFactory(name=name))
        for name in ("Bridge", "Clamshell")
    )
    phone = CookieClient()

    login = phone.log_in(server_a.url, patient.email, PASSWORD)
    assert (login.status, login.location) == (302, "/")
    assert "sessionid" in phone.cookies

    # Server B never saw the login: it finds the session in the database.
    on_b = phone.get(server_b.url, "/plan/")
    assert on_b.status == 200
    assert f"Signed in as <strong>{patient.user.username}</strong>" in on_b.text
    assert day_state(on_b.text) == {
        "cards": {first.pk: "open", second.pk: "open"},
        "session_done": False,
    }

    # Check off on A with B's CSRF token, then finish the session on B.
    checked = phone.post(
        server_a.url,
        f"/plan/{today.isoformat()}/check/",
        {
            "exercise": first.pk,
            "session": 1,
            "action": "done",
            "csrfmiddlewaretoken": on_b.csrf_token(),
        },
    )
    assert (checked.status, checked.location) == (302, f"/plan/#exercise-{first.pk}")
    done = phone.post(
        server_b.url,
        f"/plan/{today.isoformat()}/sessions/1/done/",
        {
            "pain": 3,
            "effort": "about_right",
            "note": "Two servers, one day.",
            "csrfmiddlewaretoken": on_b.csrf_token(),
        },
    )
    assert (done.status, done.location) == (302, "/plan/")

    today_on_a = phone.get(server_a.url, "/plan/")
    today_on_b = phone.get(server_b.url, "/plan/")
    # B's "well done" message travels in a signed cookie, so A shows it.
    assert "Well done, Sam! Session saved." in today_on_a.text
    expected = {"cards": {first.pk: "is-done", second.pk: "open"}, "session_done": True}
    assert day_state(today_on_a.text) == expected
    assert day_state(today_on_b.text) == expected

    log = SessionLog.objects.get()
    assert (log.date, log.session_number, log.pain, log.effort, log.note) == (
        today,
        1,
        3,
        "about_right",
        "Two servers, one day.",
    )
    assert log.completed_at is not None
    assert list(ExerciseCheck.objects.values_list("prescribed_exercise", "status")) == [
        (first.pk, ExerciseCheck.Status.DONE)
    ]
    with capsys.disabled():
        print(
            f"\ntwo servers on {connection.vendor}: A on port {server_a.port} "
            f"(ready in {server_a.ready_after:.2f} s), B on port {server_b.port} "
            f"(ready in {server_b.ready_after:.2f} s), journey {time.monotonic() - started:.2f} s"
        )
