"""Workflows that write patients' data: assigning programs, inviting patients, sign-in links.

Views, the admin and management commands call these; the business rules live here.
"""

import datetime
import logging
import secrets
import uuid

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django_tasks import task

from exercises.models import Exercise, Program
from patients import contraindications, plan, schedule
from patients.models import (
    ClientWrite,
    Effort,
    ExerciseCheck,
    FunctionActivity,
    FunctionCheckIn,
    FunctionScore,
    Patient,
    PrescribedExercise,
    Prescription,
    SessionLog,
    SkipReason,
    SymptomReport,
    new_calendar_token,
)

logger = logging.getLogger(__name__)

INVITATION_SALT = "homeplan.patients.invitation"
SIGN_IN_SALT = "homeplan.patients.sign-in-link"
REMINDER_SIGN_IN_SALT = "homeplan.patients.reminder-sign-in-link"


def _check_owns_patient(user, patient: Patient) -> None:
    if not (user.is_superuser or patient.clinician_id == user.pk):
        raise PermissionDenied("This patient belongs to another clinician.")


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
    _check_owns_patient(assigned_by, patient)
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
    logger.info(
        "prescription %s assigned to patient %s by user %s",
        prescription.pk,
        patient.pk,
        assigned_by.pk,
    )
    return prescription


def patient_history_counts(patient: Patient) -> dict[str, int]:
    """What deleting this patient would destroy, for the confirmation page."""
    return {
        "prescriptions": patient.prescriptions.count(),
        "prescribed exercises": PrescribedExercise.objects.filter(
            prescription__patient=patient
        ).count(),
        "logged sessions": SessionLog.objects.for_patient(patient).count(),
    }


# --- Invitations and sign-in links -----------------------------------------------------------


class InvitationError(Exception):
    """Why an invitation link cannot be used, in words for the patient."""


def invitation_token(patient: Patient) -> str:
    return signing.dumps({"p": patient.pk, "n": patient.invitation_nonce}, salt=INVITATION_SALT)


def invitation_url(request, patient: Patient) -> str:
    return request.build_absolute_uri(
        reverse("invitation_accept", kwargs={"token": invitation_token(patient)})
    )


@transaction.atomic
def patient_invite(*, patient: Patient, invited_by, request) -> str:
    """Email the patient a single-use link to set a password; returns the link.

    A new invitation replaces any earlier one (the old link stops working).
    """
    _check_owns_patient(invited_by, patient)
    if patient.user_id is not None:
        raise ValidationError("This patient already has an account.")
    if not patient.email:
        raise ValidationError("Add the patient's email address first.")
    patient.invitation_nonce = secrets.token_hex(16)
    patient.invited_at = timezone.now()
    patient.save(update_fields=["invitation_nonce", "invited_at", "updated_at"])
    url = invitation_url(request, patient)
    context = {
        "patient": patient,
        "url": url,
        "clinic_name": settings.CLINIC_NAME,
        "days": settings.INVITATION_DAYS,
    }
    send_mail(
        subject=f"Your home exercise plan from {settings.CLINIC_NAME}",
        message=render_to_string("patients/email/invitation.txt", context),
        from_email=None,
        recipient_list=[patient.email],
        html_message=render_to_string("patients/email/invitation.html", context),
    )
    logger.info("invitation sent to patient %s by user %s", patient.pk, invited_by.pk)
    return url


def patient_from_invitation(token: str) -> Patient:
    """The patient an invitation link is for, or InvitationError saying why it can't be used."""
    try:
        data = signing.loads(
            token, salt=INVITATION_SALT, max_age=datetime.timedelta(days=settings.INVITATION_DAYS)
        )
    except signing.SignatureExpired as exc:
        raise InvitationError("expired") from exc
    except signing.BadSignature as exc:
        raise InvitationError("invalid") from exc
    patient = Patient.objects.filter(pk=data.get("p"), is_active=True).first()
    if patient is None:
        raise InvitationError("invalid")
    if patient.user_id is not None:
        raise InvitationError("used")
    if not patient.invitation_nonce or data.get("n") != patient.invitation_nonce:
        raise InvitationError("replaced")
    return patient


