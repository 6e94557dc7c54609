"""``seed_scale``: a clinic-sized data set for the benchmark (bench/run.py).

Twenty clinicians and thousands of patients with months of history, so that slow pages and
query counts that grow with the data show up before a real clinic finds them. Everything is
written with ``bulk_create`` (no per-row ``save()``) and drawn from one seeded
``random.Random``, so two runs with the same options give the same data, in minutes.
"""

import datetime
import random
import secrets
import time
import zoneinfo

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.db.models import Max, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from clinic import roles
from exercises.models import Exercise, Program
from patients import demo, weekdays
from patients.models import (
    Effort,
    ExerciseCheck,
    Patient,
    PrescribedExercise,
    Prescription,
    SessionLog,
    SkipReason,
)

CLINICIAN_PREFIX = "scale-clinician-"
PATIENT_PREFIX = "scale-patient-"
CLINICIANS = 20
# The benchmark's clinician: their patient list and queue are measured at this size.
BENCH_CLINICIAN = f"{CLINICIAN_PREFIX}01"
BENCH_CLINICIAN_PATIENTS = 250
BATCH_SIZE = 2000
# Patients whose history is built and written together: bounds memory and transaction size.
HISTORY_CHUNK = 250

FIRST_NAMES = (
    "Alex", "Bea", "Carl", "Dina", "Emil", "Fay", "Gus", "Hana", "Ivo", "Jade",
    "Kai", "Lena", "Milo", "Nora", "Omar", "Pia", "Quin", "Rosa", "Sven", "Tara",
)  # fmt: skip
LAST_NAMES = (
    "Abbott", "Baker", "Chen", "Doyle", "Evans", "Fischer", "Garcia", "Hughes", "Iqbal",
    "Jensen", "Kowalski", "Lopez", "Murphy", "Nakamura", "Owens", "Patel", "Quinn", "Rossi",
    "Santos", "Turner", "Usman", "Varga", "Walsh", "Young", "Zhang",
)  # fmt: skip
NOTES = (
    "Bridges felt a bit sore in my lower back.",
    "Busy day, did them in a hurry.",
    "Stretches are easier now.",
    "Could walk the dog without pain today!",
    "Stiff in the morning, better after the exercises.",
)


def clinician_sizes(patients: int) -> list[int]:
    """How many patients each clinician gets: scale-clinician-01 exactly
    min(250, patients), so the benchmark measures the same list and queue size whatever
    the total; the rest spread evenly over the other 19 (the first ones get one more when
    it does not divide). With 5000 patients every clinician has 250."""
    first = min(BENCH_CLINICIAN_PATIENTS, patients)
    share, extra = divmod(patients - first, CLINICIANS - 1)
    return [first] + [share + (1 if n < extra else 0) for n in range(CLINICIANS - 1)]


class Command(BaseCommand):
    help = (
        "Create 20 clinicians and --patients patients with --months of history, for the "
        "benchmark. Refuses to run when DEBUG is off."
    )

    def add_arguments(self, parser):
        parser.add_argument("--patients", type=int, default=5000)
        parser.add_argument("--months", type=int, default=6)
        parser.add_argument("--seed", type=int, default=2026, help="Random seed (default 2026).")
        parser.add_argument(
            "--reset",
            action="store_true",
            help="Delete the scale-* users and their patients first (nothing else).",
        )

    def handle(self, *args, patients, months, seed, reset, **options):
        if not settings.DEBUG:
            raise CommandError(
                "seed_scale creates accounts with a published password and refuses to run "
                "when DEBUG is off (DJANGO_DEBUG=0)."
            )
        if patients < 1 or months < 1:
            raise CommandError("--patients and --months must be at least 1.")
        started = time.monotonic()
        users = get_user_model().objects.filter(username__startswith="scale-")
        if reset:
            self.stdout.write(f"Deleted {scale_delete()} scale patients and their history.")
        elif users.exists():
            self.stdout.write(
                "Scale data already exists (scale-* users); nothing done. "
                "Use --reset to delete it and seed again."
            )
            return
        rng = random.Random(seed)  # noqa: S311 - made-up data, not secrets
        counts = scale_create(patients=patients, months=months, rng=rng)
        elapsed = time.monotonic() - started
        summary = ", ".join(f"{count} {name}" for name, count in counts.items())
        self.stdout.write(self.style.SUCCESS(f"Created {summary} in {elapsed:.1f} s."))


