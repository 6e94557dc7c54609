"""The two message emails, sent by the task worker (`manage.py db_worker`).

Neither says anything about what was written: no text, no exercise, no symptom, and the
clinician's names no patient. Email is no place for health data.

- The patient's "You have a new message from your clinic": a single-use sign-in link, only
  when they want it (``Patient.message_emails``, which the unsubscribe link also turns off),
  have an email address and an active account. One email until they have read what it
  announced: ``MessageThread.patient_notified_at`` is when it went, and while a clinic
  message from before then is still unread, later replies send nothing (three replies in a
  row make one email).
- The clinician's "patients wrote to you": at most one every ``MESSAGE_DIGEST_MINUTES``
  (an hour), saying how many of their patients have messages they have not read. The
  ``MessageDigestSent`` row for the clinician and the hour is unique, so two workers cannot
  both send it; a patient message that arrives after this hour's email queues the task again
  for the start of the next hour, which then counts what is still unread.
"""

import datetime
import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django_tasks import task

from clinic.languages import usable
from patients.models import Message, MessageDigestSent, MessageThread, Patient
from patients.reminders import unsubscribe_token
from patients.services.sign_in import sign_in_path

logger = logging.getLogger(__name__)


def messages_sent_enqueue(*, patient_id: int, clinician_id: int | None, from_patient: bool):
    """Queue the email a new message may call for: called once the message is committed
    (``message_send``'s on-commit hook), so the worker always finds it."""
    if from_patient:
        if clinician_id is not None:
            message_digest_task.enqueue(clinician_id)
    else:
        message_notice_task.enqueue(patient_id)


# --- The patient's email ----------------------------------------------------------------------


def _unread_from_clinic(patient: Patient):
    return Message.objects.visible().filter(
        patient=patient, from_patient=False, read_at__isnull=True
    )


def message_notice_send(patient_id: int) -> bool:
    """Email the patient that the clinic wrote, unless they do not want it or an earlier
    email's message is still unread; True when this call sent it."""
    patient = (
        Patient.objects.active()
        .filter(pk=patient_id, message_emails=True, user__is_active=True)
        .exclude(email=None)
        .exclude(email="")
        .select_related("user")
        .first()
    )
    if patient is None:
        return False
    thread = MessageThread.objects.filter(patient=patient).first()
    unread = _unread_from_clinic(patient)
    if thread is None or not unread.exists():
        return False  # already read (or hidden) before the worker got here
    notified_at = thread.patient_notified_at
    if notified_at is not None and unread.filter(created_at__lte=notified_at).exists():
        return False  # the last email still stands: what it announced is not read yet
    now = timezone.now()
    # Claimed by a conditional update: of two workers with replies to the same thread, one
    # moves the time on from the value both read and sends; the other finds nothing to move.
    claimed = MessageThread.objects.filter(pk=thread.pk, patient_notified_at=notified_at).update(
        patient_notified_at=now
    )
    if not claimed:
        return False
    try:
        _notice_email(patient).send()
    except Exception:
        # Let the next reply (or a retry) try again.
        MessageThread.objects.filter(pk=thread.pk, patient_notified_at=now).update(
            patient_notified_at=notified_at
        )
        raise
    logger.info("message notice sent to patient %s", patient.pk)
    return True


def _notice_email(patient: Patient) -> EmailMultiAlternatives:
    """In the patient's language: the worker sends it, outside any request of theirs."""
    with translation.override(usable(patient.language)):
        return _notice_email_in_language(patient)


