"""Who may open and post to the patient pages: anonymous, the wrong patient, a clinician,
and the right patient. Other people's objects are 404."""

import datetime

import pytest
from django.urls import reverse

from patients.models import ExerciseCheck, SessionLog
from tests.factories import PrescribedExerciseFactory, PrescriptionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def theirs(other_patient):
    prescription = PrescriptionFactory(patient=other_patient, start_date=datetime.date(2026, 1, 1))
    return PrescribedExerciseFactory(prescription=prescription, exercise__name="Secret squat")


@pytest.fixture
def mine(patient):
    prescription = PrescriptionFactory(patient=patient, start_date=datetime.date(2026, 1, 1))
    return PrescribedExerciseFactory(prescription=prescription)


def get_urls(prescribed):
    today = prescribed.prescription.patient.today().isoformat()
    return [
        reverse("patients:today"),
        reverse("patients:history"),
        reverse("patients:print"),
        reverse("patients:day", args=["2026-11-20"]),
        reverse("patients:exercise", args=[prescribed.pk]),
        reverse("patients:guided", args=[today, 1]),
    ]


def test_anonymous_is_sent_to_login(client, mine):
    for url in get_urls(mine):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.url.startswith(reverse("login"))
    response = client.post(reverse("patients:check_off", args=["2026-11-20"]), {})
    assert response.url.startswith(reverse("login"))


def test_staff_are_sent_to_the_admin(client, clinician, mine):
    client.force_login(clinician)
    for url in get_urls(mine):
        assert client.get(url).url == reverse("admin:index"), url


def test_the_right_patient_gets_every_page(client, patient, mine):
    client.force_login(patient.user)
    for url in get_urls(mine):
        assert client.get(url).status_code == 200, url


def test_another_patients_exercise_is_404(client, patient, mine, theirs):
    client.force_login(patient.user)
    assert client.get(reverse("patients:exercise", args=[theirs.pk])).status_code == 404
    today = theirs.prescription.patient.today().isoformat()
    response = client.post(
        reverse("patients:check_off", args=[today]),
        {"exercise": theirs.pk, "session": 1, "action": "done"},
    )
    assert response.status_code == 404
    assert not ExerciseCheck.objects.exists()


def test_another_patients_plan_and_logs_never_show(client, patient, mine, theirs):
    today = patient.today().isoformat()
    client.force_login(patient.user)
    client.post(reverse("patients:session_done", args=[today, 1]), {"pain": 2})
    assert set(SessionLog.objects.values_list("prescription__patient", flat=True)) == {patient.pk}
    for url in get_urls(mine):
        body = client.get(url).content.decode()
        assert "Secret squat" not in body
        assert "Bruno" not in body


def test_only_post_is_accepted_for_writes(client, patient, mine):
    client.force_login(patient.user)
    assert client.get(reverse("patients:check_off", args=["2026-11-20"])).status_code == 405


def test_writes_need_a_csrf_token(patient, mine):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(patient.user)
    today = patient.today().isoformat()
    response = strict.post(reverse("patients:session_done", args=[today, 1]), {"pain": 2})
    assert response.status_code == 403
    assert not SessionLog.objects.exists()