def email_in_use(email: str, *, except_user_id: int | None = None) -> bool:
    """Does an account (staff or patient) other than ``except_user_id`` have this address?"""
    users = get_user_model().objects.filter(email__iexact=email.strip())
    if except_user_id is not None:
        users = users.exclude(pk=except_user_id)
    return users.exists()


def _unique_username(email: str) -> str:
    """The email address as the username, cut to what the column holds (an address may
    have 254 characters, a username 150), with -2, -3... when it is taken."""
    user_model = get_user_model()
    limit = user_model._meta.get_field("username").max_length
    username, number = email[:limit], 2
    while user_model.objects.filter(username__iexact=username).exists():
        suffix = f"-{number}"
        username = email[: limit - len(suffix)] + suffix
        number += 1
    return username


@transaction.atomic
def invitation_accept(*, patient: Patient, password: str):
    """Create the patient's account with their chosen password; the link is then used up.

    ``patient`` is as ``patient_from_invitation`` found it, with the nonce of the link. The
    link is claimed by one conditional update, which only one request can win, however
    many arrive at once: the others (and a link replaced by a newer invitation meanwhile)
    find nothing to claim. A failure below undoes the claim with everything else.
    """
    if not patient.invitation_nonce:
        raise InvitationError("replaced")
    claimed = Patient.objects.filter(
        pk=patient.pk, user__isnull=True, invitation_nonce=patient.invitation_nonce
    ).update(invitation_nonce="")
    if not claimed:
        current = Patient.objects.filter(pk=patient.pk).values_list("user_id", flat=True).first()
        raise InvitationError("used" if current is not None else "replaced")
    patient.refresh_from_db()
    email = patient.email.lower()
    # The address may have been given to another account since the invitation went out.
    if email_in_use(email):
        raise InvitationError("email_in_use")
    user = get_user_model()(
        username=_unique_username(email),
        email=email,
        first_name=patient.first_name,
        last_name=patient.last_name,
    )
    user.set_password(password)
    user.save()
    patient.user = user
    patient.save(update_fields=["user", "updated_at"])
    logger.info("invitation accepted by patient %s", patient.pk)
    return user


def _last_login_stamp(user) -> str:
    return user.last_login.isoformat() if user.last_login else ""


def sign_in_path(user, *, for_reminder: bool = False) -> str:
    """A path that signs ``user`` in once, until they next log in: within
    SIGN_IN_LINK_MINUTES, or REMINDER_LINK_HOURS for the link in a reminder email."""
    salt = REMINDER_SIGN_IN_SALT if for_reminder else SIGN_IN_SALT
    token = signing.dumps({"u": user.pk, "l": _last_login_stamp(user)}, salt=salt)
    return reverse("sign_in_link_use", kwargs={"token": token})


def sign_in_link_send(*, email: str, request) -> None:
    """Queue a 15-minute, single-use sign-in link for the patient with this address.

    Does nothing visible when no active patient has the address: the caller shows the
    same answer either way, so the form reveals nobody's email. The email itself goes from
    the task worker, so a known address costs the request one insert, not an SMTP round
    trip, and the answer's timing does not tell the two apart either.
    """
    user_model = get_user_model()
    users = list(
        user_model.objects.filter(
            email__iexact=email.strip(), is_active=True, is_staff=False, patient__is_active=True
        )[:2]
    )
    if len(users) != 1:
        return
    send_sign_in_link_task.enqueue(users[0].pk, request.build_absolute_uri("/"))


@task()
def send_sign_in_link_task(user_id: int, site_url: str) -> bool:
    """Email the link; it is signed here, so no usable link ever waits in the queue."""
    user = (
        get_user_model()
        .objects.filter(pk=user_id, is_active=True, is_staff=False, patient__is_active=True)
        .first()
    )
    if user is None:
        return False
    context = {
        "url": site_url.rstrip("/") + sign_in_path(user),
        "clinic_name": settings.CLINIC_NAME,
        "minutes": settings.SIGN_IN_LINK_MINUTES,
    }
    send_mail(
        subject=f"Your sign-in link for {settings.CLINIC_NAME}",
        message=render_to_string("patients/email/sign_in_link.txt", context),
        from_email=None,
        recipient_list=[user.email],
    )
    logger.info("sign-in link sent to user %s", user.pk)
    return True


