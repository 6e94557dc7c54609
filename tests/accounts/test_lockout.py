"""Login protection with django-axes: five failures for one username from one IP address
lock that pair for 15 minutes; elsewhere the same user still logs in; nothing logs passwords."""

import datetime
import logging

import pytest
import time_machine
from django.contrib.auth import SESSION_KEY
from django.urls import reverse

from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

STRANGER = "203.0.113.7"
PATIENT_AT_HOME = "198.51.100.20"


def attempt(client, username, password, ip=STRANGER, url=None):
    return client.post(
        url or reverse("login"),
        {"username": username, "password": password},
        REMOTE_ADDR=ip,
    )


def test_five_failures_lock_the_username_from_that_address(client, patient, caplog, settings):
    username = patient.user.username
    with caplog.at_level(logging.INFO):
        for n in range(settings.AXES_FAILURE_LIMIT - 1):
            assert attempt(client, username, f"guess-{n}").status_code == 200
        locked = attempt(client, username, "guess-last")
    assert locked.status_code == 429
    assert "Please try again in 15 minutes" in locked.content.decode()
    # Even the right password waits now, from that address.
    assert attempt(client, username, PASSWORD).status_code == 429
    assert SESSION_KEY not in client.session
    assert "guess-" not in caplog.text
    assert PASSWORD not in caplog.text
    assert username not in caplog.text  # a patient's username is their email address
    assert f"login lockout: user {patient.user.pk}" in caplog.text


def test_the_real_patient_elsewhere_is_not_locked_out(client, patient, settings):
    username = patient.user.username
    for n in range(settings.AXES_FAILURE_LIMIT):
        attempt(client, username, f"guess-{n}")
    response = attempt(client, username, PASSWORD, ip=PATIENT_AT_HOME)
    assert response.status_code == 302
    assert client.session[SESSION_KEY] == str(patient.user.pk)


def test_the_lock_cools_off(client, patient, settings):
    username = patient.user.username
    start = datetime.datetime(2026, 11, 25, 9, 0, tzinfo=datetime.UTC)
    with time_machine.travel(start, tick=False):
        for n in range(settings.AXES_FAILURE_LIMIT):
            attempt(client, username, f"guess-{n}")
        assert attempt(client, username, PASSWORD).status_code == 429
    with time_machine.travel(start + datetime.timedelta(minutes=16), tick=False):
        assert attempt(client, username, PASSWORD).status_code == 302


def test_the_admin_login_is_protected_too(client, clinician, settings):
    admin_login = reverse("admin:login")
    for n in range(settings.AXES_FAILURE_LIMIT):
        attempt(client, clinician.username, f"guess-{n}", url=admin_login)
    assert attempt(client, clinician.username, PASSWORD, url=admin_login).status_code == 429


def test_a_success_resets_the_count(client, patient, settings):
    username = patient.user.username
    for n in range(settings.AXES_FAILURE_LIMIT - 1):
        attempt(client, username, f"guess-{n}")
    assert attempt(client, username, PASSWORD).status_code == 302
    client.logout()
    for n in range(settings.AXES_FAILURE_LIMIT - 1):
        assert attempt(client, username, f"again-{n}").status_code == 200
