"""Pausing and resuming a prescription: a pause is a period (from, until, reason, message to
the patient), so the days before it keep the due status they had, and adherence, streaks,
the queue and reminders count only the days outside pauses (``schedule.is_due_on``)."""

import datetime
import logging

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.utils.translation import gettext as _

from patients import changes
from patients.models import Prescription, PrescriptionPause
from patients.services.people import check_owns_patient

logger = logging.getLogger(__name__)


def _store_periods(prescription: Prescription) -> None:
    """Copy the pauses onto the prescription (what the schedule reads without a query) and
    save it through the write path, so its change is audited, the patient's day page is drawn
    again and a form opened before the pause is refused (the version rises)."""
    prescription.pause_periods = [pause.as_period() for pause in prescription.pauses.all()]
    prescription.version = F("version") + 1
    prescription.save(update_fields=["pause_periods", "version", "updated_at"])
    prescription.refresh_from_db(fields=["version"])
    changes.record(prescription.patient_id, [changes.changed(prescription, ["pause_periods"])])


def current_pause(prescription: Prescription, today: datetime.date) -> PrescriptionPause | None:
    """The pause running today or planned for later, if any."""
    return (
        prescription.pauses.filter(Q(ends_on__isnull=True) | Q(ends_on__gte=today))
        .order_by("starts_on")
        .first()
    )


@transaction.atomic
def prescription_pause(
    *,
    prescription: Prescription,
    starts_on: datetime.date,
    ends_on: datetime.date | None,
    reason: str,
    message: str,
    paused_by,
) -> PrescriptionPause:
    """Pause from ``starts_on`` (today or later: the past is not rewritten) until
    ``ends_on`` (None: until resumed). Refuses a pause that overlaps another."""
    prescription = Prescription.objects.select_for_update().get(pk=prescription.pk)
    check_owns_patient(paused_by, prescription.patient)
    today = prescription.patient.today()
    if starts_on < today:
        raise ValidationError(
            {"starts_on": _("A pause starts today or later: days gone by keep what was due.")}
        )
    overlapping = prescription.pauses.filter(Q(ends_on__isnull=True) | Q(ends_on__gte=starts_on))
    if ends_on is not None:
        overlapping = overlapping.filter(starts_on__lte=ends_on)
    if overlapping.exists():
        raise ValidationError(_("This plan is already paused then: resume it or change the dates."))
    pause = PrescriptionPause(
        prescription=prescription,
        starts_on=starts_on,
        ends_on=ends_on,
        reason=reason,
        message=message,
        created_by=paused_by,
    )
    pause.full_clean(exclude=["prescription"])
    pause.save()
    _store_periods(prescription)
    logger.info("prescription %s paused by user %s", prescription.pk, paused_by.pk)
    return pause


@transaction.atomic
def prescription_resume(*, prescription: Prescription, resumed_by) -> bool:
    """End the running pause yesterday (today is due again), or drop a pause that has not
    started; returns whether there was one."""
    prescription = Prescription.objects.select_for_update().get(pk=prescription.pk)
    check_owns_patient(resumed_by, prescription.patient)
    today = prescription.patient.today()
    pause = current_pause(prescription, today)
    if pause is None:
        return False
    if pause.starts_on >= today:
        pause.delete()
    else:
        pause.ends_on = today - datetime.timedelta(days=1)
        pause.save(update_fields=["ends_on"])
    _store_periods(prescription)
    logger.info("prescription %s resumed by user %s", prescription.pk, resumed_by.pk)
    return True
