"""Daily reminder emails at each patient's chosen local time, and their calendar feed.

A reminder goes to a patient with something due and not yet done today, once, at or after
their reminder time (so a pass that runs late still sends). ``ReminderSent`` has one row per
patient and local day, enforced by the database, which is what stops two workers, or a
worker and cron, from both sending it.
"""

import datetime
import logging
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.db.models import Prefetch
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext, ngettext
from django_tasks import task

from clinic import roles
from clinic.languages import usable
from patients import attention, schedule, services
from patients.models import (
    Patient,
    PrescribedExercise,
    Prescription,
    ReminderSent,
    SessionLog,
    WeeklySummarySent,
)

logger = logging.getLogger(__name__)

UNSUBSCRIBE_SALT = "homeplan.patients.unsubscribe"


def unsubscribe_token(patient: Patient) -> str:
    return signing.dumps({"p": patient.pk}, salt=UNSUBSCRIBE_SALT)


def patient_from_unsubscribe_token(token: str) -> Patient | None:
    try:
        data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return None
    return Patient.objects.filter(pk=data.get("p")).first()


def _candidates():
    active = Prescription.objects.filter(status=Prescription.Status.ACTIVE)
    return (
        Patient.objects.active()
        .filter(reminders_enabled=True, user__is_active=True)
        .exclude(email=None)
        .exclude(email="")
        .filter(prescriptions__status=Prescription.Status.ACTIVE)
        .distinct()
        .select_related("user")
        .prefetch_related(
            Prefetch("prescriptions", queryset=active, to_attr="active_prescriptions"),
            Prefetch(
                "active_prescriptions__exercises",
                queryset=PrescribedExercise.objects.select_related("exercise"),
            ),
        )
    )


def due_reminders(now: datetime.datetime) -> list[tuple[Patient, datetime.date]]:
    """Patients to remind at ``now`` (aware), with their local date. Three or four queries."""
    patients = list(_candidates())
    local = {p.pk: now.astimezone(p.zone) for p in patients}
    dates = {value.date() for value in local.values()}
    sent = set(
        ReminderSent.objects.filter(patient__in=patients, date__in=dates).values_list(
            "patient", "date"
        )
    )
    done = {}
    for prescription_id, day in SessionLog.objects.filter(
        prescription__patient__in=patients, date__in=dates, completed_at__isnull=False
    ).values_list("prescription", "date"):
        done[(prescription_id, day)] = done.get((prescription_id, day), 0) + 1
    result = []
    for patient in patients:
        moment = local[patient.pk]
        day = moment.date()
        if moment.time() < patient.reminder_time or (patient.pk, day) in sent:
            continue
        if patient.reminder_weekdays and not patient.reminder_weekdays & (1 << day.weekday()):
            continue
        due = schedule.due_on(patient.active_prescriptions, day)
        if not due:
            continue
        if all(done.get((p.pk, day), 0) >= p.sessions_per_day for p in due):
            continue  # already done today: no nagging
        result.append((patient, day))
    return result


def _message(patient: Patient, day: datetime.date) -> EmailMultiAlternatives:
    """The reminder, in the patient's language (the worker sends it, outside any request of
    theirs): subject, text, and the dose lines."""
    with translation.override(usable(patient.language)):
        return _reminder_email(patient, day)


