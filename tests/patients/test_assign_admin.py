import datetime

import pytest
import time_machine
from django.urls import reverse

from patients.models import Prescription
from tests.admin_forms import prescription_change_data
from tests.factories import ExerciseFactory, ProgramFactory, ProgramItemFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def template():
    program = ProgramFactory(name="Beginner", owner=None)
    ProgramItemFactory(program=program, order=1, sets=2, reps=10)
    ProgramItemFactory(program=program, order=2, sets=3, reps=None, hold_seconds=30)
    return program


def assign_url(patient):
    return reverse("admin:patients_patient_assign", args=[patient.pk])


@time_machine.travel(datetime.datetime(2026, 11, 25, 23, 30, tzinfo=datetime.UTC), tick=False)
def test_start_date_defaults_to_today_in_the_patients_time_zone(client, clinician, patient):
    patient.timezone = "Pacific/Auckland"  # already 26 November there
    patient.save()
    client.force_login(clinician)
    page = client.get(assign_url(patient)).content.decode()
    assert 'value="2026-11-26"' in page


def test_assigning_lands_on_the_new_prescription(client, clinician, patient, template):
    client.force_login(clinician)
    response = client.post(
        assign_url(patient),
        {
            "program": template.pk,
            "start_date": "2026-11-02",
            "weeks": 4,
            "weekdays": ["0", "2", "4"],
            "sessions_per_day": "1",
            "message": "Little and often.",
        },
    )
    prescription = Prescription.objects.get(patient=patient)
    assert response.url == reverse("admin:patients_prescription_change", args=[prescription.pk])
    assert prescription.end_date == datetime.date(2026, 11, 29)
    assert prescription.days_text == "Mon, Wed, Fri"
    assert prescription.exercises.count() == 2
    page = client.get(response.url).content.decode()
    assert "Adjust any exercise" in page


def test_assign_form_errors_are_shown_not_500(client, clinician, patient, template):
    client.force_login(clinician)
    response = client.post(
        assign_url(patient),
        {"program": template.pk, "start_date": "not a date", "weekdays": [], "sessions_per_day": 9},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Enter a valid date." in html
    assert "Choose at least one day of the week." in html
    assert not Prescription.objects.exists()


def test_archived_exercise_in_template_is_reported_on_the_form(
    client, clinician, patient, template
):
    item = template.items.first()
    item.exercise.status = "archived"
    item.exercise.save()
    client.force_login(clinician)
    response = client.post(
        assign_url(patient),
        {
            "program": template.pk,
            "start_date": "2026-11-02",
            "weekdays": ["0"],
            "sessions_per_day": 1,
        },
    )
    assert response.status_code == 200
    # Named, with a stand-in or "leave it out" to choose (tests/patients/
    # test_archived_in_templates.py), instead of a dead end.
    html = response.content.decode()
    assert "No longer in the library" in html
    assert item.exercise.name in html
    assert "Leave it out" in html
    assert not Prescription.objects.exists()


def test_assign_action_for_several_patients(client, clinician, patient, template):
    from tests.factories import PatientFactory

    second = PatientFactory(clinician=clinician)
    client.force_login(clinician)
    response = client.post(
        reverse("admin:patients_patient_changelist"),
        {"action": "assign_program", "_selected_action": [patient.pk, second.pk]},
    )
    assert response.status_code == 302
    client.post(
        response.url,
        {
            "program": template.pk,
            "start_date": "2026-11-02",
            "weekdays": ["1"],
            "sessions_per_day": 2,
        },
    )
    assert Prescription.objects.filter(patient__in=[patient, second]).count() == 2


def test_changing_one_patients_dose_leaves_the_template_alone(client, clinician, patient, template):
    client.force_login(clinician)
    client.post(
        assign_url(patient),
        {
            "program": template.pk,
            "start_date": "2026-11-02",
            "weekdays": ["0"],
            "sessions_per_day": 1,
        },
    )
    prescription = Prescription.objects.get(patient=patient)
    first = prescription.exercises.order_by("order", "pk").first()
    data = prescription_change_data(prescription, **{"exercises-0-reps": 15})
    response = client.post(
        reverse("admin:patients_prescription_change", args=[prescription.pk]), data
    )
    assert response.status_code == 302, response.context["errors"]
    first.refresh_from_db()
    assert first.reps == 15
    assert template.items.first().reps == 10


def test_prescribe_from_scratch_then_add_an_exercise(client, clinician, patient):
    exercise = ExerciseFactory(default_sets=2, default_reps=8)
    client.force_login(clinician)
    client.post(
        assign_url(patient),
        {"program": "", "start_date": "2026-11-02", "weekdays": ["0"], "sessions_per_day": 1},
    )
    prescription = Prescription.objects.get(patient=patient)
    assert not prescription.exercises.exists()
    response = client.post(
        reverse("admin:patients_prescription_change", args=[prescription.pk]),
        {
            "name": "Home exercise plan",
            "status": "active",
            "start_date": "2026-11-02",
            "weekdays": ["0"],
            "sessions_per_day": 1,
            "loaded_version": prescription.version,
            "exercises-TOTAL_FORMS": 1,
            "exercises-INITIAL_FORMS": 0,
            "education-TOTAL_FORMS": 0,  # the reading inline, empty
            "education-INITIAL_FORMS": 0,
            "exercises-0-exercise": exercise.pk,
            "exercises-0-order": 1,
        },
    )
    assert response.status_code == 302, response.context["errors"]
    added = prescription.exercises.get()
    assert (added.sets, added.reps) == (2, 8)
