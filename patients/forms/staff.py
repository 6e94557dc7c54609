"""The clinician's forms: a patient, a prescription and its exercises (the admin's change
forms), and assigning a program."""

from crispy_forms.helper import FormHelper
from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from clinic.validators import one_line
from exercises.forms import DosageItemForm
from exercises.models import Program
from patients import contraindications, services
from patients.models import Patient, Prescription
from patients.services import end_date_for
from patients.weekdays import EVERY_DAY, WeekdaysFormField

# <input type="date"> always speaks ISO 8601, whatever the site's locale.
ISO_DATE = "%Y-%m-%d"


class ScheduleForm(forms.Form):
    """When a plan runs, on which days, how often, and the message to the patient."""

    start_date = forms.DateField(
        label=_("Start date"), widget=forms.DateInput(attrs={"type": "date"}, format=ISO_DATE)
    )
    weeks = forms.IntegerField(
        label=_("Weeks"),
        min_value=1,
        max_value=52,
        required=False,
        initial=4,
        help_text=_("How long it lasts. Or give an end date instead."),
    )
    end_date = forms.DateField(
        label=_("End date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format=ISO_DATE),
    )
    weekdays = WeekdaysFormField(label=_("Days"), initial=EVERY_DAY)
    sessions_per_day = forms.TypedChoiceField(
        choices=[(1, _("Once a day")), (2, _("Twice a day")), (3, _("Three times a day"))],
        coerce=int,
        initial=1,
        label=_("Sessions a day"),
    )
    message = forms.CharField(
        label=_("Message to the patient"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Shown at the top of their plan, e.g. “Little and often — stop if it hurts.”"),
    )

    def clean(self):
        data = super().clean()
        start, end, weeks = data.get("start_date"), data.get("end_date"), data.get("weeks")
        if start and end and end < start:
            self.add_error("end_date", _("The end date must be on or after the start date."))
        if end and weeks:
            self.add_error("weeks", _("Give either a number of weeks or an end date, not both."))
        if start and weeks and not end:
            data["end_date"] = end_date_for(start_date=start, weeks=weeks)
        return data


class AssignProgramForm(ScheduleForm):
    """Assign a template to a patient: the template, when, which days, and a message."""

    field_order = (
        "program",
        "start_date",
        "weeks",
        "end_date",
        "weekdays",
        "sessions_per_day",
        "override_reason",
        "message",
    )

    program = forms.ModelChoiceField(
        queryset=Program.objects.none(),
        label=_("Program template"),
        required=False,
        empty_label=_("— None: prescribe from scratch —"),
        help_text=_("Its exercises are copied into the patient's plan; adjust each dose next."),
    )
    override_reason = forms.CharField(
        label=_("Prescribe anyway — reason"),
        required=False,
        max_length=300,
        help_text=_("Only needed when an exercise matches the patient's precautions."),
        validators=[one_line],
    )

    def __init__(self, *args, programs, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["program"].queryset = programs
        self.helper = FormHelper()
        self.helper.form_tag = False


class PatientForm(forms.ModelForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "language" in self.fields:
            # Each language in its own name; left out of a form, the patient's stays (a new
            # patient's is the clinic's).
            self.fields["language"].required = False
            self.fields["language"].help_text = _(
                "Their plan, emails, handout and spoken cues use it. Write the message of a "
                "program in this language; the patient can change it in their settings."
            )

    def clean_language(self):
        return self.cleaned_data.get("language") or self.instance.language

    def clean_email(self):
        # Stored lower-cased; some letters grow when lower-cased ("İ" becomes two
        # characters), so the length is checked after, not before.
        email = (self.cleaned_data.get("email") or "").strip().lower()
        limit = Patient._meta.get_field("email").max_length
        if len(email) > limit:
            raise ValidationError(
                _("This email address is too long (at most %(limit)s characters)."),
                code="max_length",
                params={"limit": limit},
            )
        # An address belongs to one account at most, staff included: shared, it would sign
        # nobody in by email (clinic.backends), a member of staff included.
        if email and services.email_in_use(email, except_user_id=self.instance.user_id):
            raise ValidationError(
                _(
                    "Another account already uses this email address. Each person needs "
                    "their own address."
                ),
                code="email_in_use",
            )
        return email


class PrescribedExerciseForm(DosageItemForm):
    """A patient's exercise. One that matches the patient's precaution tags needs a reason."""

    override_reason = forms.CharField(
        label=_("Prescribe anyway — reason"),
        required=False,
        max_length=300,
        widget=forms.TextInput(attrs={"size": 18}),
        validators=[one_line],
    )

    def clean(self):
        data = super().clean()
        exercise = data.get("exercise")
        prescription = getattr(self.instance, "prescription", None)
        if exercise is None or prescription is None or "exercise" not in self.changed_data:
            return data
        self.contraindications = contraindications.matching(prescription.patient, [exercise])
        if self.contraindications and not data.get("override_reason", "").strip():
            self.add_error(
                "override_reason", contraindications.ContraindicationWarning(self.contraindications)
            )
        return data


class PrescriptionForm(forms.ModelForm):
    """The prescription's change form, refused when someone saved the prescription since it
    was opened (the version it was loaded at travels in a hidden field)."""

    CONFLICT = _(
        "Someone else changed this prescription after you opened it, so your changes were "
        "not saved. Open it again to see their changes, then make yours."
    )

    loaded_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["loaded_version"].initial = self.instance.version
        status = self.fields.get("status")
        if status is not None and self.instance.status != Prescription.Status.PAUSED:
            # Pausing is a period with a reason ("Pause" on the patient page); the old
            # status, which made every day not due, past days included, is not offered.
            status.choices = [c for c in status.choices if c[0] != Prescription.Status.PAUSED]

    def clean(self):
        data = super().clean()
        if self.instance.pk is None:
            return data
        # The admin's change view runs in one transaction, so the lock taken here holds
        # until this save commits: a second save of the same version waits, then fails.
        current = self.instance.current_version_locked()
        if data.get("loaded_version") != current:
            raise ValidationError(self.CONFLICT, code="conflict")
        self.instance.version = current
        return data