def scale_delete() -> int:
    """Delete the scale users and their patients; return how many patients went.

    The check-offs go first in one statement: otherwise Django's deletion collector would
    load millions of them to honour ``ExerciseCheck.prescribed_exercise``'s RESTRICT. The
    patients then go a chunk at a time, which keeps the collector's memory bounded.
    """
    scale_patients = Patient.objects.filter(clinician__username__startswith=CLINICIAN_PREFIX)
    with transaction.atomic():
        ExerciseCheck.objects.filter(session_log__prescription__patient__in=scale_patients).delete()
        pks = list(scale_patients.values_list("pk", flat=True))
        for start in range(0, len(pks), HISTORY_CHUNK):
            Patient.objects.filter(pk__in=pks[start : start + HISTORY_CHUNK]).delete()
        get_user_model().objects.filter(username__startswith="scale-").delete()
    return len(pks)


def beginner_program() -> Program:
    """The demo beginner template, loading the shipped library first if it is missing."""
    if not Exercise.objects.shipped().exists():
        demo.seed_demo()
    return next(p for p in demo.demo_programs_ensure() if p.name == demo.BEGINNER_PROGRAM)


def scale_create(*, patients: int, months: int, rng: random.Random) -> dict[str, int]:
    """Create the accounts, patients and prescriptions in one transaction, then the history
    a chunk of patients per transaction (so SQLite's write-ahead log stays small)."""
    program = beginner_program()
    items = list(program.items.order_by("order", "pk"))
    today = timezone.localdate()
    with transaction.atomic():
        clinicians = _users_create(
            [f"{CLINICIAN_PREFIX}{n:02d}" for n in range(1, CLINICIANS + 1)], staff=True
        )
        group = Group.objects.get(name=roles.CLINICIANS)
        membership = get_user_model().groups.through
        membership.objects.bulk_create(
            [membership(user=user, group=group) for user in clinicians], batch_size=BATCH_SIZE
        )
        patient_rows = _patients_create(patients, clinicians, rng)
        prescriptions = _prescriptions_create(patient_rows, program, today, months, rng)
        exercise_ids = _prescribed_create(prescriptions, items)
    logs = checks = 0
    for start in range(0, len(prescriptions), HISTORY_CHUNK):
        chunk = prescriptions[start : start + HISTORY_CHUNK]
        with transaction.atomic():
            chunk_logs, chunk_checks = _history_create(chunk, exercise_ids, today, rng)
        logs += chunk_logs
        checks += chunk_checks
    _statistics_refresh()
    return {
        "clinicians": len(clinicians),
        "patients": len(patient_rows),
        "prescriptions": len(prescriptions),
        "prescribed exercises": sum(len(ids) for ids in exercise_ids.values()),
        "session logs": logs,
        "exercise checks": checks,
    }


def _statistics_refresh() -> None:
    """PostgreSQL plans from table statistics, and before autovacuum gathers them (minutes
    after a bulk load, or never where it is off) it picks plans for empty tables: a list
    page took seconds. ANALYZE now, so the benchmark measures what a running clinic gets.
    SQLite keeps no statistics unless asked, and a clinic's database never is: left as is."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def _users_create(usernames: list[str], *, staff: bool) -> list:
    """Bulk-created users sharing one password hash: hashing the demo password with Argon2
    for each of thousands of accounts would take longer than the rest of the seeding."""
    password = make_password(demo.DEMO_PASSWORD)
    user_model = get_user_model()
    return user_model.objects.bulk_create(
        [
            user_model(
                username=username,
                email=f"{username}@example.org",
                first_name=username.rsplit("-", 1)[-1],
                last_name="Scale",
                is_staff=staff,
                password=password,
            )
            for username in usernames
        ],
        batch_size=BATCH_SIZE,
    )


def _patients_create(count: int, clinicians: list, rng: random.Random) -> list[Patient]:
    owners = [
        clinician
        for clinician, size in zip(clinicians, clinician_sizes(count), strict=True)
        for _ in range(size)
    ]
    users = _users_create([f"{PATIENT_PREFIX}{n:05d}" for n in range(1, count + 1)], staff=False)
    acknowledged = timezone.now() - datetime.timedelta(days=30 * 6)
    return Patient.objects.bulk_create(
        [
            Patient(
                first_name=rng.choice(FIRST_NAMES),
                last_name=rng.choice(LAST_NAMES),
                email=user.email,
                clinician=owner,
                user=user,
                # Read already, so patient pages show the plan instead of the safety advice.
                safety_acknowledged_at=acknowledged,
                # A development `send_due_reminders` would otherwise print thousands of emails.
                reminders_enabled=False,
                # The unique calendar secret, drawn explicitly as the model's default does.
                calendar_token=secrets.token_urlsafe(32),
            )
            for user, owner in zip(users, owners, strict=True)
        ],
        batch_size=BATCH_SIZE,
    )


def _prescriptions_create(
    patients: list[Patient], program: Program, today: datetime.date, months: int, rng
) -> list[Prescription]:
    """One active, every-day prescription each, started about ``months`` months ago (up to
    two weeks later, so patients are not all on the same day of their program)."""
    days = round(months * 30.4)
    return Prescription.objects.bulk_create(
        [
            Prescription(
                patient=patient,
                program=program,
                name=program.name,
                start_date=today - datetime.timedelta(days=days - rng.randint(0, 13)),
                weekdays=weekdays.EVERY_DAY,
                sessions_per_day=1,
                created_by=patient.clinician,
            )
            for patient in patients
        ],
        batch_size=BATCH_SIZE,
    )


def _prescribed_create(prescriptions: list[Prescription], items) -> dict[int, list[int]]:
    """Copy the template's items into every prescription; return the exercise pks by
    prescription, in the program's order."""
    rows = PrescribedExercise.objects.bulk_create(
        [
            PrescribedExercise.snapshot_of(item, prescription=prescription, order=position)
            for prescription in prescriptions
            for position, item in enumerate(items, start=1)
        ],
        batch_size=BATCH_SIZE,
    )
    by_prescription = {}
    for row in rows:
        by_prescription.setdefault(row.prescription_id, []).append(row.pk)
    return by_prescription


