"""Reminders and the calendar feed: the patient's own settings."""

import logging

from patients.models import (
    Patient,
    new_calendar_token,
)

logger = logging.getLogger(__name__)


def reminders_stop(*, patient: Patient) -> None:
    """Turn reminder emails off (the unsubscribe link); doing it twice changes nothing."""
    if patient.reminders_enabled:
        patient.reminders_enabled = False
        patient.save(update_fields=["reminders_enabled", "updated_at"])
        logger.info("reminders turned off by patient %s", patient.pk)


def calendar_link_renew(*, patient: Patient) -> None:
    """Give the patient a new calendar feed secret; the old link stops working at once."""
    patient.calendar_token = new_calendar_token()
    patient.save(update_fields=["calendar_token", "updated_at"])
