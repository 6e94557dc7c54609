"""No live token in any log (security review round 2, finding 7).

A sign-in POST without a CSRF cookie logged the full, still valid sign-in token in
``django.security.csrf``'s warning; gunicorn's access log was the only one redacted. Every
log record is now redacted when it is made (clinic.log_redaction), so these tests capture
the records themselves, from every logger.
"""

import importlib.util
import logging
import os
from pathlib import Path
from unittest.mock import patch

import pytest
from django.test import Client
from django.urls import reverse

from clinic import log_redaction
from patients import reminders, services
from tests.factories import PatientFactory

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def tokens(patient, clinician, rf):
    invited = PatientFactory(clinician=clinician, user=None, email="iris@example.org")
    services.patient_invite(patient=invited, invited_by=clinician, request=rf.get("/"))
    invited.refresh_from_db()
    return {
        "sign-in": services.sign_in_path(patient.user),
        "invitation": reverse("invitation_accept", args=[services.invitation_token(invited)]),
        "unsubscribe": reverse("patients:unsubscribe", args=[reminders.unsubscribe_token(patient)]),
        "calendar": reverse("patients:calendar", args=[patient.calendar_token]),
        "password reset": "/accounts/reset/MQ/set-password-" + "t" * 30 + "/",
    }


def secret_of(path: str) -> str:
    """The token part of a path: the longest segment."""
    return max(path.strip("/").split("/"), key=len).removesuffix(".ics")


def test_finding_7_a_csrf_failure_on_a_sign_in_link_logs_no_token(client, tokens, caplog):
    csrf_client = Client(enforce_csrf_checks=True)
    with caplog.at_level(logging.INFO):
        assert csrf_client.post(tokens["sign-in"]).status_code == 403
        for path in tokens.values():  # a CSRF failure, a 404 or a 405: each may be logged
            csrf_client.post(path)
            csrf_client.get(path + "x")
    messages = [record.getMessage() for record in caplog.records]
    assert any(
        record.name == "django.security.csrf" and "/accounts/sign-in/…" in record.getMessage()
        for record in caplog.records
    ), messages
    for what, path in tokens.items():
        assert secret_of(path) not in caplog.text, what
        assert all(secret_of(path) not in message for message in messages), what


def test_finding_7_every_logger_and_every_argument_is_redacted(tokens, caplog):
    path = tokens["sign-in"]
    with caplog.at_level(logging.INFO):
        logging.getLogger("django.request").warning("Not Found: %s", path)
        logging.getLogger("django.server").info('"%s" %s %s', f"GET {path} HTTP/1.1", 200, 512)
        logging.getLogger("anything.else").error(f"failed at https://example.org{path}")
        logging.getLogger("gunicorn.access").info("%(U)s", {"U": path})
    assert secret_of(path) not in caplog.text
    assert caplog.text.count("/accounts/sign-in/…") == 4
    # Numbers keep their formatting.
    assert '" 200 512' in caplog.text


def test_finding_7_the_development_server_and_gunicorn_redact_the_same_paths(tokens):
    spec = importlib.util.spec_from_file_location("gunicorn_conf", ROOT / "clinic/gunicorn.conf.py")
    gunicorn_conf = importlib.util.module_from_spec(spec)
    # Reading it sets DJANGO_DEBUG=0 (and the pool) for gunicorn's own process: not for ours.
    with patch.dict(os.environ):
        spec.loader.exec_module(gunicorn_conf)
    for what, path in tokens.items():
        ours = log_redaction.redact(path)
        theirs = gunicorn_conf.SECRET_PATH.sub(lambda match: f"/{match.group(1)}/…", path)
        assert secret_of(path) not in ours, what
        assert ours == theirs, what
    # What is not a token stays as it is.
    for path in ("/accounts/sign-in-link/", "/plan/", "/accounts/login/?next=/plan/"):
        assert log_redaction.redact(path) == path
