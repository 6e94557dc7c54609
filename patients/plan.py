"""What a patient sees for one day: read-side selectors for the patient pages.

Each function costs a fixed number of queries, whatever the length of the history.
"""

import datetime
from dataclasses import dataclass, field
from functools import cached_property

from django.conf import settings
from django.db.models import Avg, Count, Prefetch, Q
from django.urls import reverse

from patients import reading, schedule, streaks
from patients.models import (
    ExerciseCheck,
    ExerciseFeedback,
    Patient,
    PrescribedExercise,
    Prescription,
    SessionLog,
)


@dataclass
class PlanItem:
    prescribed: PrescribedExercise
    check: ExerciseCheck | None = None
    # How the patient said this exercise felt that day (one answer per exercise and day).
    feedback: ExerciseFeedback | None = None

    @property
    def is_done(self) -> bool:
        return self.check is not None and self.check.status == ExerciseCheck.Status.DONE

    @property
    def is_skipped(self) -> bool:
        return self.check is not None and self.check.status == ExerciseCheck.Status.SKIPPED


@dataclass
class PlanSession:
    number: int
    count: int  # sessions that day, to say "Session 1 of 2"
    items: list[PlanItem] = field(default_factory=list)
    logs: list[SessionLog] = field(default_factory=list)
    prescription_count: int = 0

    @property
    def open_items(self) -> list[PlanItem]:
        """The exercises neither done nor skipped."""
        return [item for item in self.items if item.check is None]

    @property
    def checked(self) -> int:
        return sum(1 for item in self.items if item.check is not None)

    @property
    def is_done(self) -> bool:
        done = [log for log in self.logs if log.is_done]
        return bool(done) and len(done) >= self.prescription_count

    @property
    def result(self) -> SessionLog | None:
        """The log holding the pain score, effort and note the patient gave."""
        return next((log for log in self.logs if log.is_done), None)


@dataclass
class DayPlan:
    day: datetime.date
    today: datetime.date
    sessions: list[PlanSession]
    messages: list[Prescription]
    editable: bool
    next_due: datetime.date | None
    prescriptions: list[Prescription]
    # (prescription, its end date or None, the clinician's message) for each paused that day.
    pauses: list = field(default_factory=list)
    # Whose plan: today's "Read" items are read only when the page shows them (an htmx
    # check-off redraws one card and never needs them).
    patient: Patient | None = None

    @property
    def is_today(self) -> bool:
        return self.day == self.today

    @property
    def is_future(self) -> bool:
        return self.day > self.today

    @cached_property
    def to_read(self) -> list[reading.Reading]:
        """Today's "Read" items (education pages); other days show none."""
        if self.patient is None or not self.is_today:
            return []
        return reading.for_today(self.patient, self.today)

    @cached_property
    def check_url(self) -> str:
        # Once per page, not once per exercise card: reverse() is a visible share of
        # Today's server time.
        return reverse("patients:check_off", args=[self.day.isoformat()])

    @cached_property
    def feedback_url(self) -> str:
        return reverse("patients:feedback", args=[self.day.isoformat()])


def prescriptions_with_exercises(patient: Patient) -> list[Prescription]:
    """All the patient's prescriptions, with their exercises in order (two queries)."""
    return list(
        patient.prescriptions.order_by("start_date", "pk").prefetch_related(
            Prefetch(
                "exercises",
                queryset=PrescribedExercise.objects.select_related("exercise").order_by(
                    "order", "pk"
                ),
            )
        )
    )


def is_editable(day: datetime.date, today: datetime.date) -> bool:
    """Today and the grace period before it can be changed; older days are read-only."""
    return today - datetime.timedelta(days=settings.PLAN_EDIT_GRACE_DAYS) <= day <= today


def day_plan(patient: Patient, day: datetime.date, *, today: datetime.date) -> DayPlan:
    prescriptions = prescriptions_with_exercises(patient)
    due = schedule.due_on(prescriptions, day)
    logs = list(
        SessionLog.objects.filter(prescription__in=due, date=day).prefetch_related(
            "checks", "feedback"
        )
    )
    logs_by_key = {(log.prescription_id, log.session_number): log for log in logs}
    # One answer per exercise and day, kept with the log of the session it was given in.
    feedback = {
        answer.prescribed_exercise_id: answer for log in logs for answer in log.feedback.all()
    }
    count = schedule.sessions_on(due, day)
    sessions = []
    for number in range(1, count + 1):
        members = schedule.in_session(due, day, number)
        session = PlanSession(number=number, count=count, prescription_count=len(members))
        for prescription in members:
            log = logs_by_key.get((prescription.pk, number))
            if log is not None:
                session.logs.append(log)
            checks = {c.prescribed_exercise_id: c for c in log.checks.all()} if log else {}
            session.items.extend(
                PlanItem(
                    prescribed=prescribed,
                    check=checks.get(prescribed.pk),
                    feedback=feedback.get(prescribed.pk),
                )
                for prescribed in prescription.exercises.all()
            )
        sessions.append(session)
    return DayPlan(
        day=day,
        today=today,
        sessions=sessions,
        messages=[p for p in due if p.message],
        editable=is_editable(day, today),
        next_due=schedule.next_due_day(prescriptions, day) if not due else None,
        prescriptions=prescriptions,
        pauses=_pauses_on(prescriptions, day),
        patient=patient,
    )


def _pauses_on(prescriptions, day: datetime.date) -> list:
    found = []
    for prescription in prescriptions:
        period = schedule.pause_on(prescription, day)
        if period is not None:
            until = datetime.date.fromisoformat(period["until"]) if period["until"] else None
            found.append((prescription, until, period.get("message", "")))
    return found


@dataclass
class History:
    statuses: dict[datetime.date, str]
    current_streak: int
    best_streak: int
    pain_by_day: list[tuple[datetime.date, float]]


def history(patient: Patient, *, today: datetime.date) -> History:
    """Every day from the first prescription to today: status, streaks and pain."""
    prescriptions = list(patient.prescriptions.all())
    if not prescriptions:
        return History(statuses={}, current_streak=0, best_streak=0, pain_by_day=[])
    first = min(p.start_date for p in prescriptions)
    logs = SessionLog.objects.for_patient(patient).filter(date__range=(first, today))
    per_day = {
        row["date"]: row
        for row in logs.values("date").annotate(
            done=Count("pk", filter=Q(completed_at__isnull=False)), pain=Avg("pain")
        )
    }
    active_days = set(
        ExerciseCheck.objects.filter(session_log__in=logs)
        .values_list("session_log__date", flat=True)
        .distinct()
    )
    statuses = {}
    for day in schedule.days_between(first, today):
        statuses[day] = streaks.day_status(
            day=day,
            today=today,
            due=schedule.due_session_count(prescriptions, day),
            done=per_day.get(day, {}).get("done", 0),
            active=day in active_days,
        )
    current, best = streaks.streaks(statuses, today)
    pain = sorted((day, row["pain"]) for day, row in per_day.items() if row["pain"] is not None)
    return History(statuses=statuses, current_streak=current, best_streak=best, pain_by_day=pain)
