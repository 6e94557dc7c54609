"""The patient's settings: reminders, time zone, guided mode's cues, offline videos and the
email about a new message."""

import functools
import zoneinfo

from django import forms
from django.conf import settings
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
            "language",
            "reminders_enabled",
            "reminder_time",
            "reminder_weekdays",
            "timezone",
            "cue_sound",
            "cue_voice",
            "calendar_alarm",
            "keep_videos_offline",
            "message_emails",
        ]
        labels = {
            "language": _("Language"),
            "reminders_enabled": _("Email me a reminder on days with exercises"),
            "reminder_time": _("At what time?"),
            "reminder_weekdays": _("On which days? (none ticked: the days my exercises are due)"),
            "timezone": _("My time zone"),
            "cue_sound": _("Sounds and vibration in guided mode"),
            "cue_voice": _("Spoken cues in guided mode"),
            "calendar_alarm": _("Add an alert at the reminder time to the calendar events"),
            "keep_videos_offline": _("Keep videos on this phone"),
            "message_emails": _("Email me when my clinic sends me a message"),
        }
        widgets = {
            "reminder_time": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reminder_weekdays"].required = False
        # Each language in its own name ("Español"), so a patient finds theirs whatever the
        # page's language; a form sent without it keeps the patient's language as it is.
        self.fields["language"].required = False
        self.fields["language"].choices = settings.LANGUAGES
        self.fields["language"].help_text = _(
            "Your plan, your emails and the spoken cues in guided mode use this language."
        )
        # A text box with suggestions (a <datalist>), not a menu of 600 names: the patient
        # types "Lon" and picks Europe/London; the likeliest zones come first.
        self.fields["timezone"].widget = forms.TextInput(
            attrs={
                "list": "timezone-list",
                "autocomplete": "off",
                "autocapitalize": "off",
                "spellcheck": "false",
                "class": "form-control",
                "aria-describedby": "id_timezone_help",
            }
        )
        self.fields["timezone"].help_text = _(
            "Type a city, such as London or New York, and pick it from the list."
        )

    def clean_language(self):
        return self.cleaned_data.get("language") or self.instance.language

    def zone_suggestions(self) -> list[tuple[str, str]]:
        """The datalist's zones: the patient's own, the clinic's and others of the same region
        first, then every other zone."""
        current = self.instance.timezone or settings.TIME_ZONE
        region = current.split("/", 1)[0] + "/"
        likely = [current, settings.TIME_ZONE]
        likely += [zone for zone, _label in timezone_choices() if zone.startswith(region)]
        seen, ordered = set(), []
        for zone in [*likely, *(zone for zone, _label in timezone_choices())]:
            if zone not in seen:
                seen.add(zone)
                ordered.append((zone, zone.replace("_", " ")))
        return ordered
