"""The patient's settings: reminders, time zone and guided mode's cues."""

import functools
import zoneinfo

from django import forms
from django.utils.translation import gettext_lazy as _

from patients.models import Patient


@functools.cache
def timezone_choices() -> list[tuple[str, str]]:
    """Every IANA zone, as "Europe/London" choices; computed once per process."""
    zones = sorted(zone for zone in zoneinfo.available_timezones() if "/" in zone)
    return [(zone, zone.replace("_", " ")) for zone in ["UTC", *zones]]


class ReminderSettingsForm(forms.ModelForm):
    """The patient's own reminder preferences and time zone."""

    class Meta:
        model = Patient
        fields = [
            "reminders_enabled",
            "reminder_time",
            "reminder_weekdays",
            "timezone",
            "cue_sound",
            "cue_voice",
        ]
        labels = {
            "reminders_enabled": "Email me a reminder on days with exercises",
            "reminder_time": "At what time?",
            "reminder_weekdays": "On which days? (none ticked: the days my exercises are due)",
            "timezone": "My time zone",
            "cue_sound": _("Sounds and vibration in guided mode"),
            "cue_voice": _("Spoken cues in guided mode"),
        }
        widgets = {
            "reminder_time": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reminder_weekdays"].required = False
        self.fields["timezone"].widget = forms.Select(choices=timezone_choices())
