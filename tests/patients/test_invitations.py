import datetime
import re

import pytest
import time_machine
from django.contrib.auth import SESSION_KEY
from django.core import mail
from django.core.cache import cache
from django.urls import reverse

from patients.models import Patient
from tests.factories import PatientFactory

pytestmark = pytest.mark.django_db

GOOD_PASSWORD = "a-sturdy-hip-2026"


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()


@pytest.fixture
def invitee(clinician):
    return PatientFactory(
        clinician=clinician, user=None, first_name="Iris", email="iris@example.org"
    )


def send_invitation(client, clinician, patient):
    client.force_login(clinician)
    response = client.post(reverse("admin:patients_patient_invite", args=[patient.pk]))
    client.logout()
    return response


def link_path(message) -> str:
    url = re.search(r"https?://\S+/accounts/\S+/", message.body).group(0)
    return url.split("testserver", 1)[1]


def accept(client, path, password=GOOD_PASSWORD, again=None):
    return client.post(path, {"password1": password, "password2": again or password})


def test_invitation_happy_path(client, clinician, invitee):
    response = send_invitation(client, clinician, invitee)
    assert response.url == reverse("admin:patients_patient_invitation", args=[invitee.pk])
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["iris@example.org"]
    assert message.alternatives  # an HTML part as well as plain text
    path = link_path(message)

    page = client.get(path)
    assert page.status_code == 200
    assert "Welcome, Iris" in page.content.decode()

    response = accept(client, path)
    assert response.status_code == 302
    assert response.url == reverse("patients:today")
    invitee.refresh_from_db()
    assert invitee.user.email == "iris@example.org"
    assert client.session[SESSION_KEY] == str(invitee.user.pk)
    assert client.get(response.url).status_code == 200


def test_reused_invitation_gets_a_clear_page(client, clinician, invitee):
    send_invitation(client, clinician, invitee)
    path = link_path(mail.outbox[0])
    accept(client, path)
    client.logout()
    page = client.get(path)
    assert page.status_code == 400
    assert "already been used" in page.content.decode()
    assert accept(client, path, "another-sturdy-hip").status_code == 400
    assert Patient.objects.get(pk=invitee.pk).user.check_password(GOOD_PASSWORD)


def test_expired_invitation_gets_a_clear_page(client, clinician, invitee, settings):
    settings.INVITATION_DAYS = 7
    send_invitation(client, clinician, invitee)
    path = link_path(mail.outbox[0])
    with time_machine.travel(datetime.datetime.now(tz=datetime.UTC) + datetime.timedelta(days=8)):
        page = client.get(path)
    assert page.status_code == 400
    assert "expired" in page.content.decode()


def test_tampered_invitation_gets_a_clear_page(client, clinician, invitee):
    send_invitation(client, clinician, invitee)
    path = link_path(mail.outbox[0])
    tampered = path[:-3] + ("A" if path[-3] != "A" else "B") + path[-2:]
    for bad in (tampered, "/accounts/invite/nonsense/"):
        page = client.get(bad)
        assert page.status_code == 400
        assert "This link does not work" in page.content.decode()


def test_a_new_invitation_replaces_the_old_link(client, clinician, invitee):
    send_invitation(client, clinician, invitee)
    send_invitation(client, clinician, invitee)
    old, new = (link_path(message) for message in mail.outbox)
    assert old != new
    assert "newer invitation" in client.get(old).content.decode()
    assert client.get(new).status_code == 200


def test_weak_or_mismatched_password_is_refused_with_messages(client, clinician, invitee):
    send_invitation(client, clinician, invitee)
    path = link_path(mail.outbox[0])
    weak = accept(client, path, "123")
    assert weak.status_code == 200
    assert "too short" in weak.content.decode()
    mismatch = accept(client, path, GOOD_PASSWORD, "something-else-2026")
    assert "not the same" in mismatch.content.decode()
    invitee.refresh_from_db()
    assert invitee.user is None


def test_patient_without_email_cannot_be_invited(client, clinician):
    paper = PatientFactory(clinician=clinician, user=None, email=None)
    response = send_invitation(client, clinician, paper)
    assert response.status_code == 302
    assert mail.outbox == []


def test_invitation_page_shows_link_and_qr_code(client, clinician, invitee):
    send_invitation(client, clinician, invitee)
    client.force_login(clinician)
    page = client.get(reverse("admin:patients_patient_invitation", args=[invitee.pk]))
    html = page.content.decode()
    assert "<svg" in html
    # The page signs a fresh link (its timestamp may differ from the email's by a second).
    shown = re.search(r'value="(http://testserver/accounts/invite/[^"]+/)"', html).group(1)
    client.logout()
    assert "Welcome, Iris" in client.get(shown.split("testserver", 1)[1]).content.decode()


def test_invitation_email_never_goes_to_the_log(client, clinician, invitee, caplog):
    send_invitation(client, clinician, invitee)
    assert "iris@example.org" not in caplog.text
    assert "Iris" not in caplog.text


# --- Sign-in links ---------------------------------------------------------------------------


def request_link(client, email):
    return client.post(reverse("sign_in_link"), {"email": email})


def test_sign_in_link_signs_the_patient_in_once(client, patient):
    response = request_link(client, patient.email.upper())
    assert response.status_code == 200
    assert "Check your email" in response.content.decode()
    path = link_path(mail.outbox[0])
    assert client.get(path).status_code == 200  # a button: mail scanners don't use it up
    assert SESSION_KEY not in client.session
    response = client.post(path)
    assert response.url == reverse("patients:today")
    assert client.session[SESSION_KEY] == str(patient.user.pk)
    client.logout()
    assert client.post(path).status_code == 400


