"""The clinician's progress page for one patient: read model, a fixed number of queries."""

import datetime
from collections import Counter
from dataclasses import dataclass

from django.db.models import Count, Q, Sum

from exercises.tracking import CUES
from patients import adherence, charts, plan, schedule
from patients.models import (
    ContraindicationOverride,
    Effort,
    ExerciseCheck,
    ExerciseFeedback,
    FunctionScore,
    Patient,
    PrescribedExercise,
    SessionLog,
    SkipReason,
    Suggestion,
)

WEEKS = 12


@dataclass
class CameraSummary:
    """What guided mode's camera coach counted for one exercise over the page's period."""

    sets: int  # sets the camera counted to the end
    total_sets: int  # the prescribed sets of every check-off done in the period
    seconds_per_rep: float | None  # seconds held per repetition the camera counted
    warnings: list[tuple[str, int]]  # each form cue's words and how many times it was said

    @property
    def self_reported(self) -> int:
        return self.total_sets - self.sets


@dataclass
class ExerciseRow:
    prescribed: PrescribedExercise
    done: int
    skipped: int
    skip_reasons: list[tuple[str, int]]
    too_hard: int
    too_easy: int
    about_right: int = 0
    camera: CameraSummary | None = None


def camera_summary(prescribed: PrescribedExercise, done: int, counted: list[dict]):
    """The camera's numbers for one exercise, from its ``done`` check-offs in the period and
    the rows of those the camera counted (``counted``); None if it never counted a set.
    Self-reported sets are the prescribed sets of each check-off less the camera's."""
    if not counted:
        return None
    sets = sum(min(row["camera_sets"], prescribed.sets) for row in counted)
    reps = sum(row["camera_reps"] for row in counted)
    seconds = sum(row["camera_seconds"] for row in counted)
    said: Counter[str] = Counter()
    for row in counted:
        said.update(
            {
                key: count
                for key, count in (row["form_warnings"] or {}).items()
                if isinstance(count, int)
            }
        )
    return CameraSummary(
        sets=sets,
        total_sets=max(done * prescribed.sets, sets),
        seconds_per_rep=seconds / reps if reps and prescribed.hold_seconds else None,
        warnings=[
            (str(CUES.get(key, key)), count)
            for key, count in sorted(said.items(), key=lambda item: (-item[1], item[0]))
        ],
    )


@dataclass
class WeekBar:
    first_day: datetime.date
    due: int
    done: float

    @property
    def percent(self) -> int | None:
        return round(100 * self.done / self.due) if self.due else None


def weekly_adherence(patient: Patient, prescriptions, first: datetime.date, last: datetime.date):
    """Due and done sessions per week (Monday first) from ``first`` to ``last``."""
    credit = (
        SessionLog.objects.for_patient(patient)
        .filter(date__range=(first, last))
        .values("date")
        .annotate(credit=Sum(adherence.session_credit()))
    )
    done_by_day = {row["date"]: row["credit"] for row in credit}
    weeks = []
    start = first - datetime.timedelta(days=first.weekday())
    while start <= last:
        days = [start + datetime.timedelta(days=n) for n in range(7)]
        days = [day for day in days if first <= day <= last]
        weeks.append(
            WeekBar(
                first_day=start,
                due=sum(schedule.due_session_count(prescriptions, day) for day in days),
                done=sum(done_by_day.get(day, 0.0) for day in days),
            )
        )
        start += datetime.timedelta(days=7)
    return weeks


def exercise_rows(patient: Patient, *, since: datetime.date | None = None) -> list[ExerciseRow]:
    """Per prescribed exercise: done and skipped counts, skip reasons, how it felt as the
    patient answered after that exercise (never the session's answer spread onto it), and
    from ``since`` on, what the camera counted (sets against self-reported, seconds held,
    form cues): read with the skips, in the same number of queries."""
    since = since or datetime.date.min
    done = Q(status=ExerciseCheck.Status.DONE)
    in_period = Q(session_log__date__gte=since)
    checks = ExerciseCheck.objects.filter(session_log__prescription__patient=patient)
    totals = {
        row["prescribed_exercise"]: row
        for row in checks.values("prescribed_exercise").annotate(
            done=Count("pk", filter=done),
            skipped=Count("pk", filter=Q(status=ExerciseCheck.Status.SKIPPED)),
            done_in_period=Count("pk", filter=done & in_period),
        )
    }
    felt = {
        row["prescribed_exercise"]: row
        for row in ExerciseFeedback.objects.filter(
            prescribed_exercise__prescription__patient=patient
        )
        .values("prescribed_exercise")
        .annotate(
            too_hard=Count("pk", filter=Q(effort=Effort.TOO_HARD)),
            too_easy=Count("pk", filter=Q(effort=Effort.TOO_EASY)),
            about_right=Count("pk", filter=Q(effort=Effort.ABOUT_RIGHT)),
        )
    }
    # The skips (for their reasons) and the period's check-offs the camera counted, in one
    # query: the page's query count stays the same whatever the history holds.
    reasons: Counter = Counter()
    counted: dict[int, list[dict]] = {}
    for row in checks.filter(
        Q(status=ExerciseCheck.Status.SKIPPED) | (done & in_period & Q(camera_sets__gt=0))
    ).values(
        "prescribed_exercise",
        "status",
        "skip_reason",
        "camera_sets",
        "camera_reps",
        "camera_seconds",
        "form_warnings",
    ):
        if row["status"] == ExerciseCheck.Status.SKIPPED:
            reasons[(row["prescribed_exercise"], row["skip_reason"])] += 1
        else:
            counted.setdefault(row["prescribed_exercise"], []).append(row)
    labels = dict(SkipReason.choices)
    rows = []
    for prescribed in PrescribedExercise.objects.filter(
        prescription__patient=patient
    ).select_related("exercise", "prescription"):
        total = totals.get(prescribed.pk, {})
        rows.append(
            ExerciseRow(
                prescribed=prescribed,
                done=total.get("done", 0),
                skipped=total.get("skipped", 0),
                skip_reasons=[
                    (labels.get(reason, reason), count)
                    for (pk, reason), count in sorted(reasons.items())
                    if pk == prescribed.pk
                ],
                too_hard=felt.get(prescribed.pk, {}).get("too_hard", 0),
                too_easy=felt.get(prescribed.pk, {}).get("too_easy", 0),
                about_right=felt.get(prescribed.pk, {}).get("about_right", 0),
                camera=camera_summary(
                    prescribed, total.get("done_in_period", 0), counted.get(prescribed.pk, [])
                ),
            )
        )
    return rows


