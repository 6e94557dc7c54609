import functools
import zoneinfo

from crispy_forms.helper import FormHelper
from django import forms
from django.contrib.auth import get_user_model, password_validation

from clinic.validators import one_line
from exercises.models import Program
from patients.models import Effort, Patient, SkipReason, SymptomReport
from patients.services import end_date_for
from patients.weekdays import EVERY_DAY, WeekdaysFormField

# <input type="date"> always speaks ISO 8601, whatever the site's locale.
ISO_DATE = "%Y-%m-%d"


@functools.cache
def timezone_choices() -> list[tuple[str, str]]:
    """Every IANA zone, as "Europe/London" choices; computed once per process."""
    zones = sorted(zone for zone in zoneinfo.available_timezones() if "/" in zone)
    return [(zone, zone.replace("_", " ")) for zone in ["UTC", *zones]]


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


class SetPasswordForm(forms.Form):
    """A new patient chooses their password (Django's validators apply)."""

    password1 = forms.CharField(
        label="Choose a password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html(),
    )
    password2 = forms.CharField(
        label="Type it again",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args, patient, **kwargs):
        super().__init__(*args, **kwargs)
        self.patient = patient

    def clean(self):
        data = super().clean()
        first, second = data.get("password1"), data.get("password2")
        if first and second and first != second:
            self.add_error("password2", "The two passwords are not the same.")
        elif first:
            # Validate against the patient's own details, as for an existing user.
            candidate = get_user_model()(
                username=self.patient.email,
                email=self.patient.email,
                first_name=self.patient.first_name,
                last_name=self.patient.last_name,
            )
            try:
                password_validation.validate_password(first, candidate)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return data


class SignInLinkForm(forms.Form):
    email = forms.EmailField(
        label="Your email address",
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )


PAIN_CHOICES = [(score, str(score)) for score in range(11)]


class ClientWriteForm(forms.Form):
    """What the page or the phone's offline queue adds to a check-off or "session done": the
    write's own UUID, when the patient made it, and the result version the form showed."""

    client_uuid = forms.UUIDField(
        required=False,
        error_messages={"invalid": "This entry's id is not valid: it must be a UUID."},
    )
    made_at = forms.DateTimeField(
        required=False,
        error_messages={"invalid": "This entry's time is not valid: it must be ISO 8601."},
    )
    seen = forms.CharField(required=False, max_length=36, strip=True)

    def clean_seen(self):
        # Absent means "no idea what was shown" (a plain form); "" means "nothing was logged".
        return self.cleaned_data["seen"] if "seen" in self.data else None

    def write_kwargs(self) -> dict:
        data = self.cleaned_data
        return {"client_uuid": data["client_uuid"], "made_at": data["made_at"]}


class SessionDoneForm(forms.Form):
    """Pain now (0-10 numeric rating scale), how it felt, and a note for the clinician."""

    pain = forms.TypedChoiceField(
        label="How much pain do you have now?",
        choices=PAIN_CHOICES,
        coerce=int,
        widget=forms.RadioSelect,
        help_text="0 = no pain, 10 = the worst pain you can imagine.",
        error_messages={
            "required": "Choose a number from 0 to 10 for your pain.",
            "invalid_choice": "Pain is a number from 0 to 10.",
        },
    )
    effort = forms.ChoiceField(
        label="How did the exercises feel?",
        choices=Effort.choices,
        widget=forms.RadioSelect,
        required=False,
    )
    note = forms.CharField(
        label="A note for your clinician (optional)",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class CheckForm(forms.Form):
    """Check an exercise off, skip it with a reason, or undo: one small POST."""

    ACTIONS = (("done", "Done"), ("skip", "Skip"), ("undo", "Undo"))

    exercise = forms.IntegerField(min_value=1)
    session = forms.IntegerField(min_value=1, max_value=3)
    action = forms.ChoiceField(choices=ACTIONS)
    reason = forms.ChoiceField(choices=[("", "—"), *SkipReason.choices], required=False)

    def clean(self):
        data = super().clean()
        if data.get("action") == "skip" and not data.get("reason"):
            self.add_error("reason", "Choose why you skipped it.")
        return data


class FunctionCheckInForm(forms.Form):
    """Rate each activity 0-10; name new ones (up to five in all) if there is room."""

    SCALE_HELP = "0 = unable to do it, 10 = able to do it as well as before the problem."

    def __init__(self, *args, activities, max_activities: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.activities = list(activities)
        for activity in self.activities:
            self.fields[f"score_{activity.pk}"] = forms.TypedChoiceField(
                label=activity.name,
                choices=PAIN_CHOICES,
                coerce=int,
                widget=forms.RadioSelect,
                error_messages={"required": "Choose a number from 0 to 10."},
            )
        self.new_slots = range(1, max_activities - len(self.activities) + 1)
        for slot in self.new_slots:
            self.fields[f"new_name_{slot}"] = forms.CharField(
                label=f"Another activity you find hard ({slot})",
                required=False,
                max_length=100,
                validators=[one_line],
            )
            self.fields[f"new_score_{slot}"] = forms.TypedChoiceField(
                label="How well can you do it now?",
                choices=[("", "—"), *PAIN_CHOICES],
                coerce=int,
                empty_value=None,
                required=False,
            )

    def clean(self):
        data = super().clean()
        for slot in self.new_slots:
            name, score = data.get(f"new_name_{slot}"), data.get(f"new_score_{slot}")
            if name and score is None:
                self.add_error(f"new_score_{slot}", "Rate this activity from 0 to 10.")
            if score is not None and not name:
                self.add_error(f"new_name_{slot}", "Name the activity you rated.")
        if not self.activities and not any(data.get(f"new_name_{s}") for s in self.new_slots):
            raise forms.ValidationError("Name at least one everyday activity you find hard.")
        return data

    def scores(self) -> dict[int, int]:
        return {a.pk: self.cleaned_data[f"score_{a.pk}"] for a in self.activities}

    def new_activities(self) -> list[tuple[str, int]]:
        return [
            (self.cleaned_data[f"new_name_{slot}"], self.cleaned_data[f"new_score_{slot}"])
            for slot in self.new_slots
            if self.cleaned_data.get(f"new_name_{slot}")
        ]


class SymptomReportForm(forms.Form):
    """What got worse. The page offers ``SymptomReport.offered()``; every code is accepted, so
    a report made on an older page and sent later from the phone's queue is never refused."""

    symptoms = forms.MultipleChoiceField(
        label="What has changed?",
        choices=SymptomReport.Symptom.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Tick at least one thing that has changed."},
    )
    note = forms.CharField(
        label="Tell your clinician more (optional)",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ReminderSettingsForm(forms.ModelForm):
    """The patient's own reminder preferences and time zone."""

    class Meta:
        model = Patient
        fields = ["reminders_enabled", "reminder_time", "reminder_weekdays", "timezone"]
        labels = {
            "reminders_enabled": "Email me a reminder on days with exercises",
            "reminder_time": "At what time?",
            "reminder_weekdays": "On which days? (none ticked: the days my exercises are due)",
            "timezone": "My time zone",
        }
        widgets = {
            "reminder_time": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reminder_weekdays"].required = False
        self.fields["timezone"].widget = forms.Select(choices=timezone_choices())
