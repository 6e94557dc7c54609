"""Reminder emails and the calendar feed: who gets a reminder at a given instant across time
zones, never twice, one-click unsubscribe, and an .ics feed that real parsers read."""

import datetime
import io
import os
import subprocess
import sys
from pathlib import Path

import icalendar
import pytest
import time_machine
from django.core import mail
from django.core.management import CommandError, call_command
from django.db import connection
from django.urls import reverse

from patients import reminders
from patients.models import Patient, ReminderSent, SessionLog, SymptomReport
from patients.weekdays import mask_from_days
from tests.factories import PatientFactory, PrescribedExerciseFactory, PrescriptionFactory

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]


def patient_in(zone, *, clinician, reminder_time=datetime.time(18, 0), **extra):
    patient = PatientFactory(
        clinician=clinician, timezone=zone, reminder_time=reminder_time, **extra
    )
    prescription = PrescriptionFactory(patient=patient, start_date=datetime.date(2026, 11, 1))
    PrescribedExerciseFactory(
        prescription=prescription, exercise__name=f"Bridge {zone} #{patient.pk}"
    )
    return patient


def due_at(moment):
    return {(p.timezone, day) for p, day in reminders.due_reminders(moment)}


def test_who_gets_a_reminder_at_an_instant_across_time_zones(clinician):
    patient_in("Europe/London", clinician=clinician)
    patient_in("America/Los_Angeles", clinician=clinician)
    patient_in("Pacific/Auckland", clinician=clinician, reminder_time=datetime.time(12, 0))
    # 18:30 in London; 10:30 in Los Angeles; 07:30 on the 26th in Auckland.
    evening = datetime.datetime(2026, 11, 25, 18, 30, tzinfo=datetime.UTC)
    assert due_at(evening) == {("Europe/London", datetime.date(2026, 11, 25))}
    # 23:30 UTC on the 25th is 12:30 on the 26th in Auckland: its own local date.
    late = datetime.datetime(2026, 11, 25, 23, 30, tzinfo=datetime.UTC)
    assert due_at(late) == {
        ("Europe/London", datetime.date(2026, 11, 25)),
        ("Pacific/Auckland", datetime.date(2026, 11, 26)),
    }
    # 02:30 UTC on the 26th is 18:30 on the 25th in Los Angeles.
    assert ("America/Los_Angeles", datetime.date(2026, 11, 25)) in due_at(
        datetime.datetime(2026, 11, 26, 2, 30, tzinfo=datetime.UTC)
    )


def test_nobody_is_reminded_who_should_not_be(clinician):
    evening = datetime.datetime(2026, 11, 25, 18, 30, tzinfo=datetime.UTC)
    paused = patient_in("Europe/London", clinician=clinician)
    paused.prescriptions.update(status="paused")
    finished = patient_in("Europe/London", clinician=clinician)
    finished.prescriptions.update(status="completed")
    patient_in("Europe/London", clinician=clinician, is_active=False)
    patient_in(
        "Europe/London", clinician=clinician, email=None, user__username="no-email", user__email=""
    )
    patient_in("Europe/London", clinician=clinician, reminders_enabled=False)
    weekend_only = patient_in("Europe/London", clinician=clinician)
    weekend_only.prescriptions.update(weekdays=mask_from_days([5, 6]))  # not due on Wednesday
    other_days = patient_in(
        "Europe/London", clinician=clinician, reminder_weekdays=mask_from_days([0])
    )
    done = patient_in("Europe/London", clinician=clinician)
    SessionLog.objects.create(
        prescription=done.prescriptions.get(), date=evening.date(), completed_at=evening
    )
    assert reminders.due_reminders(evening) == []
    assert other_days.reminder_weekdays


