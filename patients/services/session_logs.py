"""The patient's own log: check-offs, skips and "session done"."""

import datetime
import logging
import uuid

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import (
    Count,
    FloatField,
    OuterRef,
    Subquery,
    Value,
    prefetch_related_objects,
)
from django.db.models.functions import Cast, Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from exercises.tracking import CUES
from patients import changes, plan, schedule
from patients.models import (
    CAMERA_LIMITS,
    CAMERA_WARNING_COUNT_MAX,
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
    client_write_store,
    effective_today,
    session_result_apply,
)

logger = logging.getLogger(__name__)


def check_day_editable(
    patient: Patient, day: datetime.date, *, made_at: datetime.datetime | None = None
) -> None:
    today = effective_today(patient, made_at)
    if day > today:
        raise ValidationError(_("You can't log a day that hasn't happened yet."), code="future")
    if not plan.is_editable(day, today):
        raise ValidationError(
            ngettext(
                "That day is more than %(days)s day ago and can no longer be changed.",
                "That day is more than %(days)s days ago and can no longer be changed.",
                settings.PLAN_EDIT_GRACE_DAYS,
            ),
            code="read_only",
            params={"days": settings.PLAN_EDIT_GRACE_DAYS},
        )


def check_exercise_loggable(
    patient: Patient,
    prescribed: PrescribedExercise,
    day: datetime.date,
    session_number: int,
    *,
    made_at: datetime.datetime | None = None,
) -> None:
    """What every entry about one exercise on one day must be: the patient's own exercise, on
    a day they may still change, in a session of that day that includes it."""
    check_day_editable(patient, day, made_at=made_at)
    prescription = prescribed.prescription
    if prescription.patient_id != patient.pk:
        raise PermissionDenied("Not this patient's exercise.")
    if not schedule.is_due_on(prescription, day) or not (
        1 <= session_number <= prescription.sessions_per_day
    ):
        raise ValidationError(_("This exercise isn't part of that session."), code="not_due")


def _session_log(
    prescription: Prescription, day: datetime.date, number: int, **defaults
) -> tuple[SessionLog, bool]:
    """The session's log, created (with ``defaults``) if need be, and locked until the
    transaction ends; and whether it was created.

    get_or_create retries the read after an IntegrityError, so two simultaneous first
    check-offs of a session share the one row the unique constraint allows; the lock makes
    writes to one session take turns (PostgreSQL; SQLite's IMMEDIATE transactions already
    do), so a recount of done_share sees the others' check-offs and two results for one
    session are merged one after the other.
    """
    return SessionLog.objects.select_for_update().get_or_create(
        prescription=prescription, date=day, session_number=number, defaults=defaults
    )


def _locked_log_with_check(prescription, day, number, prescribed) -> SessionLog | None:
    """The session's log, locked, with the exercise's check (if any) read in the same query
    (``check_pk``, ``check_status``, ``check_checked_at``); None when the session has no log
    yet. What the lock guards is above; the check is read after the lock is granted."""
    checks = ExerciseCheck.objects.filter(
        session_log=OuterRef("pk"), prescribed_exercise=prescribed
    )
    return (
        SessionLog.objects.select_for_update(of=("self",))
        .filter(prescription=prescription, date=day, session_number=number)
        .annotate(
            check_pk=Subquery(checks.values("pk")[:1]),
            check_status=Subquery(checks.values("status")[:1]),
            check_checked_at=Subquery(checks.values("checked_at")[:1]),
        )
        .first()
    )


# What guided mode's camera coach counted, as ExerciseCheck stores it.
CAMERA_FIELDS = ("camera_sets", "camera_reps", "camera_seconds", "form_warnings")


