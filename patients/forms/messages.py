"""The patient's compose box on `/plan/messages/`: the text, the exercise it asks about, and
"Send it to my clinic too" after the urgent-care advice. The write's id and time come with
``ClientWriteForm`` (patients/forms/logs.py)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from patients.models import MESSAGE_MAX_LENGTH
from patients.services.messages import message_text_clean


class MessageForm(forms.Form):
    text = forms.CharField(
        label=_("Your message"),
        # Counted by message_text_clean once line breaks are one character each (a browser
        # sends them as two); the box's own maxlength stops the typing at the same limit.
        strip=False,
        widget=forms.Textarea(attrs={"rows": 4, "maxlength": MESSAGE_MAX_LENGTH}),
        error_messages={"required": _("Write your message first.")},
    )
    # The prescribed exercise it asks about ("Ask about this exercise"); the view checks it is
    # on the patient's plan.
    exercise = forms.IntegerField(
        required=False, min_value=1, max_value=2**31 - 1, widget=forms.HiddenInput
    )
    # "Send it to my clinic too": the patient has seen the urgent-care advice.
    confirmed = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def clean_text(self):
        return message_text_clean(self.cleaned_data["text"])
