"""Demo data for trying Homeplan and for the browser tests: the accounts the README lists.

Every function is idempotent: it looks rows up by a stable key and creates only what is
missing, so running ``seed_demo`` twice changes nothing.
"""

import datetime
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from clinic import roles
from exercises import services as exercise_services
from exercises.library import load_shipped_library
from exercises.library.education import load_shipped_education
from exercises.models import Exercise, Program, ProgramItem
from patients import services, weekdays
from patients.models import (
    ExerciseCheck,
    FunctionActivity,
    FunctionCheckIn,
    FunctionScore,
    Message,
    MessageThread,
    Patient,
    SessionLog,
)

DEMO_PASSWORD = "demo-pass-2026"  # noqa: S105 - a documented, development-only password


@dataclass(frozen=True)
class DemoAccount:
    username: str
    first_name: str
    last_name: str
    role: str  # "clinician", "editor" or "patient"
    clinician: str = ""  # for patients: the username of their clinician


DEMO_ACCOUNTS = (
    DemoAccount("demo-clinician", "Dana", "Reyes", "clinician"),
    DemoAccount("demo-clinician-2", "Sam", "Okafor", "clinician"),
    DemoAccount("demo-editor", "Eli", "Novak", "editor"),
    DemoAccount("demo-patient", "Pat", "Morgan", "patient", clinician="demo-clinician"),
    DemoAccount("demo-patient-2", "Lee", "Harper", "patient", clinician="demo-clinician-2"),
)


