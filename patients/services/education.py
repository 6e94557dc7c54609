"""Education pages on a patient's plan: which pages a prescription carries (set from the
prescribing page) and the patient's "Mark as read"."""

import datetime

from django.db import transaction
from django.utils import timezone

from exercises.models import EducationPage
from patients import changes
from patients.models import Patient, Prescription, PrescriptionEducation
from patients.services.offline_merge import OFFLINE_WRITE_MAX_AGE


def education_sync(
    prescription: Prescription, pages: list[EducationPage], *, in_handout: bool
) -> list[changes.Change]:
    """Make ``prescription`` carry exactly ``pages``, in this order, each printed in the
    handout or not; pages it keeps keep their "read" time. Returns the changes, for the
    caller's one ``changes.record`` (call inside its transaction)."""
    existing = {row.page_id: row for row in prescription.education.all()}
    wanted = {page.pk for page in pages}
    made = [changes.deleted(row) for page_id, row in existing.items() if page_id not in wanted]
    PrescriptionEducation.objects.filter(
        pk__in=[row.pk for page_id, row in existing.items() if page_id not in wanted]
    ).delete()
    for position, page in enumerate(pages, start=1):
        row = existing.get(page.pk)
        if row is None:
            row = PrescriptionEducation.objects.create(
                prescription=prescription, page=page, order=position, in_handout=in_handout
            )
            made.append(changes.created(row))
            continue
        fields = [
            name
            for name, value in (("order", position), ("in_handout", in_handout))
            if getattr(row, name) != value
        ]
        if fields:
            row.order, row.in_handout = position, in_handout
            row.save(update_fields=fields)
            made.append(changes.changed(row, fields))
    return made


def education_matches(prescription: Prescription, pages, *, in_handout: bool) -> bool:
    """Does the prescription carry exactly these pages, in this order, printed or not?"""
    stored = [(row.page_id, row.in_handout) for row in prescription.education.order_by("order")]
    return stored == [(page.pk, in_handout) for page in pages]


def _read_time(made_at: datetime.datetime | None) -> datetime.datetime:
    """When the patient read it: the phone's time for an entry sent later from the offline
    queue, if it is plausible; otherwise now."""
    now = timezone.now()
    if made_at is None or not (now - OFFLINE_WRITE_MAX_AGE <= made_at <= now):
        return now
    return made_at


@transaction.atomic
def education_mark_read(
    *, patient: Patient, page: EducationPage, made_at: datetime.datetime | None = None
) -> bool:
    """Mark ``page`` read on every prescription of the patient that carries it. Idempotent:
    a double tap or a resend from the phone's queue finds it read and changes nothing (the
    first time is kept). Returns whether anything changed."""
    rows = list(
        PrescriptionEducation.objects.for_patient(patient)
        .filter(page=page, read_at__isnull=True)
        .select_for_update()
    )
    if not rows:
        return False
    read_at = _read_time(made_at)
    PrescriptionEducation.objects.filter(pk__in=[row.pk for row in rows]).update(read_at=read_at)
    for row in rows:
        row.read_at = read_at
    changes.record(patient.pk, [changes.changed(row, ["read_at"]) for row in rows])
    return True