def user_from_sign_in_token(token: str):
    """The patient's user for a valid, unused, unexpired sign-in link, else None.

    The token is bound to ``last_login``, which signing in changes: see
    ``sign_in_link_consume`` for using it up.
    """
    lifetimes = (
        (SIGN_IN_SALT, datetime.timedelta(minutes=settings.SIGN_IN_LINK_MINUTES)),
        (REMINDER_SIGN_IN_SALT, datetime.timedelta(hours=settings.REMINDER_LINK_HOURS)),
    )
    data = None
    for salt, max_age in lifetimes:
        try:
            data = signing.loads(token, salt=salt, max_age=max_age)
            break
        except signing.BadSignature:
            continue
    if data is None:
        return None
    user = (
        get_user_model()
        .objects.filter(pk=data.get("u"), is_active=True, is_staff=False, patient__is_active=True)
        .first()
    )
    if user is None or data.get("l") != _last_login_stamp(user):
        return None
    return user


@transaction.atomic
def sign_in_link_consume(token: str):
    """Use up a sign-in link: the patient's user, or None when the link is not valid, expired
    or already used. One conditional update moves ``last_login`` on from the value the link
    was made for, and only one request can win it, however many arrive at once (checking
    first and signing in after left room for all of them). The caller then signs the user
    in."""
    user = user_from_sign_in_token(token)
    if user is None:
        return None
    claimed = (
        get_user_model()
        .objects.filter(pk=user.pk, last_login=user.last_login)
        .update(last_login=timezone.now())
    )
    return user if claimed else None


# --- The patient's own writes: check-offs and sessions -----------------------------------------

# How far a phone's clock may run ahead of ours, and how long an entry made offline may wait in
# the phone's queue (the plan pages it was made on are cached for a week).
CLIENT_CLOCK_SKEW = datetime.timedelta(minutes=5)
OFFLINE_WRITE_MAX_AGE = datetime.timedelta(days=7)


def _effective_today(patient: Patient, made_at: datetime.datetime | None) -> datetime.date:
    """The patient's "today" when the write was made: now, or the phone's time for an entry
    made offline and sent later, which must be plausible."""
    if made_at is None:
        return patient.today()
    now = timezone.now()
    if made_at > now + CLIENT_CLOCK_SKEW:
        raise ValidationError(
            "This entry is dated in the future. Check the date and time on your phone.",
            code="made_in_future",
        )
    if made_at < now - OFFLINE_WRITE_MAX_AGE:
        raise ValidationError(
            "This entry was saved on your phone more than %(days)s days ago and can no longer "
            "be sent.",
            code="made_too_long_ago",
            params={"days": OFFLINE_WRITE_MAX_AGE.days},
        )
    return timezone.localtime(made_at, patient.zone).date()


def _check_day_editable(
    patient: Patient, day: datetime.date, *, made_at: datetime.datetime | None = None
) -> None:
    today = _effective_today(patient, made_at)
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


def _same_write(existing: ClientWrite, patient: Patient, kind: str) -> None:
    if existing.patient_id != patient.pk or existing.kind != kind:
        # Never say whose it is: a guessed or copied UUID learns nothing and changes nothing.
        raise ValidationError(
            "This entry's id has already been used for something else.", code="uuid_reused"
        )


def _client_write_claim(
    *, patient: Patient, client_uuid: uuid.UUID, kind: str, **fields
) -> ClientWrite | None:
    """Record a write's UUID before applying it; ``None`` when it was recorded before, i.e.
    this is a replay that must change nothing."""
    existing = ClientWrite.objects.filter(pk=client_uuid).first()
    if existing is None:
        try:
            # A savepoint: the same UUID arriving twice at once (the phone's Background Sync
            # and a page reload) makes the second insert fail, and the second caller then
            # finds the first one's row.
            with transaction.atomic():
                return ClientWrite.objects.create(
                    uuid=client_uuid, patient=patient, kind=kind, **fields
                )
        except IntegrityError:
            existing = ClientWrite.objects.get(pk=client_uuid)
    _same_write(existing, patient, kind)
    return None


