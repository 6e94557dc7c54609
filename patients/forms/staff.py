"""Forms of the clinician's pages that are not a model's change form: assigning a program."""

from crispy_forms.helper import FormHelper
from django import forms

from clinic.validators import one_line
from exercises.models import Program
from patients.services import end_date_for
from patients.weekdays import EVERY_DAY, WeekdaysFormField

# <input type="date"> always speaks ISO 8601, whatever the site's locale.
ISO_DATE = "%Y-%m-%d"


class AssignProgramForm(forms.Form):
    """Assign a template to a patient: the template, when, which days, and a message."""

    program = forms.ModelChoiceField(
        queryset=Program.objects.none(),
        label="Program template",
        required=False,
        empty_label="— None: prescribe from scratch —",
        help_text="Its exercises are copied into the patient's plan; adjust each dose next.",
    )
    start_date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}, format=ISO_DATE))
    weeks = forms.IntegerField(
        min_value=1,
        max_value=52,
        required=False,
        initial=4,
        help_text="How long it lasts. Or give an end date instead.",
    )
    end_date = forms.DateField(
        required=False, widget=forms.DateInput(attrs={"type": "date"}, format=ISO_DATE)
    )
    weekdays = WeekdaysFormField(label="Days", initial=EVERY_DAY)
    sessions_per_day = forms.TypedChoiceField(
        choices=[(1, "Once a day"), (2, "Twice a day"), (3, "Three times a day")],
        coerce=int,
        initial=1,
        label="Sessions a day",
    )
    override_reason = forms.CharField(
        label="Prescribe anyway — reason",
        required=False,
        max_length=300,
        help_text="Only needed when an exercise matches the patient's precautions.",
        validators=[one_line],
    )
    message = forms.CharField(
        label="Message to the patient",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Shown at the top of their plan, e.g. “Little and often — stop if it hurts.”",
    )

    def __init__(self, *args, programs, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["program"].queryset = programs
        self.helper = FormHelper()
        self.helper.form_tag = False

    def clean(self):
        data = super().clean()
        start, end, weeks = data.get("start_date"), data.get("end_date"), data.get("weeks")
        if start and end and end < start:
            self.add_error("end_date", "The end date must be on or after the start date.")
        if end and weeks:
            self.add_error("weeks", "Give either a number of weeks or an end date, not both.")
        if start and weeks and not end:
            data["end_date"] = end_date_for(start_date=start, weeks=weeks)
        return data
