"""Messages between a patient and their clinic: sending, reading, hiding, marking handled.

Every write keeps the thread row (``MessageThread``) right, so the inbox and the
needs-attention queue sort on it without counting messages, and the patient's unread count
(``Patient.messages_unread``, loaded with the signed-in user) right, so every patient page
shows its badge without a query. Messages and the thread go through the write path
(``changes.record``): audited, and the cached pages and needs-attention summaries made stale.
"""

import datetime
import logging
import unicodedata
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from clinic import ratelimit
from patients import changes
from patients.emergency_words import emergency_signs_in
from patients.models import (
    MESSAGE_MAX_LENGTH,
    Message,
    MessageThread,
    Patient,
    PrescribedExercise,
)
from patients.services.offline_merge import effective_today

logger = logging.getLogger(__name__)

# Line breaks and tabs are part of a message; other control characters (NUL, escape, the
# terminal's colour codes) are refused rather than stored.
_ALLOWED_CONTROLS = {"\n", "\r", "\t"}


class MessageRateLimitedError(ValidationError):
    def __init__(self):
        super().__init__(
            _("You have sent a lot of messages in the last hour. Please try again later."),
            code="rate_limited",
        )


def message_text_clean(text: str) -> str:
    """The text as it will be stored, or a ValidationError a person can act on."""
    text = (text or "").replace("\r\n", "\n").strip()
    if not text:
        raise ValidationError(_("Write your message first."), code="empty")
    if len(text) > MESSAGE_MAX_LENGTH:
        raise ValidationError(
            _("Keep your message under %(limit)s characters (it has %(count)s).")
            % {"limit": MESSAGE_MAX_LENGTH, "count": len(text)},
            code="too_long",
        )
    if any(unicodedata.category(char) == "Cc" and char not in _ALLOWED_CONTROLS for char in text):
        raise ValidationError(
            _("Your message contains characters that cannot be sent. Please type it again."),
            code="control_characters",
        )
    return text


def _thread_locked(patient: Patient) -> MessageThread:
    thread, _created = MessageThread.objects.get_or_create(patient=patient)
    return MessageThread.objects.select_for_update().get(pk=thread.pk)


@transaction.atomic
def message_send(
    *,
    patient: Patient,
    sender,
    text: str,
    from_patient: bool,
    prescribed: PrescribedExercise | None = None,
    client_uuid: uuid.UUID | None = None,
    made_at: datetime.datetime | None = None,
) -> tuple[Message, bool]:
    """Store a message in ``patient``'s thread: (the message, whether it is new).

    Idempotent: a replay of the same ``client_uuid`` (a double tap, the phone's offline queue
    sending again) returns the stored message and changes nothing. A patient's message that
    names an emergency sign is marked urgent, and so is their thread until the clinic
    answers. Patients may send ``settings.MESSAGES_PER_HOUR`` an hour.
    """
    if client_uuid is not None:
        existing = Message.objects.filter(client_uuid=client_uuid).first()
        if existing is not None:
            return _replayed(existing, patient), False
    text = message_text_clean(text)
    if made_at is not None:
        effective_today(patient, made_at)  # refuses a time in the future or too long ago
    if prescribed is not None and prescribed.prescription.patient_id != patient.pk:
        raise ValidationError(_("That exercise is not on your plan."), code="not_on_plan")
    if from_patient and ratelimit.hit(
        "messages",
        str(patient.pk),
        limit=settings.MESSAGES_PER_HOUR,
        window_seconds=3600,
    ):
        raise MessageRateLimitedError()
    now = timezone.now()
    urgent = from_patient and bool(emergency_signs_in(text))
    thread = _thread_locked(patient)
    try:
        with transaction.atomic():  # a savepoint: the same UUID may arrive twice at once
            message = Message.objects.create(
                patient=patient,
                sender=sender,
                from_patient=from_patient,
                text=text,
                prescribed_exercise=prescribed,
                exercise_name=prescribed.exercise.name if prescribed is not None else "",
                created_at=now,
                made_at=made_at,
                urgent=urgent,
                client_uuid=client_uuid,
            )
    except IntegrityError:
        return _replayed(Message.objects.get(client_uuid=client_uuid), patient), False
    fields = ["last_message_at", "last_from_patient"]
    thread.last_message_at = now
    thread.last_from_patient = from_patient
    if from_patient:
        thread.clinic_unread += 1
        if thread.waiting_since is None:
            thread.waiting_since = now
        thread.urgent = thread.urgent or urgent
        fields += ["clinic_unread", "waiting_since", "urgent"]
    else:
        # An answer: nobody waits any more, and whoever answered has read the thread.
        Message.objects.filter(patient=patient, from_patient=True, read_at__isnull=True).update(
            read_at=now
        )
        thread.clinic_unread = 0
        thread.waiting_since = None
        thread.urgent = False
        fields += ["clinic_unread", "waiting_since", "urgent"]
        Patient.objects.filter(pk=patient.pk).update(
            messages_unread=models.F("messages_unread") + 1
        )
    thread.save(update_fields=fields)
    changes.record(patient.pk, [changes.created(message), changes.changed(thread, fields)])
    _emails_enqueue_on_commit(patient, from_patient=from_patient)
    logger.info(
        "message: patient %s, from %s%s",
        patient.pk,
        "patient" if from_patient else "clinic",
        ", urgent" if urgent else "",
    )
    return message, True


