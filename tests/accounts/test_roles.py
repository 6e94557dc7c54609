import datetime

import pytest
import time_machine
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.models import Group
from django.urls import reverse

from clinic import roles

pytestmark = pytest.mark.django_db


def test_anonymous_home_redirects_to_login(client):
    assert client.get("/").url == reverse("login")


def test_clinician_home_redirects_to_admin(client, clinician):
    client.force_login(clinician)
    assert client.get("/").url == reverse("admin:index")


def test_editor_home_redirects_to_admin(client, editor):
    client.force_login(editor)
    assert client.get("/").url == reverse("admin:index")


def test_patient_home_redirects_to_plan(client, patient):
    client.force_login(patient.user)
    assert client.get("/").url == "/plan/"


def test_deactivated_patient_is_not_a_patient_any_more(client, patient):
    patient.is_active = False
    patient.save()
    client.force_login(patient.user)
    assert client.get("/").url == reverse("no_role")
    assert client.get(reverse("no_role")).status_code == 403
    assert client.get("/plan/").url == reverse("no_role")


def test_staff_are_sent_away_from_the_patient_plan(client, clinician):
    client.force_login(clinician)
    assert client.get("/plan/").url == reverse("admin:index")


def test_anonymous_plan_goes_to_login_with_next(client):
    assert client.get("/plan/").url == f"{reverse('login')}?next=/plan/"


def test_role_helpers(clinician, editor, patient, superuser):
    assert roles.is_clinician(clinician)
    assert not roles.is_content_editor(clinician)
    assert roles.is_content_editor(editor)
    assert not roles.is_clinician(editor)
    assert roles.is_content_editor(superuser)
    assert roles.is_patient(patient.user)
    assert not roles.is_patient(clinician)


def test_groups_exist_after_migrate_with_their_permissions():
    clinicians = Group.objects.get(name=roles.CLINICIANS)
    editors = Group.objects.get(name=roles.CONTENT_EDITORS)
    clinician_perms = set(clinicians.permissions.values_list("codename", flat=True))
    assert {"add_patient", "change_patient", "view_patient"} <= clinician_perms
    editor_perms = set(editors.permissions.values_list("codename", flat=True))
    assert not {p for p in editor_perms if p.endswith("_patient")}


def test_staff_session_expires_after_idle_minutes(client, clinician, settings):
    settings.STAFF_SESSION_IDLE_MINUTES = 30
    client.force_login(clinician)
    client.get(reverse("admin:index"))
    assert client.session.get_expiry_age() == 30 * 60


def test_a_busy_staff_session_still_ends_after_its_maximum_lifetime(client, clinician, settings):
    settings.STAFF_SESSION_MAX_HOURS = 12
    start = datetime.datetime(2026, 11, 26, 8, 0, tzinfo=datetime.UTC)
    with time_machine.travel(start, tick=False):
        client.force_login(clinician)
        assert client.get(reverse("admin:index")).status_code == 200
    for minutes in range(25, 12 * 60, 25):  # a request every 25 minutes: never idle
        with time_machine.travel(start + datetime.timedelta(minutes=minutes), tick=False):
            assert client.get(reverse("admin:index")).status_code == 200
    with time_machine.travel(start + datetime.timedelta(hours=12, minutes=1), tick=False):
        response = client.get(reverse("admin:index"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))
    assert SESSION_KEY not in client.session


def test_patient_session_lasts_weeks(client, patient, settings):
    client.force_login(patient.user)
    client.get("/plan/")
    assert client.session.get_expiry_age() == settings.SESSION_COOKIE_AGE
    assert settings.SESSION_COOKIE_AGE >= 28 * 24 * 3600
