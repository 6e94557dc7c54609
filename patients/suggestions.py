"""Progression and regression suggestions for the clinician. Never applied automatically.

Over the last two weeks (whole days ending yesterday), an exercise is suggested for
*progression* when it was done on most due days (``SUGGEST_DONE_SHARE``) with average pain
at most ``SUGGEST_MAX_PAIN`` and every rating "too easy" or "about right"; for *regression*
when "too hard" came up at least twice or the patient's pain rose by
``ATTENTION_PAIN_RISE`` points against the week before. A progression adds repetitions or
hold time, or, at the top of the range, moves to the next harder exercise of the same body
region and category; a regression does the reverse. A decision (accept or dismiss) silences
the same suggestion for that exercise for ``SUGGEST_QUIET_DAYS``.
"""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Avg, Count, Q
from django.utils import timezone

from exercises.choices import Difficulty
from exercises.dosage import describe_dosage
from exercises.models import Exercise
from patients import contraindications, schedule
from patients.models import (
    Effort,
    ExerciseCheck,
    Patient,
    PrescribedExercise,
    Prescription,
    SessionLog,
    Suggestion,
)

WINDOW_DAYS = 14
LEVELS = [Difficulty.BEGINNER, Difficulty.INTERMEDIATE, Difficulty.ADVANCED]
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
            return f"switch to {self.exercise.name}, {dose}"
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
        return "progression" if self.kind == Suggestion.Kind.PROGRESS else "regression"


def _neighbour(exercise: Exercise, library: list[Exercise], step: int) -> Exercise | None:
    """The next harder (step=1) or easier (step=-1) exercise of the same region and category.

    ``library`` is filled with the published exercises on first use and reused after.
    """
    if not library:
        library.extend(Exercise.objects.published().order_by("name"))
    index = LEVELS.index(exercise.difficulty) + step
    if not 0 <= index < len(LEVELS):
        return None
    matches = [
        other
        for other in library
        if other.body_region == exercise.body_region
        and other.category == exercise.category
        and other.difficulty == LEVELS[index]
    ]
    return matches[0] if matches else None


def propose(prescribed: PrescribedExercise, kind: str, library: list[Exercise]) -> Proposal | None:
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
    # The variants content editors linked come first; then the library's next level.
    linked = prescribed.exercise.harder if up else prescribed.exercise.easier
    other = linked if linked and linked.status == Exercise.Status.PUBLISHED else None
    other = other or _neighbour(prescribed.exercise, library, 1 if up else -1)
    if other is None:
        return None
    return Proposal(other.default_sets, other.default_reps, other.default_hold_seconds, other)