def client_write_known(*, patient: Patient, client_uuid: uuid.UUID | None, kind: str) -> bool:
    """Whether this entry was stored before: a replay, which must change nothing. Useful
    before checking a form whose fields the first copy changed (a check-in that named an
    activity would now be asked to rate it)."""
    existing = ClientWrite.objects.filter(pk=client_uuid).first() if client_uuid else None
    if existing is None:
        return False
    _same_write(existing, patient, kind)
    return True


@transaction.atomic
def exercise_check(
    *,
    patient: Patient,
    prescribed: PrescribedExercise,
    day: datetime.date,
    session_number: int,
    status: str | None,
    skip_reason: str = "",
    client_uuid: uuid.UUID | None = None,
    made_at: datetime.datetime | None = None,
) -> ExerciseCheck | None:
    """Check an exercise off (``status="done"``), skip it with a reason, or undo (``None``).

    Repeating the same call changes nothing: one check per exercise per session. With a
    ``client_uuid`` a replay of the same write is recognised and ignored; with ``made_at``
    (an entry made offline) the day must have been editable then, and a check-off stored
    later than ``made_at`` (from another device) is kept rather than overwritten.
    """
    _check_day_editable(patient, day, made_at=made_at)
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
        write = _client_write_claim(
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
    if made_at is not None and existing is not None and existing.checked_at > made_at:
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


def notes_merge(earlier: str, later: str) -> str:
    """Both notes, oldest first; one that already holds the other is not repeated."""
    earlier, later = earlier.strip(), later.strip()
    if not earlier or earlier in later:
        return later
    if not later or later in earlier:
        return earlier
    return f"{earlier}\n\n{later}"


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
    """
    _check_day_editable(patient, day, made_at=made_at)
    if not 0 <= pain <= 10:
        raise ValidationError("Pain is a number from 0 to 10.", code="pain")
    if effort and effort not in Effort.values:
        raise ValidationError("Choose how it felt.", code="effort")
    prescriptions = schedule.in_session(patient.prescriptions.all(), day, session_number)
    if not prescriptions:
        raise ValidationError("There is no such session on that day.", code="no_session")
    now = timezone.now()
    given_at = made_at or now
    write = _client_write_claim(
        patient=patient,
        client_uuid=client_uuid or uuid.uuid4(),
        kind=ClientWrite.Kind.SESSION_DONE,
        day=day,
        session_number=session_number,
        made_at=given_at,
        payload={"pain": pain, "effort": effort, "note": note, "seen": seen},
    )
    logs = []
    for prescription in prescriptions:
        log = _session_log(prescription, day, session_number)
        if write is None:  # a replay: report what is stored, change nothing
            logs.append(log)
            continue
        _session_result_apply(log, write, pain=pain, effort=effort, note=note, seen=seen)
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


def _session_result_apply(
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


# --- Function check-ins (Patient-Specific Functional Scale format) --------------------------

MAX_ACTIVITIES = 5


def checkin_due(patient: Patient, prescriptions, *, today: datetime.date) -> bool:
    """Ask for a check-in at the start of a plan and then every ``checkin_interval_days``."""
    if not any(p.status == Prescription.Status.ACTIVE for p in prescriptions):
        return False
    last = patient.checkins.order_by("-date").values_list("date", flat=True).first()
    return last is None or (today - last).days >= patient.checkin_interval_days


@transaction.atomic
def function_checkin_save(
    *,
    patient: Patient,
    scores: dict[int, int],
    new_activities: list[tuple[str, int]],
    entered_by,
    day: datetime.date | None = None,
    client_uuid: uuid.UUID | None = None,
    made_at: datetime.datetime | None = None,
) -> FunctionCheckIn:
    """Save the day's ratings (0-10) and any newly named activities, idempotently: a second
    check-in the same day updates the first.

    The day is the patient's today, or the day ``made_at`` fell on for a check-in made on the
    phone and sent later. With a ``client_uuid``, a replay of the same check-in changes
    nothing (it would otherwise name its new activities a second time).
    """
    day = day or _effective_today(patient, made_at)
    if client_uuid is not None:
        write = _client_write_claim(
            patient=patient,
            client_uuid=client_uuid,
            kind=ClientWrite.Kind.CHECKIN,
            day=day,
            made_at=made_at or timezone.now(),
            payload={"scores": scores, "new_activities": new_activities},
        )
        if write is None:
            return FunctionCheckIn.objects.get(patient=patient, date=day)
    activities = {a.pk: a for a in patient.activities.filter(is_active=True)}
    if set(scores) - set(activities):
        raise PermissionDenied("Not this patient's activity.")
    if len(activities) + len(new_activities) > MAX_ACTIVITIES:
        raise ValidationError(f"Name at most {MAX_ACTIVITIES} activities.", code="too_many")
    if any(not 0 <= score <= 10 for score in [*scores.values(), *(s for _, s in new_activities)]):
        raise ValidationError("Scores are whole numbers from 0 to 10.", code="score")
    next_order = max((a.order for a in activities.values()), default=0)
    for offset, (name, score) in enumerate(new_activities, start=1):
        activity = FunctionActivity.objects.create(
            patient=patient, name=name.strip()[:100], order=next_order + offset
        )
        scores[activity.pk] = score
    checkin, _ = FunctionCheckIn.objects.update_or_create(
        patient=patient, date=day, defaults={"entered_by": entered_by}
    )
    for activity_id, score in scores.items():
        FunctionScore.objects.update_or_create(
            checkin=checkin, activity_id=activity_id, defaults={"score": score}
        )
    logger.info("function check-in saved: patient %s, %s", patient.pk, day)
    return checkin


# --- Safety: acknowledging the advice, reporting worse symptoms --------------------------------


def safety_acknowledge(*, patient: Patient) -> None:
    """Record when the patient confirmed reading "When to stop and get help" (first time)."""
    if patient.safety_acknowledged_at is None:
        patient.safety_acknowledged_at = timezone.now()
        patient.save(update_fields=["safety_acknowledged_at", "updated_at"])


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
                    "This entry's id has already been used for something else.",
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
                "This entry's id has already been used for something else.", code="uuid_reused"
            ) from None
        return existing
    recipient = patient.clinician.email or settings.CLINIC_EMAIL
    if recipient:
        context = {
            "patient": patient,
            "report": report,
            "clinic_name": settings.CLINIC_NAME,
            "progress_url": progress_url,
        }
        # Email is not a safe place for health data: a first name, an initial and a link.
        transaction.on_commit(
            lambda: send_mail(
                subject=("URGENT: " if report.is_emergency else "")
                + "A patient reported worse symptoms",
                message=render_to_string("patients/email/symptom_report.txt", context),
                from_email=None,
                recipient_list=[recipient],
            )
        )
    logger.info(
        "symptom report %s by patient %s (emergency=%s)", report.pk, patient.pk, report.is_emergency
    )
    return report


# --- Reminders and the calendar feed ----------------------------------------------------------


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


# --- Deactivating a patient -------------------------------------------------------------------


@transaction.atomic
def patient_active_set(*, patient: Patient, active: bool) -> None:
    """Deactivate (or reactivate) a patient; their history is kept.

    A deactivated patient's account is made inactive too, so every session they have, on
    any device, stops working at its next request (Django's backends refuse inactive users)
    and they cannot sign in again until the clinic reactivates them.
    """
    if patient.is_active != active:
        patient.is_active = active
        patient.save(update_fields=["is_active", "updated_at"])
    if patient.user_id is not None:
        get_user_model().objects.filter(pk=patient.user_id).update(is_active=active)
    logger.info("patient %s %s", patient.pk, "reactivated" if active else "deactivated")
