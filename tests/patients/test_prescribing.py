import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from exercises.choices import Side
from exercises.models import Exercise
from patients import services
from patients.forms import AssignProgramForm
from patients.weekdays import describe_days, mask_from_days
from tests.factories import (
    ExerciseFactory,
    ProgramFactory,
    ProgramItemFactory,
)

pytestmark = pytest.mark.django_db

MON_WED_FRI = mask_from_days([0, 2, 4])
START = datetime.date(2026, 11, 2)


def assign(patient, program, by, **overrides):
    arguments = {
        "patient": patient,
        "program": program,
        "start_date": START,
        "end_date": None,
        "weekdays": MON_WED_FRI,
        "sessions_per_day": 1,
        "message": "Little and often.",
        "assigned_by": by,
    }
    arguments.update(overrides)
    return services.prescription_assign(**arguments)


@pytest.fixture
def program():
    program = ProgramFactory(name="Beginner")
    ProgramItemFactory(program=program, order=1, sets=3, reps=10, side=Side.EACH, notes="Slowly")
    ProgramItemFactory(program=program, order=2, sets=2, reps=None, hold_seconds=30)
    return program


def test_assigning_copies_the_template_items_as_a_snapshot(patient, clinician, program):
    prescription = assign(patient, program, clinician)
    copied = list(prescription.exercises.values_list("order", "sets", "reps", "side", "notes"))
    assert copied == [(1, 3, 10, "each", "Slowly"), (2, 2, None, "both", "")]
    assert prescription.name == "Beginner"
    assert prescription.created_by == clinician


def test_editing_the_template_later_never_changes_the_prescription(patient, clinician, program):
    prescription = assign(patient, program, clinician)
    item = program.items.first()
    item.reps = 25
    item.save()
    ProgramItemFactory(program=program, order=3)
    program.name = "Renamed"
    program.save()
    prescription.refresh_from_db()
    assert prescription.name == "Beginner"
    assert [e.reps for e in prescription.exercises.all()] == [10, None]


def test_dosage_defaults_flow_from_exercise_to_item_to_prescribed_exercise(patient, clinician):
    exercise = ExerciseFactory(
        default_sets=3, default_reps=None, default_hold_seconds=45, default_side=Side.EACH
    )
    program = ProgramFactory()
    item = program.items.model(program=program, exercise=exercise, order=1)
    item.take_defaults_from(exercise)
    item.save()
    prescribed = assign(patient, program, clinician).exercises.get()
    assert (prescribed.sets, prescribed.reps, prescribed.hold_seconds, prescribed.side) == (
        3,
        None,
        45,
        "each",
    )
    assert prescribed.dosage_text() == "hold 45 seconds, 3 times, each side"


def test_archived_exercise_in_the_template_is_refused_with_its_name(patient, clinician, program):
    item = program.items.first()
    Exercise.objects.filter(pk=item.exercise_id).update(status=Exercise.Status.ARCHIVED)
    with pytest.raises(ValidationError, match=f"cannot be prescribed: {item.exercise.name}"):
        assign(patient, program, clinician)
    assert not patient.prescriptions.exists()


def test_cannot_assign_to_another_clinicians_patient(other_patient, clinician, program):
    with pytest.raises(PermissionDenied):
        assign(other_patient, program, clinician)


def test_cannot_use_another_clinicians_own_template(patient, clinician, other_clinician):
    private = ProgramFactory(owner=other_clinician)
    with pytest.raises(PermissionDenied):
        assign(patient, private, clinician)


def test_superuser_may_assign_to_anyone(other_patient, superuser, program):
    assert assign(other_patient, program, superuser).patient == other_patient


def test_from_scratch_makes_an_empty_plan(patient, clinician):
    prescription = assign(patient, None, clinician)
    assert prescription.name == "Home exercise plan"
    assert not prescription.exercises.exists()


def test_end_before_start_is_refused_by_the_model(patient, clinician, program):
    with pytest.raises(ValidationError, match="end date must be on or after"):
        assign(patient, program, clinician, end_date=START - datetime.timedelta(days=1))


def form(data, programs=None):
    from exercises.models import Program

    return AssignProgramForm(data, programs=programs or Program.objects.all())


def test_assign_form_validates_dates_and_days(program):
    bad = form(
        {
            "program": program.pk,
            "start_date": "2026-11-10",
            "end_date": "2026-11-01",
            "weekdays": [],
            "sessions_per_day": 1,
        }
    )
    assert not bad.is_valid()
    assert bad.errors["end_date"] == ["The end date must be on or after the start date."]
    assert bad.errors["weekdays"] == ["Choose at least one day of the week."]


def test_assign_form_turns_weeks_into_an_end_date(program):
    good = form(
        {
            "program": program.pk,
            "start_date": "2026-11-02",
            "weeks": 2,
            "weekdays": ["0", "2", "4"],
            "sessions_per_day": "2",
        }
    )
    assert good.is_valid(), good.errors
    assert good.cleaned_data["end_date"] == datetime.date(2026, 11, 15)
    assert good.cleaned_data["weekdays"] == MON_WED_FRI
    assert describe_days(good.cleaned_data["weekdays"]) == "Mon, Wed, Fri"


def test_assign_form_refuses_weeks_and_end_date_together(program):
    both = form(
        {
            "program": program.pk,
            "start_date": "2026-11-02",
            "weeks": 2,
            "end_date": "2026-12-01",
            "weekdays": ["0"],
            "sessions_per_day": "1",
        }
    )
    assert not both.is_valid()
    assert "not both" in both.errors["weeks"][0]
