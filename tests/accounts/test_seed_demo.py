import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from clinic import roles
from exercises.models import Exercise, SafetyAdvice
from patients.demo import DEMO_PASSWORD
from patients.models import Patient

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

DEMO_USERNAMES = {
    "demo-clinician",
    "demo-clinician-2",
    "demo-editor",
    "demo-patient",
    "demo-patient-2",
}


def table_counts():
    user_model = get_user_model()
    return (user_model.objects.count(), Patient.objects.count())


def test_seed_demo_creates_the_design_accounts_and_is_idempotent(settings, capsys):
    settings.DEBUG = True
    call_command("seed_demo")
    first = table_counts()
    call_command("seed_demo")
    assert table_counts() == first
    users = {u.username: u for u in get_user_model().objects.all()}
    assert set(users) >= DEMO_USERNAMES
    assert users["demo-clinician"].check_password(DEMO_PASSWORD)
    assert roles.is_clinician(users["demo-clinician"])
    assert roles.is_content_editor(users["demo-editor"])
    assert roles.is_patient(users["demo-patient"])
    assert Patient.objects.get(user__username="demo-patient-2").clinician.username == (
        "demo-clinician-2"
    )
    assert DEMO_PASSWORD in capsys.readouterr().out
    # The library comes with its shipped translations: try demo-patient in Spanish.
    bridge = Exercise.objects.get(library_key="glute-bridge")
    assert bridge.translated("name", "es") != bridge.name
    assert SafetyAdvice.objects.first().translated("stop_rules", "ar") != (
        SafetyAdvice.objects.first().stop_rules
    )


def test_seed_demo_refuses_when_debug_is_off(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG is off"):
        call_command("seed_demo")
