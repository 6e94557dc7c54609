"""Function check-ins in the Patient-Specific Functional Scale format: asked at the start and
every interval, one per day, charted for the clinician; other patients' activities are 404."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from patients.models import FunctionActivity, FunctionCheckIn, FunctionScore
from tests.clock import NOW
from tests.factories import PrescribedExerciseFactory, PrescriptionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clock(frozen_clock):
    return frozen_clock


@pytest.fixture
def plan(patient):
    prescription = PrescriptionFactory(patient=patient, start_date=datetime.date(2026, 11, 1))
    PrescribedExerciseFactory(prescription=prescription)
    return prescription


def today_html(client):
    return client.get(reverse("patients:today")).content.decode()


def test_first_check_in_names_activities_and_rates_them(client, patient, plan):
    client.force_login(patient.user)
    assert "Rate my activities" in today_html(client)
    response = client.post(
        reverse("patients:checkin"),
        {
            "new_name_1": "Putting on socks",
            "new_score_1": "3",
            "new_name_2": "Sitting for an hour",
            "new_score_2": "5",
        },
    )
    assert response.status_code == 302
    assert list(patient.activities.values_list("name", flat=True)) == [
        "Putting on socks",
        "Sitting for an hour",
    ]
    assert sorted(FunctionScore.objects.values_list("score", flat=True)) == [3, 5]
    assert "Rate my activities" not in today_html(client)


def test_asked_again_after_the_interval_and_same_day_updates(client, patient, plan):
    socks = FunctionActivity.objects.create(patient=patient, name="Putting on socks")
    patient.checkin_interval_days = 14
    patient.save()
    client.force_login(patient.user)
    client.post(reverse("patients:checkin"), {f"score_{socks.pk}": "3"})
    client.post(reverse("patients:checkin"), {f"score_{socks.pk}": "4"})
    assert FunctionCheckIn.objects.count() == 1
    assert FunctionScore.objects.get().score == 4
    with time_machine.travel(NOW + datetime.timedelta(days=13), tick=False):
        assert "Rate my activities" not in today_html(client)
    with time_machine.travel(NOW + datetime.timedelta(days=14), tick=False):
        assert "Rate my activities" in today_html(client)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "Name at least one everyday activity"),
        ({"new_name_1": "Stairs"}, "Rate this activity from 0 to 10."),
        ({"new_score_1": "4"}, "Name the activity you rated."),
        ({"new_name_1": "Stairs", "new_score_1": "11"}, "Select a valid choice"),
    ],
)
def test_bad_check_ins_get_clear_messages(client, patient, plan, data, message):
    client.force_login(patient.user)
    response = client.post(reverse("patients:checkin"), data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not FunctionCheckIn.objects.exists()


def test_another_patients_activity_cannot_be_scored(client, patient, plan, other_patient):
    theirs = FunctionActivity.objects.create(patient=other_patient, name="Their stairs")
    client.force_login(patient.user)
    client.post(
        reverse("patients:checkin"),
        {f"score_{theirs.pk}": "2", "new_name_1": "Socks", "new_score_1": "3"},
    )
    assert not FunctionScore.objects.filter(activity=theirs).exists()
    assert "Their stairs" not in client.get(reverse("patients:checkin")).content.decode()


def test_scores_are_charted_on_the_progress_page(client, clinician, patient, plan):
    socks = FunctionActivity.objects.create(patient=patient, name="Putting on socks")
    for days, score in ((28, 2), (14, 4), (0, 7)):
        checkin = FunctionCheckIn.objects.create(
            patient=patient, date=NOW.date() - datetime.timedelta(days=days)
        )
        FunctionScore.objects.create(checkin=checkin, activity=socks, score=score)
    client.force_login(clinician)
    html = client.get(
        reverse("admin:patients_patient_progress", args=[patient.pk])
    ).content.decode()
    assert "Putting on socks" in html
    assert "Average of the activities: 2.0 → 7.0" in html


def test_anonymous_and_staff_cannot_use_the_check_in_page(client, clinician):
    assert client.get(reverse("patients:checkin")).status_code == 302
    client.force_login(clinician)
    assert client.get(reverse("patients:checkin")).url == reverse("admin:index")