def _emails_enqueue_on_commit(patient: Patient, *, from_patient: bool) -> None:
    """Once the message is committed, queue its email for the worker (the patient's "new
    message" or the clinician's hourly digest: patients/message_emails.py). Robust: a queue
    that fails is logged and the message still stands."""
    from patients import message_emails  # here: it imports the services package

    patient_id, clinician_id = patient.pk, patient.clinician_id
    transaction.on_commit(
        lambda: message_emails.messages_sent_enqueue(
            patient_id=patient_id, clinician_id=clinician_id, from_patient=from_patient
        ),
        robust=True,
    )


def _replayed(message: Message, patient: Patient) -> Message:
    if message.patient_id != patient.pk:
        # Never say whose it is: a guessed or copied UUID learns nothing and changes nothing.
        raise ValidationError(
            _("This message's id has already been used for something else."), code="uuid_reused"
        )
    return message


@transaction.atomic
def thread_read(*, patient: Patient, by_patient: bool) -> int:
    """The reader has seen the other side's messages: their read time is set once (the
    first look counts). Returns how many were new. No audit event: reading changes nothing
    clinical (a clinician's look at the thread is audited as a view)."""
    now = timezone.now()
    marked = (
        Message.objects.visible()
        .filter(patient=patient, from_patient=not by_patient, read_at__isnull=True)
        .update(read_at=now)
    )
    if by_patient:
        if marked or patient.messages_unread:
            Patient.objects.filter(pk=patient.pk).update(messages_unread=0)
            patient.messages_unread = 0
    elif marked:
        MessageThread.objects.filter(patient=patient).update(clinic_unread=0)
    return marked


@transaction.atomic
def thread_mark_handled(*, patient: Patient, by) -> MessageThread:
    """ "Mark handled": the clinician dealt with it another way (a call, the next visit);
    the thread leaves the waiting list and the queue without a reply."""
    thread = _thread_locked(patient)
    now = timezone.now()
    Message.objects.filter(patient=patient, from_patient=True, read_at__isnull=True).update(
        read_at=now
    )
    thread.waiting_since = None
    thread.urgent = False
    thread.clinic_unread = 0
    thread.handled_at = now
    thread.handled_by = by
    fields = ["waiting_since", "urgent", "clinic_unread", "handled_at", "handled_by"]
    thread.save(update_fields=fields)
    changes.record(patient.pk, [changes.changed(thread, fields)])
    return thread


@transaction.atomic
def message_hide(*, message: Message, by) -> Message:
    """Hide a message sent by mistake (to the wrong patient): it stays stored, with who hid
    it, and leaves the thread on both sides; the thread's counts are worked out again."""
    message = Message.objects.select_for_update().get(pk=message.pk)
    if message.hidden_at is not None:
        return message
    message.hidden_at = timezone.now()
    message.hidden_by = by
    message.save(update_fields=["hidden_at", "hidden_by"])
    thread = _thread_locked(message.patient)
    fields = _thread_recount(thread)
    changes.record(
        message.patient_id,
        [changes.changed(message, ["hidden_at", "hidden_by"]), changes.changed(thread, fields)],
    )
    return message


def _thread_recount(thread: MessageThread) -> list[str]:
    """Work the thread's state out again from its visible messages (after a hide)."""
    visible = Message.objects.visible().filter(patient_id=thread.patient_id)
    last = visible.order_by("-created_at", "-pk").first()
    answered_at = visible.filter(from_patient=False).aggregate(at=models.Max("created_at"))["at"]
    if thread.handled_at and (answered_at is None or thread.handled_at > answered_at):
        answered_at = thread.handled_at
    waiting = visible.filter(from_patient=True)
    if answered_at is not None:
        waiting = waiting.filter(created_at__gt=answered_at)
    # Counted, not Max(): PostgreSQL has no max() of a boolean.
    summary = waiting.aggregate(
        since=models.Min("created_at"),
        urgent=models.Count("pk", filter=models.Q(urgent=True)),
    )
    thread.waiting_since = summary["since"]
    thread.urgent = bool(summary["urgent"])
    thread.last_message_at = last.created_at if last else None
    thread.last_from_patient = bool(last and last.from_patient)
    thread.clinic_unread = visible.filter(from_patient=True, read_at__isnull=True).count()
    fields = ["waiting_since", "urgent", "last_message_at", "last_from_patient", "clinic_unread"]
    thread.save(update_fields=fields)
    Patient.objects.filter(pk=thread.patient_id).update(
        messages_unread=visible.filter(from_patient=False, read_at__isnull=True).count()
    )
    return fields