def _camera_counts(
    prescribed: PrescribedExercise,
    status: str | None,
    *,
    camera_sets: int,
    camera_reps: int,
    camera_seconds: int,
    form_warnings: dict | None,
) -> dict:
    """What the camera counted, checked, as ExerciseCheck's fields; ``{}`` when it counted
    nothing (an exercise ticked by hand). ``ValidationError`` for numbers it cannot have
    counted: more sets than prescribed, or camera numbers with anything but "done"."""
    counts = {
        "camera_sets": camera_sets,
        "camera_reps": camera_reps,
        "camera_seconds": camera_seconds,
        "form_warnings": dict(form_warnings or {}),
    }
    if not any(counts.values()):
        return {}
    if status != ExerciseCheck.Status.DONE:
        raise ValidationError(
            _("What the camera counted can only come with an exercise marked done."),
            code="camera_not_done",
        )
    warnings = counts["form_warnings"]
    if any(
        not isinstance(counts[name], int) or not 0 <= counts[name] <= limit
        for name, limit in CAMERA_LIMITS.items()
    ) or any(
        key not in CUES or not isinstance(count, int) or not 1 <= count <= CAMERA_WARNING_COUNT_MAX
        for key, count in warnings.items()
    ):
        raise ValidationError(_("What the camera counted is not valid."), code="camera_invalid")
    if camera_sets > prescribed.sets:
        raise ValidationError(
            ngettext(
                "The camera counted more sets than prescribed: this exercise has %(sets)d set.",
                "The camera counted more sets than prescribed: this exercise has %(sets)d sets.",
                prescribed.sets,
            ),
            code="camera_sets",
            params={"sets": prescribed.sets},
        )
    return counts


