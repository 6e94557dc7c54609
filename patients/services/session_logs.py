"""The patient's own log: check-offs, skips and "session done"."""

import datetime
import logging
import uuid

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from patients import plan, schedule
from patients.models import (
    ClientWrite,
    Effort,
    ExerciseCheck,
    Patient,
    PrescribedExercise,
    Prescription,
    SessionLog,
    SkipReason,
)
from patients.services.offline_merge import (
    client_write_claim,
    effective_today,
    session_result_apply,
)

logger = logging.getLogger(__name__)


def check_day_editable(
    patient: Patient, day: datetime.date, *, made_at: datetime.datetime | None = None
) -> None:
    today = effective_today(patient, made_at)
    if day > today:
        raise ValidationError("You can't log a day that hasn't happened yet.", code="future")
    if not plan.is_editable(day, today):
        raise ValidationError(
            "That day is more than %(days)s days ago and can no longer be changed.",
            code="read_only",
            params={"days": settings.PLAN_EDIT_GRACE_DAYS},
        )


def _session_log(prescription: Prescription, day: datetime.date, number: int) -> SessionLog:
    """The session's log, created if need be and locked until the transaction ends.

    get_or_create retries the read after an IntegrityError, so two simultaneous first
    check-offs of a session share the one row the unique constraint allows; the lock makes
    writes to one session take turns (PostgreSQL; SQLite's IMMEDIATE transactions already
    do), so a recount of done_share sees the others' check-offs and two results for one
    session are merged one after the other.
    """
    log, _ = SessionLog.objects.select_for_update().get_or_create(
        prescription=prescription, date=day, session_number=number
    )
    return log


@transaction.atomic
def exercise_check(
    *,
    patient: Patient,
    prescribed: PrescribedExercise,
    day: datetime.date,
    session_number: int,
    status: str | None,
    skip_reason: str = "",
    keep_logged: bool = False,
    client_uuid: uuid.UUID | None = None,
    made_at: datetime.datetime | None = None,
) -> ExerciseCheck | None:
    """Check an exercise off (``status="done"``), skip it with a reason, or undo (``None``).

    Repeating the same call changes nothing: one check per exercise per session. With a
    ``client_uuid`` a replay of the same write is recognised and ignored; with ``made_at``
    (an entry made offline) the day must have been editable then, and a check-off stored
    later than ``made_at`` (from another device) is kept rather than overwritten.

    ``keep_logged`` (guided mode's automatic check-off) changes an exercise only if nothing is
    logged for it yet: a skip, with its reason, is never turned into "done" behind the
    patient's back.
    """
    check_day_editable(patient, day, made_at=made_at)
    prescription = prescribed.prescription
    if prescription.patient_id != patient.pk:
        raise PermissionDenied("Not this patient's exercise.")
    if not schedule.is_due_on(prescription, day) or not (
        1 <= session_number <= prescription.sessions_per_day
    ):
        raise ValidationError("This exercise isn't part of that session.", code="not_due")
    if status == ExerciseCheck.Status.SKIPPED and skip_reason not in SkipReason.values:
        raise ValidationError("Choose why you skipped it.", code="skip_reason")
    write = None
    if client_uuid is not None:
        write = client_write_claim(
            patient=patient,
            client_uuid=client_uuid,
            kind=ClientWrite.Kind.CHECK,
            day=day,
            session_number=session_number,
            made_at=made_at or timezone.now(),
            payload={"exercise": prescribed.pk, "status": status or "", "reason": skip_reason},
        )
        if write is None:
            return ExerciseCheck.objects.filter(
                session_log__prescription=prescription,
                session_log__date=day,
                session_log__session_number=session_number,
                prescribed_exercise=prescribed,
            ).first()
    log = _session_log(prescription, day, session_number)
    received = timezone.now()
    existing = ExerciseCheck.objects.filter(session_log=log, prescribed_exercise=prescribed).first()
    if existing is not None and (
        keep_logged or (made_at is not None and existing.checked_at > made_at)
    ):
        if write is not None:
            write.outcome = ClientWrite.Outcome.SUPERSEDED
            write.save(update_fields=["outcome"])
        return existing
    check = None
    if status is None:
        if existing is not None:
            existing.delete()
    else:
        check, _ = ExerciseCheck.objects.update_or_create(
            session_log=log,
            prescribed_exercise=prescribed,
            defaults={
                "status": status,
                "skip_reason": skip_reason if status == ExerciseCheck.Status.SKIPPED else "",
                "checked_at": made_at or received,
                "received_at": received,
            },
        )
    log.received_at = received
    session_log_update_share(log, also=("received_at",))
    return check


