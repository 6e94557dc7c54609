"""The prescribing page's forms: the plan's name and schedule, and one row per exercise.

The rows travel with every request of the page (adding, removing, moving, searching), so
the page keeps the plan in the form itself until "Save and send": nothing is stored before.
"""

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.translation import gettext_lazy as _

from clinic.validators import one_line
from exercises.choices import Side
from exercises.models import EducationPage
from patients.forms.staff import ScheduleForm

MAX_ROWS = 20
ROW_PREFIX = "items"


class PrescribeForm(ScheduleForm):
    """The plan's name and schedule; the template it came from travels hidden."""

    field_order = ("name", "start_date", "weeks", "end_date", "weekdays", "sessions_per_day")

    name = forms.CharField(
        label=_("Plan name"), max_length=150, initial=_("Home exercise plan"), validators=[one_line]
    )
    program = forms.IntegerField(required=False, widget=forms.HiddenInput)
    client_uuid = forms.UUIDField(widget=forms.HiddenInput)
    # Changing an existing prescription: which, and the version it was opened at.
    editing = forms.IntegerField(required=False, widget=forms.HiddenInput)
    loaded_version = forms.IntegerField(required=False, widget=forms.HiddenInput)
    save_as_template = forms.BooleanField(
        label=_("Also keep this plan as one of my templates"), required=False
    )
    education = forms.ModelMultipleChoiceField(
        label=_("Reading for the patient"),
        queryset=EducationPage.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": _("That page is no longer offered: choose another.")},
    )
    education_in_handout = forms.BooleanField(
        label=_("Print the chosen pages in the handout"), required=False, initial=True
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The pages on offer, and those the prescription being changed already carries
        # (an archived page stays on it until the clinician unticks it).
        editing = str(self.data.get("editing") or self.initial.get("editing") or "")
        offered = EducationPage.objects.offered()
        if editing.isdigit():
            offered = offered | EducationPage.objects.filter(prescriptions__prescription=editing)
        self.fields["education"].queryset = offered.order_by("order", "title")

    def clean_education(self):
        # In the library's order, which is the order the patient sees them in.
        return sorted(self.cleaned_data["education"], key=lambda page: (page.order, page.title))


class PlanRowForm(forms.Form):
    """One exercise of the plan with its dose for this patient."""

    exercise = forms.IntegerField(widget=forms.HiddenInput)
    sets = forms.IntegerField(
        label=_("Sets"),
        validators=[MinValueValidator(1), MaxValueValidator(10)],
        widget=forms.NumberInput(attrs={"min": 1, "max": 10}),
    )
    reps = forms.IntegerField(
        label=_("Reps"),
        required=False,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
        widget=forms.NumberInput(attrs={"min": 1, "max": 100}),
    )
    hold_seconds = forms.IntegerField(
        label=_("Hold (s)"),
        required=False,
        validators=[MinValueValidator(1), MaxValueValidator(600)],
        widget=forms.NumberInput(attrs={"min": 1, "max": 600}),
    )
    side = forms.ChoiceField(label=_("Side"), choices=Side.choices)
    rest_seconds = forms.IntegerField(
        label=_("Rest (s)"),
        validators=[MinValueValidator(0), MaxValueValidator(600)],
        widget=forms.NumberInput(attrs={"min": 0, "max": 600}),
    )
    notes = forms.CharField(
        label=_("Note for the patient"), required=False, max_length=300, validators=[one_line]
    )
    override_reason = forms.CharField(
        label=_("Reason to prescribe anyway"),
        required=False,
        max_length=300,
        validators=[one_line],
    )

    def clean(self):
        data = super().clean()
        if (
            not self.has_error("reps")
            and not self.has_error("hold_seconds")
            and data.get("reps") is None
            and data.get("hold_seconds") is None
        ):
            self.add_error("reps", _("Give repetitions, a hold time, or both."))
        return data


PlanRowFormSet = forms.formset_factory(
    PlanRowForm, extra=0, max_num=MAX_ROWS, validate_max=True, absolute_max=MAX_ROWS
)

ROW_FIELDS = tuple(PlanRowForm.base_fields)


def rows_from_post(data) -> list[dict]:
    """The rows as posted (raw strings, in order), whatever their validity: what the page
    shows again after adding, removing or moving one."""
    try:
        total = min(int(data.get(f"{ROW_PREFIX}-TOTAL_FORMS", 0)), MAX_ROWS)
    except ValueError:
        total = 0
    rows = []
    for index in range(total):
        row = {name: data.get(f"{ROW_PREFIX}-{index}-{name}", "") for name in ROW_FIELDS}
        if str(row["exercise"]).isdigit():
            rows.append(row)
    return rows


def row_from_exercise(exercise, **dose) -> dict:
    """A new row with the exercise's default dose (or a template item's, given as ``dose``)."""
    row = {
        "exercise": exercise.pk,
        "sets": exercise.default_sets,
        "reps": exercise.default_reps or "",
        "hold_seconds": exercise.default_hold_seconds or "",
        "side": exercise.default_side,
        "rest_seconds": exercise.default_rest_seconds,
        "notes": "",
        "override_reason": "",
    }
    row.update({name: "" if value is None else value for name, value in dose.items()})
    return row


def formset_data(rows: list[dict]) -> dict:
    """Rows as the data of a bound formset, numbered in their order."""
    data = {
        f"{ROW_PREFIX}-TOTAL_FORMS": str(len(rows)),
        f"{ROW_PREFIX}-INITIAL_FORMS": "0",
        f"{ROW_PREFIX}-MIN_NUM_FORMS": "0",
        f"{ROW_PREFIX}-MAX_NUM_FORMS": str(MAX_ROWS),
    }
    for index, row in enumerate(rows):
        for name in ROW_FIELDS:
            value = row.get(name, "")
            data[f"{ROW_PREFIX}-{index}-{name}"] = "" if value is None else str(value)
    return data
