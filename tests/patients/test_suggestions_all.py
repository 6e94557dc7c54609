""" "Accept all" and "Dismiss all" for one patient's suggestions on the progress page."""

import pytest
from django.urls import reverse

from patients.models import Suggestion
from tests.patients.test_suggestions import found, history
from tests.patients.test_suggestions import plan as plan

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clock(frozen_clock):
    return frozen_clock


def test_accept_all_applies_every_suggestion_with_who(client, clinician, patient, plan):
    prescription, clam, stretch = plan
    history(prescription)
    client.force_login(clinician)
    progress = client.get(reverse("admin:patients_patient_progress", args=[patient.pk]))
    assert "Accept all" in progress.content.decode()
    url = reverse("admin:patients_patient_suggestions_all", args=[patient.pk])
    response = client.post(url, {"decision": "accept"}, follow=True)
    assert "Accepted: Clamshell: 2 sets of 12; Stretch: hold 40 seconds, twice." in (
        response.content.decode()
    )
    clam.refresh_from_db()
    stretch.refresh_from_db()
    assert (clam.reps, stretch.hold_seconds) == (12, 40)
    assert set(Suggestion.objects.values_list("status", "decided_by")) == {
        ("accepted", clinician.pk)
    }
    assert found(patient) == {}


def test_dismiss_all_changes_nothing(client, clinician, patient, plan):
    prescription, clam, _stretch = plan
    history(prescription)
    client.force_login(clinician)
    url = reverse("admin:patients_patient_suggestions_all", args=[patient.pk])
    client.post(url, {"decision": "dismiss"})
    clam.refresh_from_db()
    assert clam.reps == 10
    assert Suggestion.objects.filter(status="dismissed").count() == 2
    assert client.post(url, {"decision": "maybe"}).status_code == 404


def test_another_clinician_cannot_decide_all(client, other_clinician, patient, plan):
    history(plan[0])
    client.force_login(other_clinician)
    url = reverse("admin:patients_patient_suggestions_all", args=[patient.pk])
    assert client.post(url, {"decision": "accept"}).status_code == 404
    assert not Suggestion.objects.exists()