def _notice_email_in_language(patient: Patient) -> EmailMultiAlternatives:
    unsubscribe_url = settings.SITE_URL + reverse(
        "patients:unsubscribe", args=[unsubscribe_token(patient)]
    )
    context = {
        # The link that signs in once, as in a reminder (it lasts REMINDER_LINK_HOURS).
        "sign_in_url": settings.SITE_URL + sign_in_path(patient.user, for_reminder=True),
        "hours": settings.REMINDER_LINK_HOURS,
        "unsubscribe_url": unsubscribe_url,
        "settings_url": settings.SITE_URL + reverse("patients:settings"),
        "clinic_name": settings.CLINIC_NAME,
    }
    email = EmailMultiAlternatives(
        subject=_("You have a new message from your clinic"),
        body=render_to_string("patients/email/message_notice.txt", context),
        to=[patient.email],
        headers={
            "List-Unsubscribe": f"<{unsubscribe_url}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )
    email.attach_alternative(
        render_to_string("patients/email/message_notice.html", context), "text/html"
    )
    return email


@task()
def message_notice_task(patient_id: int) -> bool:
    """The queued form of ``message_notice_send``."""
    return message_notice_send(patient_id)


# --- The clinician's email --------------------------------------------------------------------


def digest_slot(moment: datetime.datetime) -> datetime.datetime:
    """The start (UTC) of the ``MESSAGE_DIGEST_MINUTES`` slot ``moment`` falls in."""
    step = settings.MESSAGE_DIGEST_MINUTES * 60
    seconds = int(moment.timestamp())
    return datetime.datetime.fromtimestamp(seconds - seconds % step, tz=datetime.UTC)


def inbox_url() -> str:
    return settings.SITE_URL + reverse("admin:patients_messages_inbox")


def _unread_from_patients(clinician):
    return Message.objects.visible().filter(
        patient__clinician=clinician,
        patient__is_active=True,
        from_patient=True,
        read_at__isnull=True,
    )


def message_digest_send(clinician_id: int) -> str:
    """Email the clinician how many patients wrote, at most once a slot: "sent"; "deferred"
    when this slot's email has gone and the task waits for the next slot; "nothing" when
    there is nothing new (everything read, or already counted in the last email)."""
    clinician = (
        get_user_model()
        .objects.filter(pk=clinician_id, is_active=True, is_staff=True)
        .exclude(email="")
        .first()
    )
    if clinician is None:
        return "nothing"
    last = MessageDigestSent.objects.filter(clinician=clinician).order_by("-sent_at").first()
    new = _unread_from_patients(clinician)
    if last is not None:
        new = new.filter(created_at__gt=last.sent_at)
    if not new.exists():
        # Read already, or counted by an email that went after it arrived: a task queued
        # again for the next slot by each of three messages sends one email, not three.
        return "nothing"
    # ``sent_at`` is "counted up to here": a later task sends again only for messages after
    # it. (A message written in the instant before and committed just after the count below
    # would wait for the next message; message_send's transaction is milliseconds long.)
    now = timezone.now()
    slot = digest_slot(now)
    try:
        with transaction.atomic():
            record = MessageDigestSent.objects.create(clinician=clinician, hour=slot, sent_at=now)
    except IntegrityError:
        return _digest_later(clinician, slot)
    count = MessageThread.objects.filter(
        patient__clinician=clinician, patient__is_active=True, clinic_unread__gt=0
    ).count()
    if not count:  # read (or hidden) a moment ago: nothing to say, and the slot stays free
        record.delete()
        return "nothing"
    record.patients = count
    record.save(update_fields=["patients"])
    try:
        _digest_email(clinician, count).send()
    except Exception:
        record.delete()  # a later message (or a retry) tries again
        raise
    logger.info("message digest sent to user %s: %s patients", clinician.pk, count)
    return "sent"


def _digest_later(clinician, slot: datetime.datetime) -> str:
    """This slot's email has gone: queue the task for the start of the next slot."""
    if not message_digest_task.get_backend().supports_defer:
        # The immediate backend of development and tests cannot wait; the next message
        # after this slot brings the email instead.
        return "nothing"
    run_after = slot + datetime.timedelta(minutes=settings.MESSAGE_DIGEST_MINUTES)
    message_digest_task.using(run_after=run_after).enqueue(clinician.pk)
    return "deferred"


def _digest_email(clinician, count: int) -> EmailMultiAlternatives:
    """In the clinic's language (settings.LANGUAGE_CODE), whoever's request queued it (the
    immediate task backend runs it inside the patient's own request)."""
    with translation.override(settings.LANGUAGE_CODE):
        return _digest_email_in_language(clinician, count)


def _digest_email_in_language(clinician, count: int) -> EmailMultiAlternatives:
    context = {
        "name": clinician.first_name or clinician.username,
        "count": count,
        "inbox_url": inbox_url(),
        "minutes": settings.MESSAGE_DIGEST_MINUTES,
        "clinic_name": settings.CLINIC_NAME,
    }
    subject = ngettext(
        "Homeplan: %(count)s patient wrote to you",
        "Homeplan: %(count)s patients wrote to you",
        count,
    ) % {"count": count}
    email = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string("patients/email/message_digest.txt", context),
        to=[clinician.email],
    )
    email.attach_alternative(
        render_to_string("patients/email/message_digest.html", context), "text/html"
    )
    return email


@task()
def message_digest_task(clinician_id: int) -> str:
    """The queued form of ``message_digest_send``."""
    return message_digest_send(clinician_id)
