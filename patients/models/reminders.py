"""Emails sent once: a reminder per patient and day, a summary per clinician and week."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from patients.models.people import Patient


class ReminderSent(models.Model):
    """One reminder email per patient per local day: the unique constraint is what keeps two
    workers (or a worker and cron) from both sending it."""

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="reminders")
    date = models.DateField()
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["patient", "date"], name="one_reminder_per_day")
        ]

    def __str__(self) -> str:
        return gettext("Reminder for %(date)s") % {"date": self.date}


class WeeklySummarySent(models.Model):
    """One weekly summary per clinician per week (Monday), enforced by the database."""

    clinician = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    week = models.DateField(help_text=_("The Monday of the week."))
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["clinician", "week"], name="one_summary_per_week")
        ]

    def __str__(self) -> str:
        return gettext("Weekly summary for the week of %(week)s") % {"week": self.week}
