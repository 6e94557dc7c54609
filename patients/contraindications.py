"""Exercises that match a patient's precaution tags: warn, ask for a reason, record it."""

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.utils.translation import gettext

from clinic.validators import one_line
from exercises.models import Exercise
from patients.models import ContraindicationOverride, Patient, PrescribedExercise


class ContraindicationWarning(ValidationError):  # noqa: N818 - a warning the user can override
    """Raised when prescribing would give a patient an exercise their tags warn against."""

    def __init__(self, found: list[tuple[Exercise, list[str]]]):
        self.found = found
        details = "; ".join(f"{exercise.name} ({', '.join(tags)})" for exercise, tags in found)
        super().__init__(
            gettext(
                "Check before prescribing: %(details)s matches this patient's precautions. "
                "To prescribe anyway, give a short reason."
            ),
            code="contraindication",
            params={"details": details},
        )


def matching(patient: Patient, exercises: Iterable[Exercise]) -> list[tuple[Exercise, list[str]]]:
    """Each exercise that shares a precaution tag with the patient, with the tag names."""
    patient_tags = {tag.pk: tag.name for tag in patient.precaution_tags.all()}
    if not patient_tags:
        return []
    found = []
    for exercise in exercises:
        shared = [
            patient_tags[t.pk] for t in exercise.precaution_tags.all() if t.pk in patient_tags
        ]
        if shared:
            found.append((exercise, sorted(shared)))
    return found


def precautions_check(
    patient: Patient, exercises: Iterable[Exercise], override_reason: str
) -> list:
    """The matches, or ContraindicationWarning when there are matches and no reason."""
    one_line(override_reason)  # the suggestion form posts it without a Django form
    found = matching(patient, exercises)
    if found and not override_reason.strip():
        raise ContraindicationWarning(found)
    return found


def record(
    *, prescribed: Iterable[PrescribedExercise], found: list, reason: str, decided_by
) -> None:
    """Write down who prescribed what despite which tags, and why."""
    tags_by_exercise = {exercise.pk: tags for exercise, tags in found}
    ContraindicationOverride.objects.bulk_create(
        ContraindicationOverride(
            prescribed=item,
            tags=", ".join(tags_by_exercise[item.exercise_id]),
            reason=reason.strip()[:300],
            decided_by=decided_by,
        )
        for item in prescribed
        if item.exercise_id in tags_by_exercise
    )
