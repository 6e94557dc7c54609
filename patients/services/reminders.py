"""Reminders and the calendar feed: the patient's own settings."""

import logging

from patients.models import (
    Patient,
    new_calendar_token,
)
from patients.services.people import patient_update

logger = logging.getLogger(__name__)


def reminders_stop(*, patient: Patient) -> None:
    """The unsubscribe link (in reminders and "new message" emails): reminder emails and
    message emails off; doing it twice changes nothing."""
    fields = [name for name in ("reminders_enabled", "message_emails") if getattr(patient, name)]
    if fields:
        for name in fields:
            setattr(patient, name, False)
        patient_update(patient, fields)
        logger.info("emails turned off by patient %s: %s", patient.pk, ",".join(fields))


def calendar_link_renew(*, patient: Patient) -> None:
    """Give the patient a new calendar feed secret; the old link stops working at once."""
    patient.calendar_token = new_calendar_token()
    patient_update(patient, ["calendar_token"])


def reminder_settings_save(*, patient: Patient, fields) -> None:
    """Save the patient's own reminder settings (already set on ``patient`` by their form)."""
    if fields:
        patient_update(patient, fields)
