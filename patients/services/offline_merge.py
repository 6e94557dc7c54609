"""Writes that may arrive late or twice: each carries a UUID (recorded once, so a replay
changes nothing) and the time the patient made it; two results for one session are merged
without losing a pain score or a note."""

import datetime
import uuid

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from patients.models import (
    ClientWrite,
    Patient,
    SessionLog,
)

# How far a phone's clock may run ahead of ours, and how long an entry made offline may wait in
# the phone's queue (the plan pages it was made on are cached for a week).
CLIENT_CLOCK_SKEW = datetime.timedelta(minutes=5)
OFFLINE_WRITE_MAX_AGE = datetime.timedelta(days=7)


def effective_today(patient: Patient, made_at: datetime.datetime | None) -> datetime.date:
    """The patient's "today" when the write was made: now, or the phone's time for an entry
    made offline and sent later, which must be plausible."""
    if made_at is None:
        return patient.today()
    now = timezone.now()
    if made_at > now + CLIENT_CLOCK_SKEW:
        raise ValidationError(
            _("This entry is dated in the future. Check the date and time on your phone."),
            code="made_in_future",
        )
    if made_at < now - OFFLINE_WRITE_MAX_AGE:
        raise ValidationError(
            ngettext(
                "This entry was saved on your phone more than %(days)s day ago and can no "
                "longer be sent.",
                "This entry was saved on your phone more than %(days)s days ago and can no "
                "longer be sent.",
                OFFLINE_WRITE_MAX_AGE.days,
            ),
            code="made_too_long_ago",
            params={"days": OFFLINE_WRITE_MAX_AGE.days},
        )
    return timezone.localtime(made_at, patient.zone).date()


def _same_write(existing: ClientWrite, patient: Patient, kind: str) -> None:
    if existing.patient_id != patient.pk or existing.kind != kind:
        # Never say whose it is: a guessed or copied UUID learns nothing and changes nothing.
        raise ValidationError(
            _("This entry's id has already been used for something else."), code="uuid_reused"
        )


def client_write_claim(
    *, patient: Patient, client_uuid: uuid.UUID, kind: str, **fields
) -> ClientWrite | None:
    """Record a write's UUID before applying it; ``None`` when it was recorded before, i.e.
    this is a replay that must change nothing."""
    try:
        # Insert first (one statement for the usual, new write), in a savepoint: a replay,
        # or the same UUID arriving twice at once (the phone's Background Sync and a page
        # reload), fails on the primary key and then reads the row that is there.
        with transaction.atomic():
            return ClientWrite.objects.create(
                uuid=client_uuid, patient=patient, kind=kind, **fields
            )
    except IntegrityError:
        existing = ClientWrite.objects.get(pk=client_uuid)
    _same_write(existing, patient, kind)
    return None


def client_write_store(write: ClientWrite) -> bool:
    """Store ``write`` (unsaved, its UUID set) unless it was stored before: False for a
    replay, which must change nothing."""
    try:
        with transaction.atomic():  # a savepoint, as in client_write_claim
            write.save(force_insert=True)
        return True
    except IntegrityError:
        existing = ClientWrite.objects.get(pk=write.pk)
    _same_write(existing, write.patient, write.kind)
    return False


def client_write_known(*, patient: Patient, client_uuid: uuid.UUID | None, kind: str) -> bool:
    """Whether this entry was stored before: a replay, which must change nothing. Useful
    before checking a form whose fields the first copy changed (a check-in that named an
    activity would now be asked to rate it)."""
    existing = ClientWrite.objects.filter(pk=client_uuid).first() if client_uuid else None
    if existing is None:
        return False
    _same_write(existing, patient, kind)
    return True


def notes_merge(earlier: str, later: str) -> str:
    """Both notes, oldest first; one that already holds the other is not repeated."""
    earlier, later = earlier.strip(), later.strip()
    if not earlier or earlier in later:
        return later
    if not later or later in earlier:
        return earlier
    return f"{earlier}\n\n{later}"


def session_result_apply(
    log: SessionLog, write: ClientWrite, *, pain: int, effort: str, note: str, seen: str | None
) -> None:
    stored = {"pain": log.pain, "effort": log.effort, "note": log.note}
    conflict = (
        log.completed_at is not None
        and seen is not None
        and seen != (str(log.result_uuid) if log.result_uuid else "")
    )
    if not conflict:
        if log.completed_at is not None:
            write.replaced = stored
        log.pain, log.effort, log.note = pain, effort, note
        log.result_uuid, log.result_at = write.uuid, write.made_at
        return
    write.outcome = ClientWrite.Outcome.MERGED
    stored_at = log.result_at or log.completed_at
    if write.made_at >= stored_at:
        write.replaced = stored
        log.note = notes_merge(log.note, note)
        log.pain, log.effort = pain, effort
        log.result_at = write.made_at
    else:
        log.note = notes_merge(note, log.note)
    # The merged result is new to every device: their next edit must see this version.
    log.result_uuid = write.uuid