def test_a_reminder_is_sent_once_with_text_html_sign_in_and_unsubscribe(client, clinician):
    patient = patient_in("Europe/London", clinician=clinician, first_name="Ada")
    evening = datetime.datetime(2026, 11, 25, 18, 30, tzinfo=datetime.UTC)
    assert reminders.send_due_reminders(evening) == reminders.EmailPass(sent=1)
    assert reminders.send_due_reminders(evening).sent == 0  # the second pass sends nothing
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [patient.email]
    assert "Bridge Europe/London" in message.body
    assert message.alternatives[0][1] == "text/html"
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    unsubscribe = message.extra_headers["List-Unsubscribe"].strip("<>").split("testserver")[-1]
    unsubscribe = unsubscribe[unsubscribe.index("/plan/") :]
    sign_in = next(line for line in message.body.splitlines() if "/accounts/sign-in/" in line)
    sign_in = sign_in[sign_in.index("/accounts/") :]
    with time_machine.travel(evening + datetime.timedelta(hours=2), tick=False):
        assert client.post(sign_in).url == reverse("patients:today")
    client.logout()
    # One click, no login, works once; then it says so.
    response = client.post(unsubscribe)
    assert "no more reminder or message emails" in response.content.decode()
    patient.refresh_from_db()
    assert not patient.reminders_enabled
    assert "already off" in client.post(unsubscribe).content.decode()


def test_tampered_unsubscribe_and_calendar_tokens_are_404(client, patient):
    assert client.get("/plan/unsubscribe/not-a-token/").status_code == 404
    token = reminders.unsubscribe_token(patient)
    assert client.post(f"/plan/unsubscribe/{token[:-2]}xx/").status_code == 404
    assert client.get("/plan/calendar/guess.ics").status_code == 404


def test_calendar_feed_parses_with_the_right_local_times_and_can_be_revoked(client, clinician):
    patient = patient_in(
        "America/New_York", clinician=clinician, reminder_time=datetime.time(7, 30)
    )
    patient.prescriptions.update(weekdays=mask_from_days([0, 2, 4]))
    url = reverse("patients:calendar", args=[patient.calendar_token])
    with time_machine.travel(datetime.datetime(2026, 11, 25, 12, 0, tzinfo=datetime.UTC)):
        response = client.get(url)
    assert response["Content-Type"].startswith("text/calendar")
    calendar = icalendar.Calendar.from_ical(response.content)
    events = list(calendar.walk("VEVENT"))
    starts = sorted(event.decoded("dtstart") for event in events)
    assert all(start.weekday() in (0, 2, 4) for start in starts)
    first_friday = next(s for s in starts if s.date() == datetime.date(2026, 11, 27))
    assert (first_friday.hour, first_friday.minute) == (7, 30)
    assert first_friday.utcoffset() == datetime.timedelta(hours=-5)
    assert "Bridge America/New_York" in str(events[0]["description"])
    assert calendar.walk("VTIMEZONE")

    client.force_login(patient.user)
    client.post(reverse("patients:settings"), {"action": "new_calendar_link"})
    assert client.get(url).status_code == 404
    patient.refresh_from_db()
    assert (
        client.get(reverse("patients:calendar", args=[patient.calendar_token])).status_code == 200
    )


def test_settings_page_saves_the_patients_choices(client, patient):
    client.force_login(patient.user)
    response = client.post(
        reverse("patients:settings"),
        {
            "reminders_enabled": "on",
            "reminder_time": "07:45",
            "reminder_weekdays": ["0", "3"],
            "timezone": "Europe/Madrid",
        },
    )
    assert response.status_code == 302
    patient.refresh_from_db()
    assert patient.reminder_time == datetime.time(7, 45)
    assert patient.reminder_weekdays == mask_from_days([0, 3])
    assert patient.timezone == "Europe/Madrid"
    bad = client.post(
        reverse("patients:settings"), {"reminder_time": "25:99", "timezone": "Mars/Base"}
    )
    assert bad.status_code == 400