def test_sign_in_link_answer_is_the_same_for_unknown_and_staff_addresses(
    client, patient, clinician
):
    known = request_link(client, patient.email).content
    unknown = request_link(client, "nobody@example.org").content
    staff = request_link(client, clinician.email).content
    assert len(mail.outbox) == 1

    def main(html: bytes) -> bytes:
        return html[html.index(b"<main") : html.index(b"</main>")]

    assert main(known) == main(unknown) == main(staff)


def test_sign_in_link_expires_after_15_minutes(client, patient):
    request_link(client, patient.email)
    path = link_path(mail.outbox[0])
    later = datetime.datetime.now(tz=datetime.UTC) + datetime.timedelta(minutes=16)
    with time_machine.travel(later):
        assert client.post(path).status_code == 400
    assert SESSION_KEY not in client.session


def test_sign_in_link_requests_are_rate_limited(client, patient, settings):
    for _ in range(settings.SIGN_IN_LINK_LIMIT_PER_EMAIL):
        assert request_link(client, patient.email).status_code == 200
    limited = request_link(client, patient.email)
    assert limited.status_code == 429
    assert "Too many requests" in limited.content.decode()
    assert len(mail.outbox) == settings.SIGN_IN_LINK_LIMIT_PER_EMAIL


def test_sign_in_link_for_a_deactivated_patient_is_not_sent(client, patient):
    patient.is_active = False
    patient.save()
    request_link(client, patient.email)
    assert mail.outbox == []


# --- One account per email address (security review round 2, finding 4) --------------------


def patient_form(**fields) -> dict:
    return {
        "first_name": "Sam",
        "last_name": "Ashby",
        "email": "",
        "phone": "",
        "date_of_birth": "",
        "timezone": "Europe/London",
        "notes": "",
        "checkin_interval_days": 14,
        "is_active": "on",
        "prescriptions-TOTAL_FORMS": 0,
        "prescriptions-INITIAL_FORMS": 0,
        "activities-TOTAL_FORMS": 0,
        "activities-INITIAL_FORMS": 0,
        **fields,
    }


def test_finding_4_the_patient_form_refuses_a_staff_members_email_in_any_case(
    client, clinician, superuser
):
    client.force_login(clinician)
    response = client.post(
        reverse("admin:patients_patient_add"), patient_form(email=superuser.email.upper())
    )
    assert response.status_code == 200
    assert "Another account already uses this email address" in response.content.decode()
    assert not Patient.objects.exists()
    # The superuser still signs in with their address.
    client.logout()
    login = client.post(
        reverse("login"), {"username": superuser.email, "password": "correct-horse-battery-staple"}
    )
    assert login.status_code == 302


def test_finding_4_a_patient_keeps_their_own_address_when_their_record_is_saved(
    client, clinician, patient
):
    client.force_login(clinician)
    page = client.get(reverse("admin:patients_patient_change", args=[patient.pk]))
    assert page.status_code == 200
    response = client.post(
        reverse("admin:patients_patient_change", args=[patient.pk]),
        patient_form(first_name="Alicia", last_name="Ashby", email=patient.email.upper()),
    )
    assert response.status_code == 302
    patient.refresh_from_db()
    assert (patient.first_name, patient.email) == ("Alicia", patient.user.email)


def test_finding_4_accepting_an_invitation_refuses_an_address_another_account_took(
    client, clinician, invitee, superuser
):
    send_invitation(client, clinician, invitee)
    path = link_path(mail.outbox[0])
    # Meanwhile a member of staff is given the same address (the user admin now refuses
    # it; an older record or the shell could still do it).
    superuser.email = "IRIS@example.org"
    superuser.save()
    response = accept(client, path)
    assert response.status_code == 400
    assert "This email address is already in use" in response.content.decode()
    invitee.refresh_from_db()
    assert invitee.user is None
    assert SESSION_KEY not in client.session
    login = client.post(
        reverse("login"),
        {"username": "iris@example.org", "password": "correct-horse-battery-staple"},
    )
    assert login.status_code == 302
    assert client.session[SESSION_KEY] == str(superuser.pk)


def test_finding_4_the_user_admin_refuses_an_address_a_patient_has(
    client, superuser, clinician, invitee, patient
):
    client.force_login(superuser)
    url = reverse("admin:clinic_user_change", args=[clinician.pk])
    for taken in ("IRIS@example.org", patient.email):
        data = {
            "username": clinician.username,
            "email": taken,
            "first_name": "",
            "last_name": "",
            "is_active": "on",
            "is_staff": "on",
            "date_joined_0": "2026-01-01",
            "date_joined_1": "09:00:00",
            "weekly_summary": "on",
        }
        response = client.post(url, data)
        assert response.status_code == 200, taken
        assert "Another account already uses this email address" in response.content.decode()
    clinician.refresh_from_db()
    assert clinician.email == "clinician-a@example.org"


def test_finding_6_an_invitation_replaced_while_its_page_was_open_is_refused(
    client, clinician, invitee, rf
):
    """The link was checked when the page opened and not again when it was used: a newer
    invitation sent in between did not stop the old link."""
    from patients import services

    send_invitation(client, clinician, invitee)
    old_link = link_path(mail.outbox[0])
    token = old_link.rstrip("/").rsplit("/", 1)[1]
    opened = services.patient_from_invitation(token)
    services.patient_invite(patient=invitee, invited_by=clinician, request=rf.get("/"))
    with pytest.raises(services.InvitationError, match="replaced"):
        services.invitation_accept(patient=opened, password=GOOD_PASSWORD)
    invitee.refresh_from_db()
    assert invitee.user is None
    assert invitee.invitation_pending
