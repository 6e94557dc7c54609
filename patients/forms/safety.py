""" "My symptoms got worse"."""

from django import forms
from django.utils.translation import gettext_lazy as _

from patients.models import SymptomReport


class SymptomReportForm(forms.Form):
    """What got worse. The page offers ``SymptomReport.offered()``; every code is accepted, so
    a report made on an older page and sent later from the phone's queue is never refused."""

    symptoms = forms.MultipleChoiceField(
        label=_("What has changed?"),
        choices=SymptomReport.Symptom.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Tick at least one thing that has changed.")},
    )
    note = forms.CharField(
        label=_("Tell your clinician more (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