def _history_create(
    prescriptions, exercise_ids: dict[int, list[int]], today: datetime.date, rng
) -> tuple[int, int]:
    """Every day from each start to yesterday (today is left to do): about 15 % missed
    (a few patients miss far more, so the needs-attention queue has work), some partly done
    with a skipped exercise, the rest completed with pain easing from about 6 to 3."""
    zone = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    logs, planned = [], []
    for prescription in prescriptions:
        ids = exercise_ids[prescription.pk]
        miss_rate = rng.uniform(0.4, 0.7) if rng.random() < 0.1 else rng.uniform(0.03, 0.18)
        span = (today - prescription.start_date).days
        for offset in range(span):
            if rng.random() < miss_rate:
                continue
            day = prescription.start_date + datetime.timedelta(days=offset)
            at = datetime.datetime.combine(
                day, datetime.time(17 + rng.randint(0, 4), rng.randint(0, 59)), tzinfo=zone
            )
            progress = offset / span
            if rng.random() < 0.08:
                checked = rng.randint(1, len(ids) - 1)
                statuses = [
                    (ExerciseCheck.Status.SKIPPED, rng.choice(SkipReason.values))
                    if rng.random() < 0.3
                    else (ExerciseCheck.Status.DONE, "")
                    for _ in range(checked)
                ]
                done = sum(status == ExerciseCheck.Status.DONE for status, _ in statuses)
                log = SessionLog(prescription=prescription, date=day, done_share=done / len(ids))
            else:
                statuses = [(ExerciseCheck.Status.DONE, "")] * len(ids)
                log = SessionLog(
                    prescription=prescription,
                    date=day,
                    completed_at=at,
                    pain=min(10, max(0, round(6 - 3 * progress + rng.gauss(0, 0.8)))),
                    effort=_effort(progress, rng),
                    note=rng.choice(NOTES) if rng.random() < 0.02 else "",
                    done_share=1.0,
                )
            logs.append(log)
            planned.append(
                [
                    (pk, status, reason, at)
                    for pk, (status, reason) in zip(ids, statuses, strict=False)
                ]
            )
    SessionLog.objects.bulk_create(logs, batch_size=BATCH_SIZE)
    checks = [
        ExerciseCheck(
            session_log_id=log.pk,
            prescribed_exercise_id=pk,
            status=status,
            skip_reason=reason,
            checked_at=at,
        )
        for log, rows in zip(logs, planned, strict=True)
        for pk, status, reason, at in rows
    ]
    ExerciseCheck.objects.bulk_create(checks, batch_size=BATCH_SIZE)
    _timestamps_backdate([p.pk for p in prescriptions])
    return len(logs), len(checks)


def _effort(progress: float, rng: random.Random) -> str:
    """How a session felt, given about a third of the time: often too hard at first."""
    if rng.random() > 0.3:
        return ""
    if progress < 0.2:
        return rng.choice([Effort.TOO_HARD, Effort.TOO_HARD, Effort.ABOUT_RIGHT])
    return rng.choice([Effort.ABOUT_RIGHT, Effort.ABOUT_RIGHT, Effort.TOO_EASY])


def _timestamps_backdate(prescription_pks: list[int]) -> None:
    """Give the logs the time they were done instead of the seeding time (``auto_now``
    fields ignore the values ``bulk_create`` is given): the needs-attention queue reads
    ``updated_at`` to tell a new note from an old one. One UPDATE per chunk."""
    when = Coalesce(
        "completed_at",
        Subquery(
            ExerciseCheck.objects.filter(session_log=OuterRef("pk"))
            .values("session_log")
            .annotate(last=Max("checked_at"))
            .values("last")
        ),
    )
    SessionLog.objects.filter(prescription__in=prescription_pks).update(
        created_at=when, updated_at=when
    )
