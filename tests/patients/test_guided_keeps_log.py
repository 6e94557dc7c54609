"""Guided mode's automatic check-off (``if_open``) never overwrites what is logged: a skip
made on Today (or on another phone after guided mode was opened) keeps its reason; and no
skip reason is chosen for the patient."""

import datetime

import pytest
from django.urls import reverse

from patients.models import ExerciseCheck
from tests.clock import TODAY
from tests.factories import PrescribedExerciseFactory, PrescriptionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clock(frozen_clock):
    return frozen_clock


@pytest.fixture
def prescribed(patient):
    prescription = PrescriptionFactory(
        patient=patient, start_date=TODAY - datetime.timedelta(days=3)
    )
    return PrescribedExerciseFactory(prescription=prescription, exercise__name="Clamshell")


def _post(client, prescribed, **data):
    return client.post(
        reverse("patients:check_off", args=[TODAY.isoformat()]),
        {"exercise": prescribed.pk, "session": 1, **data},
    )


def test_guided_check_off_keeps_a_skip_and_its_reason(client, patient, prescribed):
    client.force_login(patient.user)
    _post(client, prescribed, action="skip", reason="no_equipment")
    _post(client, prescribed, action="done", if_open="1")
    check = ExerciseCheck.objects.get()
    assert (check.status, check.skip_reason) == ("skipped", "no_equipment")


def test_guided_check_off_of_an_open_exercise_marks_it_done(client, patient, prescribed):
    client.force_login(patient.user)
    _post(client, prescribed, action="done", if_open="1")
    assert ExerciseCheck.objects.get().status == "done"


def test_the_patient_can_still_change_a_skip_on_that_exercise(client, patient, prescribed):
    client.force_login(patient.user)
    _post(client, prescribed, action="skip", reason="no_time")
    _post(client, prescribed, action="done")
    assert ExerciseCheck.objects.get().status == "done"


def test_no_skip_reason_is_preselected(client, patient, prescribed):
    client.force_login(patient.user)
    page = client.get(reverse("patients:today")).content.decode()
    assert '<option value="" selected>Choose a reason</option>' in page
    assert "Mark done" in page
    response = _post(client, prescribed, action="skip", reason="")
    assert not ExerciseCheck.objects.exists()
    assert response.status_code == 302
