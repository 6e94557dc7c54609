"""What the prescribing page shows: the library panel (search results, favourites, recently
used, each marked when it matches the patient's precautions) and the plan panel's rows with
their exercises. A fixed number of queries, whatever the library's size."""

from dataclasses import dataclass, field

from django.conf import settings
from django.db import models

from exercises import dosage
from exercises.models import Exercise
from exercises.search import favourite_exists, favourites, library_search
from patients import contraindications
from patients.models import Patient


@dataclass
class LibraryPanel:
    query: str
    results: list
    total: int
    filtered: bool = False
    favourites: list = field(default_factory=list)
    recent: list = field(default_factory=list)

    @property
    def searching(self) -> bool:
        return bool(self.query or self.filtered)


def _mark(patient: Patient, exercises: list) -> list:
    """Set ``warning`` on each exercise: the names of the patient's precaution tags it
    matches (empty when none). The patient's tags are prefetched by the caller."""
    found = {exercise.pk: tags for exercise, tags in contraindications.matching(patient, exercises)}
    for exercise in exercises:
        exercise.warning = found.get(exercise.pk, [])
    return exercises


def recently_used(user, limit: int = 8) -> list[Exercise]:
    """The exercises this clinician put in a plan most recently (theirs only)."""
    return list(
        Exercise.objects.published()
        .annotate(
            last_used=models.Max(
                "prescribed_exercises__prescription__created_at",
                filter=models.Q(prescribed_exercises__prescription__created_by=user.pk),
            ),
            is_favourite=favourite_exists(user),
        )
        .filter(last_used__isnull=False)
        .order_by("-last_used")
        .prefetch_related("precaution_tags")[:limit]
    )


def library_panel(*, user, patient: Patient, query: str, filters: dict, full: bool) -> LibraryPanel:
    """The results for ``query`` and ``filters``; with ``full``, also the clinician's
    favourites and recently used exercises (the page's first view)."""
    results, total = library_search(user=user, query=query, filters=filters)
    panel = LibraryPanel(
        query=query,
        results=_mark(patient, results),
        total=total,
        filtered=any(filters.values()),
    )
    if full:
        panel.favourites = _mark(patient, favourites(user))
        panel.recent = _mark(patient, recently_used(user))
    return panel


@dataclass
class PlanRowView:
    form: object
    exercise: Exercise
    warning: list[str]


def plan_rows(patient: Patient, formset, exercises: dict[int, Exercise]) -> list[PlanRowView]:
    rows = []
    for form in formset.forms:
        exercise = exercises.get(int(form["exercise"].value()))
        if exercise is None:
            continue
        warning = contraindications.matching(patient, [exercise])
        rows.append(
            PlanRowView(form=form, exercise=exercise, warning=warning[0][1] if warning else [])
        )
    return rows


def session_minutes(rows: list[dict]) -> int:
    """About how long one session of these rows takes, in whole minutes (0 for none)."""
    seconds = 0
    for row in rows:
        try:
            seconds += dosage.estimate_seconds(
                sets=int(row.get("sets") or 1),
                reps=int(row["reps"]) if str(row.get("reps") or "").isdigit() else None,
                hold_seconds=int(row["hold_seconds"])
                if str(row.get("hold_seconds") or "").isdigit()
                else None,
                side=row.get("side") or "both",
                rest_seconds=int(row.get("rest_seconds") or 0),
            )
        except (TypeError, ValueError):
            continue
    return round(seconds / 60) if seconds else 0


def too_many(rows: list) -> bool:
    return len(rows) > settings.PROGRAM_SIZE_WARNING


def exercises_for(ids) -> dict[int, Exercise]:
    """The exercises of the plan's rows, with their tags, in one query (two with tags)."""
    ids = {int(pk) for pk in ids if str(pk).isdigit()}
    if not ids:
        return {}
    return {
        e.pk: e for e in Exercise.objects.filter(pk__in=ids).prefetch_related("precaution_tags")
    }
