"""Archived exercises inside templates: flagged in the template list and page, a stand-in (the
exercise's easier or harder variant) or "leave it out" when assigning, the prescribing page
swapping in the variant, and the editor told which templates use what they archive."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from exercises.models import Exercise
from patients import services
from patients.models import Prescription
from tests.factories import EditorFactory, ExerciseFactory, ProgramFactory, ProgramItemFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def template():
    """A clinic-wide template whose second exercise an editor archived; it has an easier
    variant (published) and a harder one (archived too: never offered)."""
    easier = ExerciseFactory(name="Wall clamshell")
    harder = ExerciseFactory(name="Banded clamshell", status=Exercise.Status.ARCHIVED)
    archived = ExerciseFactory(
        name="Clamshell", easier=easier, harder=harder, status=Exercise.Status.ARCHIVED
    )
    program = ProgramFactory(name="Hips weeks 1-2", owner=None)
    ProgramItemFactory(program=program, exercise=ExerciseFactory(name="Bridge"), order=1)
    ProgramItemFactory(program=program, exercise=archived, order=2, notes="Slowly.")
    return program


def archived_item(program):
    return program.items.get(exercise__name="Clamshell")


def assign(patient, program, by, **extra):
    return services.prescription_assign(
        patient=patient,
        program=program,
        start_date=datetime.date(2026, 11, 30),
        end_date=None,
        weekdays=127,
        sessions_per_day=1,
        message="",
        assigned_by=by,
        **extra,
    )


def names(prescription):
    return [item.exercise.name for item in prescription.exercises.order_by("order")]


def test_assign_swaps_in_the_variant_or_leaves_it_out(patient, clinician, template):
    item = archived_item(template)
    with pytest.raises(ValidationError, match="Choose a stand-in for each, or leave it out"):
        assign(patient, template, clinician)
    easier = Exercise.objects.get(name="Wall clamshell")
    swapped = assign(patient, template, clinician, stand_ins={item.pk: easier.pk})
    assert names(swapped) == ["Bridge", "Wall clamshell"]
    assert swapped.exercises.get(exercise=easier).notes == "Slowly."
    left_out = assign(patient, template, clinician, stand_ins={item.pk: None})
    assert names(left_out) == ["Bridge"]
    harder = Exercise.objects.get(name="Banded clamshell")  # archived: not a stand-in
    with pytest.raises(ValidationError, match="Choose one of the variants"):
        assign(patient, template, clinician, stand_ins={item.pk: harder.pk})
    assert template.items.count() == 2  # the template itself is unchanged


def test_the_assign_page_offers_the_choice_and_goes_on(client, clinician, patient, template):
    client.force_login(clinician)
    url = reverse("admin:patients_patient_assign", args=[patient.pk])
    data = {"program": template.pk, "start_date": "2026-11-30", "weekdays": ["0"], "weeks": 4}
    data["sessions_per_day"] = 1
    html = client.post(url, data).content.decode()
    assert "No longer in the library" in html
    assert "Swap for Wall clamshell" in html
    assert "(easier)" in html
    assert "Banded clamshell" not in html
    assert "Leave it out" in html
    assert not Prescription.objects.exists()
    item = archived_item(template)
    response = client.post(url, {**data, f"stand_in-{item.pk}": "leave"})
    assert response.status_code == 302
    assert names(Prescription.objects.get()) == ["Bridge"]


def test_template_list_and_page_flag_archived_exercises(client, clinician, template):
    ProgramFactory(name="All fine", owner=None)
    client.force_login(clinician)
    html = client.get(reverse("admin:exercises_program_changelist")).content.decode()
    assert html.count("No longer in the library") == 1
    assert "No longer in the library: Clamshell" in html
    html = client.get(
        reverse("admin:exercises_program_change", args=[template.pk])
    ).content.decode()
    assert "No longer in the library: Clamshell" in html


def test_prescribing_page_loads_the_variant_in_its_place(client, clinician, patient, template):
    client.force_login(clinician)
    html = client.get(
        reverse("admin:patients_patient_prescribe", args=[patient.pk]),
        {"template": template.pk},
    ).content.decode()
    plan = html.split('id="plan-panel"')[1]
    assert "1. Bridge" in plan
    assert "2. Wall clamshell" in plan
    assert "Clamshell is no longer in the library: Wall clamshell stands in for it." in html


def test_archiving_tells_the_editor_which_templates_use_it(client, template):
    editor = EditorFactory(username="editor-archiving")
    bridge = Exercise.objects.get(name="Bridge")
    client.force_login(editor)
    response = client.post(
        reverse("admin:exercises_exercise_archive", args=[bridge.pk]), follow=True
    )
    html = response.content.decode()
    assert "Templates that use it: “Hips weeks 1-2”" in html
    response = client.post(
        reverse("admin:exercises_exercise_changelist"),
        {"action": "archive", "_selected_action": [bridge.pk]},
        follow=True,
    )
    assert "Templates that use it" in response.content.decode()