@transaction.atomic
def exercise_check_off(
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
    camera_sets: int = 0,
    camera_reps: int = 0,
    camera_seconds: int = 0,
    form_warnings: dict[str, int] | None = None,
) -> ExerciseCheck | None:
    """Check an exercise off (``status="done"``), skip it with a reason, or undo (``None``).

    Repeating the same call changes nothing: one check per exercise per session. With a
    ``client_uuid`` a replay of the same write is recognised and ignored; with ``made_at``
    (an entry made offline) the day must have been editable then, and a check-off stored
    later than ``made_at`` (from another device) is kept rather than overwritten.

    A check-off is the write patients make most, so it is counted: whole request at most
    8 statements (tests/patients/test_write_budgets.py). The log is read and locked with the
    check in one query, the check is written with one upsert, the share of the session done
    is recounted inside one UPDATE, and the audit events and the new plan stamp are one
    statement each (``patients.changes``).

    ``keep_logged`` (guided mode's automatic check-off) changes an exercise only if nothing is
    logged for it yet: a skip, with its reason, is never turned into "done" behind the
    patient's back.

    ``camera_sets``, ``camera_reps``, ``camera_seconds`` and ``form_warnings`` are what guided
    mode's camera coach counted (only with "done"; at most the prescribed sets). They are
    stored when this write leaves the check done; a "done" without them (ticked by hand)
    keeps the numbers a check already done holds, and a skip clears them. When the stored
    check is kept instead of this write (``keep_logged``, or a later entry from elsewhere)
    and it is done with no camera numbers, this write's numbers are added to it.
    """
    check_exercise_loggable(patient, prescribed, day, session_number, made_at=made_at)
    prescription = prescribed.prescription
    if status == ExerciseCheck.Status.SKIPPED and skip_reason not in SkipReason.values:
        raise ValidationError(_("Choose why you skipped it."), code="skip_reason")
    camera = _camera_counts(
        prescribed,
        status,
        camera_sets=camera_sets,
        camera_reps=camera_reps,
        camera_seconds=camera_seconds,
        form_warnings=form_warnings,
    )
    write = None
    if client_uuid is not None:
        write = client_write_claim(
            patient=patient,
            client_uuid=client_uuid,
            kind=ClientWrite.Kind.CHECK,
            day=day,
            session_number=session_number,
            made_at=made_at or timezone.now(),
            payload={
                "exercise": prescribed.pk,
                "status": status or "",
                "reason": skip_reason,
                **camera,
            },
        )
        if write is None:
            return ExerciseCheck.objects.filter(
                session_log__prescription=prescription,
                session_log__date=day,
                session_log__session_number=session_number,
                prescribed_exercise=prescribed,
            ).first()
    received = timezone.now()
    recorded = []
    log = _locked_log_with_check(prescription, day, session_number, prescribed)
    if log is None:
        if status is None:
            return None  # nothing to undo
        # The first check-off of the session: its share is known without counting.
        size = getattr(prescribed, "session_size", None)
        if size is None:
            size = prescription.exercises.count()
        done = status == ExerciseCheck.Status.DONE
        log = SessionLog(
            prescription=prescription,
            date=day,
            session_number=session_number,
            done_share=(1 / size if size and done else 0.0),
            received_at=received,
        )
        try:
            with transaction.atomic():  # a savepoint: another request may make it first
                log.save(force_insert=True)
            created = True
        except IntegrityError:
            created = False
        if created:
            recorded.append(changes.created(log))
            log.check_pk = None
        else:  # another request made it a moment ago: read it again, locked
            log = _locked_log_with_check(prescription, day, session_number, prescribed)
    else:
        created = False
    if log.check_pk is not None and (
        keep_logged or (made_at is not None and log.check_checked_at > made_at)
    ):
        stored = ExerciseCheck.objects.get(pk=log.check_pk)
        # The exercise was done elsewhere too: what the camera counted is added to the
        # stored check if it has nothing from the camera, never over numbers it has.
        merged = bool(
            camera and stored.status == ExerciseCheck.Status.DONE and not stored.has_camera_numbers
        )
        if merged:
            for name, value in camera.items():
                setattr(stored, name, value)
            stored.save(update_fields=list(camera))
            changes.record(patient.pk, [changes.changed(stored, list(camera))])
        if write is not None:
            write.outcome = ClientWrite.Outcome.MERGED if merged else ClientWrite.Outcome.SUPERSEDED
            write.save(update_fields=["outcome"])
        return stored
    check = None
    if status is None:
        if log.check_pk is None:
            return None
        existing = ExerciseCheck(pk=log.check_pk, session_log=log, prescribed_exercise=prescribed)
        recorded.append(changes.deleted(existing))
        ExerciseCheck.objects.filter(pk=log.check_pk).delete()
    else:
        check = ExerciseCheck(
            session_log=log,
            prescribed_exercise=prescribed,
            status=status,
            skip_reason=skip_reason if status == ExerciseCheck.Status.SKIPPED else "",
            checked_at=made_at or received,
            received_at=received,
            **camera,
        )
        fields = ["status", "skip_reason", "checked_at", "received_at"]
        # The camera's numbers are written when this write brings them, and cleared by a
        # skip; a "done" ticked by hand leaves those of a check already done as they are
        # (the returned check then shows zeros for them).
        if camera or status == ExerciseCheck.Status.SKIPPED:
            fields += CAMERA_FIELDS
        # One statement whether the check is new or changed (and safe against the same
        # check arriving twice at once); the audit event says which it was.
        (check,) = ExerciseCheck.objects.bulk_create(
            [check],
            update_conflicts=True,
            unique_fields=["session_log", "prescribed_exercise"],
            update_fields=fields,
        )
        if log.check_pk is None:
            recorded.append(changes.created(check))
        else:
            check.pk = log.check_pk
            written = list(camera)
            if log.check_status != status:
                written += ["status", "skip_reason"]
            if written:
                recorded.append(changes.changed(check, written))
    if not created:
        session_log_update_share(log, received_at=received)
    changes.record(patient.pk, recorded)
    return check


def session_log_update_share(log: SessionLog, **also) -> None:
    """Store the share of the prescription's exercises checked off as done in ``log`` (and
    the columns given in ``also``), counted inside the one UPDATE, so that it sees every
    check written before it in this transaction. ``log.done_share`` is not refreshed."""
    done = (
        ExerciseCheck.objects.filter(session_log=log.pk, status=ExerciseCheck.Status.DONE)
        .order_by()
        .values("session_log")
        .annotate(count=Count("pk"))
        .values("count")
    )
    total = (
        PrescribedExercise.objects.filter(prescription=log.prescription_id)
        .order_by()
        .values("prescription")
        .annotate(count=Count("pk"))
        .values("count")
    )
    SessionLog.objects.filter(pk=log.pk).update(
        done_share=Coalesce(
            Cast(Subquery(done), FloatField()) / Cast(Subquery(total), FloatField()),
            Value(0.0),
        ),
        updated_at=timezone.now(),
        **also,
    )


