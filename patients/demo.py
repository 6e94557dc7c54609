"""Demo data for trying Homeplan and for the browser tests: the accounts named in DESIGN.md.

Every function is idempotent: it looks rows up by a stable key and creates only what is
missing, so running ``seed_demo`` twice changes nothing.
"""

import datetime
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction

from clinic import roles
from exercises import services as exercise_services
from exercises.library import load_shipped_library
from exercises.models import Exercise, Program, ProgramItem
from patients import services, weekdays
from patients.models import Patient

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
            },
        )
    return list(users)


# Two clinic-wide templates: a gentle start, and the progression a few weeks later.
# (exercise key, dose overrides; an empty dict keeps the exercise's default dose)
DEMO_PROGRAMS = {
    "Hip mobility for low back pain — weeks 1–2": (
        "A gentle start: loosen the hips and wake up the buttock muscles, about 10 minutes "
        "a day. Pain during exercise should stay mild and settle within an hour.",
        [
            ("pelvic-tilt", {}),
            ("knee-to-chest", {}),
            ("glute-bridge", {"sets": 2, "reps": 8}),
            ("clamshell", {}),
            ("standing-hip-flexor-stretch", {}),
        ],
    ),
    "Hip mobility for low back pain — weeks 3–6": (
        "The progression: longer stretches, more hip control and single-leg strength.",
        [
            ("half-kneeling-hip-flexor-stretch", {}),
            ("ninety-ninety-hip-switch", {}),
            ("single-leg-bridge", {}),
            ("side-lying-hip-abduction", {}),
            ("bird-dog", {}),
            ("quadruped-rock-back", {}),
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


def seed_demo() -> tuple[list[str], str]:
    """Everything ``seed_demo`` creates; returns the usernames and the library summary."""
    report = exercise_services.library_load(entries=load_shipped_library())
    usernames = demo_accounts_ensure()
    demo_programs_ensure()
    demo_prescriptions_ensure(today=Patient.objects.get(user__username="demo-patient").today())
    return usernames, report.summary()
