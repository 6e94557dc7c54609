"""`/healthz` for monitors and load balancers: 200 only when the database answers and can
take a write, otherwise 503 naming the check that failed, and never slower than 2 seconds."""

import socket
import time

import pytest
from django.db import connection

from tests.faults import read_only_database, unreachable_database

pytestmark = pytest.mark.django_db


def test_healthz_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "writes": "ok"}
    assert "no-cache" in response["Cache-Control"]


def test_healthz_reports_503_when_the_database_cannot_be_reached(client):
    with unreachable_database():
        started = time.monotonic()
        response = client.get("/healthz")
        took = time.monotonic() - started
    assert response.status_code == 503
    assert response.json() == {"status": "error", "database": "unavailable", "writes": "unknown"}
    assert took < 2


def test_healthz_reports_503_while_the_database_is_read_only(client):
    """The read-only episode of a failover: reads work, so a bare "SELECT 1" said 200 while
    every check-off failed."""
    with read_only_database():
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "error", "database": "ok", "writes": "read-only"}
    assert client.get("/healthz").status_code == 200


def test_healthz_says_which_check_failed_without_details(client):
    with unreachable_database():
        body = client.get("/healthz").content.decode()
    settings_dict = connection.settings_dict
    for detail in (settings_dict["NAME"], settings_dict["USER"], "Error", "refused", "port"):
        if detail:
            assert detail not in body


@pytest.fixture
def silent_database_address(settings):
    """A port that accepts connections and never says a word, like a database server that
    hangs; the health check is pointed at it."""
    listener = socket.create_server(("127.0.0.1", 0))
    original = dict(connection.settings_dict)
    connection.settings_dict["HOST"], connection.settings_dict["PORT"] = listener.getsockname()
    yield
    connection.settings_dict.update(original)
    listener.close()


@pytest.mark.postgresql  # SQLite is a local file: there is no server that could hang
def test_healthz_answers_within_2_seconds_when_the_database_hangs(client, silent_database_address):
    started = time.monotonic()
    response = client.get("/healthz")
    took = time.monotonic() - started
    assert response.status_code == 503
    assert response.json() == {"status": "error", "database": "timeout", "writes": "unknown"}
    assert took < 2
