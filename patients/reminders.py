"""Daily reminder emails at each patient's chosen local time, and their calendar feed.

A reminder goes to a patient with something due and not yet done today, once, at or after
their reminder time (so a pass that runs late still sends). ``ReminderSent`` has one row per
patient and local day, enforced by the database, which is what stops two workers, or a
worker and cron, from both sending it.
"""

import datetime
import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.db.models import Prefetch
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django_tasks import task

from clinic import roles
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
        subject=f"Your exercises for today, {patient.first_name}",
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
        logger.exception("reminder for patient %s on %s failed", patient.pk, day)
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


def send_due_reminders(now: datetime.datetime | None = None, *, enqueue: bool = False) -> int:
    """One pass: send (or queue for the worker) every reminder due at ``now``."""
    now = now or timezone.now()
    count = 0
    for patient, day in due_reminders(now):
        if enqueue:
            send_reminder_task.enqueue(patient.pk, day.isoformat())
            count += 1
        elif send_reminder(patient, day):
            count += 1
    return count


def send_weekly_summaries(now: datetime.datetime | None = None) -> int:
    """Email each clinician who wants it the patients needing attention, once a week."""
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
    sent = 0
    for clinician in clinicians:
        try:
            with transaction.atomic():
                record = WeeklySummarySent.objects.create(clinician=clinician, week=week)
        except IntegrityError:
            continue
        items = attention.queue_for(clinician, today=today)
        patients = Patient.objects.for_clinician(clinician).active().with_adherence(today=today)
        context = {
            "clinician": clinician,
            "items": items,
            "patients": patients,
            "admin_url": settings.SITE_URL + reverse("admin:index"),
            "clinic_name": settings.CLINIC_NAME,
        }
        try:
            EmailMultiAlternatives(
                subject=f"Homeplan: {len(items)} patient(s) need attention this week",
                body=render_to_string("patients/email/weekly_summary.txt", context),
                to=[clinician.email],
            ).send()
        except Exception:
            record.delete()
            logger.exception("weekly summary for user %s failed", clinician.pk)
            raise
        sent += 1
    return sent
