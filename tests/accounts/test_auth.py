import pytest
from django.contrib.auth import SESSION_KEY
from django.core import mail
from django.urls import reverse

from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def login(client, username, password=PASSWORD):
    return client.post(reverse("login"), {"username": username, "password": password})


def test_login_page_renders_styled_form(client):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert b"Username or email" in response.content
    assert b"vendor/bootstrap/bootstrap.min.css" in response.content


def test_clinician_logs_in_and_lands_in_admin(client, clinician):
    response = login(client, "clinician-a")
    assert response.status_code == 302
    assert response.url == reverse("home")
    assert client.get(reverse("home")).url == reverse("admin:index")


def test_patient_logs_in_with_email_in_any_case(client, patient):
    response = login(client, patient.email.upper())
    assert response.status_code == 302
    assert client.session[SESSION_KEY] == str(patient.user.pk)


def test_wrong_password_is_refused_with_a_message(client, clinician):
    response = login(client, "clinician-a", "wrong")
    assert response.status_code == 200
    assert SESSION_KEY not in client.session
    assert b"Please enter a correct" in response.content


def test_email_shared_by_two_accounts_signs_nobody_in(client):
    UserFactory(username="one", email="shared@example.org")
    UserFactory(username="two", email="shared@example.org")
    login(client, "shared@example.org")
    assert SESSION_KEY not in client.session


def test_logout_is_a_post_and_ends_the_session(client, clinician):
    client.force_login(clinician)
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert response.url == reverse("login")
    assert SESSION_KEY not in client.session


def test_password_reset_sends_a_mail_with_a_working_link(client, patient):
    response = client.post(reverse("password_reset"), {"email": patient.email})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [patient.email]
    link = next(line for line in message.body.splitlines() if "/accounts/reset/" in line)
    path = link.split("testserver", 1)[1]
    response = client.get(path, follow=True)
    assert b"Choose a new password" in response.content


def test_password_reset_for_unknown_address_looks_the_same(client, db):
    response = client.post(reverse("password_reset"), {"email": "nobody@example.org"})
    assert response.status_code == 302
    assert response.url == reverse("password_reset_done")
    assert mail.outbox == []


def test_password_change_requires_login(client):
    response = client.get(reverse("password_change"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))