def test_clinicians_see_but_cannot_change_reminders(client, clinician, patient):
    client.force_login(clinician)
    page = client.get(reverse("admin:patients_patient_change", args=[patient.pk])).content.decode()
    assert "On, at 18:00" in page
    assert 'name="reminders_enabled"' not in page


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_queued_reminders_survive_in_the_database_until_the_worker_runs(
    role_groups, clinician, settings
):
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}
    }
    from django_tasks_db.models import DBTaskResult

    patient_in("Europe/London", clinician=clinician)
    evening = datetime.datetime(2026, 11, 25, 18, 30, tzinfo=datetime.UTC)
    assert reminders.send_due_reminders(evening, enqueue=True).sent == 1
    assert DBTaskResult.objects.count() == 1
    assert mail.outbox == []
    with time_machine.travel(evening, tick=False):
        call_command("db_worker", batch=True, no_startup_delay=True)
    assert len(mail.outbox) == 1
    assert ReminderSent.objects.count() == 1


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_two_processes_at_once_send_one_reminder(role_groups, clinician):
    patient_in("UTC", clinician=clinician, reminder_time=datetime.time(0, 0))
    db = connection.settings_dict
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("DATABASE_URL", "DJANGO_SQLITE_PATH")
    }
    env["DJANGO_EMAIL_BACKEND"] = "django.core.mail.backends.console.EmailBackend"
    if connection.vendor == "postgresql":
        env["DATABASE_URL"] = f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
    else:
        env["DJANGO_SQLITE_PATH"] = str(db["NAME"])  # the test database file
    command = [sys.executable, "manage.py", "send_due_reminders"]
    runs = [
        subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True)  # noqa: S603
        for _ in range(2)
    ]
    outputs = [run.communicate(timeout=120)[0] for run in runs]
    assert sum(output.count("Subject: Your exercises for today") for output in outputs) == 1
    assert ReminderSent.objects.count() == 1
    assert Patient.objects.count() == 1


def test_weekly_summary_once_a_week_to_clinicians_who_want_it(clinician, other_clinician):
    patient_in("Europe/London", clinician=clinician, first_name="Zed")
    other_clinician.weekly_summary = False
    other_clinician.save()
    monday = datetime.datetime(2026, 11, 30, 7, 0, tzinfo=datetime.UTC)
    assert reminders.send_weekly_summaries(monday).sent == 1
    assert reminders.send_weekly_summaries(monday + datetime.timedelta(days=2)).sent == 0
    assert [message.to for message in mail.outbox] == [[clinician.email]]
    assert reminders.send_weekly_summaries(monday + datetime.timedelta(days=7)).sent == 1


# --- Security review round 2: findings 3 and 8 ----------------------------------------------


def test_finding_3_one_patients_broken_name_does_not_stop_the_other_reminders(clinician, caplog):
    """A name with a line break (the admin accepted it before) made the subject line raise
    and stopped the whole pass: nobody got a reminder. Now that reminder fails on its own,
    logged by id (never the name), and a later pass tries it again."""
    broken = patient_in("Europe/London", clinician=clinician, first_name="Ann\nMarie")
    fine = [patient_in("Europe/London", clinician=clinician, first_name=f"P{n}") for n in (1, 2)]
    evening = datetime.datetime(2026, 11, 25, 18, 30, tzinfo=datetime.UTC)
    result = reminders.send_due_reminders(evening)
    assert result == reminders.EmailPass(sent=2, failed=1)
    assert sorted(message.to[0] for message in mail.outbox) == sorted(p.email for p in fine)
    assert f"reminder for patient {broken.pk} on 2026-11-25 failed: BadHeaderError" in caplog.text
    assert "Ann" not in caplog.text
    assert broken.email not in caplog.text
    assert not ReminderSent.objects.filter(patient=broken).exists()  # tried again next pass


def test_finding_3_the_reminder_command_goes_on_and_exits_non_zero_at_the_end(clinician):
    patient_in("UTC", clinician=clinician, first_name="Bad\rName", reminder_time=datetime.time(0))
    good = patient_in("UTC", clinician=clinician, reminder_time=datetime.time(0))
    with pytest.raises(CommandError, match="1 reminder\\(s\\) failed"):
        call_command("send_due_reminders", stdout=io.StringIO())
    assert [message.to for message in mail.outbox] == [[good.email]]


def test_finding_3_one_clinicians_broken_address_does_not_stop_the_other_summaries(
    clinician, other_clinician, caplog
):
    other_clinician.email = "broken\n@example.org"  # an old record, saved before forms checked
    other_clinician.save()
    with pytest.raises(CommandError, match="1 weekly summary failed"):
        call_command("send_weekly_summaries", stdout=io.StringIO())
    assert [message.to for message in mail.outbox] == [[clinician.email]]
    assert f"weekly summary for user {other_clinician.pk} failed" in caplog.text
    assert "broken" not in caplog.text


