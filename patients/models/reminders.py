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

    patient = models.ForeignKey(
        Patient, on_delete=models.CASCADE, related_name="reminders", verbose_name=_("patient")
    )
    date = models.DateField(verbose_name=_("date"))
    sent_at = models.DateTimeField(default=timezone.now, verbose_name=_("sent at"))

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["patient", "date"], name="one_reminder_per_day")
        ]
        verbose_name = _("reminder sent")
        verbose_name_plural = _("reminders sent")

    def __str__(self) -> str:
        return gettext("Reminder for %(date)s") % {"date": self.date}


class WeeklySummarySent(models.Model):
    """One weekly summary per clinician per week (Monday), enforced by the database."""

    clinician = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("clinician"),
    )
    week = models.DateField(help_text=_("The Monday of the week."), verbose_name=_("week"))
    sent_at = models.DateTimeField(default=timezone.now, verbose_name=_("sent at"))

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["clinician", "week"], name="one_summary_per_week")
        ]
        verbose_name = _("weekly summary sent")
        verbose_name_plural = _("weekly summaries sent")

    def __str__(self) -> str:
        return gettext("Weekly summary for the week of %(week)s") % {"week": self.week}