def _ensure_user(account: DemoAccount):
    user_model = get_user_model()
    user, created = user_model.objects.get_or_create(
        username=account.username,
        defaults={
            "first_name": account.first_name,
            "last_name": account.last_name,
            "email": f"{account.username}@example.org",
            "is_staff": account.role != "patient",
        },
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
    group_name = {"clinician": roles.CLINICIANS, "editor": roles.CONTENT_EDITORS}.get(account.role)
    if group_name:
        user.groups.add(Group.objects.get(name=group_name))
    return user


@transaction.atomic
def demo_accounts_ensure() -> list[str]:
    """Create the demo users and patients that are missing; return every demo username."""
    users = {account.username: _ensure_user(account) for account in DEMO_ACCOUNTS}
    for account in DEMO_ACCOUNTS:
        if account.role != "patient":
            continue
        user = users[account.username]
        Patient.objects.get_or_create(
            user=user,
            defaults={
                "first_name": account.first_name,
                "last_name": account.last_name,
                "email": user.email,
                "clinician": users[account.clinician],
                # demo-patient read the safety advice weeks ago; demo-patient-2 shows the
                # first visit.
                "safety_acknowledged_at": timezone.now() - datetime.timedelta(weeks=4)
                if account.username == "demo-patient"
                else None,
            },
        )
    return list(users)


# Two clinic-wide templates: a gentle start, and the progression a few weeks later. Each
# keeps to the 3 or 4 exercises a session that patients keep doing, and each has the hip
# flexor stretch, the clamshell or the bridge at its heart.
# (exercise key, dose overrides; an empty dict keeps the exercise's default dose)
DEMO_PROGRAMS = {
    "Hip mobility for low back pain — weeks 1–2": (
        "A gentle start: loosen the hips and wake up the buttock muscles, about 10 minutes "
        "a day. Pain during exercise should stay mild and settle within an hour.",
        [
            ("pelvic-tilt", {}),
            ("glute-bridge", {"sets": 2, "reps": 8}),
            ("clamshell", {}),
            ("standing-hip-flexor-stretch", {}),
        ],
    ),
    "Hip mobility for low back pain — weeks 3–6": (
        "The progression: a longer hip flexor stretch, and single-leg and side-lying strength.",
        [
            ("half-kneeling-hip-flexor-stretch", {}),
            ("single-leg-bridge", {}),
            ("side-lying-hip-abduction", {}),
        ],
    ),
}
BEGINNER_PROGRAM = next(iter(DEMO_PROGRAMS))


@transaction.atomic
def demo_programs_ensure() -> list[Program]:
    """The two clinic-wide templates, built from the shipped library."""
    exercises = {e.library_key: e for e in Exercise.objects.shipped()}
    programs = []
    for name, (description, items) in DEMO_PROGRAMS.items():
        program, created = Program.objects.get_or_create(
            name=name, defaults={"description": description, "owner": None}
        )
        if created:
            for order, (key, dose) in enumerate(items, start=1):
                item = ProgramItem(program=program, exercise=exercises[key], order=order)
                item.take_defaults_from(exercises[key])
                for field, value in dose.items():
                    setattr(item, field, value)
                item.save()
        programs.append(program)
    return programs


@transaction.atomic
def demo_prescriptions_ensure(*, today: datetime.date) -> None:
    """demo-patient: the beginner program, started four weeks ago; demo-patient-2 likewise
    with their own clinician."""
    program = Program.objects.get(name=BEGINNER_PROGRAM)
    for patient in Patient.objects.filter(user__username__in=["demo-patient", "demo-patient-2"]):
        if patient.prescriptions.exists():
            continue
        services.prescription_assign(
            patient=patient,
            program=program,
            start_date=today - datetime.timedelta(weeks=4),
            end_date=today + datetime.timedelta(weeks=2),
            weekdays=weekdays.EVERY_DAY,
            sessions_per_day=1,
            message="Little and often is what works. Stop any exercise that makes your pain "
            "worse, and tell me about it at your next visit.",
            assigned_by=patient.clinician,
        )


# Days (counted back from today) that demo-patient missed, and a few partly done ones.
DEMO_MISSED_DAYS_AGO = {25, 18, 17, 9}
DEMO_PARTLY_DAYS_AGO = {12, 4}
DEMO_NOTES = {
    26: "Bridges felt a bit sore in my lower back.",
    19: "Busy week, sorry for missing two days.",
    11: "Stretches are easier now.",
    3: "Could walk the dog without pain today!",
}


@transaction.atomic
def demo_history_ensure(*, today: datetime.date) -> None:
    """About four weeks of realistic history for demo-patient: mostly done, a few missed
    or partly done days, pain easing from about 6 to 3, a few notes. Today is left to do."""
    patient = Patient.objects.get(user__username="demo-patient")
    prescription = patient.prescriptions.order_by("start_date").first()
    if prescription is None or SessionLog.objects.filter(prescription=prescription).exists():
        return
    exercises = list(prescription.exercises.all())
    days = (today - prescription.start_date).days
    for days_ago in range(days, 0, -1):
        if days_ago in DEMO_MISSED_DAYS_AGO:
            continue
        day = today - datetime.timedelta(days=days_ago)
        partly = days_ago in DEMO_PARTLY_DAYS_AGO
        # Pain eases from about 6 to about 3 over the four weeks, with day-to-day wobble.
        pain = round(3 + 3 * days_ago / days + (0.6 if days_ago % 5 == 0 else 0))
        finished = timezone.make_aware(
            datetime.datetime.combine(day, datetime.time(18, 30)), patient.zone
        )
        log = SessionLog.objects.create(
            prescription=prescription,
            date=day,
            session_number=1,
            completed_at=None if partly else finished,
            pain=None if partly else pain,
            effort="" if partly else ("too_hard" if days_ago > 22 else "about_right"),
            note=DEMO_NOTES.get(days_ago, ""),
        )
        ExerciseCheck.objects.bulk_create(
            ExerciseCheck(
                session_log=log,
                prescribed_exercise=item,
                checked_at=finished,
                status=ExerciseCheck.Status.SKIPPED if partly and n == 2 else "done",
                skip_reason="no_time" if partly and n == 2 else "",
                **({} if partly else _demo_camera_counts(item, days_ago)),
            )
            for n, item in enumerate(exercises[: 3 if partly else None])
        )
        services.session_log_update_share(log)


def _demo_camera_counts(item, days_ago: int) -> dict:
    """What the camera coach counted when demo-patient used it: the hip lift on every other
    day of the last two weeks, holds a little short at first, one tip now and then."""
    if item.exercise.library_key != "glute-bridge" or days_ago > 14 or days_ago % 2:
        return {}
    reps = item.sets * (item.reps or 0)
    held = reps * (item.hold_seconds or 0) - (6 if days_ago > 7 else 1)
    return {
        "camera_sets": item.sets,
        "camera_reps": reps,
        "camera_seconds": max(held, 0),
        "form_warnings": {"hips_higher": 2, "hold_longer": 1} if days_ago > 7 else {},
    }


# demo-patient's everyday activities, rated four and two weeks ago (0 = unable, 10 = as before).
DEMO_ACTIVITIES = {
    "Putting on socks": (3, 5),
    "Sitting through a film": (4, 6),
    "Getting out of the car": (2, 4),
}


@transaction.atomic
def demo_checkins_ensure(*, today: datetime.date) -> None:
    """Function check-ins for demo-patient: the next one is due today."""
    patient = Patient.objects.get(user__username="demo-patient")
    if patient.activities.exists():
        return
    for order, (name, scores) in enumerate(DEMO_ACTIVITIES.items(), start=1):
        activity = FunctionActivity.objects.create(patient=patient, name=name, order=order)
        for days_ago, score in zip((28, 14), scores, strict=True):
            checkin, _ = FunctionCheckIn.objects.get_or_create(
                patient=patient, date=today - datetime.timedelta(days=days_ago)
            )
            FunctionScore.objects.create(checkin=checkin, activity=activity, score=score)


# demo-patient's thread: a question about an exercise, answered; a newer one still waiting.
DEMO_MESSAGES = (
    # (hours ago, from the patient, text, about the plan's first exercise)
    (
        74,
        True,
        "Is it normal to feel a stretch at the front of my hip? It is not painful.",
        True,
    ),
    (
        70,
        False,
        "Yes, a gentle stretch there is normal. Keep it easy, and stop if it turns into pain.",
        False,
    ),
    (30, True, "Can I do today's session in the evening instead of the morning?", False),
)


def demo_messages_ensure() -> None:
    """A few messages in demo-patient's thread, dated in the past (once)."""
    patient = Patient.objects.select_related("user", "clinician").get(user__username="demo-patient")
    if patient.messages.exists():
        return
    first = (
        patient.prescriptions.first().exercises.select_related("exercise", "prescription").first()
    )
    now = timezone.now()
    for hours_ago, from_patient, text, about_exercise in DEMO_MESSAGES:
        message, _ = services.message_send(
            patient=patient,
            sender=patient.user if from_patient else patient.clinician,
            text=text,
            from_patient=from_patient,
            prescribed=first if about_exercise else None,
        )
        at = now - datetime.timedelta(hours=hours_ago)
        Message.objects.filter(pk=message.pk).update(created_at=at)
        if not from_patient:
            Message.objects.filter(pk=message.pk).update(read_at=at + datetime.timedelta(hours=1))
    waiting = now - datetime.timedelta(hours=DEMO_MESSAGES[-1][0])
    MessageThread.objects.filter(patient=patient).update(
        waiting_since=waiting, last_message_at=waiting
    )
    Patient.objects.filter(pk=patient.pk).update(messages_unread=0)


def seed_demo() -> tuple[list[str], str]:
    """Everything ``seed_demo`` creates; returns the usernames and the library summary."""
    report = exercise_services.library_load(entries=load_shipped_library())
    exercise_services.education_load(entries=load_shipped_education())
    exercise_services.shipped_translations_load()
    usernames = demo_accounts_ensure()
    demo_programs_ensure()
    today = Patient.objects.get(user__username="demo-patient").today()
    demo_prescriptions_ensure(today=today)
    demo_history_ensure(today=today)
    demo_checkins_ensure(today=today)
    demo_messages_ensure()
    return usernames, report.summary()
