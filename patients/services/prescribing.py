"""Prescribing: assigning a program to a patient (a snapshot of its exercises)."""

import datetime
import logging

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from exercises.models import Exercise, Program
from patients import changes, contraindications
from patients.models import (
    Patient,
    PrescribedExercise,
    Prescription,
)
from patients.services.people import check_owns_patient

logger = logging.getLogger(__name__)


def _check_prescribable(exercises) -> None:
    not_published = sorted(
        {exercise.name for exercise in exercises if exercise.status != Exercise.Status.PUBLISHED}
    )
    if not_published:
        raise ValidationError(
            "These exercises are archived or unpublished and cannot be prescribed: %(names)s. "
            "Replace them in the template first.",
            code="archived_exercise",
            params={"names": ", ".join(not_published)},
        )


def end_date_for(*, start_date: datetime.date, weeks: int) -> datetime.date:
    """The last day of a program that lasts ``weeks`` weeks from ``start_date``."""
    return start_date + datetime.timedelta(weeks=weeks, days=-1)


@transaction.atomic
def prescription_assign(
    *,
    patient: Patient,
    program: Program | None,
    start_date: datetime.date,
    end_date: datetime.date | None,
    weekdays: int,
    sessions_per_day: int,
    message: str,
    assigned_by,
    override_reason: str = "",
) -> Prescription:
    """Assign a template to a patient (or, with ``program=None``, start an empty plan).

    The template's items are copied into the prescription: later edits to the template
    never change this patient's plan. Refuses another clinician's patient, templates the
    clinician may not use, and archived exercises.
    """
    check_owns_patient(assigned_by, patient)
    items = []
    if program is not None:
        if not Program.objects.usable_by(assigned_by).filter(pk=program.pk).exists():
            raise PermissionDenied("This template belongs to another clinician.")
        items = list(
            program.items.select_related("exercise").prefetch_related("exercise__precaution_tags")
        )
        _check_prescribable(item.exercise for item in items)
    found = contraindications.check(patient, [item.exercise for item in items], override_reason)
    prescription = Prescription(
        patient=patient,
        program=program,
        name=program.name if program else "Home exercise plan",
        start_date=start_date,
        end_date=end_date,
        weekdays=weekdays,
        sessions_per_day=sessions_per_day,
        message=message,
        created_by=assigned_by,
    )
    prescription.full_clean()
    prescription.save()
    prescribed = PrescribedExercise.objects.bulk_create(
        PrescribedExercise.snapshot_of(item, prescription=prescription, order=position)
        for position, item in enumerate(items, start=1)
    )
    contraindications.record(
        prescribed=prescribed, found=found, reason=override_reason, decided_by=assigned_by
    )
    # One INSERT of 1 + n audit events and one new stamp, for the plan and each exercise.
    changes.record(
        patient.pk, [changes.created(prescription), *(changes.created(p) for p in prescribed)]
    )
    logger.info(
        "prescription %s assigned to patient %s by user %s",
        prescription.pk,
        patient.pk,
        assigned_by.pk,
    )
    return prescription
