"""Safety: the patient acknowledges the advice, reports worse symptoms."""

import datetime
import logging
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext as _

from patients.models import (
    Patient,
    SymptomReport,
)
from patients.services.people import patient_update

logger = logging.getLogger(__name__)


def safety_acknowledge(*, patient: Patient) -> None:
    """Record when the patient confirmed reading "When to stop and get help" (first time)."""
    if patient.safety_acknowledged_at is None:
        patient.safety_acknowledged_at = timezone.now()
        patient_update(patient, ["safety_acknowledged_at"])


@transaction.atomic
def symptom_report_create(
    *,
    patient: Patient,
    symptoms: list[str],
    note: str,
    progress_url: str,
    client_uuid: uuid.UUID | None = None,
    made_at: datetime.datetime | None = None,
) -> SymptomReport:
    """Record worse symptoms, put the patient in the clinician's queue (first, marked urgent,
    for an emergency sign), and email the clinician (or the clinic address). Pauses nothing:
    the clinician decides.

    With a ``client_uuid`` a report sent twice (a double tap, the phone's offline queue sent
    again) is stored and emailed once. ``made_at`` is when the patient made a report that the
    phone sent later; a report is never refused for its age, only dated no later than now.
    """
    if client_uuid is not None:
        existing = SymptomReport.objects.filter(client_uuid=client_uuid).first()
        if existing is not None:
            if existing.patient_id != patient.pk:
                raise ValidationError(
                    _("This entry's id has already been used for something else."),
                    code="uuid_reused",
                )
            return existing
    now = timezone.now()
    try:
        # A savepoint: the same report arriving twice at once (Background Sync and a page
        # load) makes the second insert fail, and that caller then returns the first one.
        with transaction.atomic():
            report = SymptomReport.objects.create(
                patient=patient,
                symptoms=",".join(symptoms),
                note=note,
                is_emergency=SymptomReport.level_for(symptoms) == SymptomReport.Level.EMERGENCY,
                created_at=now,
                made_at=min(made_at, now) if made_at else None,
                client_uuid=client_uuid,
            )
    except IntegrityError:
        existing = SymptomReport.objects.get(client_uuid=client_uuid)
        if existing.patient_id != patient.pk:
            raise ValidationError(
                _("This entry's id has already been used for something else."),
                code="uuid_reused",
            ) from None
        return existing
    # A clinician may turn these emails off (clinic/email_settings.py); an emergency is
    # emailed all the same: it must not wait until someone opens the queue.
    wanted = report.is_emergency or patient.clinician.notification_emails
    recipient = (patient.clinician.email or settings.CLINIC_EMAIL) if wanted else ""
    if recipient:
        context = {
            "patient": patient,
            "report": report,
            "clinic_name": settings.CLINIC_NAME,
            "progress_url": progress_url,
        }
        # Email is not a safe place for health data: a first name, an initial and a link.
        transaction.on_commit(lambda: _symptom_report_email(report, recipient, context))
    logger.info(
        "symptom report %s by patient %s (emergency=%s)", report.pk, patient.pk, report.is_emergency
    )
    return report


def _symptom_report_email(report, recipient: str, context: dict) -> None:
    """To the clinician, in the clinic's language (settings.LANGUAGE_CODE), not in the
    patient's, whose request sends it."""
    with translation.override(settings.LANGUAGE_CODE):
        send_mail(
            subject=gettext("URGENT: A patient reported worse symptoms")
            if report.is_emergency
            else gettext("A patient reported worse symptoms"),
            message=render_to_string("patients/email/symptom_report.txt", context),
            from_email=None,
            recipient_list=[recipient],
        )