def _result_apply(log, write, *, pain, effort, note, seen, now) -> None:
    """Work the session's result into ``log`` (in memory), remembering what it held."""
    log.result_before = (log.pain, log.effort, log.note, log.completed_at)
    session_result_apply(log, write, pain=pain, effort=effort, note=note, seen=seen)
    log.completed_at = min(log.completed_at or write.made_at, write.made_at)
    log.received_at = now


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
        raise ValidationError(_("Pain is a number from 0 to 10."), code="pain")
    if effort and effort not in Effort.values:
        raise ValidationError(_("Choose how it felt."), code="effort")
    # Kept on the patient: the view's streak message reads the same prescriptions.
    prefetch_related_objects([patient], "prescriptions")
    prescriptions = schedule.in_session(patient.prescriptions.all(), day, session_number)
    if not prescriptions:
        raise ValidationError(_("There is no such session on that day."), code="no_session")
    now = timezone.now()
    given_at = made_at or now
    write = ClientWrite(
        uuid=client_uuid or uuid.uuid4(),
        patient=patient,
        kind=ClientWrite.Kind.SESSION_DONE,
        day=day,
        session_number=session_number,
        made_at=given_at,
        payload={"pain": pain, "effort": effort, "note": note, "seen": seen},
    )
    # The stored logs are locked and the result worked out first, so that the write is
    # stored once, already saying what it replaced; a replay (or a refused id) stores and
    # changes nothing. Logs that do not exist yet are made only after that.
    names = ("pain", "effort", "note", "completed_at")
    logs, recorded = [], []
    for prescription in prescriptions:
        log = (
            SessionLog.objects.select_for_update()
            .filter(prescription=prescription, date=day, session_number=session_number)
            .first()
        ) or SessionLog(prescription=prescription, date=day, session_number=session_number)
        _result_apply(log, write, pain=pain, effort=effort, note=note, seen=seen, now=now)
        logs.append(log)
    if not client_write_store(write):
        for log in logs:  # a replay: report what is stored
            if log.pk is not None:
                log.refresh_from_db()
        return [log for log in logs if log.pk is not None]
    for n, log in enumerate(logs):
        if log.pk is None:
            try:
                with transaction.atomic():  # a savepoint: another request may make it first
                    log.save(force_insert=True)
                recorded.append(changes.created(log))
                continue
            except IntegrityError:
                log, _created = _session_log(log.prescription, day, session_number)
                _result_apply(log, write, pain=pain, effort=effort, note=note, seen=seen, now=now)
                write.save(update_fields=["replaced", "outcome"])
                logs[n] = log
        before = log.result_before
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
        recorded.append(
            changes.changed(
                log,
                [
                    name
                    for name, old in zip(names, before, strict=True)
                    if getattr(log, name) != old
                ],
            )
        )
    changes.record(patient.pk, recorded)
    if unticked in ("done", "skip"):
        # The patient's answer about the exercises neither done nor skipped; whatever was
        # logged for one meanwhile (another page or phone) is kept.
        status = ExerciseCheck.Status.DONE if unticked == "done" else ExerciseCheck.Status.SKIPPED
        for prescription in prescriptions:
            for prescribed in prescription.exercises.all():
                exercise_check_off(
                    patient=patient,
                    prescribed=prescribed,
                    day=day,
                    session_number=session_number,
                    status=status,
                    skip_reason=unticked_reason,
                    keep_logged=True,
                    made_at=made_at,
                )
    logger.info("session logged: patient %s, %s session %s", patient.pk, day, session_number)
    return logs
