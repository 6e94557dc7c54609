"""Progression and regression suggestions for the clinician. Never applied automatically.

Rules about one exercise read only what the patient did with that exercise; "how it felt",
pain and symptom reports are answers about the whole session or the whole patient, so they
may hold every progression back but never single one exercise out.

- *Regression* of an exercise: its two latest records (in the last two weeks, today
  included) are both "skipped: too painful"; or its two latest answers to "how did it feel?"
  (asked after each exercise, ``ExerciseFeedback``) are both "too hard".
- *Progression* of an exercise (over the last two weeks, whole days ending yesterday): done on
  most due days (``SUGGEST_DONE_SHARE``), with the patient's average pain at most
  ``SUGGEST_MAX_PAIN``, their sessions (or this exercise) rated, no session "too hard" and
  this exercise never "too hard". Never while the patient has
  a symptom report the clinician has not reviewed, nor while their average pain over the
  last 7 days is ``SUGGEST_NO_PROGRESSION_PAIN`` or more.

A progression adds repetitions or hold time; at the top of the range it moves to the harder
exercise a content editor linked (the same movement made harder), and without such a link it
proposes nothing. A regression does the reverse through the easier link. A decision (accept
or dismiss) silences the same suggestion for that exercise for ``SUGGEST_QUIET_DAYS``.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Avg, Count, F, Q
from django.db.models.expressions import Window
from django.db.models.functions import RowNumber
from django.utils import timezone
from django.utils.translation import gettext, ngettext

from exercises.dosage import describe_dosage
from exercises.models import Exercise
from patients import schedule
from patients.models import (
    Effort,
    ExerciseCheck,
    ExerciseFeedback,
    PrescribedExercise,
    Prescription,
    SessionLog,
    SkipReason,
    Suggestion,
    SymptomReport,
)

WINDOW_DAYS = 14
REPS_RANGE = (4, 20)
HOLD_RANGE = (10, 60)


@dataclass(frozen=True)
class Proposal:
    sets: int
    reps: int | None
    hold_seconds: int | None
    exercise: Exercise

    def describe(self, prescribed: PrescribedExercise) -> str:
        dose = describe_dosage(
            sets=self.sets, reps=self.reps, hold_seconds=self.hold_seconds, side=prescribed.side
        )
        if self.exercise.pk != prescribed.exercise_id:
            return gettext("switch to %(exercise)s, %(dose)s") % {
                "exercise": self.exercise.name,
                "dose": dose,
            }
        return dose


@dataclass(frozen=True)
class Candidate:
    prescribed: PrescribedExercise
    kind: str
    reason: str
    proposal: Proposal

    @property
    def change(self) -> str:
        return self.proposal.describe(self.prescribed)

    def get_kind_label(self) -> str:
        return (
            gettext("progression")
            if self.kind == Suggestion.Kind.PROGRESS
            else gettext("regression")
        )


def propose(prescribed: PrescribedExercise, kind: str) -> Proposal | None:
    """The dose (or exercise) change a progression or regression would make."""
    up = kind == Suggestion.Kind.PROGRESS
    reps, hold = prescribed.reps, prescribed.hold_seconds
    if reps:
        step = max(2, round(reps * 0.2))
        new_reps = min(reps + step, REPS_RANGE[1]) if up else max(reps - step, REPS_RANGE[0])
        if new_reps != reps:
            return Proposal(prescribed.sets, new_reps, hold, prescribed.exercise)
    elif hold:
        new_hold = min(hold + 10, HOLD_RANGE[1]) if up else max(hold - 10, HOLD_RANGE[0])
        if new_hold != hold:
            return Proposal(prescribed.sets, reps, new_hold, prescribed.exercise)
    # Only the variant a content editor linked: "the next exercise of the same region" may
    # stretch other muscles or load the body another way.
    other = prescribed.exercise.harder if up else prescribed.exercise.easier
    if other is None or other.status != Exercise.Status.PUBLISHED:
        return None
    return Proposal(other.default_sets, other.default_reps, other.default_hold_seconds, other)


def _painful_twice(candidates: list[int], first, last) -> set[int]:
    """Of the ``candidates`` (prescribed exercises skipped as too painful at least twice between
    ``first`` and ``last``), those whose two latest records are both such skips."""
    if not candidates:
        return set()
    latest_two = (
        ExerciseCheck.objects.filter(
            prescribed_exercise__in=candidates, session_log__date__range=(first, last)
        )
        .annotate(
            recency=Window(
                RowNumber(),
                partition_by=F("prescribed_exercise"),
                order_by=[F("session_log__date").desc(), F("session_log__session_number").desc()],
            )
        )
        .filter(recency__lte=2)
        .values_list("prescribed_exercise", "status", "skip_reason")
    )
    painful = defaultdict(int)
    for pk, status, reason in latest_two:
        if status == ExerciseCheck.Status.SKIPPED and reason == SkipReason.TOO_PAINFUL:
            painful[pk] += 1
    return {pk for pk, times in painful.items() if times == 2}


def _too_hard_twice(candidates: list[int], first, last) -> set[int]:
    """Of the ``candidates`` (exercises answered "too hard" at least twice between ``first``
    and ``last``), those whose two latest answers are both "too hard"."""
    if not candidates:
        return set()
    latest_two = (
        ExerciseFeedback.objects.filter(
            prescribed_exercise__in=candidates, date__range=(first, last)
        )
        .annotate(
            recency=Window(
                RowNumber(), partition_by=F("prescribed_exercise"), order_by=F("date").desc()
            )
        )
        .filter(recency__lte=2)
        .values_list("prescribed_exercise", "effort")
    )
    hard = defaultdict(int)
    for pk, effort in latest_two:
        hard[pk] += effort == Effort.TOO_HARD
    return {pk for pk, times in hard.items() if times == 2}


def candidates_for(
    patients, *, today: datetime.date | None = None, reporting: set[int] | None = None
) -> dict[int, list[Candidate]]:
    """Current suggestions per patient id, in a fixed number of queries for any number of
    patients. ``reporting``: the ids of those with an unreviewed symptom report, if known."""
    today = today or timezone.localdate()
    last = today - datetime.timedelta(days=1)
    first = last - datetime.timedelta(days=WINDOW_DAYS - 1)
    week_first = last - datetime.timedelta(days=6)
    patients = list(patients)
    prescribed = list(
        PrescribedExercise.objects.filter(
            prescription__patient__in=patients,
            prescription__status=Prescription.Status.ACTIVE,
        ).select_related("exercise__harder", "exercise__easier", "prescription")
    )
    if not prescribed:
        return {}
    if reporting is None:
        reporting = set(
            SymptomReport.objects.filter(patient__in=patients)
            .unreviewed()
            .values_list("patient_id", flat=True)
        )
    # Per exercise: the days it was done (up to yesterday), and its "too painful" skips (up to
    # today: a safety signal need not wait for tomorrow).
    per_exercise = {
        row["prescribed_exercise"]: row
        for row in ExerciseCheck.objects.filter(
            prescribed_exercise__in=prescribed, session_log__date__range=(first, today)
        )
        .values("prescribed_exercise")
        .annotate(
            done_days=Count(
                "session_log__date",
                distinct=True,
                filter=Q(status=ExerciseCheck.Status.DONE, session_log__date__lte=last),
            ),
            painful=Count(
                "pk",
                filter=Q(status=ExerciseCheck.Status.SKIPPED, skip_reason=SkipReason.TOO_PAINFUL),
            ),
        )
    }
    # Answers about whole sessions, so about the patient: never about one exercise.
    sessions = {
        row["prescription__patient"]: row
        for row in SessionLog.objects.filter(
            prescription__patient__in=patients,
            date__range=(first, last),
            completed_at__isnull=False,
        )
        .values("prescription__patient")
        .annotate(
            pain_average=Avg("pain"),
            pain_week=Avg("pain", filter=Q(date__gte=week_first)),
            rated=Count("pk", filter=~Q(effort="")),
            too_hard=Count("pk", filter=Q(effort=Effort.TOO_HARD)),
        )
    }
    # Per exercise: how it felt, as the patient said after it (never the session's answer).
    felt = {
        row["prescribed_exercise"]: row
        for row in ExerciseFeedback.objects.filter(
            prescribed_exercise__in=prescribed, date__range=(first, today)
        )
        .values("prescribed_exercise")
        .annotate(
            rated=Count("pk", filter=Q(date__lte=last)),
            too_hard=Count("pk", filter=Q(effort=Effort.TOO_HARD)),
        )
    }
    painful = _painful_twice(
        [pk for pk, row in per_exercise.items() if row["painful"] >= 2], first, today
    )
    too_hard = _too_hard_twice(
        [pk for pk, row in felt.items() if row["too_hard"] >= 2], first, today
    )
    quiet_since = timezone.now() - datetime.timedelta(days=settings.SUGGEST_QUIET_DAYS)
    decided = set(
        Suggestion.objects.filter(
            prescribed__in=prescribed, decided_at__gte=quiet_since
        ).values_list("prescribed", "kind")
    )

    result: dict[int, list[Candidate]] = {}
    for item in prescribed:
        patient_id = item.prescription.patient_id
        kind, reason = None, ""
        if item.pk in painful:
            kind = Suggestion.Kind.REGRESS
            reason = gettext("skipped as too painful twice in a row")
        elif item.pk in too_hard:
            kind = Suggestion.Kind.REGRESS
            reason = gettext("rated too hard twice in a row")
        elif _may_progress(patient_id in reporting, sessions.get(patient_id), felt.get(item.pk)):
            due_days = sum(
                1
                for day in schedule.days_between(first, last)
                if schedule.is_due_on(item.prescription, day)
            )
            done = per_exercise.get(item.pk, {}).get("done_days", 0)
            if due_days and done >= settings.SUGGEST_DONE_SHARE * due_days:
                kind = Suggestion.Kind.PROGRESS
                reason = ngettext(
                    "done on %(done)d of %(due)d due day, pain %(pain).1f",
                    "done on %(done)d of %(due)d due days, pain %(pain).1f",
                    due_days,
                ) % {"done": done, "due": due_days, "pain": sessions[patient_id]["pain_average"]}
        if kind is None or (item.pk, kind) in decided:
            continue
        proposal = propose(item, kind)
        if proposal is not None:
            result.setdefault(patient_id, []).append(Candidate(item, kind, reason, proposal))
    return result


def _may_progress(reporting: bool, sessions: dict | None, felt: dict | None) -> bool:
    """The patient-level conditions for any progression at all, and this exercise's own
    answers (``felt``): never "too hard"."""
    if reporting or sessions is None:
        return False
    felt = felt or {"rated": 0, "too_hard": 0}
    pain, pain_week = sessions["pain_average"], sessions["pain_week"]
    return (
        pain is not None
        and pain <= settings.SUGGEST_MAX_PAIN
        and (pain_week is None or pain_week < settings.SUGGEST_NO_PROGRESSION_PAIN)
        and (sessions["rated"] > 0 or felt["rated"] > 0)
        and sessions["too_hard"] == 0
        and felt["too_hard"] == 0
    )