def test_finding_8_the_weekly_summary_says_how_many_and_nothing_about_anyone(clinician):
    """It listed names with reasons ("Reported worse symptoms: numbness...") and
    adherence: health details in an email, against what the README promises."""
    patient = patient_in("Europe/London", clinician=clinician, first_name="Zed")
    SymptomReport.objects.create(
        patient=patient, symptoms="numbness", note="tingling down my left leg"
    )
    quiet = PatientFactory(clinician=clinician, first_name="Quinn")  # nothing due: all well
    monday = datetime.datetime(2026, 11, 30, 7, 0, tzinfo=datetime.UTC)
    with time_machine.travel(monday, tick=False):
        assert reminders.send_weekly_summaries(monday).sent == 1
    message = mail.outbox[0]
    text = f"{message.subject}\n{message.body}"
    assert message.subject == "Homeplan: 1 patient needs your attention this week"
    assert "1 of your patients needs your attention this week" in message.body
    assert "/admin/" in message.body
    for detail in (
        patient.first_name,
        patient.last_name,
        quiet.first_name,
        "numbness",
        "Numbness",
        "tingling",
        "symptom",
        "%",
        "dherence",
        "pain",
    ):
        assert detail not in text, detail


def test_weekly_summary_names_no_symptom_exercise_or_score(
    clinician, django_capture_on_commit_callbacks
):
    """What needs attention is health detail: the email counts it and links to Homeplan."""
    from patients import services
    from tests.factories import PrescribedExerciseFactory

    patient = patient_in("Europe/London", clinician=clinician, first_name="Zed")
    PrescribedExerciseFactory(prescription__patient=patient, exercise__name="Clamshell")
    with django_capture_on_commit_callbacks(execute=True):
        services.symptom_report_create(
            patient=patient, symptoms=["saddle_numbness"], note="", progress_url="https://x/"
        )
    mail.outbox.clear()
    monday = datetime.datetime(2026, 11, 30, 7, 0, tzinfo=datetime.UTC)
    assert reminders.send_weekly_summaries(monday).sent == 1
    body = mail.outbox[0].body
    assert "1 of your patients needs your attention" in body
    for detail in ("Zed", "numbness", "genitals", "Clamshell", "Pain", "URGENT"):
        assert detail not in body, detail


def test_the_feeds_time_zone_has_one_block_per_offset_and_no_rdate_list(client, clinician):
    """vobject reads only the first value of an RDATE list: the feed's VTIMEZONE has none,
    one STANDARD or DAYLIGHT block per offset in force, with both DST changes of the year."""
    patient = patient_in("Europe/London", clinician=clinician, reminder_time=datetime.time(18))
    with time_machine.travel(datetime.datetime(2026, 10, 20, 12, 0, tzinfo=datetime.UTC)):
        body = client.get(reverse("patients:calendar", args=[patient.calendar_token])).content
    assert b"RDATE" not in body
    zone = icalendar.Calendar.from_ical(body).walk("VTIMEZONE")[0]
    # DTSTART is a floating wall-clock time (RFC 5545), read here as text.
    blocks = [(b.name, b["dtstart"].to_ical(), b["tzname"]) for b in zone.subcomponents]
    assert blocks == [
        ("DAYLIGHT", b"20261006T000000", "BST"),
        ("STANDARD", b"20261025T020000", "GMT"),
    ]
    events = icalendar.Calendar.from_ical(body).walk("VEVENT")
    winter = [e.decoded("dtstart") for e in events if e.decoded("dtstart").month == 12]
    assert {(start.hour, start.utcoffset()) for start in winter} == {(18, datetime.timedelta(0))}


def test_an_alert_at_the_reminder_time_when_the_patient_asks(client, clinician):
    patient = patient_in("Europe/London", clinician=clinician)
    url = reverse("patients:calendar", args=[patient.calendar_token])
    assert b"VALARM" not in client.get(url).content
    patient.calendar_alarm = True
    patient.save()
    alarms = icalendar.Calendar.from_ical(client.get(url).content).walk("VALARM")
    assert alarms
    assert alarms[0].decoded("trigger") == datetime.timedelta(0)


def test_settings_offer_a_webcal_link_with_plain_instructions(client, patient):
    client.force_login(patient.user)
    html = client.get(reverse("patients:settings")).content.decode()
    assert f'href="webcal://testserver/plan/calendar/{patient.calendar_token}.ics"' in html
    assert "iPhone or iPad" in html
    assert "Android (Google Calendar)" in html
