"""The patient's iCalendar feed: one event per due day, at their reminder time, in their
time zone, with the day's exercises in the description."""

import datetime

import icalendar
from django.conf import settings
from django.db.models import Prefetch
from django.utils import translation
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext

from clinic.languages import usable
from patients import schedule
from patients.models import Patient, PrescribedExercise, Prescription

PAST_DAYS = 14
FUTURE_DAYS = 56


def event_uid(patient: Patient, day: datetime.date) -> str:
    """A stable id for one day's event. A keyed hash of the patient's id, never part of the
    feed's secret (which calendar apps show, sync and log): the same across a renewed link,
    so a calendar replaces its events instead of doubling them."""
    digest = salted_hmac("homeplan.calendar.uid", str(patient.pk), algorithm="sha256")
    return f"homeplan-{digest.hexdigest()[:24]}-{day.isoformat()}@homeplan"


def vtimezone(zone, first: datetime.date, last: datetime.date) -> icalendar.Timezone:
    """The zone's VTIMEZONE for the feed's days: one STANDARD or DAYLIGHT block per offset in
    force from ``first`` to ``last``, each with its own DTSTART and no RDATE list.

    icalendar's own blocks list 70 years of changes in one RDATE per block; vobject keeps only
    the first value of such a list and read a winter 18:00 in Europe/London an hour off.
    """
    timezone = icalendar.Timezone()
    timezone.add("tzid", zone.key)
    moment = datetime.datetime.combine(first, datetime.time(), tzinfo=zone).astimezone(datetime.UTC)
    end = datetime.datetime.combine(
        last + datetime.timedelta(days=1), datetime.time(), tzinfo=zone
    ).astimezone(datetime.UTC)
    local = moment.astimezone(zone)
    onsets = [(local.replace(tzinfo=None), local.utcoffset(), local)]
    step = datetime.timedelta(minutes=15)  # every zone changes on a quarter hour
    while moment < end:
        moment += step
        now = moment.astimezone(zone)
        if now.utcoffset() != local.utcoffset():
            # DTSTART is the wall-clock time of the change as read before it (RFC 5545).
            onsets.append(
                ((moment + local.utcoffset()).replace(tzinfo=None), local.utcoffset(), now)
            )
        local = now
    for start, offset_from, after in onsets:
        block = icalendar.TimezoneDaylight() if after.dst() else icalendar.TimezoneStandard()
        block.add("dtstart", start)
        block.add("tzoffsetfrom", offset_from)
        block.add("tzoffsetto", after.utcoffset())
        block.add("tzname", after.tzname())
        timezone.add_component(block)
    return timezone


def feed(patient: Patient, *, today: datetime.date | None = None) -> bytes:
    """The feed, in the patient's language: a calendar app asks for it with no language of
    its own (a token URL, nobody signed in)."""
    with translation.override(usable(patient.language)):
        return _feed(patient, today=today)


def _feed(patient: Patient, *, today: datetime.date | None = None) -> bytes:
    today = today or patient.today()
    prescriptions = list(
        patient.prescriptions.filter(status=Prescription.Status.ACTIVE).prefetch_related(
            Prefetch("exercises", queryset=PrescribedExercise.objects.select_related("exercise"))
        )
    )
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//Homeplan//Home exercise plan//EN")
    calendar.add("version", "2.0")
    calendar.add(
        "x-wr-calname",
        # Translators: the calendar's name in the patient's calendar app.
        gettext("Exercises · %(clinic_name)s") % {"clinic_name": settings.CLINIC_NAME},
    )
    first = today - datetime.timedelta(days=PAST_DAYS)
    last = today + datetime.timedelta(days=FUTURE_DAYS)
    for day in schedule.days_between(first, last):
        due = schedule.due_on(prescriptions, day)
        if not due:
            continue
        items = [item for prescription in due for item in prescription.exercises.all()]
        minutes = max(10, round(sum(item.estimated_seconds() for item in items) / 60))
        start = datetime.datetime.combine(day, patient.reminder_time, tzinfo=patient.zone)
        event = icalendar.Event()
        event.add("uid", event_uid(patient, day))
        event.add("summary", gettext("Home exercises"))
        event.add("dtstart", start)
        event.add("dtend", start + datetime.timedelta(minutes=minutes))
        event.add("dtstamp", datetime.datetime.combine(today, datetime.time(), tzinfo=datetime.UTC))
        event.add(
            "description",
            "\n".join(f"{item.exercise.display_name}: {item.dosage_text()}" for item in items),
        )
        if patient.calendar_alarm:
            # An alert on the phone at the reminder time, if the patient asked for one.
            alarm = icalendar.Alarm()
            alarm.add("action", "DISPLAY")
            alarm.add("description", gettext("Time for your home exercises"))
            alarm.add("trigger", datetime.timedelta(0))
            event.add_component(alarm)
        calendar.add_component(event)
    # Our own VTIMEZONE, first: calendar apps read times by it (see vtimezone).
    calendar.subcomponents.insert(0, vtimezone(patient.zone, first, last))
    return calendar.to_ical()
