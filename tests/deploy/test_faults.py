"""Production serving through faults: gunicorn as `make serve-prod` runs it
(``clinic/gunicorn.conf.py``, a psycopg pool per worker) against the test database.

- A read-only episode (a failover's moment) fails writes fast with 503, and writes succeed
  again within seconds of it, with no reload and never a 500.
- A reload (``kill -HUP``, what ``systemctl reload homeplan`` sends) finishes the requests in
  progress and answers every request waiting in the listen queue.
"""

import datetime
import signal
import threading
import time
import uuid

import pytest
from django.db import connection

from patients.models import ClientWrite, ExerciseCheck
from tests.deploy.servers import CookieClient, app_servers, plain_request, production_env
from tests.factories import (
    PASSWORD,
    ExerciseFactory,
    PatientFactory,
    PrescribedExerciseFactory,
    PrescriptionFactory,
)
from tests.faults import read_only_database

pytestmark = pytest.mark.django_db(transaction=True)

JSON = {"Accept": "application/json"}


@pytest.fixture
def server(role_groups, production_passwords, static_root, tmp_path):
    env = production_env(static_root=static_root, DJANGO_DB_POOL="2")
    with app_servers(["A"], env, tmp_path, workers=2) as servers:
        yield servers[0]


@pytest.fixture
def plan(clinician):
    patient = PatientFactory(clinician=clinician, first_name="Sam")
    prescription = PrescriptionFactory(
        patient=patient, start_date=patient.today() - datetime.timedelta(days=3)
    )
    return [
        PrescribedExerciseFactory(prescription=prescription, exercise=ExerciseFactory(name=name))
        for name in ("Bridge", "Clamshell", "Bird dog")
    ]


@pytest.fixture
def phone(server, plan):
    phone = CookieClient()
    patient = plan[0].prescription.patient
    assert phone.log_in(server.url, patient.email, PASSWORD).status == 302
    phone.token = phone.get(server.url, "/plan/").csrf_token()
    phone.day = patient.today().isoformat()
    return phone


def check_off(server, phone, prescribed, action="done", client_uuid=None):
    """What the phone's offline queue sends: the form, the entry's UUID, asking for JSON."""
    return phone.post(
        server.url,
        f"/plan/{phone.day}/check/",
        {
            "exercise": prescribed.pk,
            "session": 1,
            "action": action,
            "client_uuid": client_uuid or str(uuid.uuid4()),
            "csrfmiddlewaretoken": phone.token,
        },
        headers=JSON,
    )


def as_the_phone_does(send, within: float = 5.0):
    """Send, and while the answer is a 503 with Retry-After (the pool is still replacing the
    connections the episode ended: psycopg's pool waits before a new attempt), send again
    shortly, as the phone's queue would, for at most ``within`` seconds. Any other 5xx fails."""
    deadline = time.monotonic() + within
    while True:
        answer = send()
        assert answer.status < 500 or answer.status == 503, answer.status
        if answer.status != 503 or time.monotonic() > deadline:
            return answer
        assert answer.headers["Retry-After"] == "5"
        time.sleep(0.25)


@pytest.mark.postgresql  # a read-only failover is a database server's
def test_a_read_only_episode_fails_writes_fast_and_heals_without_a_reload(
    server, phone, plan, capsys
):
    """Finding 1: after a read-only episode, the pool's connections stayed read-only and every
    check-off failed with 500 until gunicorn was reloaded."""
    assert check_off(server, phone, plan[0]).status == 200

    with read_only_database():
        started = time.monotonic()
        refused = check_off(server, phone, plan[1])
        took = time.monotonic() - started
        health = plain_request(server.url, "GET", "/healthz")
        page = as_the_phone_does(lambda: phone.get(server.url, "/plan/"))
    assert (refused.status, refused.headers["Retry-After"]) == (503, "5")
    assert took < 5
    assert health[0] == 503
    assert b'"writes": "read-only"' in health[2]
    assert page.status == 200  # the plan can still be read

    # Writes go through again within seconds, in every worker: no request fails on a
    # connection left over from the episode, nothing answers 500, nobody reloads anything.
    ended = time.monotonic()
    after = [str(uuid.uuid4()) for _ in range(6)]
    answers = [
        as_the_phone_does(lambda n=n, u=u: check_off(server, phone, plan[n % 3], client_uuid=u))
        for n, u in enumerate(after)
    ]
    healed = time.monotonic() - ended
    assert [answer.status for answer in answers] == [200] * 6, server.log.read_text()[-6000:]
    assert healed < 10
    assert set(ClientWrite.objects.filter(pk__in=after).values_list("pk", flat=True)) == {
        uuid.UUID(u) for u in after
    }
    assert plain_request(server.url, "GET", "/healthz")[0] == 200
    with capsys.disabled():
        print(
            f"\nread-only episode: a write refused with 503 in {took:.2f} s, "
            f"6 writes stored {healed:.2f} s after it"
        )


def test_a_reload_answers_every_request_in_progress_and_in_the_listen_queue(
    server, phone, plan, capsys
):
    """Finding 5: stopping the server reset the connections waiting in the listen queue. A
    reload keeps the listening socket: old workers finish what they started, new ones answer
    everything that waited."""
    before = server.worker_pids()
    results: list[tuple[float, float, int | str, str]] = []
    stop = threading.Event()

    def patient_writing(n: int) -> None:
        # Twelve patients at once against two workers: most requests wait in the queue.
        while not stop.is_set():
            written, started = str(uuid.uuid4()), time.monotonic()
            action = "done" if len(results) % 2 else "undo"
            try:
                status = check_off(server, phone, plan[n % 3], action, written).status
            except OSError as error:
                status = type(error).__name__
            results.append((started, time.monotonic(), status, written))

    threads = [threading.Thread(target=patient_writing, args=(n,)) for n in range(12)]
    for thread in threads:
        thread.start()
    time.sleep(2)
    reloaded_at = time.monotonic()
    server.process.send_signal(signal.SIGHUP)
    deadline = time.monotonic() + 30
    while server.worker_pids() & before and time.monotonic() < deadline:
        time.sleep(0.2)
    time.sleep(2)
    stop.set()
    for thread in threads:
        thread.join(timeout=60)

    after = server.worker_pids()
    assert after, "no workers after the reload"
    assert not after & before, "the old workers were not replaced"
    waiting = [r for r in results if r[0] < reloaded_at < r[1]]
    assert len(waiting) >= 10, "the test did not have requests waiting during the reload"
    failed = [status for _, _, status, _ in results if status != 200]
    assert failed == []
    acknowledged = {uuid.UUID(written) for *_, written in results}
    stored = set(ClientWrite.objects.filter(pk__in=acknowledged).values_list("pk", flat=True))
    assert stored == acknowledged
    assert ExerciseCheck.objects.filter(prescribed_exercise__in=plan).count() <= 3
    with capsys.disabled():
        print(
            f"\nreload on {connection.vendor}: {len(results)} check-offs by 12 patients, "
            f"{len(waiting)} in progress or queued at the HUP, all answered 200; longest "
            f"{max(end - start for start, end, *_ in results):.2f} s"
        )
