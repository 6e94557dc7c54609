"""Pausing a prescription: from when, until when, why, and a word to the patient."""

from django import forms
from django.utils.translation import gettext_lazy as _

from clinic.validators import one_line
from patients.forms.staff import ISO_DATE
from patients.models import PrescriptionPause


class PauseForm(forms.Form):
    starts_on = forms.DateField(
        label=_("From"), widget=forms.DateInput(attrs={"type": "date"}, format=ISO_DATE)
    )
    ends_on = forms.DateField(
        label=_("Until"),
        required=False,
        help_text=_("The last paused day. Leave empty to pause until you resume it."),
        widget=forms.DateInput(attrs={"type": "date"}, format=ISO_DATE),
    )
    reason = forms.ChoiceField(label=_("Why"), choices=PrescriptionPause.Reason.choices)
    message = forms.CharField(
        label=_("Message to the patient"),
        required=False,
        max_length=300,
        validators=[one_line],
        help_text=_("Shown on their plan while it is paused, e.g. “Rest until the flare settles.”"),
    )

    def clean(self):
        data = super().clean()
        starts_on, ends_on = data.get("starts_on"), data.get("ends_on")
        if starts_on and ends_on and ends_on < starts_on:
            self.add_error("ends_on", _("The last paused day is on or after the first."))
        return data
