"""Login protection with django-axes (rules in clinic/lockout.py): five failures for one
account, however its name is typed and wherever they come from, pause password logins to it
for 15 minutes; twenty failures from one IP address, for any names, pause that address; a
success clears the account's failures; nothing logs passwords or email addresses.

Security review, round 2, finding 1: the lockout was keyed on the text typed, so the same
email with other capital letters (or the username instead of the email) got fresh tries.
"""

import datetime
import logging

import pytest
import time_machine
from axes.models import AccessAttempt
from django.contrib.auth import SESSION_KEY
from django.urls import reverse

from patients import services
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

STRANGER = "203.0.113.7"
ELSEWHERE = "203.0.113.99"
PATIENT_AT_HOME = "198.51.100.20"


def attempt(client, username, password, ip=STRANGER, url=None):
    return client.post(
        url or reverse("login"),
        {"username": username, "password": password},
        REMOTE_ADDR=ip,
    )


def spellings(email: str) -> list[str]:
    """One address typed five ways."""
    local, domain = email.split("@")
    return [
        email.upper(),
        f"{local.capitalize()}@{domain}",
        f"  {email}  ",
        f"{local}@{domain.upper()}",
        email.swapcase(),
    ]


def test_finding_1_five_failures_in_any_spelling_lock_the_patients_account(
    client, patient, caplog, settings
):
    email = patient.user.email
    start = datetime.datetime(2026, 11, 25, 9, 0, tzinfo=datetime.UTC)
    with caplog.at_level(logging.INFO), time_machine.travel(start, tick=False):
        # From two addresses, in five spellings: all against one account.
        for n, typed in enumerate(spellings(email)[: settings.AXES_FAILURE_LIMIT - 1]):
            ip = STRANGER if n % 2 else ELSEWHERE
            assert attempt(client, typed, f"guess-{n}", ip=ip).status_code == 200
        locked = attempt(client, spellings(email)[-1], "guess-last")
        assert locked.status_code == 429
        assert "Please try again in 15 minutes" in locked.content.decode()
        # The right password, in any spelling and from anywhere, waits now.
        for typed in [email, *spellings(email)]:
            assert attempt(client, typed, PASSWORD, ip=PATIENT_AT_HOME).status_code == 429
        assert SESSION_KEY not in client.session
    assert "guess-" not in caplog.text
    assert PASSWORD not in caplog.text
    assert email not in caplog.text.lower()  # a patient's username is their email address
    assert f"login lockout: user {patient.user.pk}" in caplog.text
    # axes keeps the account's id, not the address typed.
    assert set(AccessAttempt.objects.values_list("username", flat=True)) == {
        f"account:{patient.user.pk}"
    }
    with time_machine.travel(start + datetime.timedelta(minutes=16), tick=False):
        assert attempt(client, email.upper(), PASSWORD, ip=PATIENT_AT_HOME).status_code == 302
        assert client.session[SESSION_KEY] == str(patient.user.pk)


def test_finding_1_username_and_email_count_against_one_account_on_both_login_pages(
    client, clinician, settings
):
    admin_login = reverse("admin:login")
    typed = [clinician.username, clinician.email.upper(), clinician.username]
    for n, name in enumerate(typed):
        assert attempt(client, name, f"guess-{n}", url=admin_login).status_code == 200
    for n in range(settings.AXES_FAILURE_LIMIT - len(typed) - 1):
        assert attempt(client, clinician.email, f"again-{n}").status_code == 200
    assert attempt(client, clinician.email.title(), "last", url=admin_login).status_code == 429
    assert attempt(client, clinician.username, PASSWORD).status_code == 429
    assert attempt(client, clinician.email, PASSWORD, url=admin_login).status_code == 429


def test_finding_1_a_success_in_any_spelling_clears_the_accounts_failures(
    client, patient, settings
):
    email = patient.user.email
    for n in range(settings.AXES_FAILURE_LIMIT - 1):
        attempt(client, email.upper(), f"guess-{n}")
    assert attempt(client, email.title(), PASSWORD, ip=PATIENT_AT_HOME).status_code == 302
    client.logout()
    for n in range(settings.AXES_FAILURE_LIMIT - 1):
        assert attempt(client, email.upper(), f"again-{n}").status_code == 200
    assert attempt(client, email, "once more").status_code == 429


def test_finding_1_unknown_names_are_counted_by_their_normalised_form(client, settings):
    typed = [
        "Nobody@Example.org",
        "nobody@example.org ",
        "NOBODY@EXAMPLE.ORG",
        " nobody@example.ORG",
    ]
    for n in range(settings.AXES_FAILURE_LIMIT - 1):
        assert attempt(client, typed[n % len(typed)], f"guess-{n}").status_code == 200
    assert attempt(client, "nObOdY@eXaMpLe.OrG", "guess", ip=ELSEWHERE).status_code == 429
    # Stored as a hash of the normalised name, never as typed.
    stored = set(AccessAttempt.objects.values_list("username", flat=True))
    assert len(stored) == 1
    assert stored.pop().startswith("unknown:")


def test_finding_1_failures_from_one_address_pause_that_address(client, patient, settings):
    for n in range(settings.LOGIN_IP_FAILURE_LIMIT - 1):
        assert attempt(client, f"guess{n}@example.org", "x").status_code == 200
    assert attempt(client, "one-more@example.org", "x").status_code == 429
    # Any account from that address waits, even with its right password...
    assert attempt(client, patient.user.email, PASSWORD).status_code == 429
    # ...while the patient at home signs in.
    assert attempt(client, patient.user.email, PASSWORD, ip=PATIENT_AT_HOME).status_code == 302


def test_finding_1_signing_in_to_ones_own_account_does_not_clear_an_addresses_count(
    client, patient, other_patient, settings
):
    """A script that also knows one real password cannot reset its address's count."""
    for n in range(settings.LOGIN_IP_FAILURE_LIMIT - 2):
        attempt(client, f"guess{n}@example.org", "x")
    assert attempt(client, other_patient.user.email, PASSWORD).status_code == 302
    client.logout()
    assert attempt(client, "guess-a@example.org", "x").status_code == 200
    assert attempt(client, "guess-b@example.org", "x").status_code == 429


def test_a_locked_out_patient_can_still_sign_in_with_an_emailed_link(client, patient, settings):
    """The price of counting per account from anywhere is that a stranger can pause a
    patient's password for 15 minutes; a sign-in link by email still works meanwhile."""
    for n in range(settings.AXES_FAILURE_LIMIT):
        attempt(client, patient.user.email, f"guess-{n}")
    assert attempt(client, patient.user.email, PASSWORD, ip=PATIENT_AT_HOME).status_code == 429
    link = services.sign_in_path(patient.user)
    assert client.post(link, REMOTE_ADDR=PATIENT_AT_HOME).status_code == 302
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