def session_log_update_share(log: SessionLog, *, also: tuple[str, ...] = ()) -> None:
    """Store the share of the prescription's exercises checked off as done in ``log`` (and
    the fields named in ``also``, set by the caller)."""
    total = log.prescription.exercises.count()
    done = log.checks.filter(status=ExerciseCheck.Status.DONE).count()
    log.done_share = done / total if total else 0.0
    log.save(update_fields=["done_share", "updated_at", *also])


@transaction.atomic
def session_complete(
    *,
    patient: Patient,
    day: datetime.date,
    session_number: int,
    pain: int,
    effort: str,
    note: str,
    client_uuid: uuid.UUID | None = None,
    made_at: datetime.datetime | None = None,
    seen: str | None = None,
    unticked: str = "",
    unticked_reason: str = "",
) -> list[SessionLog]:
    """Mark a session done with a pain score (0-10), how it felt and an optional note.

    Idempotent: one log per prescription, day and session (a database constraint), and a
    replay of the same ``client_uuid`` changes nothing. The first completion time is kept.

    ``seen`` is the ``result_uuid`` the patient's form showed ("" for none). A write that saw
    the stored result (or says nothing, like a form posted without JavaScript) is an edit and
    replaces pain, effort and note. One that did not -- the session was logged meanwhile from
    another device, or by this phone before it went offline -- is merged: pain and effort from
    whichever was given later (``made_at``), both notes kept oldest first. Every session-done
    write is kept as a ``ClientWrite`` with the values it replaced, so no score is lost.

    ``unticked`` is the patient's answer about the exercises neither done nor skipped:
    "done" checks them off, "skip" skips them with ``unticked_reason``, anything else leaves
    them; an exercise logged meanwhile (from another page or phone) is never changed.
    """
    check_day_editable(patient, day, made_at=made_at)
    if not 0 <= pain <= 10:
        raise ValidationError("Pain is a number from 0 to 10.", code="pain")
    if effort and effort not in Effort.values:
        raise ValidationError("Choose how it felt.", code="effort")
    prescriptions = schedule.in_session(patient.prescriptions.all(), day, session_number)
    if not prescriptions:
        raise ValidationError("There is no such session on that day.", code="no_session")
    now = timezone.now()
    given_at = made_at or now
    write = client_write_claim(
        patient=patient,
        client_uuid=client_uuid or uuid.uuid4(),
        kind=ClientWrite.Kind.SESSION_DONE,
        day=day,
        session_number=session_number,
        made_at=given_at,
        payload={"pain": pain, "effort": effort, "note": note, "seen": seen},
    )
    if write is not None and unticked in ("done", "skip"):
        status = ExerciseCheck.Status.DONE if unticked == "done" else ExerciseCheck.Status.SKIPPED
        for prescription in prescriptions:
            for prescribed in prescription.exercises.all():
                exercise_check(
                    patient=patient,
                    prescribed=prescribed,
                    day=day,
                    session_number=session_number,
                    status=status,
                    skip_reason=unticked_reason,
                    keep_logged=True,
                    made_at=made_at,
                )
    logs = []
    for prescription in prescriptions:
        log = _session_log(prescription, day, session_number)
        if write is None:  # a replay: report what is stored, change nothing
            logs.append(log)
            continue
        session_result_apply(log, write, pain=pain, effort=effort, note=note, seen=seen)
        log.completed_at = min(log.completed_at or given_at, given_at)
        log.received_at = now
        log.save(
            update_fields=[
                "completed_at",
                "pain",
                "effort",
                "note",
                "result_uuid",
                "result_at",
                "received_at",
                "updated_at",
            ]
        )
        logs.append(log)
    if write is not None:
        write.save(update_fields=["replaced", "outcome"])
    logger.info("session logged: patient %s, %s session %s", patient.pk, day, session_number)
    return logs
