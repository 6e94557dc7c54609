"""The clinician's side in clinic words: column headings and labels instead of code words,
"about 1 minute", and empty states in words on the progress page."""

import re

import pytest
from django.urls import reverse

from exercises.models import PrecautionTag
from tests.factories import (
    ExerciseFactory,
    PrescribedExerciseFactory,
    PrescriptionFactory,
    ProgramFactory,
    ProgramItemFactory,
)

pytestmark = pytest.mark.django_db


def test_prescription_columns_are_headed_in_words(client, clinician, patient):
    PrescriptionFactory(patient=patient)
    client.force_login(clinician)
    for url in (
        reverse("admin:patients_patient_change", args=[patient.pk]),
        reverse("admin:patients_prescription_changelist"),
    ):
        html = client.get(url).content.decode()
        assert "Date range text" not in html, url
        assert "Days text" not in html, url
        assert re.search(r">\s*Dates\s*<", html), url
    html = client.get(reverse("admin:patients_patient_change", args=[patient.pk])).content.decode()
    assert "Function activity" not in html
    assert "Everyday activities the patient rates (up to 5)" in html


def test_library_pages_speak_clinic_words(client, editor):
    exercise = ExerciseFactory(library_key="glute-bridge")
    client.force_login(editor)
    html = client.get(reverse("admin:exercises_exercise_change", args=[exercise.pk])).content
    html = html.decode()
    assert "Library key" not in html
    assert "load_library" not in html
    assert "Shipped with Homeplan as" in html
    assert "library updates keep it up to date" in html
    assert ">Slug" not in html
    assert "Web address" in html
    html = client.get(reverse("admin:exercises_exercise_changelist")).content.decode()
    assert "No precaution tags" in html
    html = client.get(reverse("admin:exercises_precautiontag_changelist")).content.decode()
    assert "Short code" in html
    assert ">Slug<" not in html
    tag = PrecautionTag.objects.first()
    html = client.get(reverse("admin:exercises_precautiontag_change", args=[tag.pk])).content
    assert b"Short code" in html


def test_one_minute_is_singular(client, clinician, patient):
    short = ExerciseFactory(default_sets=1, default_reps=5)
    prescription = PrescriptionFactory(patient=patient)
    PrescribedExerciseFactory(prescription=prescription, exercise=short, sets=1, reps=5)
    program = ProgramFactory(owner=clinician)
    ProgramItemFactory(program=program, exercise=short, sets=1, reps=5)
    client.force_login(clinician)
    for url in (
        reverse("admin:patients_prescription_change", args=[prescription.pk]),
        reverse("admin:exercises_program_change", args=[program.pk]),
    ):
        html = client.get(url).content.decode()
        assert "about 1 minute<" in html, url
        assert "about 1 minutes" not in html


def test_progress_page_empty_states_are_words(client, clinician, patient):
    # A plan that starts today: nothing was due yet.
    plan = PrescriptionFactory(patient=patient, start_date=patient.today())
    PrescribedExerciseFactory(prescription=plan)
    client.force_login(clinician)
    html = client.get(reverse("admin:patients_patient_progress", args=[patient.pk])).content
    html = html.decode()
    assert "No sessions due yet" in html
    assert "No sessions yet" in html
    assert "0.0 of 0" not in html
    assert "0.0 / 0" not in html
    assert "Nothing due" in html


def test_the_admin_login_is_the_apps_login(client, clinician):
    response = client.get("/admin/login/?next=/admin/patients/patient/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/admin/patients/patient/"
    chain = client.get("/admin/", follow=True).redirect_chain
    assert chain[-1][0] == "/accounts/login/?next=/admin/"
    client.force_login(clinician)
    assert client.get("/admin/login/")["Location"] == "/admin/"


def test_the_heat_map_and_the_pain_chart_carry_dates():
    import datetime

    from patients import charts

    first, last = datetime.date(2026, 9, 7), datetime.date(2026, 11, 29)  # a Monday; 12 weeks
    heat = charts.heatmap(first, last, {})
    assert [day for _, day in heat["months"]] == [
        first,
        datetime.date(2026, 10, 1),
        datetime.date(2026, 11, 1),
    ]
    assert [day.strftime("%a") for _, day in heat["weekdays"]] == ["Mon", "Wed", "Fri"]
    chart = charts.line_chart([(first, 4.0), (last, 2.0)])
    assert [day for _, day, _ in chart.x_ticks] == [first, first + (last - first) / 2, last]


def test_the_progress_page_shows_those_dates(client, clinician, patient):
    import datetime

    from patients.models import SessionLog

    plan = PrescriptionFactory(patient=patient, start_date=patient.today() - datetime.timedelta(30))
    PrescribedExerciseFactory(prescription=plan)
    for days_ago, pain in ((20, 5), (3, 2)):
        SessionLog.objects.create(
            prescription=plan,
            date=patient.today() - datetime.timedelta(days_ago),
            completed_at=datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC),
            pain=pain,
        )
    client.force_login(clinician)
    html = client.get(reverse("admin:patients_patient_progress", args=[patient.pk])).content
    html = html.decode()
    heat = html.split('class="heatmap"')[1].split("</svg>")[0]
    assert heat.count('class="tick"') >= 4  # months over the weeks, weekdays beside the rows
    pain = html.split('class="pain-chart"')[1].split("</svg>")[0]
    first_day = patient.today() - datetime.timedelta(20)
    assert f">{first_day.day} {first_day:%b}<" in pain
