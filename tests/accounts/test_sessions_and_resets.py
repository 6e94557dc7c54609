"""Sessions end when they should, and "email me a link" forms give nothing away.

- A deactivated patient is signed out on every device at once and cannot sign in again.
- Changing a password ends the account's other sessions (Django's session hash).
- Password-reset requests are rate-limited per address and per IP, and the request only
  queues the email, so known and unknown addresses get the same page in the same time class.
"""

import datetime
import re

import pytest
import time_machine
from django.contrib.auth import SESSION_KEY
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from patients import services
from patients.models import Patient
from tests.factories import PASSWORD


def password_login(user, password=PASSWORD) -> bool:
    """Sign in through the login page, as a person does (django-axes watches it)."""
    client = Client()
    client.post(reverse("login"), {"username": user.username, "password": password})
    return SESSION_KEY in client.session


def signed_in_client(user):
    client = Client()
    client.force_login(user)
    return client


def test_deactivating_a_patient_signs_them_out_everywhere(client, clinician, patient):
    phone, tablet = signed_in_client(patient.user), signed_in_client(patient.user)
    assert phone.get(reverse("patients:today")).status_code == 200
    client.force_login(clinician)
    client.post(
        reverse("admin:patients_patient_changelist"),
        {"action": "deactivate", "_selected_action": [patient.pk]},
    )
    for device in (phone, tablet):
        response = device.get(reverse("patients:today"))
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))
    # Nor can they sign in again, by password.
    assert not password_login(patient.user)
    patient.refresh_from_db()
    assert not patient.is_active
    assert AuditEvent.objects.filter(
        action="update", target="patients.patient", fields__contains="is_active", actor=clinician
    ).exists()


def test_reactivating_lets_them_sign_in_again(patient):
    services.patient_active_set(patient=patient, active=False)
    assert not password_login(patient.user)
    services.patient_active_set(patient=Patient.objects.get(pk=patient.pk), active=True)
    assert password_login(patient.user)


def test_changing_the_password_ends_the_other_sessions(patient):
    phone, laptop = Client(), Client()
    for device in (phone, laptop):
        device.post(reverse("login"), {"username": patient.user.username, "password": PASSWORD})
        assert SESSION_KEY in device.session
    response = laptop.post(
        reverse("password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "a-new-long-passphrase-2026",
            "new_password2": "a-new-long-passphrase-2026",
        },
    )
    assert response.status_code == 302
    assert laptop.get(reverse("patients:today")).status_code == 200  # kept on this device
    response = phone.get(reverse("patients:today"))
    assert response.url.startswith(reverse("login"))


# --- Password reset ----------------------------------------------------------------------


@pytest.fixture
def queued_tasks(settings):
    """The production task backend: emails wait in the database for the worker."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def test_the_reset_request_only_queues_the_email(client, patient, queued_tasks):
    from django_tasks_db.models import DBTaskResult

    for address in (patient.email, "nobody@example.org"):
        response = client.post(reverse("password_reset"), {"email": address})
        assert (response.status_code, response.url) == (302, reverse("password_reset_done"))
    assert mail.outbox == []  # nothing sent while the visitor waited
    queued = DBTaskResult.objects.get()
    assert queued.args_kwargs["args"][0] == patient.user.pk  # an id, never the address
    assert patient.email not in str(queued.args_kwargs)


def test_the_queued_reset_email_has_a_working_link(client, patient):
    client.post(reverse("password_reset"), {"email": patient.email})
    (message,) = mail.outbox
    link = next(line for line in message.body.splitlines() if "/accounts/reset/" in line)
    response = client.get(link.split("testserver", 1)[1], follow=True)
    assert b"Choose a new password" in response.content


def test_reset_requests_are_rate_limited_per_address(client, patient, settings):
    settings.SIGN_IN_LINK_LIMIT_PER_EMAIL = 3
    statuses = [
        client.post(reverse("password_reset"), {"email": patient.email}).status_code
        for _ in range(5)
    ]
    assert statuses == [302, 302, 302, 429, 429]
    assert len(mail.outbox) == 3
    page = client.post(reverse("password_reset"), {"email": patient.email})
    assert "Too many requests. Please try again in 15 minutes." in page.content.decode()


def test_reset_requests_are_rate_limited_per_ip_across_addresses(client, db, settings):
    settings.SIGN_IN_LINK_LIMIT_PER_IP = 4
    statuses = [
        client.post(
            reverse("password_reset"),
            {"email": f"guess{n}@example.org"},
            REMOTE_ADDR="198.51.100.9",
        ).status_code
        for n in range(6)
    ]
    assert statuses == [302] * 4 + [429] * 2
    # Somebody else, elsewhere, is not affected.
    other = client.post(
        reverse("password_reset"), {"email": "guess0@example.org"}, REMOTE_ADDR="203.0.113.5"
    )
    assert other.status_code == 302


def test_a_limited_unknown_address_looks_like_a_limited_known_one(client, patient, settings):
    settings.SIGN_IN_LINK_LIMIT_PER_EMAIL = 1
    answers = []
    for address in (patient.email, "nobody@example.org"):
        client.post(reverse("password_reset"), {"email": address}, REMOTE_ADDR="192.0.2.1")
        limited = client.post(
            reverse("password_reset"), {"email": address}, REMOTE_ADDR="192.0.2.2"
        )
        page = limited.content.decode().replace(address, "X")
        # Per-request secrets differ on every page; everything else must be identical.
        answers.append(
            (
                limited.status_code,
                re.sub(r'(nonce="|Token": "|csrfmiddlewaretoken" value=")[^"]+', "", page),
            )
        )
    assert answers[0][0] == answers[1][0] == 429
    assert answers[0][1] == answers[1][1]


def test_session_key_is_gone_after_logout(client, patient):
    client.force_login(patient.user)
    client.post(reverse("logout"))
    assert SESSION_KEY not in client.session


def test_the_sign_in_link_request_only_queues_the_email(client, patient, queued_tasks):
    from django_tasks_db.models import DBTaskResult

    for address in (patient.email, "nobody@example.org"):
        response = client.post(reverse("sign_in_link"), {"email": address})
        assert response.status_code == 200
    assert mail.outbox == []
    queued = DBTaskResult.objects.get()
    assert patient.email not in str(queued.args_kwargs)


def test_superusers_are_told_when_queued_emails_are_not_being_sent(
    client, superuser, clinician, patient, queued_tasks
):
    client.post(reverse("password_reset"), {"email": patient.email})
    client.force_login(superuser)
    assert 'id="emails-stalled"' not in client.get(reverse("admin:index")).content.decode()
    later = timezone.now() + datetime.timedelta(minutes=11)
    with time_machine.travel(later, tick=False):
        page = client.get(reverse("admin:index")).content.decode()
        assert "1 email (sign-in links, password resets or reminders) has waited" in page
        assert "Is the worker (<code>manage.py db_worker</code>) running?" in page
        # Clinicians are not troubled with it: it is for whoever runs the server.
        client.force_login(clinician)
        assert "emails-stalled" not in client.get(reverse("admin:index")).content.decode()
