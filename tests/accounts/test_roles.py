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


def permissions_of(group_name: str) -> set[str]:
    group = Group.objects.get(name=group_name)
    return {
        f"{app}.{codename}"
        for app, codename in group.permissions.values_list("content_type__app_label", "codename")
    }


def table_of(group_name: str) -> set[str]:
    return {
        f"{app}.{action}_{model}"
        for app, models in roles.ROLE_PERMISSIONS[group_name].items()
        for model, actions in models.items()
        for action in actions
    }


# Permissions the table gives that no data migration ever did: models added after the
# table replaced the migrations (role_groups_sync grants them after every migrate).
ADDED_TO_THE_TABLE = {
    roles.CLINICIANS: {
        "exercises.view_educationpage",
        "exercises.view_educationpageversion",
        "patients.add_prescriptioneducation",
        "patients.change_prescriptioneducation",
        "patients.delete_prescriptioneducation",
        "patients.view_prescriptioneducation",
    },
    roles.CONTENT_EDITORS: {
        "exercises.add_educationpage",
        "exercises.change_educationpage",
        "exercises.view_educationpage",
        "exercises.add_educationpageversion",
        "exercises.view_educationpageversion",
    },
}


def test_the_role_table_gives_exactly_what_the_landed_data_migrations_gave():
    """The table replaced the grants spread over clinic's data migrations: replaying those
    migrations on empty groups must give the same permissions, no more and no less (besides
    what was added to the table since, ``ADDED_TO_THE_TABLE``)."""
    from django.db import connection
    from django.db.migrations.loader import MigrationLoader
    from django.db.migrations.operations import RunPython

    Group.objects.filter(name__in=roles.ROLE_PERMISSIONS).delete()
    loader = MigrationLoader(connection)
    historical_apps = loader.project_state().apps  # as the migrations see models
    granting = sorted(
        key
        for key in loader.disk_migrations
        if key[0] == "clinic" and ("permissions" in key[1] or "role_groups" in key[1])
    )
    assert len(granting) == 6
    for key in granting:
        for operation in loader.disk_migrations[key].operations:
            if isinstance(operation, RunPython):
                operation.code(historical_apps, None)
    for group_name in roles.ROLE_PERMISSIONS:
        added = ADDED_TO_THE_TABLE.get(group_name, set())
        assert added <= table_of(group_name), group_name
        assert permissions_of(group_name) == table_of(group_name) - added, group_name


def test_role_sync_is_idempotent_and_takes_back_a_permission_given_by_hand():
    from django.contrib.auth.models import Permission

    clinicians = Group.objects.get(name=roles.CLINICIANS)
    clinicians.permissions.add(Permission.objects.get(codename="delete_sessionlog"))
    roles.role_groups_sync()
    roles.role_groups_sync()
    assert permissions_of(roles.CLINICIANS) == table_of(roles.CLINICIANS)
    assert Group.objects.filter(name__in=roles.ROLE_PERMISSIONS).count() == 2


def test_migrate_leaves_the_groups_as_the_table_says():
    from django.core.management import call_command

    Group.objects.filter(name=roles.CONTENT_EDITORS).delete()
    call_command("migrate", verbosity=0)
    for group_name in roles.ROLE_PERMISSIONS:
        assert permissions_of(group_name) == table_of(group_name), group_name


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
