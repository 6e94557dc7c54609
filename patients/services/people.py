"""Writes about the patient as a person: whose patient they are, deactivation."""

import logging

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from patients import changes
from patients.models import (
    Patient,
    PrescribedExercise,
    SessionLog,
)

logger = logging.getLogger(__name__)


def check_owns_patient(user, patient: Patient) -> None:
    if not (user.is_superuser or patient.clinician_id == user.pk):
        raise PermissionDenied("This patient belongs to another clinician.")


def patient_history_counts(patient: Patient) -> dict[str, int]:
    """What deleting this patient would destroy, for the confirmation page."""
    return {
        _("prescriptions"): patient.prescriptions.count(),
        _("prescribed exercises"): PrescribedExercise.objects.filter(
            prescription__patient=patient
        ).count(),
        _("logged sessions"): SessionLog.objects.for_patient(patient).count(),
    }


@transaction.atomic
def patient_active_set(*, patient: Patient, active: bool) -> None:
    """Deactivate (or reactivate) a patient; their history is kept.

    A deactivated patient's account is made inactive too, so every session they have, on
    any device, stops working at its next request (Django's backends refuse inactive users)
    and they cannot sign in again until the clinic reactivates them.
    """
    if patient.is_active != active:
        patient.is_active = active
        patient_update(patient, ["is_active"])
    if patient.user_id is not None:
        get_user_model().objects.filter(pk=patient.user_id).update(is_active=active)
    logger.info("patient %s %s", patient.pk, "reactivated" if active else "deactivated")


def patient_update(patient: Patient, fields) -> None:
    """Save these fields of ``patient`` (already set on it) through the write path: the
    audit trail records which ones changed, and the patient's day page is rebuilt."""
    fields = list(fields)
    patient.save(update_fields=[*fields, "updated_at"])
    changes.record(patient.pk, [changes.changed(patient, fields)])
