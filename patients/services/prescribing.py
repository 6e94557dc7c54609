"""Prescribing: assigning a program to a patient (a snapshot of its exercises)."""

import datetime
import logging
import uuid
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from exercises.models import DOSE_FIELDS, Exercise, Program, ProgramItem
from patients import changes, contraindications
from patients.models import (
    Patient,
    PrescribedExercise,
    Prescription,
)
from patients.services.education import education_matches, education_sync
from patients.services.people import check_owns_patient

logger = logging.getLogger(__name__)


def _check_prescribable(exercises) -> None:
    not_published = sorted(
        {exercise.name for exercise in exercises if exercise.status != Exercise.Status.PUBLISHED}
    )
    if not_published:
        raise ValidationError(
            _(
                "These exercises are archived or unpublished and cannot be prescribed: "
                "%(names)s. Choose a stand-in for each, or leave it out."
            ),
            code="archived_exercise",
            params={"names": ", ".join(not_published)},
        )


def _with_stand_ins(items: list[ProgramItem], choices: dict[int, int | None]) -> list:
    """The items with each archived one swapped for the variant chosen for it (with the
    variant's own default dose) or left out; archived items without a choice stay, and are
    refused by ``_check_prescribable``."""
    kept = []
    for item in items:
        if not item.is_archived or item.pk not in choices:
            kept.append(item)
            continue
        choice = choices[item.pk]
        if choice is None:
            continue  # left out
        variant = next((v for v in item.stand_ins() if v.pk == choice), None)
        if variant is None:
            raise ValidationError(
                _("Choose one of the variants offered for %(name)s, or leave it out."),
                code="bad_stand_in",
                params={"name": item.exercise.name},
            )
        swapped = ProgramItem(program=item.program, exercise=variant, order=item.order)
        swapped.take_defaults_from(variant)
        swapped.notes = item.notes
        kept.append(swapped)
    return kept


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
    stand_ins: dict[int, int | None] | None = None,
) -> Prescription:
    """Assign a template to a patient (or, with ``program=None``, start an empty plan).

    The template's items are copied into the prescription: later edits to the template
    never change this patient's plan. Refuses another clinician's patient, templates the
    clinician may not use, and archived exercises — unless ``stand_ins`` says, for each
    archived item (by id), which of its published variants takes its place or ``None`` to
    leave it out.
    """
    check_owns_patient(assigned_by, patient)
    items = []
    if program is not None:
        if not Program.objects.usable_by(assigned_by).filter(pk=program.pk).exists():
            raise PermissionDenied("This template belongs to another clinician.")
        items = list(
            program.items.select_related(
                "exercise", "exercise__easier", "exercise__harder"
            ).prefetch_related("exercise__precaution_tags")
        )
        items = _with_stand_ins(items, stand_ins or {})
        _check_prescribable(item.exercise for item in items)
    found = contraindications.precautions_check(
        patient, [item.exercise for item in items], override_reason
    )
    prescription = Prescription(
        patient=patient,
        program=program,
        name=program.name if program else _("Home exercise plan"),
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


@dataclass
class PlanRow:
    """One exercise of a plan built on the prescribing page, with its dose and, when it
    matches the patient's precautions, the clinician's reason to prescribe it anyway."""

    exercise: Exercise
    sets: int
    reps: int | None
    hold_seconds: int | None
    side: str
    rest_seconds: int
    notes: str = ""
    override_reason: str = ""

    def dose(self) -> dict:
        return {name: getattr(self, name) for name in DOSE_FIELDS}


def prescription_create(
    *,
    patient: Patient,
    rows: list[PlanRow],
    name: str,
    program: Program | None,
    start_date: datetime.date,
    end_date: datetime.date | None,
    weekdays: int,
    sessions_per_day: int,
    message: str,
    created_by,
    client_uuid: uuid.UUID | None = None,
    education: list | None = None,
    education_in_handout: bool = False,
) -> tuple[Prescription, bool]:
    """Create a prescription with the exercises and doses the clinician chose on the
    prescribing page, in one transaction; returns (prescription, created).

    The same ``client_uuid`` twice (a double tap, a resent form) returns the first
    prescription, ``created`` False, and changes nothing. Each row that matches the patient's
    precaution tags needs its own reason, recorded like every other override. ``education``:
    the education pages it carries, printed in the handout when ``education_in_handout``.
    """
    if client_uuid is not None:
        existing = Prescription.objects.filter(client_uuid=client_uuid, patient=patient).first()
        if existing is not None:
            return existing, False
    try:
        with transaction.atomic():
            return _create(
                patient=patient,
                rows=rows,
                name=name,
                program=program,
                start_date=start_date,
                end_date=end_date,
                weekdays=weekdays,
                sessions_per_day=sessions_per_day,
                message=message,
                created_by=created_by,
                client_uuid=client_uuid,
                education=education or [],
                education_in_handout=education_in_handout,
            ), True
    except IntegrityError:
        # The same form arriving twice at once: the second insert loses the race.
        existing = Prescription.objects.filter(client_uuid=client_uuid, patient=patient).first()
        if client_uuid is None or existing is None:
            raise
        return existing, False


def _create(
    *,
    patient,
    rows,
    program,
    created_by,
    client_uuid,
    education,
    education_in_handout,
    **schedule,
) -> Prescription:
    check_owns_patient(created_by, patient)
    if not rows:
        raise ValidationError(_("Add at least one exercise."), code="empty")
    if (
        program is not None
        and not Program.objects.usable_by(created_by).filter(pk=program.pk).exists()
    ):
        raise PermissionDenied("This template belongs to another clinician.")
    _check_prescribable(row.exercise for row in rows)
    found_by_row = [
        contraindications.precautions_check(patient, [row.exercise], row.override_reason)
        for row in rows
    ]
    prescription = Prescription(
        patient=patient, program=program, created_by=created_by, client_uuid=client_uuid, **schedule
    )
    prescription.full_clean()
    prescription.save()
    prescribed = PrescribedExercise.objects.bulk_create(
        PrescribedExercise(
            prescription=prescription,
            exercise=row.exercise,
            order=position,
            **row.dose(),
        )
        for position, row in enumerate(rows, start=1)
    )
    for item, row, found in zip(prescribed, rows, found_by_row, strict=True):
        if found:
            contraindications.record(
                prescribed=[item], found=found, reason=row.override_reason, decided_by=created_by
            )
    reading = education_sync(prescription, education, in_handout=education_in_handout)
    changes.record(
        patient.pk,
        [changes.created(prescription), *(changes.created(p) for p in prescribed), *reading],
    )
    logger.info(
        "prescription %s created for patient %s by user %s",
        prescription.pk,
        patient.pk,
        created_by.pk,
    )
    return prescription


CONFLICT = gettext_lazy(
    "Someone else changed this prescription after you opened it, so your changes were not "
    "saved. Open it again to see their changes, then make yours."
)


_DOSE = ("sets", "reps", "hold_seconds", "side", "rest_seconds", "notes")


def _already_saved(prescription: Prescription, rows: list[PlanRow], schedule: dict) -> bool:
    """Is the stored prescription (read again under the version lock: the instance may
    have been read before the first save committed) exactly this schedule and these rows,
    in this order, with these doses?"""
    prescription.refresh_from_db(fields=list(schedule))
    if any(getattr(prescription, name) != value for name, value in schedule.items()):
        return False
    stored = [
        (item.exercise_id, *(getattr(item, name) for name in _DOSE))
        for item in prescription.exercises.order_by("order")
    ]
    wanted = [(row.exercise.pk, *(getattr(row, name) for name in _DOSE)) for row in rows]
    return stored == wanted


@transaction.atomic
def prescription_update(
    *,
    prescription: Prescription,
    rows: list[PlanRow],
    loaded_version: int | None,
    updated_by,
    education: list | None = None,
    education_in_handout: bool = False,
    **schedule,
) -> Prescription:
    """Save the prescribing page's changes to an existing prescription: its name and
    schedule, and its exercises matched by exercise (kept rows keep their history, new ones
    are added, removed ones deleted). Refused when someone saved it since the page was
    opened (``version``), when a removed exercise has logged check-offs, or when a newly
    added exercise matches the patient's precautions without a reason. ``education``: the
    pages it carries from now on (None: as they are)."""
    check_owns_patient(updated_by, prescription.patient)
    current = prescription.current_version_locked()
    if loaded_version != current:
        # A double tap on "Save changes": the second submit was opened at the version the
        # first one replaced. When it asks for exactly what is now stored it is the same
        # save, not someone else's change: answer as the first did and write nothing.
        if (
            loaded_version == current - 1
            and _already_saved(prescription, rows, schedule)
            and (
                education is None
                or education_matches(prescription, education, in_handout=education_in_handout)
            )
        ):
            logger.info("prescription %s: the same change sent again", prescription.pk)
            return prescription
        raise ValidationError(CONFLICT, code="conflict")
    if not rows:
        raise ValidationError(_("Add at least one exercise."), code="empty")
    existing = {item.exercise_id: item for item in prescription.exercises.all()}
    added = [row for row in rows if row.exercise.pk not in existing]
    _check_prescribable(row.exercise for row in added)
    found_by_row = [
        contraindications.precautions_check(
            prescription.patient, [row.exercise], row.override_reason
        )
        for row in added
    ]
    kept = {row.exercise.pk for row in rows}
    removed = [item for exercise_id, item in existing.items() if exercise_id not in kept]
    logged = [item.exercise.name for item in removed if item.checks.exists()]
    if logged:
        raise ValidationError(
            _(
                "%(names)s already have logged sessions, so they stay in this plan; set their "
                "dose instead, or start a new plan."
            ),
            code="logged",
            params={"names": ", ".join(sorted(logged))},
        )
    changed_fields = [
        name for name, value in schedule.items() if getattr(prescription, name) != value
    ]
    for name, value in schedule.items():
        setattr(prescription, name, value)
    prescription.version = current + 1
    prescription.full_clean()
    prescription.save()
    recorded = [changes.changed(prescription, changed_fields)]
    recorded += [changes.deleted(item) for item in removed]
    for item in removed:
        item.delete()
    new_items = []
    dose = ("order", *DOSE_FIELDS)
    for position, row in enumerate(rows, start=1):
        item = existing.get(row.exercise.pk) or PrescribedExercise(
            prescription=prescription, exercise=row.exercise
        )
        before = [getattr(item, name) for name in dose]
        for name, value in {"order": position, **row.dose()}.items():
            setattr(item, name, value)
        item.save()
        if item.exercise_id not in existing:
            new_items.append(item)
            recorded.append(changes.created(item))
        else:
            fields = [n for n, old in zip(dose, before, strict=True) if getattr(item, n) != old]
            recorded.append(changes.changed(item, fields))
    if education is not None:
        recorded += education_sync(prescription, education, in_handout=education_in_handout)
    changes.record(prescription.patient_id, recorded)
    for item, row, found in zip(new_items, added, found_by_row, strict=True):
        if found:
            contraindications.record(
                prescribed=[item], found=found, reason=row.override_reason, decided_by=updated_by
            )
    logger.info("prescription %s changed by user %s", prescription.pk, updated_by.pk)
    return prescription