def _reminder_email(patient: Patient, day: datetime.date) -> EmailMultiAlternatives:
    due = schedule.due_on(patient.active_prescriptions, day)
    context = {
        "patient": patient,
        "exercises": [item for p in due for item in p.exercises.all()],
        "sign_in_url": settings.SITE_URL + services.sign_in_path(patient.user, for_reminder=True),
        "unsubscribe_url": settings.SITE_URL
        + reverse("patients:unsubscribe", args=[unsubscribe_token(patient)]),
        "settings_url": settings.SITE_URL + reverse("patients:settings"),
        "clinic_name": settings.CLINIC_NAME,
    }
    message = EmailMultiAlternatives(
        subject=gettext("Your exercises for today, %(name)s") % {"name": patient.first_name},
        body=render_to_string("patients/email/reminder.txt", context),
        to=[patient.email],
        headers={
            "List-Unsubscribe": f"<{context['unsubscribe_url']}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )
    message.attach_alternative(
        render_to_string("patients/email/reminder.html", context), "text/html"
    )
    return message


@dataclass(frozen=True)
class EmailPass:
    """What one pass of reminders or weekly summaries did: emails sent (or queued), and
    emails that failed (each logged by its record's id; the pass went on without them)."""

    sent: int = 0
    failed: int = 0


def _failed(what: str, record_id, error: Exception) -> None:
    # The exception's name only: its message (and a traceback's values) can hold the
    # name or address that broke the email, and logs never carry names or addresses.
    logger.error("%s for %s failed: %s", what, record_id, type(error).__name__)


def send_reminder(patient: Patient, day: datetime.date) -> bool:
    """Send one reminder unless it was already sent; True when this call sent it."""
    try:
        with transaction.atomic():
            record = ReminderSent.objects.create(patient=patient, date=day)
    except IntegrityError:
        return False  # another worker (or an earlier pass) got there first
    try:
        _message(patient, day).send()
    except Exception:
        record.delete()  # let a later pass try again
        raise
    logger.info("reminder sent to patient %s for %s", patient.pk, day)
    return True


@task()
def send_reminder_task(patient_id: int, day: str) -> bool:
    """The queued form of send_reminder, run by `python manage.py db_worker`."""
    patient = _candidates().filter(pk=patient_id).first()
    if patient is None:
        return False
    return send_reminder(patient, datetime.date.fromisoformat(day))


def send_due_reminders(now: datetime.datetime | None = None, *, enqueue: bool = False) -> EmailPass:
    """One pass: send (or queue for the worker) every reminder due at ``now``. Each goes on
    its own: one that fails (a broken address or name in an old record) is logged by the
    patient's id and counted, and the others still go."""
    now = now or timezone.now()
    sent = failed = 0
    for patient, day in due_reminders(now):
        try:
            if enqueue:
                send_reminder_task.enqueue(patient.pk, day.isoformat())
                sent += 1
            elif send_reminder(patient, day):
                sent += 1
        except Exception as error:  # one bad record must not stop the pass
            failed += 1
            _failed("reminder", f"patient {patient.pk} on {day}", error)
    return EmailPass(sent=sent, failed=failed)


def send_weekly_summaries(now: datetime.datetime | None = None) -> EmailPass:
    """Email each clinician who wants it how many of their patients need attention, once a
    week, with a link to the admin. Nothing about any patient: no names, no reasons, no
    figures (email is no place for health data). Each email goes on its own, as reminders."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    week = today - datetime.timedelta(days=today.weekday())
    clinicians = (
        get_user_model()
        .objects.filter(
            is_active=True, is_staff=True, weekly_summary=True, groups__name=roles.CLINICIANS
        )
        .exclude(email="")
    )
    sent = failed = 0
    for clinician in clinicians:
        try:
            with transaction.atomic():
                record = WeeklySummarySent.objects.create(clinician=clinician, week=week)
        except IntegrityError:
            continue
        count = len(attention.queue_for(clinician, today=today))
        context = {
            "clinician": clinician,
            "count": count,
            "admin_url": settings.SITE_URL + reverse("admin:index"),
            "clinic_name": settings.CLINIC_NAME,
        }
        try:
            _weekly_summary_email(clinician, count, context).send()
        except Exception as error:  # one bad record must not stop the pass
            record.delete()  # a later pass tries again
            failed += 1
            _failed("weekly summary", f"user {clinician.pk}", error)
            continue
        sent += 1
    return EmailPass(sent=sent, failed=failed)


def _weekly_summary_email(clinician, count: int, context: dict) -> EmailMultiAlternatives:
    """The clinician's weekly email, in the clinic's language (settings.LANGUAGE_CODE)."""
    with translation.override(settings.LANGUAGE_CODE):
        subject = ngettext(
            "Homeplan: %(count)s patient needs your attention this week",
            "Homeplan: %(count)s patients need your attention this week",
            count,
        ) % {"count": count}
        return EmailMultiAlternatives(
            subject=subject,
            body=render_to_string("patients/email/weekly_summary.txt", context),
            to=[clinician.email],
        )