@dataclass
class CheckInTable:
    dates: list[datetime.date]
    rows: list[tuple[str, list[int | None]]]  # activity name, score per date
    mean_chart: object


def checkin_table(patient: Patient) -> CheckInTable | None:
    """Function check-in scores: one row per activity, one column per check-in."""
    scores = list(
        FunctionScore.objects.filter(checkin__patient=patient)
        .select_related("activity", "checkin")
        .order_by("checkin__date", "activity__order", "activity_id")
    )
    if not scores:
        return None
    dates = sorted({score.checkin.date for score in scores})
    names: dict[int, str] = {}
    values: dict[int, dict[datetime.date, int]] = {}
    for score in scores:
        names[score.activity_id] = score.activity.name
        values.setdefault(score.activity_id, {})[score.checkin.date] = score.score
    means = []
    for day in dates:
        that_day = [by_day[day] for by_day in values.values() if day in by_day]
        means.append((day, sum(that_day) / len(that_day)))
    return CheckInTable(
        dates=dates,
        rows=[(names[pk], [values[pk].get(day) for day in dates]) for pk in names],
        mean_chart=charts.line_chart(means, width=560, height=140) if len(dates) > 1 else None,
    )


def late_entries(patient: Patient, *, since: datetime.date) -> list[SessionLog]:
    """Sessions since ``since`` whose latest entry reached us more than a day after their
    date: accepted (the phone's clock said the day was still open) but worth knowing."""
    received = (
        SessionLog.objects.for_patient(patient)
        .filter(date__gte=since, received_at__isnull=False)
        .select_related("prescription__patient")
        .order_by("date", "session_number")
    )
    return [log for log in received if log.entered_late]


def progress(patient: Patient, *, today: datetime.date) -> dict:
    """Everything the progress page shows."""
    first = today - datetime.timedelta(weeks=WEEKS) + datetime.timedelta(days=1)
    first -= datetime.timedelta(days=first.weekday())  # start the heat map on a Monday
    history = plan.history(patient, today=today)
    prescriptions = list(patient.prescriptions.all())
    pain = [(day, value) for day, value in history.pain_by_day if day >= first]
    rows = exercise_rows(patient, since=first)
    return {
        "history": history,
        "heatmap": charts.heatmap(first, today, history.statuses),
        "pain_chart": charts.line_chart(pain, width=560, height=160),
        "weeks": weekly_adherence(
            patient, prescriptions, first, today - datetime.timedelta(days=1)
        ),
        "exercise_rows": rows,
        # Only the exercises the camera counted a set of; none: one short line.
        "camera_rows": [row for row in rows if row.camera],
        "notes": list(
            SessionLog.objects.for_patient(patient)
            .exclude(note="")
            .select_related("prescription__patient")
            .order_by("date", "session_number")
        ),
        "late_entries": late_entries(patient, since=first),
        "prescriptions": prescriptions,
        # What the patient wrote with "My symptoms got worse", newest first.
        "symptom_reports": list(patient.symptom_reports.all()[:20]),
        "checkins": checkin_table(patient),
        "first_day": first,
    }


def decisions(patient: Patient) -> list[Suggestion]:
    """The clinician's accepted and dismissed suggestions, newest first."""
    return list(
        Suggestion.objects.filter(prescribed__prescription__patient=patient).select_related(
            "prescribed__exercise", "decided_by"
        )[:20]
    )


def precaution_overrides(patient: Patient) -> list[ContraindicationOverride]:
    """Exercises prescribed despite a matching precaution tag: which, why, who and when."""
    return list(
        ContraindicationOverride.objects.filter(prescribed__prescription__patient=patient)
        .select_related("prescribed__exercise", "prescribed__prescription", "decided_by")
        .order_by("-decided_at")[:20]
    )