def candidates_for(patients, *, today: datetime.date | None = None) -> dict[int, list[Candidate]]:
    """Current suggestions per patient id, in a fixed number of queries for any number of
    patients. ``patients`` may carry the ``with_adherence`` pain annotations."""
    today = today or timezone.localdate()
    last = today - datetime.timedelta(days=1)
    first = last - datetime.timedelta(days=WINDOW_DAYS - 1)
    patients = list(patients)
    by_id = {patient.pk: patient for patient in patients}
    prescribed = list(
        PrescribedExercise.objects.filter(
            prescription__patient__in=patients,
            prescription__status=Prescription.Status.ACTIVE,
        ).select_related("exercise__harder", "exercise__easier", "prescription")
    )
    if not prescribed:
        return {}
    window = Q(session_log__date__range=(first, last), status=ExerciseCheck.Status.DONE)
    stats = {
        row["prescribed_exercise"]: row
        for row in ExerciseCheck.objects.filter(window, prescribed_exercise__in=prescribed)
        .values("prescribed_exercise")
        .annotate(
            done_days=Count("session_log__date", distinct=True),
            too_hard=Count(
                "session_log", distinct=True, filter=Q(session_log__effort=Effort.TOO_HARD)
            ),
            rated=Count("session_log", distinct=True, filter=~Q(session_log__effort="")),
            fine=Count(
                "session_log",
                distinct=True,
                filter=Q(session_log__effort__in=[Effort.TOO_EASY, Effort.ABOUT_RIGHT]),
            ),
        )
    }
    pain = dict(
        SessionLog.objects.filter(
            prescription__in={p.prescription for p in prescribed},
            date__range=(first, last),
            completed_at__isnull=False,
        )
        .values("prescription")
        .annotate(average=Avg("pain"))
        .values_list("prescription", "average")
    )
    quiet_since = timezone.now() - datetime.timedelta(days=settings.SUGGEST_QUIET_DAYS)
    decided = set(
        Suggestion.objects.filter(
            prescribed__in=prescribed, decided_at__gte=quiet_since
        ).values_list("prescribed", "kind")
    )
    library: list[Exercise] = []  # read only if some proposal needs a neighbour exercise

    result: dict[int, list[Candidate]] = {}
    for item in prescribed:
        patient = by_id[item.prescription.patient_id]
        row = stats.get(item.pk, {})
        due_days = sum(
            1
            for day in schedule.days_between(first, last)
            if schedule.is_due_on(item.prescription, day)
        )
        kind, reason = None, ""
        this_week = getattr(patient, "pain_this_week", None)
        last_week = getattr(patient, "pain_last_week", None)
        if row.get("too_hard", 0) >= 2:
            kind, reason = Suggestion.Kind.REGRESS, f"rated “too hard” {row['too_hard']} times"
        elif (
            this_week is not None
            and last_week is not None
            and (this_week - last_week >= settings.ATTENTION_PAIN_RISE)
        ):
            kind, reason = (
                Suggestion.Kind.REGRESS,
                f"pain rose from {last_week:.1f} to {this_week:.1f}",
            )
        elif (
            due_days
            and row.get("done_days", 0) >= settings.SUGGEST_DONE_SHARE * due_days
            and pain.get(item.prescription_id) is not None
            and pain[item.prescription_id] <= settings.SUGGEST_MAX_PAIN
            and row.get("rated", 0) > 0
            and row.get("fine", 0) == row.get("rated", 0)
        ):
            kind = Suggestion.Kind.PROGRESS
            reason = (
                f"done on {row['done_days']} of {due_days} due days, "
                f"pain {pain[item.prescription_id]:.1f}"
            )
        if kind is None or (item.pk, kind) in decided:
            continue
        proposal = propose(item, kind, library)
        if proposal is not None:
            result.setdefault(patient.pk, []).append(Candidate(item, kind, reason, proposal))
    return result


@transaction.atomic
def suggestion_decide(
    *,
    prescribed: PrescribedExercise,
    kind: str,
    accept: bool,
    decided_by,
    today=None,
    override_reason: str = "",
) -> Suggestion:
    """Accept (apply the change to this one prescribed exercise) or dismiss a suggestion.

    The candidate is recomputed here, so only a suggestion the rules still make can be
    accepted; the decision is recorded with who made it.
    """
    patient = Patient.objects.with_adherence(today=today).get(pk=prescribed.prescription.patient_id)
    candidates = candidates_for([patient], today=today).get(patient.pk, [])
    candidate = next(
        (c for c in candidates if c.prescribed.pk == prescribed.pk and c.kind == kind), None
    )
    if candidate is None:
        raise ValidationError("This suggestion no longer applies.", code="stale")
    if accept:
        new_exercise = candidate.proposal.exercise
        found = []
        if new_exercise.pk != prescribed.exercise_id:
            found = contraindications.check(patient, [new_exercise], override_reason)
        target = PrescribedExercise.objects.select_for_update().get(pk=prescribed.pk)
        target.exercise = candidate.proposal.exercise
        target.sets = candidate.proposal.sets
        target.reps = candidate.proposal.reps
        target.hold_seconds = candidate.proposal.hold_seconds
        target.save(update_fields=["exercise", "sets", "reps", "hold_seconds"])
        prescribed.prescription.version_bump()
        contraindications.record(
            prescribed=[target], found=found, reason=override_reason, decided_by=decided_by
        )
    return Suggestion.objects.create(
        prescribed=prescribed,
        kind=kind,
        status=Suggestion.Status.ACCEPTED if accept else Suggestion.Status.DISMISSED,
        reason=candidate.reason[:300],
        change=candidate.change[:300],
        decided_by=decided_by,
    )
